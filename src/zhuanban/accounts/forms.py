from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CodeForm(forms.Form):
    code = forms.CharField(
        label=pgettext_lazy("one-time password", "Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    @property
    def is_totp(self) -> bool:
        return len(self.totp_digits) == 6

    @property
    def totp_digits(self) -> str:
        return "".join(ch for ch in self.cleaned_data.get("code", "") if not ch.isspace())


class PasswordConfirmForm(forms.Form):
    """Re-enter the password before a sensitive change (disable 2FA, new recovery codes)."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."), code="wrong_password")
        return password
