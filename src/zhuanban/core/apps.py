from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhuanban.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from zhuanban.core import auth_events  # noqa: F401  (connects login/logout signals)
