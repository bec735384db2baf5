from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "zhuanban.accounts"
    label = "accounts"
    verbose_name = _("Accounts and sign-in security")

    def ready(self) -> None:
        from zhuanban.accounts import checks, signals  # noqa: F401  (registers them)
