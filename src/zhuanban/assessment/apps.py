from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "zhuanban.assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from zhuanban.assessment import (
            export_jobs,  # noqa: F401  (registers its job kinds)
            import_jobs,  # noqa: F401  (registers its job kinds)
        )
