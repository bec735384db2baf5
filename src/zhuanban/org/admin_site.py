from django.contrib import admin
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

    def login(self, request, extra_context=None):
        # One login page for the whole platform.
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('login')}?{urlencode({'next': target})}")
