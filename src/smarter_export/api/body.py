"""Reading a JSON request body with a size limit, refusing anything else cleanly."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from pydantic import BaseModel

from smarter_export.errors import PayloadTooLarge, ValidationFailed

MAX_BODY_BYTES = 64 * 1024


async def json_object(request: Request, limit: int = MAX_BODY_BYTES) -> dict[str, Any]:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The request body is over {limit // 1024} KB.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The request body is over {limit // 1024} KB.")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise ValidationFailed.one("body", "send a JSON object with at least dataSource")
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ValidationFailed.one("body", "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ValidationFailed.one("body", "the body must be a JSON object")
    return body


def documented_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` for a route that reads its body with `json_object`: the body's schema in
    the OpenAPI document (camelCase), while the service checks it and names a bad field."""
    schema = model.model_json_schema(by_alias=True)
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
