"""The e-mails the service sends: plain text and HTML, times in the firm's zone, a link to the
Export Center (sign-in needed), and never the file. The signed download link goes in only when
the firm's admins allowed it (`firm_settings`); the caller decides and hands it in."""

from __future__ import annotations

import html
from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from smarter_export.jobs.records import ExportJob, JobStatus


def export_message(
    job: ExportJob,
    *,
    recipients: list[str],
    sender: str,
    center_url: str,
    zone: str,
    download_url: str | None = None,
) -> EmailMessage:
    """The export is ready (or failed): what, when, and where to see it."""
    if job.status is JobStatus.COMPLETED:
        subject = f"Your {job.source} export is ready"
        detail = f"{job.rows_processed:,} rows" + (
            ", partial: see its warnings" if job.partial else ""
        )
    else:
        subject = f"Your {job.source} export failed"
        detail = job.error_message or "See the Export Center for the reason."
    facts = [
        f"Data source: {job.source}",
        f"Format: {job.format}",
        f"Finished: {_local(job.completed_at or job.updated_at, zone)}",
        detail,
    ]
    if download_url is not None and job.expires_at is not None:
        facts.append(f"Download (no sign-in, until {_local(job.expires_at, zone)}): {download_url}")
    link = f"{center_url.rstrip('/')}/?export={job.id}"
    return _message(subject, facts, link, recipients=recipients, sender=sender)


def skipped_run_message(
    schedule_name: str,
    *,
    due_at: datetime,
    reason: str,
    recipients: list[str],
    sender: str,
    center_url: str,
    zone: str,
) -> EmailMessage:
    """To a schedule's owner: a run was skipped, and why (no export was made)."""
    subject = f"Your scheduled export {schedule_name!r} did not run"
    facts = [
        f"Schedule: {schedule_name}",
        f"Due: {_local(due_at, zone)}",
        f"Skipped: {reason}.",
        "No export was made. Ask an administrator for the permission, or change the schedule.",
    ]
    return _message(subject, facts, center_url.rstrip("/") + "/", recipients, sender=sender)


def _local(moment: datetime, zone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})"


def _message(
    subject: str, facts: list[str], link: str, recipients: list[str], *, sender: str
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    text = "\n".join(facts)
    message.set_content(
        f"{subject}.\n\n{text}\n\nOpen it in the Export Center (sign-in needed):\n{link}\n"
    )
    shown = "<br>".join(_html_fact(fact) for fact in facts)
    message.add_alternative(
        f"<p>{html.escape(subject)}.</p><p>{shown}</p>"
        f'<p><a href="{html.escape(link)}">Open it in the Export Center</a> (sign-in needed)</p>',
        subtype="html",
    )
    return message


def _html_fact(fact: str) -> str:
    """A fact as HTML; a URL at its end becomes a link."""
    head, _, url = fact.rpartition(": ")
    if url.startswith(("https://", "http://")):
        return f'{html.escape(head)}: <a href="{html.escape(url)}">{html.escape(url)}</a>'
    return html.escape(fact)
