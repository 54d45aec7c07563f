"""E-mail when an export is done, through a real SMTP server (aiosmtpd): recipients inside the
creator's domain only, a link to the Export Center and never an attachment, times in the firm's
zone, retried when the server is away, recorded in the export's events."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from smarter_export.clock import utcnow
from smarter_export.errors import ValidationFailed
from smarter_export.jobs.service import Caller
from tests.jobs.world import World, make_world
from tests.servers.ports import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def mailing(small_firm_template: Path, tmp_path: Path, smtp: tuple[Inbox, int]) -> Iterator[World]:
    yield from make_world(
        small_firm_template,
        tmp_path / "mailing",
        smtp_url=f"smtp://127.0.0.1:{smtp[1]}",
        public_base_url="https://exports.firm.example",
    )


def partner(world: World) -> Caller:
    return Caller(replace(world.caller.principal, email="partner@demo-law.example"))


def test_a_finished_export_mails_a_link_and_never_the_file(
    mailing: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    body = {"dataSource": "timekeepers", "notify": {"emails": ["partner@demo-law.example"]}}
    export_id = mailing.runtime.service.create_export(partner(mailing), "csv", body).job.id
    mailing.runner().process(export_id)
    assert mailing.runtime.mail.sweep() == 1
    assert mailing.runtime.mail.sweep() == 0  # one e-mail per export
    [(recipients, message)] = inbox.messages
    assert recipients == ["partner@demo-law.example"]
    assert message["Subject"] == "Your timekeepers export is ready"
    assert not list(message.iter_attachments())
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    link = f"https://exports.firm.example/?export={export_id}"
    assert link in text.get_content() and link in html.get_content()
    assert "signature=" not in text.get_content()  # the signed download link stays out
    assert "notified" in mailing.events(export_id)


def test_recipients_outside_the_creators_domain_are_refused(mailing: World) -> None:
    for emails in (["someone@gmail.example"], ["not an address"]):
        with pytest.raises(ValidationFailed) as refused:
            mailing.runtime.service.create_export(
                partner(mailing), "csv", {"dataSource": "timekeepers", "notify": {"emails": emails}}
            )
        assert [p.field for p in refused.value.problems] == ["notify.emails"]
    with pytest.raises(ValidationFailed):  # a token without an address may mail no one
        mailing.create({"dataSource": "timekeepers", "notify": {"emails": ["a@demo-law.example"]}})


def test_a_server_that_is_away_is_tried_again(
    small_firm_template: Path, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    worlds = make_world(small_firm_template, tmp_path / "away", smtp_url="smtp://127.0.0.1:9")
    world = next(worlds)
    body = {"dataSource": "timekeepers", "notify": {"emails": ["partner@demo-law.example"]}}
    export_id = world.runtime.service.create_export(partner(world), "csv", body).job.id
    world.runner().process(export_id)
    assert world.runtime.mail.sweep() == 0
    assert "notify_failed" in world.events(export_id)
    world.settings.__dict__["smtp_url"] = f"smtp://127.0.0.1:{port}"  # the server is back
    assert world.runtime.mail.sweep(utcnow() + timedelta(hours=1)) == 1
    assert len(inbox.messages) == 1 and "notified" in world.events(export_id)
    worlds.close()
