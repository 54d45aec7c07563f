"""The name of an export's file: what it holds and what narrows it, safe on every file system.

`time-entries_2024-01-01_to_2024-03-31_billable.xlsx`, `invoices_Acme-Corp_2025-Q3.pdf`,
`utilization_by-timekeeper_2025.xlsx`: the subject (the source, or what the source says it is),
then the records it is narrowed to (by their names, not their ids), the period (as the request
said it: a named quarter as "2025-Q3", typed dates as typed), then the other filters' values.
A file with no period says the day it was made, in the firm's zone: a person with ten of them
in Downloads tells them apart by name, and no UTC time stamp misleads them.

Safe everywhere: Unicode in NFC (macOS, Windows and Linux then agree on the bytes), no
character Windows, macOS or a shell refuses or misreads, no Windows device name (CON, NUL,
COM1...), no trailing dot or space, and short enough for a 255-byte file name limit with room
for the browser's " (1)" and the extension. A `fileName` the caller gives goes through the same
`safe_stem`, and still wins.

A partial file says so in its name too (`invoices_2025_partial.csv`): a CSV, JSON Lines or
Parquet file has no page of its own to say that rows are missing, and a name is what a person
sees in Downloads, a month after the status they never read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from smarter_export.jobs.plan import ExportPlan
from smarter_export.sources.choices import record_labels

# Characters below are the ones every file system and shell takes as they are; anything else
# becomes the separator of its part. "_" is kept out of a part: it separates the parts.
_NOT_IN_PART = re.compile(r"[^\w-]+|_+", re.UNICODE)
_NOT_IN_STEM = re.compile(r"[^\w .()-]+", re.UNICODE)
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{name}{n}" for name in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)
MAX_STEM_CHARACTERS = 100
PARTIAL_MARK = "_partial"  # ends the stem of a file some matched rows are not in
_MAX_STEM_BYTES = 200  # UTF-8: ext4, APFS and NTFS allow 255 bytes (or UTF-16 units) a name
_MIN_RECORD_CHARACTERS = 12  # a client's or matter's name, cut to fit, still reads


def planned_file_name(
    connection: Connection, plan: ExportPlan, requested_at: datetime, *, named_period: bool
) -> str:
    """The name of `plan`'s file, requested at `requested_at`: its records named as anyone in
    the firm may see them, its day the firm's (or the request's) zone's; `named_period` when the
    request named its period (previousQuarter) rather than typing dates."""
    filters = plan.source.file_filters(plan.query)
    # The name is shown to everyone in the firm who lists exports: a confidential matter is
    # named only inside the file, for those who may see it; its id stands in the name.
    everyone = replace(plan.scope, include_confidential=False)
    return export_file_name(
        plan.source.file_subject(plan.query),
        filters,
        labels=record_labels(connection, everyone, filters),
        made_on=requested_at.astimezone(ZoneInfo(plan.info.timezone)).date(),
        extension=plan.file_extension,
        named_period=named_period,
    )


def export_file_name(
    subject: Sequence[str],
    filters: Sequence[tuple[str, object]],
    *,
    labels: Mapping[str, str],
    made_on: date,
    extension: str,
    named_period: bool = False,
) -> str:
    """The file's name. `filters` are (camelCase name, value) as the request set them,
    `labels` the names of the records that id filters point at, `made_on` the firm's today;
    a `named_period` (a quarter, a year) is said by its name, typed dates as typed."""
    values = dict(filters)
    first, last = values.pop("dateFrom", None), values.pop("dateTo", None)
    period = period_words(first, last, whole=named_period)
    records = [labels.get(name, str(value)) for name, value in values.items() if name in labels]
    others: list[str] = []
    for name, value in values.items():
        if name in labels or value is False or value is None:
            continue
        if value is True:
            others.append(_kebab(name))  # activeOnly -> active-only
        elif isinstance(value, date):
            # asOf -> as-of-2025-09-30; the day the file was made is said once, below, if at all
            # (an as-of day left to its default is frozen to that day when the export is made).
            if value != made_on:
                others.append(f"{_kebab(name)}-{value.isoformat()}")
        else:
            others.append(str(value))
    if not period and not any(part.startswith("as-of-") for part in others):
        period = f"as-of-{made_on.isoformat()}"
    fixed = [_slug(part) for part in (*subject, *others)]
    # The records' names share what the rest leaves of the length, so the period always fits.
    room = MAX_STEM_CHARACTERS - sum(len(part) + 1 for part in fixed) - len(period) - 1
    each = max(_MIN_RECORD_CHARACTERS, room // max(len(records), 1) - 1)
    names = [_slug(record)[:each].strip("-") for record in records]
    slugs = [*fixed[: len(subject)], *names, period, *fixed[len(subject) :]]
    return safe_stem("_".join(slug for slug in slugs if slug)) + extension


def marked_partial(name: str) -> str:
    """The service's `name` with the partial mark at the end of its stem: the extension starts
    at the first dot (".csv.gz" stays whole; a stem of the service's has no dot)."""
    dot = name.find(".")
    stem, extension = (name, "") if dot < 0 else (name[:dot], name[dot:])
    return partial_stem(stem) + extension


def partial_stem(stem: str) -> str:
    return stem.removesuffix(PARTIAL_MARK) + PARTIAL_MARK


def period_words(first: object, last: object, *, whole: bool = True) -> str:
    """2025, 2025-Q3, 2025-03 (for `whole` years, quarters and months), 2025-03-05, or
    2025-01-15_to_2025-02-14; "" for no dates."""
    if isinstance(first, date) and isinstance(last, date):
        if first == last:
            return first.isoformat()
        if whole and first.day == 1 and (last + timedelta(days=1)).day == 1:
            months = (last.year - first.year) * 12 + last.month - first.month + 1
            if months == 12 and first.month == 1:
                return f"{first.year}"
            if months == 3 and first.month % 3 == 1:
                return f"{first.year}-Q{first.month // 3 + 1}"
            if months == 1:
                return f"{first:%Y-%m}"
        return f"{first.isoformat()}_to_{last.isoformat()}"
    if isinstance(first, date):
        return f"from_{first.isoformat()}"
    if isinstance(last, date):
        return f"to_{last.isoformat()}"
    return ""


def safe_stem(text: str) -> str:
    """`text` as a file name without its extension, safe on every file system; "" if nothing
    of it is left."""
    stem = _NOT_IN_STEM.sub("_", unicodedata.normalize("NFC", text)).strip(" ._")
    stem = stem[:MAX_STEM_CHARACTERS]
    while len(stem.encode("utf-8")) > _MAX_STEM_BYTES:
        stem = stem[:-1]
    stem = stem.rstrip(" .")
    # "con.backup" is the device CON to Windows as much as "con" is.
    if stem.split(".", 1)[0].rstrip(" ").upper() in _WINDOWS_DEVICES:
        stem = f"{stem}_"
    return stem


def _slug(text: str) -> str:
    """ "Acme Corp." -> "Acme-Corp", "non_billable" -> "non-billable"."""
    return _NOT_IN_PART.sub("-", unicodedata.normalize("NFC", text)).strip("-")


def _kebab(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", camel).lower()
