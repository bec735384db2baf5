"""Proving an exported .xlsx opens and prints: LibreOffice converts it to PDF, poppler reads
the PDF back. Skipped where the tools are missing, except in CI (ZHUANBAN_REQUIRE_BROWSER=1)."""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

LIBREOFFICE = Path("/usr/bin/libreoffice")


@dataclass
class Printed:
    text: str  # the PDF's text with all white space removed
    page_size: tuple[int, int] | None  # points, when pdfinfo is there


def print_to_pdf(xlsx: bytes, tmp_path: Path, name: str = "export") -> Printed:
    missing = [
        tool
        for tool, path in (("libreoffice", LIBREOFFICE), ("pdftotext", shutil.which("pdftotext")))
        if not path or not Path(path).exists()
    ]
    if missing:
        reason = (
            f"{', '.join(missing)} not installed: the LibreOffice round trip is skipped "
            "(apt-get install libreoffice-calc-nogui poppler-utils fonts-wqy-microhei)"
        )
        if os.environ.get("ZHUANBAN_REQUIRE_BROWSER") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    source = tmp_path / f"{name}.xlsx"
    source.write_bytes(xlsx)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    result = subprocess.run(
        [
            str(LIBREOFFICE),
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        timeout=120,
        env={**os.environ, "HOME": str(home)},
        check=False,
    )
    pdf = tmp_path / f"{name}.pdf"
    assert pdf.exists(), result.stderr.decode(errors="replace")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, timeout=60, check=True
    ).stdout.decode()
    page_size = None
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, timeout=60, check=True
        ).stdout.decode()
        size = next(line for line in info.splitlines() if line.startswith("Page size"))
        width, height = (float(n) for n in size.split(":")[1].split("pts")[0].split(" x "))
        page_size = (round(width), round(height))
    return Printed(text="".join(text.split()), page_size=page_size)


A3_LANDSCAPE = (1191, 842)
