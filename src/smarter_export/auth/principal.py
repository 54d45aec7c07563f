"""The person behind a request, as the token describes them, and what they may export.

Sources are named by plain strings here: auth must not depend on the sources registry (data
flows one way, and the registry would pull SQL into every permission check).
"""

from __future__ import annotations

from dataclasses import dataclass

ADMIN_ROLE = "admin"
EXPORT_ANY = "export:*"
SEE_CONFIDENTIAL = "matters:confidential"
SCHEDULE_EXPORTS = "export:schedule"

# Billing and firm-wide analytics are sensitive beyond a single matter: an ordinary user needs
# them granted by name, while the day-to-day tables are open to every member of the firm.
RESTRICTED_SOURCES: frozenset[str] = frozenset({"analytics", "invoices"})


def export_permission(source_name: str) -> str:
    """The permission that grants exporting one source, e.g. `export:time_entries`."""
    return f"export:{source_name}"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller of one firm (tenant)."""

    user_id: str
    tenant_id: str
    role: str
    permissions: frozenset[str]
    issued_at: int = 0  # the token's `iat`: which of two tokens of a user is the newer
    email: str | None = None  # the token's `email` claim: whose domain e-mail may go to

    def may_read(self, source_name: str, *, confidential: bool) -> bool:
        """Whether this caller may take a file of `source_name`, made with or without
        confidential matters: the check at download, against the caller's grants of now."""
        return self.may_export(source_name) and (self.sees_confidential or not confidential)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN_ROLE

    def may_export(self, source_name: str) -> bool:
        """Whether this caller may export `source_name` for their own firm."""
        if EXPORT_ANY in self.permissions or export_permission(source_name) in self.permissions:
            return True
        if self.is_admin:
            return True
        # Any role other than admin (including ones we do not know yet) gets the user default,
        # so a new role can never widen access by accident.
        return source_name not in RESTRICTED_SOURCES

    @property
    def may_schedule(self) -> bool:
        """Whether this caller may own scheduled exports (each run still needs the source)."""
        return self.is_admin or SCHEDULE_EXPORTS in self.permissions

    @property
    def sees_confidential(self) -> bool:
        """Whether confidential matters are included in this caller's exports.

        Only an explicit grant counts, not the admin role: who may read privileged matters is
        a decision the firm records per person, and an export must not widen it silently.
        """
        return SEE_CONFIDENTIAL in self.permissions
