from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentConfig(AppConfig):
    name = "zhuanban.investment"
    verbose_name = _("Investment and upward funding")

    def ready(self) -> None:
        from zhuanban.investment import (
            export_jobs,  # noqa: F401  (registers its job kinds)
        )
