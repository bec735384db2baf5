from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from zhuanban.api import api
from zhuanban.org import views as org_views

urlpatterns = [
    path("", org_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("org/", include("zhuanban.org.urls")),
    path("tasks/", include("zhuanban.tasks.urls")),
    path("dispatch/", include("zhuanban.dispatch.urls")),
    path("notifications/", include("zhuanban.core.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
