"""E-mail when an export is done, through a real SMTP server (aiosmtpd): recipients inside the
firm's allowed domains only (by default the creator's), a link to the Export Center and never an
attachment, the signed download link only where the firm allows it, times in the firm's zone,
retried when the server is away, recorded in the export's events."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from smarter_export.clock import utcnow
from smarter_export.domain.tenants import find_firm
from smarter_export.errors import ValidationFailed
from smarter_export.jobs.downloads import LinkParams
from smarter_export.jobs.service import Caller
from tests.jobs.world import World, make_world
from tests.servers.smtp import Inbox


def partner(world: World) -> Caller:
    return Caller(replace(world.caller.principal, email="partner@demo-law.example"))


def texts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_a_finished_export_mails_a_link_and_never_the_file(
    mailing: World, smtp_server: Inbox
) -> None:
    body = {"dataSource": "timekeepers", "notify": {"emails": ["partner@demo-law.example"]}}
    export_id = mailing.runtime.service.create_export(partner(mailing), "csv", body).job.id
    mailing.runner().process(export_id)
    assert mailing.runtime.mail.sweep() == 1
    assert mailing.runtime.mail.sweep() == 0  # one e-mail per export
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["partner@demo-law.example"]
    assert message["Subject"] == "Your timekeepers export is ready"
    assert message.get_content_type() == "multipart/alternative"
    assert not list(message.iter_attachments())
    text, html = texts(message)
    link = f"https://exports.firm.example/?export={export_id}"
    assert link in text and link in html
    assert "signature=" not in text + html  # the firm has not allowed the signed link
    # The finishing time as the firm's clock showed it, its zone named.
    with mailing.runtime.engine.connect() as connection:
        zone = find_firm(connection, mailing.caller.principal.tenant_id).timezone
    finished = mailing.job(export_id).completed_at
    assert finished is not None and zone != "UTC"
    shown = f"Finished: {finished.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})"
    assert shown in text and shown in html
    assert "notified" in mailing.events(export_id)


def test_the_signed_link_goes_in_only_where_the_firm_allows_it(
    mailing: World, smtp_server: Inbox
) -> None:
    service = mailing.runtime.service
    service.observe(partner(mailing).principal)  # the owner's grants: the link is theirs
    mailing.runtime.firm_settings.update(mailing.caller.principal, {"mailDownloadLinks": True})
    body = {"dataSource": "timekeepers", "notify": {"emails": ["partner@demo-law.example"]}}
    export_id = service.create_export(partner(mailing), "csv", body).job.id
    mailing.runner().process(export_id)
    assert mailing.runtime.mail.sweep() == 1
    [(_, message)] = smtp_server.messages
    text, html = texts(message)
    assert not list(message.iter_attachments())
    [url] = re.findall(r"https://\S+/download/\S+", text)
    assert f'href="{url.replace("&", "&amp;")}"' in html
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == f"/api/v1/export/download/{export_id}"
    opened = service.open_download(
        export_id,
        principal=None,
        link=LinkParams(int(query["expires"][0]), query["signature"][0]),
    )
    assert opened.job.id == export_id  # a link that really opens the file, no sign-in


def test_recipients_outside_the_creators_domain_are_refused(mailing: World) -> None:
    for emails in (["someone@gmail.example"], ["not an address"]):
        with pytest.raises(ValidationFailed) as refused:
            mailing.runtime.service.create_export(
                partner(mailing), "csv", {"dataSource": "timekeepers", "notify": {"emails": emails}}
            )
        assert [p.field for p in refused.value.problems] == ["notify.emails"]
    with pytest.raises(ValidationFailed):  # a token without an address may mail no one
        mailing.create({"dataSource": "timekeepers", "notify": {"emails": ["a@demo-law.example"]}})


def test_the_firms_allowed_domains_replace_the_creators(mailing: World) -> None:
    admin = mailing.caller.principal
    mailing.runtime.firm_settings.update(admin, {"allowedEmailDomains": ["Counsel.example"]})
    service = mailing.runtime.service
    allowed = {"dataSource": "timekeepers", "notify": {"emails": ["gc@counsel.example"]}}
    made = service.create_export(partner(mailing), "csv", allowed).job
    assert made.notify == {"emails": ["gc@counsel.example"]}
    # Now even an admin without an address may mail the firm's domains.
    assert service.create_export(mailing.caller, "csv", allowed).job.notify is not None
    own = {"dataSource": "timekeepers", "notify": {"emails": ["partner@demo-law.example"]}}
    with pytest.raises(ValidationFailed) as refused:  # the list replaces the default
        service.create_export(partner(mailing), "csv", own)
    assert "counsel.example" in refused.value.problems[0].message


def test_a_server_that_is_away_is_tried_again(
    small_firm_template: Path, tmp_path: Path, smtp_server: Inbox
) -> None:
    worlds = make_world(small_firm_template, tmp_path / "away", smtp_url="smtp://127.0.0.1:9")
    world = next(worlds)
    body = {"dataSource": "timekeepers", "notify": {"emails": ["partner@demo-law.example"]}}
    export_id = world.runtime.service.create_export(partner(world), "csv", body).job.id
    world.runner().process(export_id)
    assert world.runtime.mail.sweep() == 0
    assert "notify_failed" in world.events(export_id)
    world.settings.__dict__["smtp_url"] = smtp_server.url  # the server is back
    assert world.runtime.mail.sweep(utcnow() + timedelta(hours=1)) == 1
    assert len(smtp_server.messages) == 1 and "notified" in world.events(export_id)
    worlds.close()


def test_without_an_smtp_server_the_export_says_no_mail_was_sent(world: World) -> None:
    body = {"dataSource": "timekeepers", "notify": {"emails": ["partner@demo-law.example"]}}
    export_id = world.runtime.service.create_export(partner(world), "csv", body).job.id
    world.runner().process(export_id)
    assert world.settings.smtp_url is None
    assert world.runtime.mail.sweep() == 0
    assert world.runtime.mail.sweep() == 0
    assert world.events(export_id).count("notify_failed") == 1  # said once, not each sweep
    [said] = [
        e
        for e in world.runtime.service.events(world.caller.principal, export_id)
        if e["event"] == "notify_failed"
    ]
    assert "SMTP" in said["details"]["error"]
