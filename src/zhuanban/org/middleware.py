"""An enterprise's own login (the brand register's applicants, `Scope.is_enterprise_login`)
is an outsider to the bureau: it reaches the brand screens, its rectification items, its
account, notifications and its own background jobs ("my downloads"), and nothing else of
the platform — not the bureau's tasks, tables, documents or API, even where they would
show it nothing of another's."""

from django.http import Http404

from zhuanban.org.scoping import scope_for

# URL namespaces an enterprise login may use; "" covers home (which sends it to the
# brand) and the language switch; "ops" shows a person only their own jobs (ops.access).
ENTERPRISE_NAMESPACES = frozenset(
    {"", "brand", "verify", "rectification", "accounts", "core", "ops"}
)


class EnterpriseLoginMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is None or match.namespace in ENTERPRISE_NAMESPACES:
            return None
        if scope_for(user).is_enterprise_login:
            raise Http404
        return None
