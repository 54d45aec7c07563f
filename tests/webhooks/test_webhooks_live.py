"""Webhooks over real HTTP: registered by an admin, told by the worker when an export finishes,
every message verified by a real receiver, every attempt listed."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.live import LiveFactory
from tests.webhooks.receiver import Receiver, start_receiver

WEBHOOKS = "/api/v1/export/webhooks"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from start_receiver()


def test_an_export_finishing_reaches_the_receiver_signed(
    live: LiveFactory, receiver: Receiver
) -> None:
    service = live("webhooks", SMARTER_EXPORT_WEBHOOK_ALLOW_LOOPBACK="true")
    service.start_api()
    admin = service.client(service.token(user="ops"))
    user = service.client(service.token(user="associate", role="user"))
    assert user.post(WEBHOOKS, json={"url": receiver.url}).status_code == 403
    refused = admin.post(WEBHOOKS, json={"url": "https://169.254.169.254/latest"})
    assert refused.status_code == 400
    assert [d["field"] for d in refused.json()["error"]["details"]] == ["url"]

    made = admin.post(WEBHOOKS, json={"url": receiver.url, "description": "warehouse"})
    assert made.status_code == 201, made.text
    hook = made.json()["data"]
    receiver.secret = hook["secret"]
    assert admin.get(WEBHOOKS).json()["data"][0]["secret"] is None  # shown once

    export = admin.post("/api/v1/export/csv", json={"dataSource": "matters"}).json()["data"]
    service.wait_for(admin, export["exportId"], ["completed"])
    deadline = time.monotonic() + 30
    while not receiver.received and time.monotonic() < deadline:
        time.sleep(0.2)
    [message] = receiver.received
    assert message.verified
    assert message.body["type"] == "export.completed"
    assert message.body["data"]["exportId"] == export["exportId"]
    [delivery] = admin.get(f"{WEBHOOKS}/{hook['webhookId']}/deliveries").json()["data"]
    assert delivery["deliveryId"] == message.headers["webhook-id"]
    assert delivery["status"] == "delivered"
    assert [a["httpStatus"] for a in delivery["attempts"]] == [204]

    tested = admin.post(f"{WEBHOOKS}/{hook['webhookId']}/test").json()["data"]
    assert tested["event"] == "webhook.test" and tested["status"] == "delivered"
    stranger = service.client(service.token(tenant="firm-2", user="ops"))
    assert stranger.get(f"{WEBHOOKS}/{hook['webhookId']}/deliveries").status_code == 404
    assert admin.delete(f"{WEBHOOKS}/{hook['webhookId']}").status_code == 204
    assert admin.get(WEBHOOKS).json()["data"] == []
