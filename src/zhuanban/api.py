"""The JSON API under /api/v1/: session (with CSRF) or bearer-token authentication,
the same scoping as the screens, an OpenAPI schema at /api/v1/openapi.json."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, Throttled
from ninja.security import HttpBearer, django_auth

from zhuanban.core.models import ApiToken
from zhuanban.core.ratelimits import (
    ApiAnonThrottle,
    ApiUserThrottle,
    anonymous_over_limit,
    api_limit_message,
)


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
    description=(
        "Special offices platform: organisation, tasks, dispatch, rectification, and "
        "supervision, assessment, policy documents and meetings, and the investment pipeline "
        "(read-only: visits, notices, scores, drafts, opinions, agenda topics and projects "
        "are written on the screens)."
    ),
    auth=[BearerToken(), django_auth],
    # RATELIMIT_API per user, RATELIMIT_API_ANON per address (zhuanban.core.ratelimits).
    throttle=[ApiUserThrottle(), ApiAnonThrottle()],
    urls_namespace="api",
)

api.add_router("/org/", "zhuanban.org.api.router")
api.add_router("/tasks", "zhuanban.tasks.api.router")
api.add_router("/dispatch", "zhuanban.dispatch.api.router")
api.add_router("/rectifications", "zhuanban.rectification.api.router")
api.add_router("/supervision", "zhuanban.supervision.api.router")
api.add_router("/assessment", "zhuanban.assessment.api.router")
api.add_router("/documents", "zhuanban.documents.api.router")
api.add_router("/investment", "zhuanban.investment.api.router")


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    # The services' messages are already translated and meant for the user.
    detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return api.create_response(request, {"detail": detail}, status=400)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc: AuthenticationError):
    # ninja authenticates before it throttles: count failed attempts per address here, so
    # that guessing tokens is bounded too.
    wait = anonymous_over_limit(request)
    if wait is not None:
        response = api.create_response(request, {"detail": api_limit_message()}, status=429)
        response["Retry-After"] = str(wait)
        return response
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


@api.exception_handler(Throttled)
def _throttled(request, exc: Throttled):
    # ninja adds the Retry-After header.
    return api.create_response(request, {"detail": api_limit_message()}, status=429)


@api.exception_handler(PermissionDenied)
def _permission_denied(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": "Permission denied."}, status=403)
