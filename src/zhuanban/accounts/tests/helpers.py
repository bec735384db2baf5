import time

from django.urls import reverse
from django_otp.oath import TOTP

PASSWORD = "Demo@2023"


def post_login(client, username, password=PASSWORD, ip="10.0.0.1", follow=False, **extra):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        follow=follow,
        **extra,
    )


def totp_code(device, offset_seconds: float = 0) -> str:
    """The code the authenticator app shows `offset_seconds` from now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_seconds
    return f"{totp.token():0{device.digits}d}"
