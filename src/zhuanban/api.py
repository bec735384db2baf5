"""The JSON API under /api/v1/: session (with CSRF) or bearer-token authentication,
the same scoping as the screens, an OpenAPI schema at /api/v1/openapi.json."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from zhuanban.core.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        api_token = ApiToken.objects.matching(token).select_related("user").first()
        if api_token is None or not api_token.user.is_active:
            return None
        # Touch at most once a minute; a write per request would serialise readers on SQLite.
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


api = NinjaAPI(
    title="Zhuanban API",
    version="1",
    description="Special offices platform: organisation, tasks, dispatch, supervision.",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)

api.add_router("/org/", "zhuanban.org.api.router")
api.add_router("/tasks", "zhuanban.tasks.api.router")
api.add_router("/dispatch", "zhuanban.dispatch.api.router")


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    # The services' messages are already translated and meant for the user.
    detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return api.create_response(request, {"detail": detail}, status=400)


@api.exception_handler(PermissionDenied)
def _permission_denied(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": "Permission denied."}, status=403)
