"""The pipeline's two ledgers as .xlsx downloads (see `investment.exports`):

- `signed_projects_xlsx`: 农牧业招商引资签约落地项目情况表 of a year (`?year=`, this year by
  default), optionally of one county (`?county=<pk>`) and one chain (`?chain=<pk>`), among
  the projects the user sees (a county's liaison: their county's);
- `upward_xlsx`: 向上争取政策项目清单调度台账 of a year, for those who read upward
  applications (`scoping.sees_all`); others 404.

Each download is rate-limited (`core.ratelimits.limit_export`) and written to the audit
trail as an EXPORT.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from zhuanban.core import audit
from zhuanban.core.excel import xlsx_attachment
from zhuanban.core.models import AuditAction
from zhuanban.core.ratelimits import limit_export
from zhuanban.investment import exports, scoping
from zhuanban.investment.views_activities import require_pipeline_reader
from zhuanban.org.models import Chain, OrgUnit

FIRST_YEAR = 2000


class LedgerFilterForm(forms.Form):
    """A ledger's filters (GET): a value that is not one of the choices (a stale or
    hand-edited address) is left out, never an error; the year defaults to this year."""

    year = forms.IntegerField(required=False, min_value=FIRST_YEAR)
    county = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), required=False)
    chain = forms.ModelChoiceField(queryset=Chain.objects.all(), required=False)

    def __init__(self, data, *, today, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["county"].queryset = OrgUnit.objects.counties()
        self.fields["year"].max_value = today.year + 1
        self.is_valid()
        values = {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and name not in self.errors
        }
        self.year = values.get("year") or today.year
        self.county = values.get("county")
        self.chain = values.get("chain")


def _file_name(title: str, year: int) -> str:
    return f"{title}（{year}）.xlsx"


@require_GET
@login_required
@limit_export
def signed_projects_xlsx(request):
    user = request.user
    require_pipeline_reader(user, scoping.visible_projects(user))
    today = timezone.localdate()
    form = LedgerFilterForm(request.GET, today=today)
    data = exports.signed_ledger(
        user, day=today, year=form.year, county=form.county, chain=form.chain
    )
    title = exports.signed_title()
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="investment.signed_projects",
        object_repr=title[:255],
        after={
            "year": form.year,
            "county": form.county.pk if form.county else None,
            "chain": form.chain.pk if form.chain else None,
            "projects": data.total.projects,
            "format": "xlsx",
        },
        message="investment signed projects exported to xlsx",
    )
    response = xlsx_attachment(
        lambda out: exports.write_signed_xlsx(data, out), _file_name(title, form.year)
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
@login_required
@limit_export
def upward_xlsx(request):
    user = request.user
    if not scoping.sees_all(user):
        raise Http404
    today = timezone.localdate()
    form = LedgerFilterForm(request.GET, today=today)
    data = exports.upward_ledger(user, day=today, year=form.year)
    title = exports.upward_title()
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="investment.upward",
        object_repr=title[:255],
        after={
            "year": form.year,
            "applications": data.this.applications if data.this else 0,
            "format": "xlsx",
        },
        message="investment upward applications exported to xlsx",
    )
    response = xlsx_attachment(
        lambda out: exports.write_upward_xlsx(data, out), _file_name(title, form.year)
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
