"""Webhooks at the service level, against a real HTTP receiver that verifies every signature:
one message per export and endpoint, retried with backoff under the same webhook-id, the SSRF
guard, admins only, tenancy."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from smarter_export.auth.principal import Principal
from smarter_export.clock import utcnow
from smarter_export.domain.tenants import find_firm
from smarter_export.errors import Forbidden, NotFound, ValidationFailed
from smarter_export.webhooks.service import WebhookService
from tests.jobs.world import World, make_world
from tests.servers.tls import trusted_server_context
from tests.webhooks.receiver import Receiver, start_receiver


@pytest.fixture
def hooked(small_firm_template: Path, tmp_path: Path) -> Iterator[World]:
    yield from make_world(small_firm_template, tmp_path / "hooked", webhook_allow_loopback=True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from start_receiver()


def registered(world: World, receiver: Receiver) -> tuple[WebhookService, str]:
    service = world.runtime.webhooks
    made = service.register(world.caller.principal, {"url": receiver.url})
    receiver.secret = made.secret
    assert made.secret.startswith("whsec_")
    shown = service.list_webhooks(world.caller.principal)
    assert made.secret not in str(shown) and "secret" not in shown[0]
    return service, made.row["id"]


def test_a_finished_export_is_announced_once_signed_and_retried_under_one_id(
    hooked: World, receiver: Receiver
) -> None:
    hooked.runtime.service.observe(hooked.caller.principal)
    service, webhook_id = registered(hooked, receiver)
    export_id = hooked.create({"dataSource": "timekeepers"})
    hooked.runner().process(export_id)
    receiver.answers = [500]  # the endpoint fails once

    now = utcnow()
    assert service.sweep(now) == 1
    assert service.sweep(now) == 0  # not due again yet, and no second message for the export
    [pending] = service.deliveries(hooked.caller.principal, webhook_id)
    assert pending["status"] == "pending" and pending["next_attempt_at"] > now
    assert [a["http_status"] for a in pending["attempt_list"]] == [500]

    assert service.sweep(now + timedelta(hours=1)) == 1
    [done] = service.deliveries(hooked.caller.principal, webhook_id)
    assert done["status"] == "delivered"
    assert [a["http_status"] for a in done["attempt_list"]] == [500, 204]
    assert len(receiver.received) == 2 and all(r.verified for r in receiver.received)
    assert {r.headers["webhook-id"] for r in receiver.received} == {done["id"]}
    body = receiver.received[-1].body
    assert body["type"] == "export.completed"
    data = body["data"]
    assert (data["exportId"], data["status"], data["dataSource"]) == (
        export_id,
        "completed",
        "timekeepers",
    )
    assert data["rows"] == hooked.job(export_id).rows_processed > 0
    assert data["statusUrl"].endswith(f"/status/{export_id}")
    assert "signature=" in data["downloadUrl"]


def test_a_forged_signature_is_told_apart(hooked: World, receiver: Receiver) -> None:
    service, webhook_id = registered(hooked, receiver)
    receiver.secret = "whsec_" + "A" * 44  # the receiver holds another key
    service.test(hooked.caller.principal, webhook_id)
    assert [r.verified for r in receiver.received] == [False]


def test_the_test_message_reports_the_endpoints_answer(hooked: World, receiver: Receiver) -> None:
    service, webhook_id = registered(hooked, receiver)
    receiver.answers = [503]
    tried = service.test(hooked.caller.principal, webhook_id)
    assert tried["event"] == "webhook.test"
    assert [a["http_status"] for a in tried["attempt_list"]] == [503]
    assert receiver.received[0].verified and receiver.received[0].body["type"] == "webhook.test"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",  # not https
        "https://10.0.0.8/hook",  # private
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://[fe80::1]/hook",  # link-local
        "https://user:pw@example.com/hook",
        "ftp://example.com/hook",
        "https://127.0.0.1/hook",  # loopback, outside tests and development
    ],
)
def test_urls_that_could_reach_inside_are_refused(world: World, url: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        world.runtime.webhooks.register(world.caller.principal, {"url": url})
    assert [p.field for p in refused.value.problems] == ["url"]


def test_a_url_that_turns_private_is_refused_at_delivery(hooked: World, receiver: Receiver) -> None:
    service, webhook_id = registered(hooked, receiver)
    hooked.settings.__dict__["webhook_allow_loopback"] = False  # as if DNS now said 127.0.0.1
    tried = service.test(hooked.caller.principal, webhook_id)
    assert receiver.received == []
    [failed] = tried["attempt_list"]
    assert failed["http_status"] is None and "https" in failed["error"]


def test_only_admins_of_the_firm_manage_webhooks(hooked: World, receiver: Receiver) -> None:
    service, webhook_id = registered(hooked, receiver)
    tenant = hooked.caller.principal.tenant_id
    with pytest.raises(Forbidden):
        service.register(
            Principal("u", tenant, "user", frozenset({"export:*"})), {"url": receiver.url}
        )
    manager = Principal("m", tenant, "user", frozenset({"webhooks:manage"}))
    assert [w["id"] for w in service.list_webhooks(manager)] == [webhook_id]
    with hooked.runtime.engine.connect() as connection:
        other = find_firm(connection, "firm-2")
    stranger = Principal("ops", other.id, "admin", frozenset())
    with pytest.raises(NotFound):
        service.deliveries(stranger, webhook_id)
    with pytest.raises(NotFound):
        service.delete(stranger, webhook_id)
    assert service.list_webhooks(stranger) == []


def test_a_failed_export_is_announced_only_to_endpoints_that_asked(
    hooked: World, receiver: Receiver
) -> None:
    service = hooked.runtime.webhooks
    told = service.register(hooked.caller.principal, {"url": receiver.url})
    receiver.secret = told.secret
    service.register(hooked.caller.principal, {"url": receiver.url, "events": ["export.completed"]})
    export_id = hooked.create({"dataSource": "timekeepers"})
    hooked.set(
        export_id,
        status="failed",
        completed_at=utcnow(),
        error_code="storage_unavailable",
        error_message="The file store did not answer.",
    )
    assert service.sweep(utcnow()) == 1
    [message] = receiver.received
    assert message.verified and message.body["type"] == "export.failed"
    assert message.body["data"]["error"]["code"] == "storage_unavailable"
    assert message.body["data"]["downloadUrl"] is None


class FakeDNS:
    """The name server, which is outside the system: it answers for one name from a list."""

    NAME = "hooks.firm.example"

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *answers: str) -> None:
        self.answers = list(answers)
        self.asked = 0
        real = socket.getaddrinfo

        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            if host != self.NAME:
                return real(host, port, *args, **kwargs)
            self.asked += 1
            return real(self.answers.pop(0), port, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    def url(self, receiver: Receiver) -> str:
        return receiver.url.replace("127.0.0.1", self.NAME)


def test_a_delivery_connects_to_the_address_it_checked(
    hooked: World, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Registration and delivery see loopback; a third look-up (at connecting) would not.
    dns = FakeDNS(monkeypatch, "127.0.0.1", "127.0.0.1", "10.255.255.1")
    hooked.settings.__dict__["webhook_timeout_seconds"] = 2.0
    made = hooked.runtime.webhooks.register(hooked.caller.principal, {"url": dns.url(receiver)})
    receiver.secret = made.secret
    tried = hooked.runtime.webhooks.test(hooked.caller.principal, made.row["id"])
    assert [a["http_status"] for a in tried["attempt_list"]] == [204], tried
    assert dns.asked == 2  # no second resolution between the check and the connection
    [message] = receiver.received
    assert message.verified and message.headers["host"].startswith(FakeDNS.NAME)


def test_a_proxy_in_the_environment_is_not_used(
    hooked: World, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pinned connection dials the checked address itself: urllib's proxy handler would
    hand it the proxy's port for the receiver's address (seen: port 3128), so it is left out."""
    monkeypatch.setenv("http_proxy", "http://proxy.invalid:3128")
    monkeypatch.setenv("https_proxy", "http://proxy.invalid:3128")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    dns = FakeDNS(monkeypatch, "127.0.0.1", "127.0.0.1")
    made = hooked.runtime.webhooks.register(hooked.caller.principal, {"url": dns.url(receiver)})
    receiver.secret = made.secret
    tried = hooked.runtime.webhooks.test(hooked.caller.principal, made.row["id"])
    assert [a["http_status"] for a in tried["attempt_list"]] == [204], tried
    assert receiver.received[0].verified


