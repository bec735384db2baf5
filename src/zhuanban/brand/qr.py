"""The QR code printed on a licensee's packaging: it opens the public verification page
of the licence (settings.SITE_URL + /verify/<number>/), where anyone sees whether it is
valid, for which products, until when.

As SVG for the screen (as accounts draws its TOTP code) and as PNG for the certificate.
The PNG is written here from the code's module matrix with the standard library (zlib):
qrcode's own PNG writers need Pillow or pypng, neither of which the platform installs.
"""

import struct
import zlib

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.urls import reverse
from qrcode.constants import ERROR_CORRECT_M

# Medium error correction (about 15% of the code may be damaged or soiled): a code
# printed on a bag or a box gets scuffed.
ERROR_CORRECTION = ERROR_CORRECT_M
QUIET_ZONE = 4  # modules of white around the code, as the standard asks
PNG_MODULE_PIXELS = 10


def verify_url(number: str) -> str:
    """The address the licence's QR code encodes: its public verification page."""
    return settings.SITE_URL + reverse("verify:licence", args=[number])


def _code(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE)
    code.add_data(data)
    code.make(fit=True)
    return code


def svg(data: str) -> str:
    """The QR code of `data` as an SVG document (a single path, scalable)."""
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECTION,
        border=QUIET_ZONE,
        box_size=10,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(data)
    code.make(fit=True)
    return code.make_image().to_string(encoding="unicode")


def matrix(data: str) -> list[list[bool]]:
    """The modules of the code, quiet zone included: True is a dark module."""
    return _code(data).get_matrix()


def png(data: str, module_pixels: int = PNG_MODULE_PIXELS) -> bytes:
    """The QR code of `data` as a black-and-white PNG (1 bit a pixel, greyscale)."""
    modules = matrix(data)
    size = len(modules) * module_pixels
    rows = []
    for module_row in modules:
        bits = "".join("0" if dark else "1" for dark in module_row for _ in range(module_pixels))
        bits += "0" * (-len(bits) % 8)
        line = b"\x00" + int(bits, 2).to_bytes(len(bits) // 8, "big")  # filter: none
        rows.extend([line] * module_pixels)
    # 1 bit a pixel, greyscale; 300 pixels per inch (11811 a metre) so that Word sizes it.
    header = struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0)
    density = struct.pack(">IIB", 11811, 11811, 1)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"pHYs", density)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )
