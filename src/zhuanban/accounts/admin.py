"""Admin pieces of the account policy.

- `IssuedPasswordAdminMixin` for org's UserAdmin: a password the system administrator
  sets (new account, or "change password") goes through `services.password_issue`, so
  the account must change it at its next login.
- the TOTP devices, for the security administrator: delete one to reset a lost phone.
- django-axes' lock-out records, for the security administrator only (AXES_ENABLE_ADMIN
  is off so axes does not register them for everyone): see who is locked, and lift a
  lock by deleting the record (audited).
"""

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp import admin as _otp_totp_admin  # noqa: F401  (registers first)
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhuanban.accounts import services
from zhuanban.core import audit
from zhuanban.core.models import AuditAction
from zhuanban.org.permissions import Perm
from zhuanban.org.scoping import scope_for


class IssuedPasswordAdminMixin:
    """Use in a UserAdmin: call `issue_password()` from `save_model`."""

    def issue_password(self, request, obj, form, change) -> None:
        if change:
            return  # the change form never carries a password
        data = getattr(form, "cleaned_data", {})
        password = data.get("password1")
        if password and data.get("set_usable_password", True):
            services.password_issue(user=obj, new_password=password, actor=request.user)

    def user_change_password(self, request, id, form_url=""):
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        user = self.get_object(request, unquote(id))
        if user is None or not self.has_change_permission(request, user):
            return super().user_change_password(request, id, form_url)
        form = self.change_password_form(user, request.POST)
        if not (form.is_valid() and form.cleaned_data.get("set_usable_password")):
            # Errors, or "disable password-based login": Django's own handling.
            return super().user_change_password(request, id, form_url)
        services.password_issue(
            user=user, new_password=form.cleaned_data["password1"], actor=request.user
        )
        messages.success(request, _("Password set. The user must change it at the next login."))
        opts = self.opts
        return HttpResponseRedirect(
            reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[user.pk]
            )
        )


class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    actions = []

    def _allowed(self, request) -> bool:
        return scope_for(request.user).has_perm(Perm.MANAGE_SECURITY)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    @transaction.atomic
    def delete_model(self, request, obj):
        if not self._allowed(request):
            raise PermissionDenied
        audit.record(
            actor=request.user,
            action=AuditAction.DELETE,
            instance=obj,
            object_repr=f"{obj.username} @ {obj.ip_address}",
            message="login lock-out lifted",
        )
        obj.delete()

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


admin.site.register(AccessAttempt, AccessAttemptAdmin)


class TOTPDeviceAdmin(admin.ModelAdmin):
    """A user who lost both phone and recovery codes: the security administrator deletes
    the device (audited) and the user enrols again at the next login. The secret is never
    shown. Passwords are the system administrator's, second factors the security
    administrator's: neither can take over an account alone."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def _allowed(self, request) -> bool:
        return scope_for(request.user).has_perm(Perm.MANAGE_SECURITY)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def delete_model(self, request, obj):
        if not self._allowed(request):
            raise PermissionDenied
        services.totp_reset(user=obj.user, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("user"):
            self.delete_model(request, obj)


# django-otp registers an admin that shows the secret key and QR code: replace it.
admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, TOTPDeviceAdmin)
