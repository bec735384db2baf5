"""Signing in (password, then a second factor), the forced password change, two-factor
enrolment and the "My account" page."""

import base64

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from zhuanban.accounts import policy, services
from zhuanban.accounts.forms import CodeForm, PasswordConfirmForm
from zhuanban.accounts.lockout import lockout_ends_at
from zhuanban.core import audit
from zhuanban.core.models import AuditAction, AuditOutcome

OTP_FAILURES_KEY = "accounts_otp_failures"


def _next_url(request, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)


class LoginView(auth_views.LoginView):
    """Username and password (django-axes counts the failures). The second factor, the
    enrolment and a forced password change follow, enforced by the policy middleware."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again, saying when to retry (429)."""
    ends = timezone.localtime(lockout_ends_at(request, credentials))
    message = _(
        "Too many failed logins: the account is temporarily locked. "
        "Please try again after %(time)s."
    ) % {"time": ends.strftime("%H:%M")}
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "lockout_message": message, "next": _next_url(request, "home")}
    return render(request, "accounts/login.html", context, status=429)


def _second_factor_failed(request, user) -> bool:
    """Count a wrong code (session and django-axes, like a wrong password); True when the
    user has been logged out for it."""
    failures = request.session.get(OTP_FAILURES_KEY, 0) + 1
    request.session[OTP_FAILURES_KEY] = failures
    audit.record(
        actor=user,
        action=AuditAction.TWO_FACTOR,
        instance=user,
        message=f"wrong second-factor code ({failures} of {settings.LOGIN_FAILURE_LIMIT})",
        outcome=AuditOutcome.FAILURE,
    )
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    if failures < settings.LOGIN_FAILURE_LIMIT and not getattr(request, "axes_locked_out", False):
        return False
    audit.record(
        actor=user,
        action=AuditAction.TWO_FACTOR,
        instance=user,
        message="too many wrong second-factor codes: logged out",
        outcome=AuditOutcome.DENIED,
    )
    auth_logout(request)
    return True


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """Second step of the login: a code from the authenticator app or a recovery code."""
    user = request.user
    device = policy.confirmed_device(user)
    if device is None or user.is_verified() or policy.is_demo_exempt(user):
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accepted = None
        if form.is_totp:
            accepted = django_otp.verify_token(user, device.persistent_id, form.totp_digits)
        elif services.recovery_code_use(user=user, code=form.cleaned_data["code"]):
            accepted = device
        if accepted is not None:
            django_otp.login(request, accepted)
            request.session.pop(OTP_FAILURES_KEY, None)
            return redirect(_next_url(request))
        if _second_factor_failed(request, user):
            messages.error(
                request, _("Too many wrong codes. You have been logged out for your safety.")
            )
            return redirect("login")
        form.add_error("code", _("The code is not correct or has already been used."))
    return render(request, "accounts/verify.html", {"form": form, "next": _next_url(request)})


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    return image.to_string(encoding="unicode")


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Set up the authenticator app: QR code and secret, confirm with a code, then show
    the recovery codes once."""
    user = request.user
    if policy.is_demo_exempt(user):
        messages.info(request, _("Demo accounts do not use two-factor authentication in the demo."))
        return redirect("accounts:account")
    if policy.confirmed_device(user) is not None:
        return redirect("accounts:account")
    device = services.totp_device_pending(user=user)
    form = CodeForm(request.POST or None)
    # Recovery codes do not exist yet: only the app's code confirms the set-up.
    form.fields["code"].help_text = _("The 6-digit code your authenticator app shows now.")
    if request.method == "POST" and form.is_valid():
        codes = (
            services.totp_enrol(user=user, device=device, token=form.totp_digits)
            if form.is_totp
            else None
        )
        if codes is not None:
            django_otp.login(request, device)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "enrolled": True},
            )
        form.add_error(
            "code", _("The code is not correct. Check the time on your phone and try again.")
        )
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308  (generated by qrcode)
        "secret": _grouped(secret),
        "required": policy.two_factor_required(user),
        "next": _next_url(request),
    }
    return render(request, "accounts/enrol.html", context)


@never_cache
@login_required
@require_http_methods(["GET"])
def account(request):
    user = request.user
    device = policy.confirmed_device(user)
    context = {
        "password": policy.password_state(user),
        "max_age_days": settings.PASSWORD_MAX_AGE_DAYS,
        "device": device,
        "required": policy.two_factor_required(user),
        "demo_exempt": policy.is_demo_exempt(user),
        "recovery_left": services.recovery_codes_left(user) if device else 0,
        "confirm_form": PasswordConfirmForm(user),
    }
    return render(request, "accounts/account.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    user = request.user
    state = policy.password_state(user)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_change(
            user=user, new_password=form.cleaned_data["new_password1"], actor=user
        )
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect(_next_url(request, "accounts:account"))
    reason = ""
    if state.must_change:
        reason = _(
            "Your password was set by an administrator. Choose your own password before you "
            "continue."
        )
    elif state.expired:
        reason = _("Your password expired on %(date)s. Choose a new password to continue.") % {
            "date": timezone.localtime(state.expires_at).strftime("%Y-%m-%d")
        }
    context = {"form": form, "reason": reason, "next": request.GET.get("next", "")}
    return render(request, "accounts/password_change.html", context)


@never_cache
@login_required
@require_POST
def two_factor_disable(request):
    user = request.user
    form = PasswordConfirmForm(user, request.POST)
    if not form.is_valid():
        messages.error(request, _("The password is not correct."))
        return redirect("accounts:account")
    try:
        services.totp_disable(user=user, actor=user)
    except PermissionDenied:
        messages.error(
            request, _("Your role requires two-factor authentication: it cannot be turned off.")
        )
        return redirect("accounts:account")
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    messages.success(request, _("Two-factor authentication has been turned off."))
    return redirect("accounts:account")


@never_cache
@login_required
@require_POST
def recovery_codes(request):
    user = request.user
    form = PasswordConfirmForm(user, request.POST)
    if not form.is_valid():
        messages.error(request, _("The password is not correct."))
        return redirect("accounts:account")
    codes = services.recovery_codes_regenerate(user=user)
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": resolve_url("accounts:account"), "enrolled": False},
    )
