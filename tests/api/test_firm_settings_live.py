"""The firm's export settings over real HTTP, with a real worker and a real SMTP server: every
member reads them, only an admin changes them (400 naming the field, audited, one firm only),
and they decide where e-mail may go and whether it carries the signed download link."""

from __future__ import annotations

import csv
import io
import re

import httpx

from tests.live import LiveFactory, LiveService
from tests.servers.smtp import Inbox

SETTINGS = "/api/v1/export/settings"
PARTNER = "partner@demo-law.example"


def mailed_export(service: LiveService, client: httpx.Client, inbox: Inbox, to: str) -> str:
    """The text of the e-mail a finished export sent to `to`."""
    seen = len(inbox.messages)
    body = {"dataSource": "timekeepers", "notify": {"emails": [to]}}
    made = client.post("/api/v1/export/csv", json=body)
    assert made.status_code == 202, made.text
    service.wait_for(client, made.json()["data"]["exportId"], ["completed"])
    recipients, message = inbox.wait_for(seen + 1)[seen]
    assert recipients == [to] and not list(message.iter_attachments())
    text = message.get_body(("plain",))
    assert text is not None
    content: str = text.get_content()
    return content


def test_an_admin_sets_where_mail_goes_and_whether_it_carries_the_link(
    live: LiveFactory, smtp_server: Inbox
) -> None:
    service = live("settings", SMARTER_EXPORT_SMTP_URL=smtp_server.url)
    service.env["SMARTER_EXPORT_PUBLIC_BASE_URL"] = service.base_url  # what the links point to
    service.start_api()
    admin = service.client(service.token(user="ops"))
    member = service.client(service.token(user="associate", role="user", email=PARTNER))

    defaults = member.get(SETTINGS)
    assert defaults.status_code == 200, defaults.text
    assert defaults.json()["data"] == {
        "allowedEmailDomains": [],
        "mailDownloadLinks": False,
        "updatedBy": None,
        "updatedAt": None,
    }
    # By default: the creator's own domain, and no signed link in the message.
    text = mailed_export(service, member, smtp_server, PARTNER)
    assert "/api/v1/export/download/" not in text and "signature=" not in text
    refused = member.post(
        "/api/v1/export/csv",
        json={"dataSource": "timekeepers", "notify": {"emails": ["gc@counsel.example"]}},
    )
    assert refused.status_code == 400
    assert [d["field"] for d in refused.json()["error"]["details"]] == ["notify.emails"]

    assert member.patch(SETTINGS, json={"mailDownloadLinks": True}).status_code == 403
    for bad, field in (
        ({"allowedEmailDomains": "counsel.example"}, "allowedEmailDomains"),
        ({"allowedEmailDomains": ["not a domain"]}, "allowedEmailDomains"),
        ({"mailDownloadLinks": "yes"}, "mailDownloadLinks"),
        ({"colour": "blue"}, "colour"),
    ):
        answer = admin.patch(SETTINGS, json=bad)
        assert answer.status_code == 400, answer.text
        assert [d["field"] for d in answer.json()["error"]["details"]] == [field]

    changed = admin.patch(
        SETTINGS, json={"allowedEmailDomains": ["counsel.example"], "mailDownloadLinks": True}
    )
    assert changed.status_code == 200, changed.text
    data = changed.json()["data"]
    assert data["allowedEmailDomains"] == ["counsel.example"] and data["mailDownloadLinks"]
    assert data["updatedBy"] == "ops" and data["updatedAt"] is not None
    assert member.get(SETTINGS).json()["data"] == data

    # The firm's list replaces the creator's domain; the message now carries a working link.
    text = mailed_export(service, member, smtp_server, "gc@counsel.example")
    [link] = re.findall(r"https?://\S+/api/v1/export/download/\S+", text)
    taken = httpx.get(link, timeout=30)  # no token: the signature is the permission
    assert taken.status_code == 200, taken.text
    rows = list(csv.reader(io.StringIO(taken.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Name", "Email"] and len(rows) > 1
    again = member.post(
        "/api/v1/export/csv",
        json={"dataSource": "timekeepers", "notify": {"emails": [PARTNER]}},
    )
    assert again.status_code == 400

    # On record: who changed what; admins only. Another firm keeps its defaults.
    assert member.get(f"{SETTINGS}/events").status_code == 403
    [event] = admin.get(f"{SETTINGS}/events").json()["data"]
    assert event["actor"] == "ops"
    assert event["details"] == {
        "allowedEmailDomains": {"from": [], "to": ["counsel.example"]},
        "mailDownloadLinks": {"from": False, "to": True},
    }
    stranger = service.client(service.token(tenant="firm-2", user="ops"))
    assert stranger.get(SETTINGS).json()["data"]["allowedEmailDomains"] == []
    assert stranger.get(f"{SETTINGS}/events").json()["data"] == []
