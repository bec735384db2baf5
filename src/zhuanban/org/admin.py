"""Administration screens for the three separated administrators (三员).

The system administrator manages org units, chains, logins and API tokens; the
security administrator grants and removes roles (and reads the security policy, see
`admin_site`); the audit administrator reads the audit trail and changes nothing.
Every save and delete goes through `org.services`, so it is validated, permission-
checked and audited like any other change.
"""

import json

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from zhuanban.accounts.admin import IssuedPasswordAdminMixin
from zhuanban.core import audit
from zhuanban.core.models import ApiToken, AuditEvent
from zhuanban.org import services
from zhuanban.org.models import (
    Chain,
    ChainExpert,
    ChainWorkingGroupMember,
    OrgUnit,
    Profile,
    RoleAssignment,
)
from zhuanban.org.permissions import Perm
from zhuanban.org.roles import Role
from zhuanban.org.scoping import scope_for

User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)  # roles come from RoleAssignment, not Django groups


def _has(request, perm: Perm) -> bool:
    return scope_for(request.user).has_perm(perm)


class PermissionMixin:
    """Admin access decided by one named permission."""

    perm: Perm = Perm.MANAGE_ORG

    def has_module_permission(self, request):
        return _has(request, self.perm)

    def has_view_permission(self, request, obj=None):
        return _has(request, self.perm)

    def has_add_permission(self, request, *args):
        return _has(request, self.perm)

    def has_change_permission(self, request, obj=None):
        return _has(request, self.perm)

    def has_delete_permission(self, request, obj=None):
        return _has(request, self.perm)


