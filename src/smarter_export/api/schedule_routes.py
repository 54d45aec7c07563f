"""The schedule endpoints under /api/v1/export/schedules: thin, each one call into the service.

Included before the export routes: `POST /schedules` must not be read as an export format.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from smarter_export.api.body import json_object
from smarter_export.api.deps import CallerDep, CurrentPrincipal, RuntimeDep, ViewsDep
from smarter_export.api.routes import ERRORS
from smarter_export.api.schedule_schemas import (
    CreateScheduleBody,
    LastRunView,
    ScheduleRunView,
    ScheduleView,
)
from smarter_export.api.schemas import Envelope, EventView
from smarter_export.schedules.service import ScheduleService
from smarter_export.schedules.store import Schedule
from smarter_export.urls import API_PREFIX

router = APIRouter(prefix=f"{API_PREFIX}/schedules", tags=["schedules"])


def schedule_service(runtime: RuntimeDep) -> ScheduleService:
    return runtime.schedules


SchedulesDep = Annotated[ScheduleService, Depends(schedule_service)]
BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": CreateScheduleBody.model_json_schema()}},
    }
}


def schedule_view(schedule: Schedule, service: ScheduleService) -> ScheduleView:
    last = service.last_run(schedule)
    return ScheduleView(
        schedule_id=schedule.id,
        name=schedule.name,
        owner=schedule.user_id,
        format=schedule.format,
        data_source=schedule.request.get("dataSource"),
        request=schedule.request,
        cron=schedule.cron,
        timezone=schedule.timezone,
        period=schedule.period,
        notify=schedule.notify,
        active=schedule.active,
        next_run_at=schedule.next_run_at,
        last_run=None
        if last is None
        else LastRunView(
            due_at=last.due_at,
            outcome=last.outcome,
            export_id=last.export_id,
            status=last.export_status,
            reason=last.reason,
        ),
        created_at=schedule.created_at,
        updated_at=schedule.updated_at,
    )


@router.post(
    "",
    status_code=201,
    response_model=Envelope[ScheduleView],
    responses=ERRORS,
    openapi_extra=BODY,
    summary="Schedule an export",
)
async def create_schedule(
    request: Request, response: Response, caller: CallerDep, service: SchedulesDep
) -> Envelope[ScheduleView]:
    """Needs the `export:schedule` permission; each run needs the source's permission too."""
    schedule = service.create(caller, await json_object(request))
    response.headers["Location"] = f"{API_PREFIX}/schedules/{schedule.id}"
    return Envelope(data=schedule_view(schedule, service))


@router.get("", response_model=Envelope[list[ScheduleView]], responses=ERRORS)
def list_schedules(
    principal: CurrentPrincipal, service: SchedulesDep
) -> Envelope[list[ScheduleView]]:
    """Your schedules (an admin: the firm's), newest first."""
    return Envelope(data=[schedule_view(s, service) for s in service.list_schedules(principal)])


@router.get("/{schedule_id}", response_model=Envelope[ScheduleView], responses=ERRORS)
def get_schedule(
    schedule_id: str, principal: CurrentPrincipal, service: SchedulesDep
) -> Envelope[ScheduleView]:
    return Envelope(data=schedule_view(service.get(principal, schedule_id), service))


@router.patch(
    "/{schedule_id}", response_model=Envelope[ScheduleView], responses=ERRORS, openapi_extra=BODY
)
async def update_schedule(
    schedule_id: str, request: Request, caller: CallerDep, service: SchedulesDep
) -> Envelope[ScheduleView]:
    """Change any field (`active: false` pauses); the whole schedule is checked again."""
    patch: dict[str, Any] = await json_object(request)
    return Envelope(data=schedule_view(service.update(caller, schedule_id, patch), service))


@router.delete("/{schedule_id}", status_code=204, responses=ERRORS)
def delete_schedule(schedule_id: str, caller: CallerDep, service: SchedulesDep) -> Response:
    """No more runs; the exports it made stay, and so does its audit trail."""
    service.delete(caller, schedule_id)
    return Response(status_code=204)


@router.post(
    "/{schedule_id}/run",
    status_code=202,
    response_model=Envelope[ScheduleRunView],
    responses=ERRORS,
)
def run_schedule(
    schedule_id: str, caller: CallerDep, service: SchedulesDep, views: ViewsDep, runtime: RuntimeDep
) -> Envelope[ScheduleRunView]:
    """An export now, with the owner's newest permissions."""
    outcome = service.run_now(caller, schedule_id)
    assert outcome.export_id is not None
    job = runtime.service.get(caller.principal, outcome.export_id)
    return Envelope(data=ScheduleRunView(schedule_id=schedule_id, export=views.of(job)))


@router.get("/{schedule_id}/events", response_model=Envelope[list[EventView]], responses=ERRORS)
def schedule_events(
    schedule_id: str, principal: CurrentPrincipal, service: SchedulesDep
) -> Envelope[list[EventView]]:
    """The schedule's audit trail: created, updated, each run or skipped run, deleted."""
    return Envelope(
        data=[
            EventView(client_address=None, user_agent=None, **event)
            for event in service.events(principal, schedule_id)
        ]
    )
