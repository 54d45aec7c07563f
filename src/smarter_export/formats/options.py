"""A format's options: what a caller may choose about the file, declared by the format.

Each format registration names a pydantic model of its options. They arrive in the export body
as `"options": {...}` (apart from the source's filters), are validated when the export is asked
for (an unknown option, or one this format does not have, is a 400 naming it), are frozen on
the job with its parameters, and reach the writer as the model. The same model is the JSON
schema `GET /api/v1/export/formats` lists and the Export Center builds its fields from.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from smarter_export.errors import FieldProblem, ValidationFailed

OPTIONS_KEY = "options"  # where options travel in a body and in a job's frozen parameters


class FormatOptions(BaseModel):
    """No options: the base of every format's options model."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=False, extra="forbid", frozen=True
    )

    def frozen(self) -> dict[str, Any]:
        """Plain JSON that `parse_options` turns back into these very options."""
        return self.model_dump(by_alias=True, mode="json")


Options = TypeVar("Options", bound=FormatOptions)


class Compression(StrEnum):
    NONE = "none"
    GZIP = "gzip"


class CompressibleOptions(FormatOptions):
    """Options of a text format that may be delivered gzip-compressed."""

    compression: Compression = Field(
        Compression.NONE,
        description="gzip: the file is delivered compressed (.csv.gz, .jsonl.gz).",
    )


def parse_options(model: type[Options], format_name: str, raw: object) -> Options:
    """The options of a request, or a 400 naming each option that is wrong."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ValidationFailed.one(OPTIONS_KEY, "give the format's options as a JSON object")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ValidationFailed([_problem(format_name, error) for error in exc.errors()]) from None


def _problem(format_name: str, error: Mapping[str, Any]) -> FieldProblem:
    location = ".".join(str(part) for part in (OPTIONS_KEY, *error.get("loc", ())))
    if error.get("type") == "extra_forbidden":
        return FieldProblem(location, f"unknown option for the {format_name} format")
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    return FieldProblem(location, message)
