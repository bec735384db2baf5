from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "zhuanban.supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from zhuanban.supervision import (
            export_jobs,  # noqa: F401  (registers its job kinds)
            pdf_jobs,  # noqa: F401  (registers its job kinds)
        )
