"""The main navigation, by capability (DESIGN.md). Capabilities not yet built show greyed."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhuanban.org.permissions import ADMIN_SITE_PERMS, Perm
from zhuanban.org.scoping import scope_for

# (label, url name or None while the capability is being built, url namespace that marks it active)
MAIN_NAV = [
    (_("Organisation"), "org:overview", "org"),
    (_("Key tasks"), "tasks:ledger", "tasks"),
    (_("Dispatch"), "dispatch:home", "dispatch"),
    (_("Supervision"), "supervision:home", "supervision"),
    (_("Assessment"), "assessment:home", "assessment"),
    (_("Documents and meetings"), "documents:home", "documents"),
    (_("Brand"), "brand:home", "brand"),
    (_("Investment"), "investment:home", "investment"),
    (_("Reports"), "reports:dashboard", "reports"),
]


def main_nav(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match else ""
    url_name = match.url_name if match else ""
    items = [
        {
            "label": label,
            "url": reverse(name) if name else None,
            "active": namespace == ns or (ns == "org" and not namespace and url_name == "home"),
        }
        for label, name, ns in MAIN_NAV
    ]
    scope = scope_for(request.user)
    if not scope.sees_business_data:
        # The three administrators (三员) read no business data: no links to it.
        items = [item for item in items if item["url"] is None or item["label"] == MAIN_NAV[0][0]]
    if scope.is_enterprise_login:
        items = [item for item in items if item["url"] == reverse("brand:home")]
    if scope.has_perm(Perm.READ_AUDIT):
        items.append(
            {
                "label": _("Audit trail"),
                "url": reverse("audit:list"),
                "active": namespace == "audit",
            }
        )
    return {
        "main_nav": items,
        "can_administer": any(scope.has_perm(p) for p in ADMIN_SITE_PERMS),
    }
