from django.contrib import admin
from django.urls import include, path

from zhuanban.api import api
from zhuanban.ops import health
from zhuanban.org import views as org_views

urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),  # probes: no login (ops/health.py)
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include("zhuanban.accounts.urls")),  # login, logout, accounts:*
    path("i18n/", include("django.conf.urls.i18n")),
    path("org/", include("zhuanban.org.urls")),
    path("tasks/", include("zhuanban.tasks.urls")),
    path("dispatch/", include("zhuanban.dispatch.urls")),
    path("supervision/", include("zhuanban.supervision.urls")),
    path("rectification/", include("zhuanban.rectification.urls")),
    path("assessment/", include("zhuanban.assessment.urls")),
    path("documents/", include("zhuanban.documents.urls")),
    path("brand/", include("zhuanban.brand.urls")),
    path("verify/", include("zhuanban.brand.urls_public")),  # public, no login
    path("investment/", include("zhuanban.investment.urls")),
    path("reports/", include("zhuanban.reports.urls")),
    path("notifications/", include("zhuanban.core.urls")),
    path("jobs/", include("zhuanban.ops.urls")),
    path("audit/", include("zhuanban.org.urls_audit")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
