"""An export request (a body as the API takes it) checked and frozen into an export_job row.

One piece for every way an export is made: a request to the API or the CLI, and each run of a
schedule, which prepares its stored body with its owner's newest grants at its due time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smarter_export.auth.principal import Principal
from smarter_export.domain.tenants import Firm
from smarter_export.errors import Forbidden, ValidationFailed
from smarter_export.firm_settings.store import FirmExportSettings
from smarter_export.jobs.file_names import safe_stem
from smarter_export.jobs.periods import PERIOD_KEY, PERIODS, period_dates
from smarter_export.jobs.plan import plan_export
from smarter_export.jobs.records import JobStatus
from smarter_export.mail.recipients import valid_notify
from smarter_export.settings import Settings
from smarter_export.sources.registry import SOURCES


@dataclass(frozen=True)
class PreparedExport:
    """The parts of an export_job row a request decides (no id, status or times yet)."""

    source: str
    format: str
    parameters: dict[str, Any]  # frozen: a period made absolute dates
    include_confidential: bool
    requested_file_name: str | None
    timezone: str | None
    fingerprint: str
    notify: dict[str, Any]

    def job_row(
        self,
        *,
        export_id: str,
        tenant_id: str,
        user_id: str,
        now: datetime,
        idempotency_key: str | None = None,
        schedule_id: str | None = None,
    ) -> dict[str, Any]:
        """A new pending export_job row."""
        return {
            "id": export_id,
            "tenant_id": tenant_id,
            "user_id": user_id,
            "status": JobStatus.PENDING,
            "warnings": [],
            "idempotency_key": idempotency_key,
            "schedule_id": schedule_id,
            "created_at": now,
            "updated_at": now,
            "source": self.source,
            "format": self.format,
            "parameters": self.parameters,
            "include_confidential": self.include_confidential,
            "requested_file_name": self.requested_file_name,
            "timezone": self.timezone,
            "request_fingerprint": self.fingerprint,
            "notify": self.notify or None,
        }


def prepare_export(
    settings: Settings,
    *,
    firm: Firm,
    principal: Principal,
    format_name: str,
    body: Mapping[str, Any],
    now: datetime,
    firm_settings: FirmExportSettings,
) -> PreparedExport:
    params = dict(body)
    source_name = params.pop("dataSource", None)
    if not isinstance(source_name, str) or not source_name:
        raise ValidationFailed.one("dataSource", "required: the data source to export")
    timezone = valid_timezone(params.pop("timezone", None))
    requested_name = _display_name(params.pop("fileName", None))
    period = params.pop("period", None)
    notify = valid_notify(params.pop("notify", None), firm_settings.mail_domains(principal.email))
    if not principal.may_export(source_name):
        raise Forbidden(f"You may not export {source_name}: ask an administrator for access.")
    if period is not None:
        params.update(_period_filters(source_name, period, params, timezone or firm.timezone, now))
    planned = plan_export(
        settings,
        firm=firm,
        source_name=source_name,
        format_name=format_name,
        params=params,
        requested_by=principal.user_id,
        include_confidential=principal.sees_confidential,
    )
    frozen = planned.frozen()  # the query, and the format's options under their own key
    if period is not None:
        frozen[PERIOD_KEY] = period  # beside its dates, for the file's name
    return PreparedExport(
        source=source_name,
        format=planned.format_name,
        parameters=frozen,
        include_confidential=principal.sees_confidential,
        requested_file_name=requested_name,
        timezone=timezone,
        notify=notify,
        fingerprint=_fingerprint(
            source_name, planned.format_name, frozen, timezone, requested_name
        ),
    )


def valid_period(value: object) -> str:
    if not isinstance(value, str) or value not in PERIODS:
        raise ValidationFailed.one("period", f"give one of {', '.join(PERIODS)}")
    return value


def _period_filters(
    source_name: str, period: object, params: Mapping[str, Any], zone: str, now: datetime
) -> dict[str, str]:
    name = valid_period(period)
    source = SOURCES.get(source_name)
    if source is not None and "dateFrom" not in source.filter_names():
        raise ValidationFailed.one("period", f"{source_name} has no date filters to set")
    if "dateFrom" in params or "dateTo" in params:
        raise ValidationFailed.one("period", "give a period or dateFrom/dateTo, not both")
    first, last = period_dates(name, at=now, zone=zone)
    return {"dateFrom": first.isoformat(), "dateTo": last.isoformat()}


MAX_ZONE_NAME = 64
MAX_FILE_NAME = 120


def valid_timezone(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_ZONE_NAME:
        raise ValidationFailed.one("timezone", "give an IANA zone such as America/New_York")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationFailed.one("timezone", f"unknown time zone {value!r}") from None
    return value


def _display_name(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed.one("fileName", "give a file name as text")
    if len(value) > MAX_FILE_NAME:
        raise ValidationFailed.one("fileName", f"give at most {MAX_FILE_NAME} characters")
    cleaned = safe_stem(value)  # the same rules as the service's own names
    if not cleaned:
        raise ValidationFailed.one("fileName", "give a file name with letters or digits")
    return cleaned


def _fingerprint(source: str, format_name: str, frozen: Mapping[str, Any], *extra: object) -> str:
    canonical = json.dumps([source, format_name, frozen, *extra], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
