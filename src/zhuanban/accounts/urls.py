"""Mounted at /accounts/: `login` and `logout` keep their project-wide names; the rest
lives in the `accounts` namespace."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from zhuanban.accounts import views
from zhuanban.core.ratelimits import limit_login

account_patterns = [
    path("", views.account, name="account"),
    path("verify/", views.verify, name="verify"),
    path("two-factor/", views.enrol, name="enrol"),
    path("two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("password/", views.password_change, name="password_change"),
]

urlpatterns = [
    # Outermost, so attempts over the per-address rate never reach the password check
    # (django-axes' lock-out on failures is separate).
    path("login/", limit_login(views.LoginView.as_view()), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include((account_patterns, "accounts"))),
]
