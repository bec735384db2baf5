from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandConfig(AppConfig):
    name = "zhuanban.brand"
    label = "brand"
    verbose_name = _("Regional public brand")

    def ready(self) -> None:
        from zhuanban.brand import (
            export_jobs,  # noqa: F401  (registers its job kinds)
            pdf_jobs,  # noqa: F401  (registers its job kinds)
        )
