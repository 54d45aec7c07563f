"""The webhook endpoints under /api/v1/export/webhooks (admins, or `webhooks:manage`).

Included before the export routes: `POST /webhooks` must not be read as an export format.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field

from smarter_export.api.body import json_object
from smarter_export.api.deps import CurrentPrincipal, RuntimeDep
from smarter_export.api.routes import ERRORS
from smarter_export.api.schemas import Camel, Envelope
from smarter_export.urls import API_PREFIX
from smarter_export.webhooks.service import WebhookService

router = APIRouter(prefix=f"{API_PREFIX}/webhooks", tags=["webhooks"])


def webhook_service(runtime: RuntimeDep) -> WebhookService:
    return runtime.webhooks


WebhooksDep = Annotated[WebhookService, Depends(webhook_service)]


class RegisterWebhookBody(Camel):
    url: str = Field(description="https://; must resolve to public addresses.")
    events: list[str] = Field(
        default=["export.completed", "export.failed"], description="Which events to send."
    )
    description: str | None = None


class WebhookView(Camel):
    webhook_id: str
    url: str
    events: list[str]
    description: str | None
    created_by: str
    created_at: datetime
    secret: str | None = Field(
        None, description="The signing secret (Standard Webhooks, whsec_...): shown only once."
    )


class AttemptView(Camel):
    attempted_at: datetime
    http_status: int | None
    error: str | None
    duration_ms: int


class DeliveryView(Camel):
    delivery_id: str = Field(description="The webhook-id header, the same on every retry.")
    event: str
    export_id: str | None
    status: str = Field(description="pending, delivered or failed")
    attempts: list[AttemptView]
    next_attempt_at: datetime | None
    created_at: datetime


def webhook_view(row: dict[str, Any], secret: str | None = None) -> WebhookView:
    return WebhookView(
        webhook_id=row["id"],
        url=row["url"],
        events=row["events"],
        description=row["description"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        secret=secret,
    )


def delivery_view(row: dict[str, Any]) -> DeliveryView:
    return DeliveryView(
        delivery_id=row["id"],
        event=row["event"],
        export_id=row["export_id"],
        status=row["status"],
        attempts=[AttemptView(**a) for a in row["attempt_list"]],
        next_attempt_at=row["next_attempt_at"],
        created_at=row["created_at"],
    )


@router.post(
    "",
    status_code=201,
    response_model=Envelope[WebhookView],
    responses=ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": RegisterWebhookBody.model_json_schema(by_alias=True)}
            },
        }
    },
)
async def register_webhook(
    request: Request, response: Response, principal: CurrentPrincipal, service: WebhooksDep
) -> Envelope[WebhookView]:
    """Register an endpoint; the answer shows its signing secret, this once."""
    registered = service.register(principal, await json_object(request))
    response.headers["Location"] = f"{API_PREFIX}/webhooks/{registered.row['id']}"
    return Envelope(data=webhook_view(registered.row, registered.secret))


@router.get("", response_model=Envelope[list[WebhookView]], responses=ERRORS)
def list_webhooks(principal: CurrentPrincipal, service: WebhooksDep) -> Envelope[list[WebhookView]]:
    return Envelope(data=[webhook_view(row) for row in service.list_webhooks(principal)])


@router.delete("/{webhook_id}", status_code=204, responses=ERRORS)
def delete_webhook(webhook_id: str, principal: CurrentPrincipal, service: WebhooksDep) -> Response:
    """No more messages; pending ones are given up."""
    service.delete(principal, webhook_id)
    return Response(status_code=204)


@router.post("/{webhook_id}/test", response_model=Envelope[DeliveryView], responses=ERRORS)
def test_webhook(
    webhook_id: str, principal: CurrentPrincipal, service: WebhooksDep
) -> Envelope[DeliveryView]:
    """Send a signed `webhook.test` message now and show how the endpoint answered."""
    return Envelope(data=delivery_view(service.test(principal, webhook_id)))


@router.get(
    "/{webhook_id}/deliveries", response_model=Envelope[list[DeliveryView]], responses=ERRORS
)
def webhook_deliveries(
    webhook_id: str, principal: CurrentPrincipal, service: WebhooksDep
) -> Envelope[list[DeliveryView]]:
    """The newest 100 messages with each attempt: time, HTTP status or error, duration."""
    return Envelope(data=[delivery_view(row) for row in service.deliveries(principal, webhook_id)])
