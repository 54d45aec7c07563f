"""`/docs` (Swagger UI) and `/redoc` (ReDoc), served whole by the service: nothing from a CDN.

The viewers' scripts and styles come from the `fastapi-offline` package (the released Swagger UI
and ReDoc bundles, kept up to date there); the pages and Swagger UI's start-up script are ours,
so the Content-Security-Policy allows scripts of this origin only. Both viewers style their
elements at run time, so styles may be inline; ReDoc's search runs in a worker made from a blob.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

PAGES = Path(__file__).parent / "docs_static"
VIEWERS = ("fastapi_offline", "static")  # the package and its folder of bundles
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)
DOCS_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"}

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def swagger_ui() -> FileResponse:
    return FileResponse(PAGES / "swagger.html", media_type="text/html", headers=DOCS_HEADERS)


@router.get("/redoc")
def redoc() -> FileResponse:
    return FileResponse(PAGES / "redoc.html", media_type="text/html", headers=DOCS_HEADERS)


class DocsFiles(StaticFiles):
    """The viewers' bundles and our start-up script, under the pages' policy."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.update(DOCS_HEADERS)
        return response


def install_docs(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/docs/assets", DocsFiles(directory=PAGES, packages=[VIEWERS]), name="docs-assets")
