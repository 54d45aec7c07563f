"""The e-mail an export's recipients get: plain text and HTML, times in the firm's zone, a link
to the export in the Export Center (sign-in needed), and never the file."""

from __future__ import annotations

import html
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from smarter_export.jobs.records import ExportJob, JobStatus


def export_message(
    job: ExportJob, *, recipients: list[str], sender: str, center_url: str, zone: str
) -> EmailMessage:
    finished = (job.completed_at or job.updated_at).astimezone(ZoneInfo(zone))
    when = f"{finished:%Y-%m-%d %H:%M} ({zone})"
    if job.status is JobStatus.COMPLETED:
        subject = f"Your {job.source} export is ready"
        detail = f"{job.rows_processed:,} rows" + (
            ", partial: see its warnings" if job.partial else ""
        )
    else:
        subject = f"Your {job.source} export failed"
        detail = job.error_message or "See the Export Center for the reason."
    link = f"{center_url.rstrip('/')}/?export={job.id}"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message.set_content(
        f"{subject}.\n\n"
        f"Data source: {job.source}\nFormat: {job.format}\nFinished: {when}\n{detail}\n\n"
        f"Open it in the Export Center (sign-in needed):\n{link}\n"
    )
    message.add_alternative(
        f"<p>{html.escape(subject)}.</p>"
        f"<p>Data source: {html.escape(job.source)}<br>Format: {html.escape(job.format)}<br>"
        f"Finished: {html.escape(when)}<br>{html.escape(detail)}</p>"
        f'<p><a href="{html.escape(link)}">Open it in the Export Center</a> (sign-in needed)</p>',
        subtype="html",
    )
    return message
