"""Proving an exported .xlsx (or a generated .docx) opens and prints: LibreOffice converts it
to PDF, poppler reads the PDF back. Skipped where the tools are missing, except in CI
(ZHUANBAN_REQUIRE_BROWSER=1)."""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

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


# Word documents: converted by the application's own `core.word.to_pdf` (LibreOffice as
# settings.SOFFICE_BINARY names it), then read back with poppler.


def require_pdf_tools() -> None:
    """Skip the test when LibreOffice or poppler is missing; fail instead in CI."""
    missing = [
        tool
        for tool in (settings.SOFFICE_BINARY, "pdftotext", "pdfinfo")
        if shutil.which(tool) is None
    ]
    if missing:
        reason = (
            f"{', '.join(missing)} not installed: the LibreOffice round trip is skipped "
            "(apt-get install libreoffice-writer-nogui poppler-utils fonts-wqy-microhei)"
        )
        if os.environ.get("ZHUANBAN_REQUIRE_BROWSER") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


@dataclass
class ReadPdf:
    text: str  # all white space removed
    pages: int
    page_size: tuple[int, int]  # points, of the first page
    path: Path


def read_pdf(pdf: bytes, tmp_path: Path, name: str = "document") -> ReadPdf:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=60, check=True
    ).stdout.decode()
    info = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, timeout=60, check=True
    ).stdout.decode()
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    width, height = (float(n) for n in fields["Page size"].split("pts")[0].split(" x "))
    return ReadPdf(
        text="".join(text.split()),
        pages=int(fields["Pages"]),
        page_size=(round(width), round(height)),
        path=path,
    )


def words_on_page(printed: ReadPdf, page: int) -> list[tuple[str, float, float]]:
    """The words of one page with the top and bottom of each (points from the page's top)."""
    html = subprocess.run(
        [
            "pdftotext",
            "-enc",
            "UTF-8",
            "-bbox",
            "-f",
            str(page),
            "-l",
            str(page),
            str(printed.path),
            "-",
        ],
        capture_output=True,
        timeout=60,
        check=True,
    ).stdout.decode()
    pattern = r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>'
    return [(word, float(top), float(bottom)) for top, bottom, word in re.findall(pattern, html)]


A4_PORTRAIT = (595, 842)


def require_cjk_font() -> None:
    """Skip a test of line lengths where no Chinese font is installed (LibreOffice would
    print boxes of its own width); fail instead in CI."""
    found = (
        shutil.which("fc-list")
        and subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, timeout=60, check=False
        ).stdout.strip()
    )
    if not found:
        reason = "no Chinese font installed (apt-get install fonts-wqy-microhei)"
        if os.environ.get("ZHUANBAN_REQUIRE_BROWSER") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


def page_lines(printed: ReadPdf, page: int) -> list[str]:
    """The printed lines of one page, white space removed, empty lines dropped."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(printed.path), "-"],
        capture_output=True,
        timeout=60,
        check=True,
    ).stdout.decode()
    return [line for line in ("".join(line.split()) for line in text.splitlines()) if line]
