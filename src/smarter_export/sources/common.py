"""Filter fields that several sources share, so their names and rules are the same everywhere."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from smarter_export.sources.base import Filters


def _uuid_text(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError("must be an id (a UUID such as 0f8e...-...)") from None


EntityId = Annotated[str, AfterValidator(_uuid_text), Field(json_schema_extra={"format": "uuid"})]
"""An id of the firm's data: a UUID given as text; anything else is refused before any SQL."""


class DateRange(Filters):
    date_from: date | None = Field(None, description="First day included (YYYY-MM-DD).")
    date_to: date | None = Field(None, description="Last day included (YYYY-MM-DD).")

    @field_validator("date_to")
    @classmethod
    def _not_before_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("date_from")
        if value is not None and start is not None and value < start:
            raise ValueError("must be on or after dateFrom")
        return value
