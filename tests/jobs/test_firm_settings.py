"""The firm's export settings at the service's level, on a real SQLite file."""

from __future__ import annotations

import pytest

from smarter_export.firm_settings import store
from tests.jobs.world import World


def test_two_admins_changing_different_settings_both_keep_their_change(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Admin B read the settings before admin A's change landed; B's write of another field
    must not put A's domains back as they were."""
    service = world.runtime.firm_settings
    admin = world.caller.principal
    before = service.get(admin)
    service.update(admin, {"allowedEmailDomains": ["firm.example", "counsel.example"]})
    real_load = store.load
    stale = [before]
    monkeypatch.setattr(
        store,
        "load",
        lambda connection, tenant: stale.pop() if stale else real_load(connection, tenant),
    )
    service.update(admin, {"mailDownloadLinks": True})
    after = service.get(admin)
    assert after.mail_download_links is True
    assert list(after.allowed_email_domains) == ["counsel.example", "firm.example"]
