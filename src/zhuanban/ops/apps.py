from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "zhuanban.ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from zhuanban.ops import kinds  # noqa: F401  (registers the operations' own job kinds)
