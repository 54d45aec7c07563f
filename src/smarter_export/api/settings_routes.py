"""The firm's export settings under /api/v1/export/settings: any member reads them, an admin
changes them (each change in the settings' audit trail, `GET /settings/events`).

Included before the export routes: `/settings` must not be read as an export's id or format.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel
from starlette.concurrency import run_in_threadpool

from smarter_export.api.body import documented_body, json_object
from smarter_export.api.deps import CurrentPrincipal, RuntimeDep
from smarter_export.api.routes import ERRORS
from smarter_export.api.schemas import Camel, Envelope
from smarter_export.firm_settings.service import MAX_DOMAINS, FirmSettingsService
from smarter_export.firm_settings.store import FirmExportSettings
from smarter_export.mail.recipients import DOMAIN
from smarter_export.urls import API_PREFIX

router = APIRouter(prefix=f"{API_PREFIX}/settings", tags=["settings"])


def settings_service(runtime: RuntimeDep) -> FirmSettingsService:
    return runtime.firm_settings


SettingsDep = Annotated[FirmSettingsService, Depends(settings_service)]


def _unchanged_when_absent(schema: dict[str, Any]) -> None:
    """A patch: a field left out stays as it is, so none has a default."""
    for field in schema.get("properties", {}).values():
        field.pop("default", None)


class FirmSettingsBody(Camel):
    """Documents the body (the service checks it): each field optional, neither may be null,
    and no other key is taken."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        json_schema_extra=_unchanged_when_absent,
    )

    allowed_email_domains: list[Annotated[str, Field(pattern=f"^{DOMAIN.pattern}$")]] = Field(
        default_factory=list,
        max_length=MAX_DOMAINS,
        description='Where `notify.emails` may go, e.g. ["firm.example"]; empty: the domain of '
        "whoever makes the export.",
    )
    mail_download_links: bool = Field(
        False, description="Put the signed download link (no sign-in needed) in e-mail."
    )


class FirmSettingsView(Camel):
    allowed_email_domains: list[str] = Field(
        description="Empty: each export's e-mail may go to its creator's own domain only."
    )
    mail_download_links: bool = Field(
        description="Whether e-mail carries the signed download link; false: only a link to "
        "the Export Center (sign-in needed)."
    )
    updated_by: str | None
    updated_at: datetime | None


class SettingsEventView(Camel):
    actor: str
    details: dict[str, Any] = Field(description="Each changed field: {from, to}.")
    created_at: datetime


def settings_view(found: FirmExportSettings) -> FirmSettingsView:
    return FirmSettingsView(
        allowed_email_domains=list(found.allowed_email_domains),
        mail_download_links=found.mail_download_links,
        updated_by=found.updated_by,
        updated_at=found.updated_at,
    )


@router.get(
    "",
    response_model=Envelope[FirmSettingsView],
    responses=ERRORS,
    operation_id="getFirmSettings",
)
def get_settings(principal: CurrentPrincipal, service: SettingsDep) -> Envelope[FirmSettingsView]:
    """The caller's firm's export settings (the defaults until an admin changes one)."""
    return Envelope(data=settings_view(service.get(principal)))


@router.patch(
    "",
    response_model=Envelope[FirmSettingsView],
    responses=ERRORS,
    openapi_extra=documented_body(FirmSettingsBody),
    operation_id="updateFirmSettings",
)
async def update_settings(
    request: Request, principal: CurrentPrincipal, service: SettingsDep
) -> Envelope[FirmSettingsView]:
    """Admins only: change the fields given; a bad one is a 400 naming it."""
    body = await json_object(request)
    # A write: in the thread pool, so a database busy with a worker's write holds only this one.
    return Envelope(data=settings_view(await run_in_threadpool(service.update, principal, body)))


@router.get(
    "/events",
    response_model=Envelope[list[SettingsEventView]],
    responses=ERRORS,
    operation_id="listFirmSettingsEvents",
)
def settings_events(
    principal: CurrentPrincipal, service: SettingsDep
) -> Envelope[list[SettingsEventView]]:
    """Admins only: who changed what, and when, oldest first."""
    return Envelope(data=[SettingsEventView(**event) for event in service.events(principal)])
