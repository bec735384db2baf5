from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "zhuanban.dispatch"
    label = "dispatch"
    verbose_name = _("Dispatch")

    def ready(self) -> None:
        from zhuanban.dispatch import (
            export_jobs,  # noqa: F401  (registers its job kinds)
            import_jobs,  # noqa: F401  (registers its job kinds)
        )
