from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "zhuanban.reports"
    verbose_name = _("Dashboards, bulletins and reports")

    def ready(self) -> None:
        from zhuanban.reports import (
            cache,  # noqa: F401  (connects the invalidation signals)
            drafts,  # noqa: F401  (registers the section generators)
            pdf_jobs,  # noqa: F401  (registers its job kinds)
        )
