"""Permissions, named once, and the roles that grant them.

三员分立 (GB/T 22239 level 3): the system administrator keeps accounts and the org
structure, the security administrator decides who holds which role and owns the
security policy, the audit administrator reads the audit trail. No permission is held
by two of them, and none of them reads business data (`Scope.sees_business_data`).
"""

from enum import StrEnum

from zhuanban.org.roles import Role


class Perm(StrEnum):
    MANAGE_ORG = "manage_org"  # org units, chains and their experts and working groups
    MANAGE_ACCOUNTS = "manage_accounts"  # logins, their profile and unit; API tokens
    MANAGE_SECURITY = "manage_security"  # role assignments; the security policy page
    READ_AUDIT = "read_audit"  # the audit trail, read-only


ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.SYSTEM_ADMIN: frozenset({Perm.MANAGE_ORG, Perm.MANAGE_ACCOUNTS}),
    Role.SECURITY_ADMIN: frozenset({Perm.MANAGE_SECURITY}),
    Role.AUDIT_ADMIN: frozenset({Perm.READ_AUDIT}),
}

ADMIN_SITE_PERMS = frozenset(
    {Perm.MANAGE_ORG, Perm.MANAGE_ACCOUNTS, Perm.MANAGE_SECURITY, Perm.READ_AUDIT}
)
