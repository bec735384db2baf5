from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "zhuanban.rectification"
    verbose_name = _("Rectification")

    def ready(self) -> None:
        from zhuanban.rectification import (
            export_jobs,  # noqa: F401  (registers its job kinds)
        )
