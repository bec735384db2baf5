from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "zhuanban.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from zhuanban.org import (
            export_jobs,  # noqa: F401  (registers its job kinds)
        )


class ZhuanbanAdminConfig(AdminConfig):
    """Django admin, gated by Zhuanban's roles instead of is_staff/is_superuser."""

    default_site = "zhuanban.org.admin_site.ZhuanbanAdminSite"
