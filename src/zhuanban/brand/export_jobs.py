"""Large exports as background jobs (zhuanban.ops): their kinds are registered here.

The register's export (原味乌兰察布授权企业名单表) is prepared by one function for the
request that answers the file at once and for the job that writes it in a worker
(`views_licences.register_xlsx`): the same access check, filter, scope, file name and
audit event, and the same writer (`exports.write_register_xlsx`). The job reads only its
params (the query string) and its owner, whose access is checked again when it runs.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import BinaryIO

from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy

from zhuanban.brand import exports
from zhuanban.brand.forms_licences import RegisterFilterForm
from zhuanban.brand.models import Enterprise
from zhuanban.core import audit, excel
from zhuanban.core.models import AuditAction
from zhuanban.ops import exports as job_exports
from zhuanban.ops.exports import owner_may_no_longer
from zhuanban.ops.registry import Outcome, register
from zhuanban.org.access import require_business_data

REGISTER = "brand.register"


@dataclass
class RegisterExport:
    data: exports.Register

    @property
    def count(self) -> int:
        """The enterprises on it (one row each): from the totals, no query."""
        return self.data.totals["enterprises"]

    @property
    def title(self) -> str:
        return exports.register_title()

    @property
    def filename(self) -> str:
        return f"{self.title}.xlsx"

    def write(self, out: BinaryIO, rows: Iterable[Enterprise] | None = None) -> None:
        exports.write_register_xlsx(self.data, out, rows)

    def audit(self, user, **extra) -> None:
        county = self.data.county
        audit.record(
            actor=user,
            action=AuditAction.EXPORT,
            object_type="brand.register",
            object_repr=self.title[:255],
            after={
                "county": county.pk if county else None,
                "enterprises": self.count,
                "format": "xlsx",
                **extra,
            },
            message="brand register exported to xlsx",
        )


def register_export(user, query: Mapping, today: datetime.date | None = None) -> RegisterExport:
    """The licences valid today among those `user` sees (`?county=<pk>` for one county);
    403 for who may not read business data (the three administrators)."""
    require_business_data(user)
    form = RegisterFilterForm(query or None)
    return RegisterExport(
        exports.register(user, day=today or timezone.localdate(), county=form.county)
    )


@register(REGISTER, unit=gettext_lazy("rows"))
def register_job(job, progress) -> Outcome:
    """The register as its owner may see it now, for the query string it was started with."""
    owner = job.owner
    if owner is None or not owner.is_active:
        raise owner_may_no_longer()
    try:
        export = register_export(owner, QueryDict(job.params.get("query", "")))
    except (PermissionDenied, Http404):
        raise owner_may_no_longer() from None
    export.audit(owner, job=str(job.pk))
    return job_exports.file_outcome(
        job,
        lambda out: export.write(out, progress.track(export.data.rows(), export.count)),
        export.filename,
        excel.XLSX_CONTENT_TYPE,
    )
