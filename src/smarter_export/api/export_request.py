"""The body of `POST /api/v1/export/{format}` in the OpenAPI document, from the registries.

One object schema per data source, chosen by `dataSource` (a `oneOf` with a discriminator): the
source's own filters with their types, and the keys every request takes (columns and sort among
the source's columns, time zone, file name, period, notify, the format's options). Each refuses a
key it does not list, as the service does. A source or format added to its registry appears here
by itself. What JSON Schema cannot say (a date range's order, a period beside dates, options of
another format than the path's, columns that depend on analytics' metric) the service still
answers with a 400 naming the field.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal
from zoneinfo import available_timezones

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from smarter_export.formats.registry import FORMATS
from smarter_export.jobs.periods import PERIODS
from smarter_export.jobs.prepare import MAX_FILE_NAME, MAX_ZONE_NAME
from smarter_export.mail.recipients import MAX_RECIPIENTS
from smarter_export.sources.base import DataSource
from smarter_export.sources.registry import SOURCES

REF = "#/components/schemas/{model}"
TIME_ZONE = "TimeZone"


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _request_name(source: DataSource) -> str:
    """time_entries -> TimeEntriesExportRequest."""
    return "".join(part.title() for part in source.name.split("_")) + "ExportRequest"


@cache
def export_request_components() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The request body's schema, and the component schemas it refers to."""
    mode: Literal["validation"] = "validation"
    models: list[tuple[type[BaseModel], Literal["validation"]]] = [
        *((s.filters_model, mode) for s in SOURCES.values()),
        *((f.options, mode) for f in FORMATS),
    ]
    refs, found = models_json_schema(list(dict.fromkeys(models)), by_alias=True, ref_template=REF)
    definitions: dict[str, dict[str, Any]] = dict(found.get("$defs", {}))
    options = list(dict.fromkeys(refs[(f.options, "validation")]["$ref"] for f in FORMATS))
    components: dict[str, dict[str, Any]] = {
        TIME_ZONE: {
            "type": "string",
            "maxLength": MAX_ZONE_NAME,
            "enum": sorted(z for z in available_timezones() if len(z) <= MAX_ZONE_NAME),
            "description": "An IANA time zone.",
        }
    }
    mapping: dict[str, str] = {}
    for source in SOURCES.values():
        filters_name = refs[(source.filters_model, "validation")]["$ref"].rsplit("/", 1)[-1]
        filters = definitions.pop(filters_name)
        name = _request_name(source)
        components[name] = _source_request(source, filters, options)
        mapping[source.name] = REF.format(model=name)
    components.update(definitions)  # the enums and option models the filters refer to
    body = {
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": "dataSource", "mapping": mapping},
    }
    return body, components


def _source_request(
    source: DataSource, filters: dict[str, Any], options: list[str]
) -> dict[str, Any]:
    columns = list(source.column_names())
    for metric in source.metrics():  # analytics: each metric's rows have their own columns
        columns += [c.name for c in metric.columns if c.name not in columns]
    column = {"type": "string", "enum": columns}
    sort_key = {"type": "string", "enum": [*columns, *(f"-{c}" for c in columns)]}
    properties: dict[str, Any] = {
        "dataSource": {"type": "string", "enum": [source.name]},
        **filters.get("properties", {}),
        "columns": _nullable(
            {
                "type": "array",
                "items": column,
                "minItems": 1,
                "uniqueItems": True,
                "description": "Columns to include, in order (default: the source's defaults).",
            }
        ),
        "sort": _nullable(
            {
                "anyOf": [sort_key, {"type": "array", "items": sort_key}],
                "description": "Column names; '-' in front descends.",
            }
        ),
        "timezone": _nullable({"$ref": REF.format(model=TIME_ZONE)}),
        "fileName": _nullable(
            {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_FILE_NAME,
                "pattern": r"\w",
                "description": "Name offered when the file is downloaded.",
            }
        ),
        "notify": _nullable(
            {
                "type": "object",
                "properties": {
                    "emails": {
                        "type": "array",
                        "maxItems": MAX_RECIPIENTS,
                        "items": {"type": "string", "format": "email"},
                    }
                },
                "additionalProperties": False,
                "description": "E-mail these addresses (of your firm's domain) when it is done.",
            }
        ),
        "options": _nullable(
            {
                "anyOf": [{"$ref": ref} for ref in options],
                "description": "The options of the path's format (`GET /api/v1/export/formats`).",
            }
        ),
    }
    if "dateFrom" in properties:
        properties["period"] = _nullable(
            {
                "type": "string",
                "enum": list(PERIODS),
                "description": "Instead of dateFrom/dateTo: a period reckoned at creation.",
            }
        )
    for name in source.option_names():
        properties.setdefault(name, {})
    exclusive = {}
    if "period" in properties:  # a period, or dates: not both
        exclusive["not"] = {
            "anyOf": [
                {"required": ["period", date], "properties": {"period": {"type": "string"}}}
                for date in ("dateFrom", "dateTo")
            ]
        }
    return {
        "title": _request_name(source),
        "description": f"{source.title}: {source.description}",
        "type": "object",
        "properties": properties,
        "required": ["dataSource", *filters.get("required", [])],
        "additionalProperties": False,
        **exclusive,
    }
