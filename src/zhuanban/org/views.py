from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhuanban.org import selectors, services
from zhuanban.org.access import get_chain_for_user, get_office_for_user, get_unit_for_user
from zhuanban.org.forms import OfficeProfileForm
from zhuanban.org.roles import Role
from zhuanban.org.scoping import scope_for


@require_GET
@login_required
def home(request):
    scope = scope_for(request.user)
    if scope.is_enterprise_login:
        return redirect("brand:home")
    if scope.has_role(Role.LEADER):
        return redirect("reports:dashboard")
    return overview(request)


@require_GET
@login_required
def overview(request):
    """The bureau at a glance: its offices, counties and chains (everyone's home page but
    the leaders', whose home is the dashboard)."""
    if scope_for(request.user).is_enterprise_login:
        return redirect("brand:home")
    return render(request, "org/home.html", {"overview": selectors.bureau_overview()})


@require_GET
@login_required
def unit_detail(request, pk: int):
    unit = get_unit_for_user(request.user, pk)
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "people": selectors.unit_people(unit),
            "children": selectors.unit_children(unit),
        },
    )


@require_GET
@login_required
def office_detail(request, pk: int):
    office = get_office_for_user(request.user, pk)
    office.positions = list(
        office.role_assignments.office_positions().select_related("user", "user__profile")
    )
    return render(
        request,
        "org/office_detail.html",
        {
            "office": office,
            "staff": selectors.office_staff(office),
            "can_edit": scope_for(request.user).can_change_office(office),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def office_edit(request, pk: int):
    office = get_office_for_user(request.user, pk, write=True)
    form = OfficeProfileForm(request.POST or None, instance=office)
    if request.method == "POST" and form.is_valid():
        services.office_update(
            actor=request.user,
            office=office,
            duties=form.cleaned_data["duties"],
            phone=form.cleaned_data["phone"],
        )
        messages.success(request, _("The office's details were saved."))
        return redirect("org:office", pk=office.pk)
    return render(request, "org/office_edit.html", {"office": office, "form": form})


@require_GET
@login_required
def chain_list(request):
    return render(request, "org/chain_list.html", {"chains": selectors.chains_with_six_ones()})


@require_GET
@login_required
def chain_detail(request, code: str):
    chain = get_chain_for_user(request.user, code)
    return render(request, "org/chain_detail.html", {"chain": selectors.chain_detail(chain.code)})
