from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandConfig(AppConfig):
    name = "zhuanban.brand"
    label = "brand"
    verbose_name = _("Regional public brand")
