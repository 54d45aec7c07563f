"""What a schedule's run tells people, through a real SMTP server (aiosmtpd): a run whose owner
lost the permission is skipped, recorded, and the owner told at the address their newest token
gave (once per due time); a run mails only the domains the firm allows at that time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from smarter_export.auth.principal import Principal
from smarter_export.domain.tenants import find_firm
from smarter_export.jobs import grants
from smarter_export.jobs.service import Caller
from smarter_export.jobs.tables import export_job, user_grant
from smarter_export.mail.tables import mail_delivery
from smarter_export.schedules.runs import fire_due
from smarter_export.schedules.store import Schedule
from tests.jobs.test_schedules import MONTHLY
from tests.jobs.world import World
from tests.servers.smtp import Inbox

OWNER = "partner@demo-law.example"


def owned_schedule(world: World, email: str | None) -> tuple[Schedule, Principal]:
    owner = replace(world.caller.principal, email=email, issued_at=100)
    world.runtime.service.observe(owner)  # what the owner's token said when they made it
    return world.runtime.schedules.create(Caller(owner), MONTHLY), owner


def demote(world: World, owner: Principal) -> None:
    """A newer token of the owner's without export:schedule (and without the e-mail claim: the
    address an older token gave is kept)."""
    demoted = replace(owner, role="user", email=None, issued_at=owner.issued_at + 10)
    with world.runtime.engine.begin() as connection:
        grants.observe(connection, demoted, now=datetime.now(UTC))


def fire(world: World, now: datetime) -> list[str]:
    outcomes = fire_due(world.settings, world.runtime.engine, lambda *_: None, now=now)
    return [o.export_id for o in outcomes if o.export_id]


def test_a_skipped_runs_owner_is_told_by_email_once(mailing: World, smtp_server: Inbox) -> None:
    schedule, owner = owned_schedule(mailing, OWNER)
    demote(mailing, owner)
    assert schedule.next_run_at is not None
    due = schedule.next_run_at
    assert fire(mailing, due) == []
    assert fire(mailing, due + timedelta(seconds=30)) == []  # the same due time: no second one
    later = due + timedelta(minutes=1)  # the clock the run was judged by, a little on
    assert mailing.runtime.mail.sweep(later) == 1
    assert mailing.runtime.mail.sweep(later) == 0

    [(recipients, message)] = smtp_server.messages
    assert recipients == [OWNER]
    assert message["Subject"] == "Your scheduled export 'Monthly time' did not run"
    assert not list(message.iter_attachments())
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    with mailing.runtime.engine.connect() as connection:
        zone = find_firm(connection, owner.tenant_id).timezone
    shown = f"Due: {due.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})"
    for part in (text.get_content(), html.get_content()):
        assert shown in part and "export:schedule" in part
        assert "https://exports.firm.example/" in part

    events = mailing.runtime.schedules.events(owner, schedule.id)
    assert [e["event"] for e in events] == ["created", "run_skipped", "owner_notified"]
    assert events[1]["details"]["ownerTold"] == OWNER
    with mailing.runtime.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(export_job)).scalar() == 0


def test_an_owner_whose_address_is_unknown_is_recorded_as_not_told(
    mailing: World, smtp_server: Inbox
) -> None:
    schedule, owner = owned_schedule(mailing, None)
    demote(mailing, owner)
    assert schedule.next_run_at is not None
    assert fire(mailing, schedule.next_run_at) == []
    assert mailing.runtime.mail.sweep(schedule.next_run_at + timedelta(minutes=1)) == 0
    assert smtp_server.messages == []
    last = mailing.runtime.schedules.last_run(schedule)
    assert last is not None and last.outcome == "skipped"  # GET /schedules/{id} shows it
    [skipped] = [
        e for e in mailing.runtime.schedules.events(owner, schedule.id) if e["event"] != "created"
    ]
    assert skipped["event"] == "run_skipped" and skipped["details"]["ownerTold"] is None
    with mailing.runtime.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(mail_delivery)).scalar() == 0


def test_a_run_mails_only_the_domains_the_firm_allows_then(mailing: World) -> None:
    owner = replace(mailing.caller.principal, email=OWNER, issued_at=100)
    mailing.runtime.service.observe(owner)
    admin = mailing.caller.principal
    mailing.runtime.firm_settings.update(
        admin, {"allowedEmailDomains": ["demo-law.example", "counsel.example"]}
    )
    notify = {"emails": ["gc@counsel.example", OWNER]}
    schedule = mailing.runtime.schedules.create(Caller(owner), {**MONTHLY, "notify": notify})
    # The firm narrows its list after the schedule was made: the next run leaves counsel out.
    mailing.runtime.firm_settings.update(admin, {"allowedEmailDomains": ["demo-law.example"]})
    assert schedule.next_run_at is not None
    [export_id] = fire(mailing, schedule.next_run_at)
    assert mailing.job(export_id).notify == {"emails": [OWNER]}
    [run] = [e for e in mailing.runtime.schedules.events(owner, schedule.id) if e["event"] == "run"]
    assert run["details"] == {"exportId": export_id, "recipientsDropped": ["gc@counsel.example"]}


def test_without_a_known_domain_a_run_keeps_the_recipients_checked_when_made(
    mailing: World,
) -> None:
    owner = replace(mailing.caller.principal, email=OWNER, issued_at=100)
    mailing.runtime.service.observe(owner)
    notify = {"emails": [OWNER]}
    schedule = mailing.runtime.schedules.create(Caller(owner), {**MONTHLY, "notify": notify})
    with mailing.runtime.engine.begin() as connection:  # as for a schedule older than 0007
        connection.execute(update(user_grant).values(email=None))
    assert schedule.next_run_at is not None
    [export_id] = fire(mailing, schedule.next_run_at)
    assert mailing.job(export_id).notify == notify
