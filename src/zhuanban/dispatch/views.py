"""Dispatch screens: the overview, indicators, tables, rounds with completeness, the
unit's grid and the office's review, consolidation, snapshots and versions."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhuanban.core.errors import errors_to_messages
from zhuanban.dispatch import lifecycle, scoping, selectors, services
from zhuanban.dispatch.access import (
    get_round_for_user,
    get_submission_for_user,
    get_template_for_user,
    require_consolidation_access,
)
from zhuanban.dispatch.forms import (
    ColumnFormSet,
    DecisionForm,
    IndicatorForm,
    RoundForm,
    ScheduleForm,
    TargetsForm,
    TemplateForm,
    column_initial,
    parse_rules,
    rules_text,
)
from zhuanban.dispatch.lifecycle import Action
from zhuanban.dispatch.models import (
    DispatchRound,
    Indicator,
    IndicatorValue,
    RowMode,
)
from zhuanban.dispatch.periods import Period, PeriodKind
from zhuanban.dispatch.validation import display, row_from_json
from zhuanban.org.access import require_business_data
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind
from zhuanban.org.scoping import scope_for

EXTRA_BLANK_ROWS = 5


# --- overview -------------------------------------------------------------------------------------


@require_GET
@login_required
def home(request):
    require_business_data(request.user)
    today = timezone.localdate()
    rounds = (
        scoping.visible_rounds(request.user)
        .filter(locked_at__isnull=True, opens_on__lte=today)
        .select_related("office", "template")
        .order_by("due_on", "title")
    )
    rounds = list(rounds[:200])
    counts = selectors.completeness_by_round([r.pk for r in rounds])
    mine = (
        scoping.visible_submissions(request.user)
        .filter(unit_id__in=scoping.acting_unit_ids(scope_for(request.user)))
        .select_related("round", "unit")
        .order_by("-round__locked_at", "round__due_on")
        if not scoping.sees_all_units(request.user)
        else None
    )
    recent = (
        scoping.visible_rounds(request.user)
        .filter(locked_at__isnull=False)
        .select_related("office")
        .order_by("-locks_on", "title")[:12]
    )
    return render(
        request,
        "dispatch/home.html",
        {
            "rounds": [(r, counts.get(r.pk, selectors.Completeness())) for r in rounds],
            "mine": list(mine[:100]) if mine is not None else None,
            "recent": recent,
            "today": today,
        },
    )


# --- indicators ---------------------------------------------------------------------------------


def _year_from(request) -> int:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        latest = IndicatorValue.objects.order_by("-period_end").values_list("year", flat=True)
        return latest.first() or timezone.localdate().year


def _as_of_from(request, year: int) -> datetime.date | None:
    try:
        as_of = datetime.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return None
    return as_of if as_of.year == year else None


def _restrict_rows(request, progress_list):
    """A county sees its own line and its rank, not the other counties' figures."""
    if scoping.sees_all_units(request.user):
        return
    own = scoping.acting_unit_ids(scope_for(request.user))
    for progress in progress_list:
        progress.rows = [row for row in progress.rows if row.unit.pk in own]


@require_GET
@login_required
def indicators(request):
    found = list(scoping.visible_indicators(request.user).select_related("office"))
    year = _year_from(request)
    progress = selectors.indicator_progress(found, year, _as_of_from(request, year))
    _restrict_rows(request, progress)
    years = sorted(
        set(IndicatorValue.objects.values_list("year", flat=True).distinct()) | {year},
        reverse=True,
    )
    return render(
        request,
        "dispatch/indicators.html",
        {
            "progress": progress,
            "year": year,
            "years": years,
            "can_create": bool(scope_for(request.user).office_ids),
        },
    )


@require_GET
@login_required
def indicator_detail(request, code: str):
    indicator = get_object_or_404(scoping.visible_indicators(request.user), code=code)
    year = _year_from(request)
    (progress,) = selectors.indicator_progress([indicator], year, _as_of_from(request, year))
    _restrict_rows(request, [progress])
    units = [row.unit for row in progress.rows]
    values = selectors.period_values(indicator, year, units)
    periods = sorted({key for _unit, key in values})
    table = [
        (row.unit, [values.get((row.unit.pk, key)) for key in periods]) for row in progress.rows
    ]
    return render(
        request,
        "dispatch/indicator_detail.html",
        {
            "indicator": indicator,
            "progress": progress,
            "year": year,
            "periods": [Period.from_key(key) for key in periods],
            "table": table,
            "sees_all": scoping.sees_all_units(request.user),
            "can_manage": scoping.can_manage_office(request.user, indicator.office_id),
        },
    )


