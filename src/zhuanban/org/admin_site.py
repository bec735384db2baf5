from functools import update_wrapper

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from zhuanban.org.permissions import ADMIN_SITE_PERMS
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