class AuditedAdmin(PermissionMixin, admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        services.record_save(actor=request.user, instance=obj, perm=self.perm)

    def delete_model(self, request, obj):
        services.record_delete(actor=request.user, instance=obj, perm=self.perm)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.record_delete(actor=request.user, instance=obj, perm=self.perm)
        for obj in instances:
            services.record_save(actor=request.user, instance=obj, perm=self.perm)
        formset.save_m2m()


class AuditedInline(PermissionMixin):
    extra = 0


@admin.register(OrgUnit)
class OrgUnitAdmin(AuditedAdmin):
    list_display = ["name", "code", "kind", "division_code", "parent", "sort_order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code", "division_code"]
    list_select_related = ["parent"]
    ordering = ["path"]
    autocomplete_fields = ["parent"]
    fields = [
        "name",
        "short_name",
        "code",
        "kind",
        "parent",
        "division_code",
        "phone",
        "duties",
        "sort_order",
        "is_active",
    ]

    def save_model(self, request, obj, form, change):
        services.unit_save(actor=request.user, unit=obj)

    def delete_model(self, request, obj):
        services.unit_delete(actor=request.user, unit=obj)


# Accounts the system administrator may look at but not change: whoever sets their
# password could act as them, and their duties are separated from his.
SEPARATED_ACCOUNT_ROLES = (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)


def is_separated_account(user) -> bool:
    if user is None or user.pk is None:
        return False
    cached = getattr(user, "_zhuanban_separated", None)
    if cached is None:
        cached = user.role_assignments.filter(role__in=SEPARATED_ACCOUNT_ROLES).exists()
        user._zhuanban_separated = cached
    return cached


class ProfileInline(AuditedInline, admin.StackedInline):
    model = Profile
    perm = Perm.MANAGE_ACCOUNTS
    can_delete = False
    extra = 1
    max_num = 1
    autocomplete_fields = ["unit"]

    def has_add_permission(self, request, obj=None):
        return not is_separated_account(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not is_separated_account(obj) and super().has_change_permission(request, obj)


class AccountRules:
    """三员分立 on logins. Users are deactivated, never deleted (deleting would drop
    their role assignments, which only the security administrator removes). The
    accounts of the security and audit administrators are read-only here: they are
    kept on the server (`zhuanban changepassword`, `zhuanban grantrole`)."""

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if is_separated_account(obj):
            return False
        return super().has_change_permission(request, obj)


@admin.register(User)
class UserAdmin(IssuedPasswordAdminMixin, AccountRules, AuditedAdmin, DjangoUserAdmin):
    perm = Perm.MANAGE_ACCOUNTS
    inlines = [ProfileInline]  # roles: RoleAssignmentAdmin, the security administrator's
    list_display = ["username", "first_name", "is_active", "last_login"]
    list_filter = ["is_active", "role_assignments__role"]
    search_fields = ["username", "first_name", "profile__phone"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "email"]}),
        (_("Status"), {"fields": ["is_active", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["username", "first_name", "password1", "password2"]},
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def save_model(self, request, obj, form, change):
        services.record_save(actor=request.user, instance=obj, perm=self.perm)
        # A password the administrator sets must be changed at the first login.
        self.issue_password(request, obj, form, change)


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Plain selects: an autocomplete would need the user and unit screens, which
        # belong to the system administrator.
        if "user" in self.fields:
            self.fields["user"].queryset = User.objects.filter(is_active=True).order_by("username")
            self.fields["user"].label_from_instance = _user_label
        if "unit" in self.fields:
            self.fields["unit"].queryset = OrgUnit.objects.filter(is_active=True).order_by("path")

    def clean(self):
        cleaned = super().clean()
        user, role, unit = cleaned.get("user"), cleaned.get("role"), cleaned.get("unit")
        if user is not None and role:
            existing = RoleAssignment.objects.filter(user=user).exclude(pk=self.instance.pk)
            pairs = [*existing.values_list("role", "unit_id"), (role, unit.pk if unit else None)]
            try:
                services.validate_role_set(pairs)
            except ValidationError as error:
                raise ValidationError(error.messages) from None
        return cleaned


def _user_label(user) -> str:
    name = user.get_full_name()
    return f"{user.get_username()}（{name}）" if name else user.get_username()


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    """The security administrator grants and removes roles. A role is never edited in
    place: each grant and each removal is one audited event."""

    perm = Perm.MANAGE_SECURITY
    form = RoleAssignmentForm
    list_display = ["user", "person_name", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "unit__name"]
    list_select_related = ["user", "unit"]
    ordering = ["user__username", "sort_order", "pk"]

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("name"), ordering="user__first_name")
    def person_name(self, obj):
        return obj.user.get_full_name()

    def save_model(self, request, obj, form, change):
        assignment = services.role_assign(
            actor=request.user, user=obj.user, role=obj.role, unit=obj.unit
        )
        obj.pk = assignment.pk

    def delete_model(self, request, obj):
        services.role_revoke(actor=request.user, assignment=obj)


class ChainExpertInline(AuditedInline, admin.TabularInline):
    model = ChainExpert


class ChainWorkingGroupInline(AuditedInline, admin.TabularInline):
    model = ChainWorkingGroupMember
    autocomplete_fields = ["user"]


@admin.register(Chain)
class ChainAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "leader", "lead_section", "sort_order"]
    list_select_related = ["leader", "lead_section"]
    autocomplete_fields = ["leader", "lead_section", "lead_office"]
    inlines = [ChainExpertInline, ChainWorkingGroupInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for the audit administrator; nobody can add, change or delete, whatever
    their flags (is_superuser counts for nothing here)."""

    list_display = [
        "seq",
        "at",
        "actor_username",
        "ip",
        "action",
        "outcome",
        "object_type",
        "object_repr",
    ]
    list_filter = ["action", "outcome", "object_type"]
    search_fields = ["actor_username", "object_repr", "object_id", "message", "ip"]
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False
    readonly_fields = [
        "seq",
        "at",
        "actor_username",
        "ip",
        "action",
        "outcome",
        "object_type",
        "object_id",
        "object_repr",
        "message",
        "changes",
        "prev_hash",
        "hash",
    ]
    fields = readonly_fields

    def has_module_permission(self, request):
        return _has(request, Perm.READ_AUDIT)

    def has_view_permission(self, request, obj=None):
        return _has(request, Perm.READ_AUDIT)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}

    @admin.display(description=_("changes"))
    def changes(self, obj):
        before, after = obj.before or {}, obj.after or {}
        keys = audit.changed_fields(before, after)
        if not keys:
            return "—"
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            (
                (
                    key,
                    json.dumps(before.get(key), ensure_ascii=False),
                    json.dumps(after.get(key), ensure_ascii=False),
                )
                for key in keys
            ),
        )
        header = format_html("<tr><th></th><th>{}</th><th>{}</th></tr>", _("before"), _("after"))
        return format_html("<table>{}{}</table>", header, rows)


@admin.register(ApiToken)
class ApiTokenAdmin(PermissionMixin, admin.ModelAdmin):
    perm = Perm.MANAGE_ACCOUNTS
    list_display = ["name", "user", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "name", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # tokens are issued with `zhuanban apitoken`, which shows the secret once

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            services.api_token_revoke(actor=request.user, token=token)
