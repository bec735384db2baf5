"""Permissions, named once, and the roles that grant them."""

from enum import StrEnum

from zhuanban.org.roles import Role


class Perm(StrEnum):
    MANAGE_ORG = "manage_org"  # org units, people, office positions, chains
    MANAGE_ACCOUNTS = "manage_accounts"
    MANAGE_SECURITY = "manage_security"
    READ_AUDIT = "read_audit"


ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.SYSTEM_ADMIN: frozenset({Perm.MANAGE_ORG, Perm.MANAGE_ACCOUNTS}),
    Role.SECURITY_ADMIN: frozenset({Perm.MANAGE_SECURITY}),
    Role.AUDIT_ADMIN: frozenset({Perm.READ_AUDIT}),
}

ADMIN_SITE_PERMS = frozenset({Perm.MANAGE_ORG, Perm.MANAGE_ACCOUNTS, Perm.READ_AUDIT})
