from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "zhuanban.tasks"
    label = "tasks"
    verbose_name = _("Key tasks")

    def ready(self) -> None:
        from zhuanban.tasks import (
            export_jobs,  # noqa: F401  (registers its job kinds)
            import_jobs,  # noqa: F401  (registers its job kinds)
        )