def test_a_name_that_now_resolves_inside_is_refused_at_delivery(
    hooked: World, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    dns = FakeDNS(monkeypatch, "127.0.0.1", "10.0.0.8")
    made = hooked.runtime.webhooks.register(hooked.caller.principal, {"url": dns.url(receiver)})
    tried = hooked.runtime.webhooks.test(hooked.caller.principal, made.row["id"])
    [failed] = tried["attempt_list"]
    assert failed["http_status"] is None and "private" in failed["error"]
    assert receiver.received == []


def test_https_to_the_checked_address_still_checks_the_names_certificate(
    hooked: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tls = trusted_server_context(tmp_path, monkeypatch, names=f"DNS:{FakeDNS.NAME}")
    for receiver in start_receiver(tls):
        dns = FakeDNS(monkeypatch, *["127.0.0.1"] * 4)
        made = hooked.runtime.webhooks.register(hooked.caller.principal, {"url": dns.url(receiver)})
        receiver.secret = made.secret
        tried = hooked.runtime.webhooks.test(hooked.caller.principal, made.row["id"])
        assert [a["http_status"] for a in tried["attempt_list"]] == [204], tried
        assert receiver.received[0].verified
        # The same server under its address alone: its certificate does not name it.
        bare = hooked.runtime.webhooks.register(hooked.caller.principal, {"url": receiver.url})
        refused = hooked.runtime.webhooks.test(hooked.caller.principal, bare.row["id"])
        [failed] = refused["attempt_list"]
        assert failed["http_status"] is None and "CERTIFICATE_VERIFY_FAILED" in failed["error"]


def test_a_slow_endpoint_holds_a_sweep_up_for_one_interval_at_most(
    hooked: World, receiver: Receiver
) -> None:
    hooked.settings.__dict__["reaper_interval_seconds"] = 1
    service = hooked.runtime.webhooks
    for _ in range(3):
        receiver.secret = service.register(hooked.caller.principal, {"url": receiver.url}).secret
    hooked.runner().process(hooked.create({"dataSource": "timekeepers"}))
    receiver.delay_seconds = 1.2  # each answer outlasts the interval
    now = utcnow()
    assert [service.sweep(now) for _ in range(3)] == [1, 1, 1]  # the rest wait for a next sweep
    assert len(receiver.received) == 3
