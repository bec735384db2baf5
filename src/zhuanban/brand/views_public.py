"""The public verification pages (no login): anyone checks a licence by its number, by
the enterprise's name or by the QR code printed on the packaging, and reads the list of
the enterprises authorized today.

What the public sees of a licence: the enterprise's name and county, the products, the
validity and the state as of today (有效, 已过期, 已清退 with its date, 尚未生效), and the
credit code masked but for its last four characters (enough to compare with a business
licence, not enough to copy). Never contacts, sales, the reason for a removal or who
decided it.

Every page counts against BRAND_VERIFY_RATE per client address (django-ratelimit, one
budget for the three pages): walking through licence numbers or names is slowed to a
crawl, and the numbers are random anyway (brand.services.licence_number).
"""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from zhuanban.brand import selectors
from zhuanban.brand.forms_licences import PublicSearchForm
from zhuanban.brand.models import Licence
from zhuanban.core.ratelimits import ip_key, rate_limit

VERIFY_RATE = "BRAND_VERIFY_RATE"
CODE_SHOWN = 4  # the credit code's last characters the public sees
CODE_MASK = "*"

limit_verify = rate_limit(VERIFY_RATE, key=ip_key)


def masked_code(code: str) -> str:
    """91150921MA0000001X → **************001X."""
    return CODE_MASK * max(len(code) - CODE_SHOWN, 0) + code[-CODE_SHOWN:]


def _public(licences: list[Licence]) -> list[Licence]:
    for licence in licences:
        licence.masked_code = masked_code(licence.enterprise.credit_code)
    return licences


@never_cache
@require_GET
@limit_verify
def search(request):
    form = PublicSearchForm(request.GET or None)
    query, results, message = "", [], ""
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"]
        if query and len(query) < selectors.PUBLIC_QUERY_MIN_LENGTH:
            message = _(
                "Enter at least %(n)d characters: the whole licence number, or part of the "
                "enterprise's name."
            ) % {"n": selectors.PUBLIC_QUERY_MIN_LENGTH}
        elif query:
            results = _public(selectors.public_lookup(query))
            if not results:
                message = _(
                    "No licence was found. Check the number on the packaging, or try part of "
                    "the enterprise's name. A product whose licence cannot be found here may "
                    "not carry the 原味乌兰察布 logo."
                )
    return render(
        request,
        "brand/public/search.html",
        {
            "form": form,
            "searched": bool(query),
            "results": results,
            "message": message,
            "limit": selectors.PUBLIC_RESULTS_LIMIT,
            "more_possible": len(results) >= selectors.PUBLIC_RESULTS_LIMIT,
        },
    )


@never_cache
@require_GET
@limit_verify
def licence(request, number: str):
    """One licence by its exact number (what the QR code opens); 404 with the same page
    whatever was asked for: nothing of the address is repeated."""
    number = number.strip().upper()
    found = None
    if 0 < len(number) <= Licence._meta.get_field("number").max_length:
        found = selectors.public_licence(number)
    if found is None:
        return render(request, "brand/public/licence.html", {"licence": None}, status=404)
    return render(request, "brand/public/licence.html", {"licence": _public([found])[0]})


@never_cache
@require_GET
@limit_verify
def enterprises(request):
    """The enterprises holding a licence valid today, county by county."""
    today = timezone.localdate()
    licences = list(selectors.public_enterprises(today))
    by_county: dict[int, dict] = {}
    for lic in licences:  # in the selector's order: enterprise by enterprise
        county = lic.enterprise.county
        by_county.setdefault(county.pk, {"county": county, "licences": []})["licences"].append(lic)
    groups = sorted(
        by_county.values(), key=lambda group: (group["county"].sort_order, group["county"].code)
    )
    return render(
        request,
        "brand/public/enterprises.html",
        {
            "groups": groups,
            "today": today,
            "licence_count": len(licences),
            "enterprise_count": len({lic.enterprise_id for lic in licences}),
        },
    )
