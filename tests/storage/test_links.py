"""Signed links bind export, tenant and expiry; rotation accepts old secrets; checks compare safely."""

from __future__ import annotations

from smarter_export.storage.links import LinkCheck, check, sign

OLD, NEW = "o" * 40, "n" * 40


def verdict(
    secrets: list[str],
    signature: str,
    *,
    export_id: str = "e1",
    tenant_id: str = "t1",
    expires: int = 2_000,
    now: float = 1_000,
) -> LinkCheck:
    return check(
        secrets,
        export_id=export_id,
        tenant_id=tenant_id,
        expires=expires,
        signature=signature,
        now=now,
    )


def test_valid_until_expiry_then_expired() -> None:
    signature = sign(NEW, export_id="e1", tenant_id="t1", expires=2_000)
    assert verdict([NEW], signature) is LinkCheck.VALID
    assert verdict([NEW], signature, now=2_000) is LinkCheck.EXPIRED


def test_signature_binds_every_part() -> None:
    signature = sign(NEW, export_id="e1", tenant_id="t1", expires=2_000)
    assert verdict([NEW], signature, export_id="e2") is LinkCheck.BAD_SIGNATURE
    assert verdict([NEW], signature, tenant_id="t2") is LinkCheck.BAD_SIGNATURE
    assert verdict([NEW], signature, expires=3_000) is LinkCheck.BAD_SIGNATURE
    assert verdict([NEW], signature[:-1]) is LinkCheck.BAD_SIGNATURE
    assert verdict([NEW], "") is LinkCheck.BAD_SIGNATURE
    assert verdict([NEW], "ünïcode") is LinkCheck.BAD_SIGNATURE


def test_a_forged_link_learns_nothing_about_expiry() -> None:
    assert verdict([NEW], "forged", now=10_000) is LinkCheck.BAD_SIGNATURE


def test_rotation_signs_with_first_and_accepts_all() -> None:
    old_link = sign(OLD, export_id="e1", tenant_id="t1", expires=2_000)
    assert verdict([NEW, OLD], old_link) is LinkCheck.VALID
    assert verdict([NEW], old_link) is LinkCheck.BAD_SIGNATURE
