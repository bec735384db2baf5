"""The work summary screen (/reports/summary/): choose a day and a scope, read the paragraph
drafted from data with every figure linked to the records behind it, and (for those who
compose a series) start a bulletin issue from it.

GET ?as_of=2023-06-30&scope=bureau|<unit id> shows the summary; POST drafts an issue
(services.bulletin_create + services.section_generate with source "work_summary") and
opens its editor.
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from zhuanban.core.errors import add_service_errors, is_concurrent_edit
from zhuanban.reports import access, services, summary
from zhuanban.reports.generators import Draft, Link
from zhuanban.reports.models import Series
from zhuanban.reports.scoping import composable_series

INVALID_STATUS = 422
STALE_STATUS = 409
BUREAU = "bureau"
EARLIEST = datetime.date(2000, 1, 1)


# --- the text with its links ---------------------------------------------------------------------


def linked_paragraphs(body: str, links: list[Link]) -> list[SafeString]:
    """The draft's paragraphs, escaped, each figure a link to its records. The links are
    in the order their labels appear in the text: each is looked for after the previous
    one, so "2项" of the second list never links the first list's figure. A label not
    found (the text edited by hand) is simply not linked; a link that does not lead to a
    page of this site is never made."""
    anchors: list[tuple[int, int, str]] = []
    position = 0
    for link in links:
        if not link.label or not link.url.startswith("/") or link.url.startswith("//"):
            continue
        start = body.find(link.label, position)
        if start < 0:
            continue
        end = start + len(link.label)
        anchors.append((start, end, link.url))
        position = end
    html, cursor = [], 0
    for start, end, url in anchors:
        html.append(escape(body[cursor:start]))
        html.append(f'<a class="sum-figure" href="{escape(url)}">{escape(body[start:end])}</a>')
        cursor = end
    html.append(escape(body[cursor:]))
    # Paragraphs are separated by blank lines (generators.Draft); markup spans no break.
    text = "".join(html)
    return [mark_safe(part.strip()) for part in text.split("\n\n") if part.strip()]  # noqa: S308


# --- forms ---------------------------------------------------------------------------------------


class SummaryForm(forms.Form):
    as_of = forms.DateField(
        label=gettext_lazy("As of"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    scope = forms.ChoiceField(label=gettext_lazy("Scope"))

    def __init__(self, data=None, *, choices: summary.SummaryChoices, today, **kwargs):
        super().__init__(data, **kwargs)
        self.summary_choices, self.today = choices, today
        options = []
        if choices.bureau:
            options.append((BUREAU, _("The bureau (everything you see)")))
        if choices.offices:
            options.append((_("Offices"), [(str(u.pk), u.name) for u in choices.offices]))
        if choices.counties:
            options.append((_("Counties"), [(str(u.pk), u.name) for u in choices.counties]))
        self.fields["scope"].choices = options
        self.fields["as_of"].widget.attrs["max"] = today.isoformat()

    def clean_as_of(self) -> datetime.date:
        day = self.cleaned_data["as_of"]
        if day > self.today:
            raise ValidationError(_("The date cannot be in the future."), code="future")
        if day < EARLIEST:
            raise ValidationError(_("Choose a date from 2000 on."), code="too_early")
        return day

    def unit(self):
        """The chosen office or county, None for the bureau."""
        value = self.cleaned_data["scope"]
        if value == BUREAU:
            return None
        return next(
            u
            for u in (*self.summary_choices.offices, *self.summary_choices.counties)
            if str(u.pk) == value
        )


class DraftIssueForm(SummaryForm):
    series = forms.ModelChoiceField(
        label=gettext_lazy("Series"), queryset=Series.objects.none(), empty_label=None
    )
    title = forms.CharField(label=gettext_lazy("Title of the issue"), max_length=200)

    def __init__(self, data=None, *, series, **kwargs):
        # Its own ids: the summary's form above has fields of the same names.
        kwargs.setdefault("auto_id", "draft_%s")
        super().__init__(data, **kwargs)
        self.fields["series"].queryset = series
        # The day and scope of the summary shown above the form travel with it.
        self.fields["as_of"].widget = forms.HiddenInput()
        self.fields["scope"].widget = forms.HiddenInput()


def _defaults(choices: summary.SummaryChoices, today: datetime.date) -> dict:
    scope = BUREAU if choices.bureau else str((choices.offices or choices.counties)[0].pk)
    return {"as_of": today.isoformat(), "scope": scope}


# --- the view -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def work_summary(request):
    user = request.user
    access.require_reader(user)
    choices = summary.summary_choices(user)
    if not choices:
        raise Http404
    today = timezone.localdate()
    series = composable_series(user)
    if request.method == "POST":
        return _draft_issue(request, choices, series, today)
    data = request.GET if request.GET else _defaults(choices, today)
    form = SummaryForm(data, choices=choices, today=today)
    status, draft = 200, None
    if form.is_valid():
        draft = summary.work_summary(user, unit=form.unit(), as_of=form.cleaned_data["as_of"])
    else:
        status = INVALID_STATUS
    issue_form = None
    if draft is not None and series.exists():
        issue_form = DraftIssueForm(
            initial={**form.cleaned_data, "title": draft.heading},
            choices=choices,
            today=today,
            series=series,
        )
    return render(
        request,
        "reports/summary.html",
        _context(form, draft, issue_form),
        status=status,
    )


def _context(form, draft: Draft | None, issue_form) -> dict:
    return {
        "nav": "summary",
        "form": form,
        "draft": draft,
        "paragraphs": linked_paragraphs(draft.body, draft.links) if draft else [],
        "issue_form": issue_form,
    }


def _draft_issue(request, choices, series, today):
    """A new draft issue of a series the user composes, its first section this summary."""
    user = request.user
    if not series.exists():
        raise PermissionDenied
    form = DraftIssueForm(request.POST, choices=choices, today=today, series=series)
    if form.is_valid():
        unit, as_of = form.unit(), form.cleaned_data["as_of"]
        try:
            with transaction.atomic():
                bulletin = services.bulletin_create(
                    actor=user, series=form.cleaned_data["series"], title=form.cleaned_data["title"]
                )
                services.section_generate(
                    actor=user,
                    bulletin=bulletin,
                    expected_version=bulletin.version,
                    source="work_summary",
                    params={"unit": unit.pk if unit else None},
                    as_of=as_of,
                )
        except ValidationError as error:
            add_service_errors(form, error)
            status = STALE_STATUS if is_concurrent_edit(error) else INVALID_STATUS
        except PermissionError as error:
            raise PermissionDenied from error
        else:
            messages.success(request, _("The draft issue was created from the work summary."))
            return redirect("reports:bulletin_edit", pk=bulletin.pk)
    else:
        status = INVALID_STATUS
    # The summary the form was about, when its scope and day still make sense.
    shown = SummaryForm(
        {key: request.POST.get(key, "") for key in ("as_of", "scope")},
        choices=choices,
        today=today,
    )
    draft = None
    if shown.is_valid():
        draft = summary.work_summary(user, unit=shown.unit(), as_of=shown.cleaned_data["as_of"])
    return render(request, "reports/summary.html", _context(shown, draft, form), status=status)