# --- tables -------------------------------------------------------------------------------------


@require_GET
@login_required
def templates(request):
    found = (
        scoping.visible_templates(request.user)
        .select_related("office")
        .order_by("office__sort_order", "title")
    )
    return render(
        request,
        "dispatch/templates.html",
        {"templates": found, "can_create": bool(scope_for(request.user).office_ids)},
    )


def _schema_from(form: TemplateForm, formset) -> dict | None:
    """The schema the forms describe, or None (with the errors on the forms)."""
    if not (form.is_valid() and formset.is_valid()):
        return None
    columns = [
        f.as_column()
        for f in formset.forms
        # Extra rows left blank have no data; unchanged existing columns still count.
        if f.cleaned_data.get("key") and not f.cleaned_data.get("DELETE")
    ]
    try:
        rules = parse_rules(form.cleaned_data.get("rules", ""))
    except ValidationError as error:
        form.add_error("rules", error)
        return None
    return {"columns": columns, "rules": rules}


@require_http_methods(["GET", "POST"])
@login_required
def template_create(request):
    if not scope_for(request.user).office_ids:
        raise PermissionDenied
    form = TemplateForm(request.POST or None, user=request.user)
    formset = ColumnFormSet(request.POST or None, prefix="columns")
    if request.method == "POST":
        schema = _schema_from(form, formset)
        if schema is not None:
            data = form.cleaned_data
            try:
                template = services.template_create(
                    actor=request.user,
                    office=data["office"],
                    code=data["code"],
                    title=data["title"],
                    row_mode=data["row_mode"],
                    instructions=data["instructions"],
                    units=data["units"],
                    schema=schema,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The table was created."))
                return redirect("dispatch:template", template.pk)
    return render(
        request,
        "dispatch/template_form.html",
        {"form": form, "formset": formset, "template": None},
    )


@require_http_methods(["GET", "POST"])
@login_required
def template_edit(request, pk: int):
    template = get_template_for_user(request.user, pk, manage=True)
    latest = template.latest_version()
    initial = {"lock_version": template.lock_version, "rules": rules_text(latest.schema["rules"])}
    initial["units"] = list(template.units.values_list("pk", flat=True))
    form = TemplateForm(request.POST or None, instance=template, user=request.user, initial=initial)
    formset = ColumnFormSet(
        request.POST or None, prefix="columns", initial=column_initial(latest.schema)
    )
    if request.method == "POST":
        schema = _schema_from(form, formset)
        if schema is not None:
            data = form.cleaned_data
            try:
                version = services.template_update(
                    actor=request.user,
                    template=template,
                    expected_version=data.get("lock_version") or 0,
                    schema=schema,
                    units=data["units"],
                    title=data["title"],
                    row_mode=data["row_mode"],
                    instructions=data["instructions"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if version.number != latest.number:
                    messages.success(
                        request,
                        _(
                            "Saved as version %(number)s: rounds already sent out keep "
                            "version %(old)s."
                        )
                        % {"number": version.number, "old": latest.number},
                    )
                else:
                    messages.success(request, _("The table was saved."))
                return redirect("dispatch:template", template.pk)
    return render(
        request,
        "dispatch/template_form.html",
        {"form": form, "formset": formset, "template": template},
    )


@require_GET
@login_required
def template_detail(request, pk: int):
    template = get_template_for_user(request.user, pk)
    versions = list(template.versions.order_by("-number"))
    rounds = scoping.visible_rounds(request.user).filter(template=template)
    years = sorted(set(rounds.values_list("year", flat=True)), reverse=True)
    try:
        year = int(request.GET.get("year") or (years[0] if years else timezone.localdate().year))
    except ValueError:
        year = years[0] if years else timezone.localdate().year
    year_rounds = list(rounds.filter(year=year).order_by("period_kind", "period_number", "cadence"))
    sees_all = scoping.sees_all_units(request.user)
    # A county counts its own lines only: another unit's status is not its to read.
    counts = selectors.completeness_by_round(
        [r.pk for r in year_rounds],
        None if sees_all else scoping.visible_submissions(request.user),
    )
    grid_rounds, grid_units, cells = selectors.reporting_grid(year_rounds if sees_all else [])
    by_unit = {
        unit.pk: counts
        for unit, counts in (selectors.completeness_by_unit(year_rounds) if sees_all else [])
    }
    return render(
        request,
        "dispatch/template_detail.html",
        {
            "template": template,
            "version": versions[0],
            "table": versions[0].table,
            "versions": versions,
            "rounds": [(r, counts.get(r.pk, selectors.Completeness())) for r in year_rounds],
            "year": year,
            "years": years,
            "grid_rounds": grid_rounds,
            "grid": [
                (unit, [cells.get((unit.pk, r.pk)) for r in grid_rounds], by_unit.get(unit.pk))
                for unit in grid_units
            ],
            "can_manage": scoping.can_manage_office(request.user, template.office_id),
            "schedules": template.schedules.all(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def round_create(request, pk: int):
    template = get_template_for_user(request.user, pk, manage=True)
    form = RoundForm(request.POST or None, template=template)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.round_open(
                actor=request.user,
                template=template,
                cadence=data["cadence"],
                period=data["period"],
                opens_on=data["opens_on"],
                due_on=data["due_on"],
                locks_on=data["locks_on"],
                units=data["units"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The table was sent out."))
            return redirect("dispatch:round", round_.pk)
    return render(request, "dispatch/round_form.html", {"form": form, "template": template})


@require_http_methods(["GET", "POST"])
@login_required
def schedule_edit(request, pk: int):
    template = get_template_for_user(request.user, pk, manage=True)
    cadence = request.POST.get("cadence") or request.GET.get("cadence")
    schedule = template.schedules.filter(cadence=cadence).first() if cadence else None
    schedule = schedule or template.schedules.order_by("pk").first()
    form = ScheduleForm(request.POST or None, instance=schedule)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.schedule_save(
                actor=request.user, template=template, cadence=data.pop("cadence"), **data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The schedule was saved."))
            return redirect("dispatch:template", template.pk)
    return render(request, "dispatch/schedule_form.html", {"form": form, "template": template})


# --- rounds ----------------------------------------------------------------------------------


@require_GET
@login_required
def round_detail(request, pk: int):
    round_ = get_round_for_user(request.user, pk)
    if not scoping.sees_all_units(request.user):
        own = scoping.acting_unit_ids(scope_for(request.user))
        submission = round_.submissions.filter(unit_id__in=own).order_by("pk").first()
        return redirect("dispatch:submission", round_.pk, submission.unit_id)
    if round_.task_list_id and not round_.is_locked:
        services.refresh_task_list_round(round_)
    submissions = list(selectors.round_submissions(round_))
    for submission in submissions:
        submission.round = round_
        submission.late = selectors.is_late(submission)
    counts = selectors.completeness_by_round([round_.pk]).get(round_.pk, selectors.Completeness())
    return render(
        request,
        "dispatch/round_detail.html",
        {
            "round": round_,
            "state": round_.state(),
            "submissions": submissions,
            "counts": counts,
            "not_reported": [s for s in submissions if s.status in lifecycle.NOT_REPORTED],
            "snapshots": round_.snapshots.all(),
            "can_manage": scoping.can_manage_office(request.user, round_.office_id),
            "urgeable_states": lifecycle.NOT_REPORTED,
        },
    )


@require_POST
@login_required
def round_urge(request, pk: int):
    round_ = get_round_for_user(request.user, pk, manage=True)
    unit_ids = [int(u) for u in request.POST.getlist("unit") if u.isdigit()] or None
    try:
        count = services.round_urge(actor=request.user, round_=round_, unit_ids=unit_ids)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("%(count)s units were urged.") % {"count": count})
    return redirect("dispatch:round", round_.pk)


@require_POST
@login_required
def round_lock(request, pk: int):
    round_ = get_round_for_user(request.user, pk, manage=True)
    try:
        services.round_lock(actor=request.user, round_=round_)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The round is locked and its figures were kept."))
    return redirect("dispatch:round", round_.pk)


def _require_table(round_: DispatchRound) -> None:
    if round_.template_id is None:
        raise Http404


@require_GET
@login_required
def consolidation(request, pk: int):
    round_ = get_round_for_user(request.user, pk)
    _require_table(round_)
    require_consolidation_access(request.user, round_)
    result = selectors.consolidate(round_)
    summed = result.summed_columns
    compared = selectors.comparisons(round_, [c.key for c in summed])
    return render(
        request,
        "dispatch/consolidation.html",
        {
            "round": round_,
            "result": result,
            "columns": result.table.columns,
            "summed": summed,
            "is_records": round_.template.row_mode == RowMode.RECORDS,
            "comparisons": compared,
        },
    )


@require_GET
@login_required
def snapshot(request, pk: int, snapshot_id: int):
    round_ = get_round_for_user(request.user, pk)
    require_consolidation_access(request.user, round_)
    found = get_object_or_404(round_.snapshots, pk=snapshot_id)
    columns = found.data["columns"]
    return render(
        request,
        "dispatch/snapshot.html",
        {
            "round": round_,
            "snapshot": found,
            "columns": columns,
            "lines": [
                (line, [line["values"].get(c["key"], "") for c in columns])
                for line in found.data["units"]
            ],
            "total": [found.data["total"].get(c["key"], "") for c in columns],
        },
    )


# --- a unit's submission -------------------------------------------------------------------


def _rows_from_post(post, table) -> list[dict]:
    """The grid's cells: cell-<row>-<key>, rows numbered from 0 in screen order."""
    try:
        count = min(int(post.get("row_count", "1")), 5000)
    except ValueError:
        count = 1
    rows = []
    for index in range(count):
        rows.append({c.key: post.get(f"cell-{index}-{c.key}", "") for c in table.columns})
    return rows


def _grid(table, rows: list[dict], problems, row_comments, *, records: bool, editable: bool):
    """Rows of cells for the template: value as typed or stored, its problem if any."""
    by_cell = {}
    by_row = {}
    for problem in problems:
        if problem.column:
            by_cell.setdefault((problem.row, problem.column), []).append(problem.message)
        else:
            by_row.setdefault(problem.row, []).append(problem.message)
    if records and editable:
        rows = [*rows, *({} for _ in range(EXTRA_BLANK_ROWS))]
    if not rows:
        rows = [{}]
    grid = []
    for index, row in enumerate(rows):
        cells = []
        for column in table.columns:
            value = row.get(column.key)
            cells.append(
                {
                    "column": column,
                    "value": "" if value is None else display_raw(column, value),
                    "problems": by_cell.get((index, column.key), []),
                }
            )
        grid.append(
            {
                "index": index,
                "cells": cells,
                "problems": by_row.get(index, []),
                "comment": row_comments.get(str(index), ""),
            }
        )
    return grid


def display_raw(column, value) -> str:
    """A stored JSON value (or text typed in a draft) as the grid shows it."""
    if isinstance(value, bool):
        return display(column, value)
    return str(value)


def _submission_context(request, submission, *, rows=None, problems=(), stale=False):
    round_ = submission.round
    table = round_.template_version.table
    parties = scoping.parties(request.user, submission)
    allowed = services.available_actions(request.user, submission)
    editable = Action.SUBMIT in allowed
    records = round_.template.row_mode == RowMode.RECORDS
    rows = submission.data if rows is None else rows
    return {
        "round": round_,
        "submission": submission,
        "table": table,
        "grid": _grid(
            table, rows, problems, submission.row_comments, records=records, editable=editable
        ),
        "problems": problems,
        "problem_list": [
            (p.row + 1, table.by_key[p.column].heading if p.column else "", p.message)
            for p in problems
        ],
        "blank_cells": [{"column": c, "value": ""} for c in table.columns],
        "editable": editable,
        "records": records,
        "office_actions": [
            a for a in allowed if a in (Action.APPROVE, Action.RETURN, Action.REOPEN)
        ],
        "late": selectors.is_late(submission),
        "events": submission.events.select_related("actor").order_by("-at", "-pk"),
        "revisions": submission.revisions.order_by("-number")[:1],
        "can_download": bool(parties) or scoping.sees_all_units(request.user),
        "can_upload": editable and lifecycle.UNIT & parties,
        "decision_form": DecisionForm(),
        "stale": stale,
        "Action": Action,
    }


@require_http_methods(["GET", "POST"])
@login_required
def submission(request, pk: int, unit_id: int):
    found = get_submission_for_user(request.user, pk, unit_id)
    if found.round.task_list_id is not None:
        # A progress request is answered on the tasks themselves.
        return redirect(
            reverse("tasks:ledger") + f"?task_list={found.round.task_list_id}&lead_unit={unit_id}"
        )
    if request.method == "GET":
        return render(request, "dispatch/submission.html", _submission_context(request, found))
    table = found.round.template_version.table
    rows = _rows_from_post(request.POST, table)
    action = request.POST.get("action")
    try:
        expected = int(request.POST.get("lock_version", ""))
    except ValueError:
        expected = None
    try:
        if action == Action.SUBMIT:
            services.submission_submit(
                actor=request.user, submission=found, rows=rows, expected_version=expected
            )
            messages.success(request, _("The table was submitted."))
            return redirect("dispatch:submission", pk, unit_id)
        checked = services.submission_save(
            actor=request.user, submission=found, rows=rows, expected_version=expected
        )
    except services.TableErrors as error:
        messages.error(request, error.messages[0])
        context = _submission_context(request, found, rows=rows, problems=error.problems)
        return render(request, "dispatch/submission.html", context, status=422)
    except services.ConcurrentEditError as error:
        messages.error(request, error.messages[0])
        found.refresh_from_db()
        context = _submission_context(request, found, rows=rows, stale=True)
        return render(request, "dispatch/submission.html", context, status=409)
    except ValidationError as error:
        errors_to_messages(request, error)
        return redirect("dispatch:submission", pk, unit_id)
    found.refresh_from_db()
    if checked.problems:
        messages.warning(
            request,
            _("The draft was saved; %(count)s cells still need attention before submitting.")
            % {"count": len(checked.problems)},
        )
    else:
        messages.success(request, _("The draft was saved."))
    context = _submission_context(request, found, problems=checked.problems)
    return render(request, "dispatch/submission.html", context)


@require_POST
@login_required
def submission_act(request, pk: int, unit_id: int):
    found = get_submission_for_user(request.user, pk, unit_id)
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "")
    try:
        if action == Action.RETURN:
            row_comments = {
                key.removeprefix("row_comment-"): value
                for key, value in request.POST.items()
                if key.startswith("row_comment-")
            }
            services.submission_return(
                actor=request.user, submission=found, comment=comment, row_comments=row_comments
            )
        else:
            services.submission_act(
                actor=request.user, submission=found, action=action, comment=comment
            )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        label = Action(action).label if action in Action.values else action
        messages.success(request, _("Done: %(action)s.") % {"action": label})
    return redirect("dispatch:submission", pk, unit_id)


@require_GET
@login_required
def submission_versions(request, pk: int, unit_id: int):
    found = get_submission_for_user(request.user, pk, unit_id)
    revisions = list(found.revisions.select_related("created_by", "file", "template_version"))
    if not revisions:
        messages.info(request, _("Nothing has been submitted yet."))
        return redirect("dispatch:submission", pk, unit_id)
    by_number = {r.number: r for r in revisions}
    try:
        after = by_number[int(request.GET.get("b", revisions[-1].number))]
        before = by_number.get(int(request.GET.get("a", after.number - 1)))
    except (KeyError, ValueError):
        raise Http404 from None
    table = after.template_version.table
    changes = selectors.diff_rows(table, before.data if before else [], after.data)
    changed = {(c.row, c.column) for c in changes}
    rows = [
        (
            index,
            [
                (c, display(c, row_from_json(table, row).get(c.key)), (index, c.key) in changed)
                for c in table.columns
            ],
        )
        for index, row in enumerate(after.data)
    ]
    return render(
        request,
        "dispatch/versions.html",
        {
            "round": found.round,
            "submission": found,
            "revisions": revisions,
            "before": before,
            "after": after,
            "table": table,
            "changes": changes,
            "rows": rows,
            "labels": {c.key: c.heading for c in table.columns},
        },
    )


# --- indicators and targets, kept by their office ------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def indicator_edit(request, code: str | None = None):
    indicator = (
        get_object_or_404(scoping.visible_indicators(request.user), code=code) if code else None
    )
    if indicator is not None and not scoping.can_manage_office(request.user, indicator.office_id):
        raise PermissionDenied
    if indicator is None and not scope_for(request.user).office_ids:
        raise PermissionDenied
    form = IndicatorForm(request.POST or None, instance=indicator, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name != "code"}
        if indicator is None:
            fields["code"] = form.cleaned_data["code"]
        try:
            saved = services.indicator_save(
                actor=request.user,
                indicator=Indicator.objects.get(pk=indicator.pk) if indicator else None,
                **fields,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The indicator was saved."))
            return redirect("dispatch:indicator", saved.code)
    return render(request, "dispatch/indicator_form.html", {"form": form, "indicator": indicator})


@require_http_methods(["GET", "POST"])
@login_required
def targets_edit(request, code: str):
    indicator = get_object_or_404(scoping.visible_indicators(request.user), code=code)
    if not scoping.can_manage_office(request.user, indicator.office_id):
        raise PermissionDenied
    try:
        year = int(request.POST["year"]) if request.method == "POST" else _year_from(request)
    except (KeyError, ValueError):
        raise Http404 from None
    root = OrgUnit.objects.filter(kind=UnitKind.CITY).order_by("depth").first()
    units = [u for u in (root, *OrgUnit.objects.counties().active()) if u is not None]
    current = dict(indicator.targets.filter(year=year).values_list("unit_id", "value"))
    form = TargetsForm(request.POST or None, units=units, targets=current)
    if request.method == "POST" and form.is_valid():
        changed = 0
        for unit, value in form.targets():
            if value is not None and value != current.get(unit.pk):
                services.target_set(
                    actor=request.user, indicator=indicator, unit=unit, year=year, value=value
                )
                changed += 1
        messages.success(request, _("%(count)s targets were saved.") % {"count": changed})
        return redirect(reverse("dispatch:indicator", args=[code]) + f"?year={year}")
    return render(
        request,
        "dispatch/targets_form.html",
        {"form": form, "indicator": indicator, "year": year},
    )


@require_http_methods(["GET", "POST"])
@login_required
def values_edit(request, code: str):
    """The office enters an indicator's values for one period, county by county, where no
    table feeds it (or to correct one)."""
    indicator = get_object_or_404(scoping.visible_indicators(request.user), code=code)
    if not scoping.can_manage_office(request.user, indicator.office_id):
        raise PermissionDenied
    try:
        period = Period.from_key(request.POST.get("period") or request.GET.get("period", ""))
    except ValueError:
        today = timezone.localdate()
        period = Period.containing(PeriodKind.MONTH, today).previous()
    units = list(OrgUnit.objects.counties().active())
    current = dict(
        indicator.values.filter(
            year=period.year, period_kind=period.kind, period_number=period.number
        ).values_list("unit_id", "value")
    )
    form = TargetsForm(request.POST or None, units=units, targets=current, min_value=None)
    if request.method == "POST" and form.is_valid():
        changed = [
            (unit, value)
            for unit, value in form.targets()
            if value is not None and value != current.get(unit.pk)
        ]
        try:
            with transaction.atomic():
                for unit, value in changed:
                    services.indicator_value_set(
                        actor=request.user,
                        indicator=indicator,
                        unit=unit,
                        period=period,
                        value=value,
                        sync_tasks=False,
                    )
                if changed:
                    services.sync_task_progress([indicator], period.year, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(count)s values were saved.") % {"count": len(changed)})
            return redirect(reverse("dispatch:indicator", args=[code]) + f"?year={period.year}")
    months = [
        *(Period(period.year, PeriodKind.MONTH, n) for n in range(1, 13)),
        *(Period(period.year, PeriodKind.QUARTER, n) for n in range(1, 5)),
        Period(period.year, PeriodKind.YEAR),
    ]
    return render(
        request,
        "dispatch/values_form.html",
        {"form": form, "indicator": indicator, "period": period, "months": months},
    )
