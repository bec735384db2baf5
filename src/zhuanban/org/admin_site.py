from functools import update_wrapper

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from zhuanban.org.permissions import ADMIN_SITE_PERMS, Perm
from zhuanban.org.roles import ADMIN_ROLES, Role
from zhuanban.org.scoping import scope_for


class ZhuanbanAdminSite(admin.AdminSite):
    site_header = _("Special Offices Platform · Administration")
    site_title = _("Special Offices Platform")
    index_title = _("Administration")
    enable_nav_sidebar = False

    def has_permission(self, request) -> bool:
        scope = scope_for(request.user)
        return request.user.is_active and any(scope.has_perm(p) for p in ADMIN_SITE_PERMS)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            # A signed-in user without an administrator role is refused, not sent to log in.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def login(self, request, extra_context=None):
        # One login page for the whole platform.
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('login')}?{urlencode({'next': target})}")

    def get_urls(self):
        return [
            path(
                "security-policy/",
                self.admin_view(self.security_policy_view),
                name="security_policy",
            ),
            *super().get_urls(),
        ]

    def get_app_list(self, request, app_label=None):
        """The registered models, plus the pages that are not a model: the security
        policy for the security administrator, the audit trail screen for the auditor."""
        app_list = super().get_app_list(request, app_label)
        if app_label is not None:
            return app_list
        scope = scope_for(request.user)
        pages = []
        if scope.has_perm(Perm.MANAGE_SECURITY):
            pages.append(("securitypolicy", _("Security policy"), reverse("admin:security_policy")))
        if scope.has_perm(Perm.READ_AUDIT):
            pages.append(
                ("audittrail", _("Audit trail: search, export, verify"), reverse("audit:list"))
            )
        if pages:
            app_list.append(
                {
                    "name": _("Security and audit"),
                    "app_label": "security",
                    "app_url": pages[0][2],
                    "has_module_perms": True,
                    "models": [
                        {
                            "name": name,
                            "object_name": object_name,
                            "admin_url": url,
                            "add_url": None,
                            "view_only": True,
                            "perms": {"view": True},
                        }
                        for object_name, name, url in pages
                    ],
                }
            )
        return app_list

    def security_policy_view(self, request):
        """The effective security policy, read from settings: shown, never edited here
        (it is set in the server's environment and changes with a restart)."""
        if not scope_for(request.user).has_perm(Perm.MANAGE_SECURITY):
            raise PermissionDenied
        context = {
            **self.each_context(request),
            "title": _("Security policy"),
            "subtitle": None,
            "sections": security_policy(),
        }
        return TemplateResponse(request, "org/admin_security_policy.html", context)


def _min_password_length() -> int | None:
    for validator in password_validation.get_default_password_validators():
        if isinstance(validator, password_validation.MinimumLengthValidator):
            return validator.min_length
    return None


def security_policy() -> list[tuple[str, list[tuple[str, str]]]]:
    """(section, [(setting, value)]) as the platform applies them now.

    Settings another part of the platform may not define yet are read with defaults.
    """
    minutes = _("%(n)s minutes")
    days = _("%(n)s days")
    megabytes = _("%(n)s MB")
    unset = _("not set")

    def _n(template, value):
        return template % {"n": value} if value not in (None, "", 0) else unset

    required_roles = getattr(
        settings, "TWO_FACTOR_REQUIRED_ROLES", sorted({Role.LEADER, *ADMIN_ROLES})
    )
    rules = [
        str(validator.get_help_text()).strip()
        for validator in password_validation.get_default_password_validators()
    ]
    idle_seconds = getattr(settings, "SESSION_IDLE_SECONDS", settings.SESSION_COOKIE_AGE)
    upload_by_type = getattr(settings, "UPLOAD_MAX_MB_BY_TYPE", {}) or {}
    return [
        (
            _("Passwords"),
            [
                (_("Minimum length"), str(_min_password_length() or unset)),
                (
                    _("Character classes required"),
                    str(getattr(settings, "PASSWORD_MIN_CLASSES", None) or unset),
                ),
                (_("Maximum age"), _n(days, getattr(settings, "PASSWORD_MAX_AGE_DAYS", None))),
                (_("Rules checked"), "\n".join(rule for rule in rules if rule) or unset),
            ],
        ),
        (
            _("Logging in"),
            [
                (
                    _("Failed logins before lock-out"),
                    str(getattr(settings, "LOGIN_FAILURE_LIMIT", None) or unset),
                ),
                (
                    _("Lock-out duration"),
                    _n(minutes, getattr(settings, "LOGIN_LOCKOUT_MINUTES", None)),
                ),
                (_("Idle timeout"), _n(minutes, idle_seconds // 60 if idle_seconds else None)),
                (
                    _("Roles that must use two-factor authentication"),
                    "、".join(str(Role(r).label) for r in required_roles if r in Role.values)
                    or unset,
                ),
            ],
        ),
        (
            _("Uploads"),
            [
                (
                    _("Largest file"),
                    _n(megabytes, getattr(settings, "UPLOAD_MAX_BYTES", 0) // 1_048_576),
                ),
                *(
                    (_("Largest file of type %(type)s") % {"type": kind}, _n(megabytes, size))
                    for kind, size in sorted(upload_by_type.items())
                ),
                (
                    _("Largest unpacked size of an Office file"),
                    _n(
                        megabytes,
                        getattr(settings, "UPLOAD_MAX_UNCOMPRESSED_BYTES", 0) // 1_048_576,
                    ),
                ),
                (
                    _("Most entries in an Office file"),
                    str(getattr(settings, "UPLOAD_MAX_ZIP_ENTRIES", None) or unset),
                ),
            ],
        ),
        (
            _("Audit trail"),
            [(_("Retention"), _n(days, getattr(settings, "AUDIT_RETENTION_DAYS", None)))],
        ),
    ]
