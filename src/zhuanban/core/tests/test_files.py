"""Uploads and downloads of files (core.files, core.downloads): type by content, per-type
limits, macros, zip bombs and lying zips, XML entities, formulas in imports, storage
outside the web root, the integrity check and headers on the way out, the audit trail."""

import datetime
import hashlib
import io
import re
import struct
import time
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from defusedxml import DefusedXmlException
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.static import serve

from zhuanban.core.downloads import INTEGRITY_STATUS
from zhuanban.core.files import check_upload, store_upload
from zhuanban.core.models import AuditAction, AuditEvent, AuditOutcome, StoredFile
from zhuanban.dispatch import services as dispatch_services
from zhuanban.dispatch.tests.conftest import LIVESTOCK_SCHEMA, open_round, submission_of
from zhuanban.dispatch.upload import read_unit_workbook
from zhuanban.dispatch.workbook import write_unit_workbook
from zhuanban.tasks import importer
from zhuanban.tasks import services as task_services
from zhuanban.tasks.lifecycle import Action
from zhuanban.tasks.models import Task

MB = 1_048_576
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
JPEG = b"\xff\xd8\xff\xe0" + bytes(64)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>'
)


# --- files to upload -------------------------------------------------------------------


def xlsx(rows=(("序号", "具体措施"), ("1", "建设基地"))) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def docx(extra: dict[str, bytes] | None = None, main_type: str = DOCX_TYPE + ".main+xml") -> bytes:
    """A minimal Word document, as a package of parts."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main_type}"/></Types>'
    )
    parts = {
        "[Content_Types].xml": content_types.encode(),
        "_rels/.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
            b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
            b'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
            b"\xe5\xae\x9e\xe6\x96\xbd\xe6\x96\xb9\xe6\xa1\x88</w:t></w:r></w:p></w:body>"
            b"</w:document>"
        ),
        **(extra or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def repacked(data: bytes, change=None, add: dict[str, bytes] | None = None) -> bytes:
    """The package with parts changed by `change(name, bytes) -> bytes` and parts added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            archive.writestr(info.filename, change(info.filename, content) if change else content)
        for name, content in (add or {}).items():
            archive.writestr(name, content)
    return out.getvalue()


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def refused(data: bytes, name: str, code: str, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(data, name), **kwargs)
    assert caught.value.code == code, caught.value
    assert caught.value.messages[0]
    return caught.value


def entity_in_sheet(data: bytes) -> bytes:
    """The workbook with a "billion laughs" DTD on its first sheet, used in a cell."""

    def change(name, content):
        if name == "xl/worksheets/sheet1.xml":
            body = content.decode()
            body = body.split("?>", 1)[1] if body.startswith("<?xml") else body
            body = body.replace(
                "</row>", '<c r="Z1" t="inlineStr"><is><t>&lol2;</t></is></c></row>', 1
            )
            return (BILLION_LAUGHS + body).encode()
        return content

    return repacked(data, change)


# --- type by content ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (PDF, "验收单.pdf", "application/pdf"),
        (PNG, "现场.png", "image/png"),
        (JPEG, "现场.JPG", "image/jpeg"),
        (b"\xe8\xaf\xb4\xe6\x98\x8e", "说明.txt", "text/plain"),
        ("docx", "实施方案.docx", DOCX_TYPE),
        ("xlsx", "台账.xlsx", XLSX_TYPE),
    ],
)
def test_accepted_files_get_the_content_type_of_their_content(data, name, content_type):
    data = {"docx": docx, "xlsx": xlsx}[data]() if isinstance(data, str) else data
    assert check_upload(upload(data, name))[1] == content_type


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (PNG, "现场.jpg"),  # a PNG is not a JPEG
        (PDF, "现场.png"),
        (PDF, "说明.txt"),  # a PDF renamed .txt is a PDF
        (b"MZ\x90\x00\x03\x00\x00\x00", "说明.txt"),  # binary
        ("xlsx", "实施方案.docx"),  # both zips, but the package says what it is
        ("docx", "台账.xlsx"),
        ("zip", "台账.xlsx"),  # a zip that is no Office file at all
        ("docx-wrong-type", "实施方案.docx"),  # word/document.xml, declared as something else
    ],
)
def test_a_name_that_disagrees_with_the_content_is_refused(data, name):
    if data == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "你好")
        data = buffer.getvalue()
    elif data == "docx-wrong-type":
        data = docx(main_type="application/xml")
    elif isinstance(data, str):
        data = {"docx": docx, "xlsx": xlsx}[data]()
    refused(data, name, "mismatch")


@pytest.mark.parametrize("name", ["setup.exe", "page.html", "logo.svg", "no-extension", "a.xls"])
def test_other_types_are_refused_by_name(name):
    error = refused(PDF, name, "type")
    assert ".pdf" in error.messages[0]  # what is accepted


# --- macros ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["台账.xlsm", "方案.docm", "模板.xltm", "模板.dotm", "A.XLSM"])
def test_macro_enabled_names_are_refused_whatever_the_content(name):
    refused(xlsx(), name, "macro")


def test_a_workbook_declaring_macros_is_refused_even_named_xlsx():
    def macro_enabled(name, content):
        if name == "[Content_Types].xml":
            return content.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
        return content

    data = repacked(xlsx(), macro_enabled)
    assert b"macroEnabled" in zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    refused(data, "台账.xlsx", "macro")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (lambda: repacked(xlsx(), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}), "a.xlsx"),
        (lambda: docx({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}), "a.docx"),
    ],
)
def test_a_package_holding_a_vba_project_is_refused(data, name):
    refused(data(), name, "macro")


# --- sizes -------------------------------------------------------------------------------


def test_default_limits_per_type_never_exceed_the_global_one():
    limits = django_settings.UPLOAD_MAX_MB_BY_TYPE
    assert set(limits) == {"image", "pdf", "docx", "xlsx", "txt"}
    assert all(0 < mb <= django_settings.UPLOAD_MAX_BYTES // MB for mb in limits.values())
    assert limits["txt"] == 2
    assert django_settings.UPLOAD_MAX_ZIP_ENTRIES == 10_000


def test_each_type_has_its_own_limit(settings):
    settings.UPLOAD_MAX_BYTES = 10 * MB
    settings.UPLOAD_MAX_MB_BY_TYPE = {**settings.UPLOAD_MAX_MB_BY_TYPE, "txt": 1, "pdf": 5}
    text = "说明".encode() * 300_000  # 1.7 MB
    error = refused(text, "说明.txt", "too_large")
    assert "1 MB" in error.messages[0]
    pdf = PDF + bytes(len(text))
    assert check_upload(upload(pdf, "验收单.pdf"))[1] == "application/pdf"


def test_the_global_limit_bounds_every_type(settings):
    settings.UPLOAD_MAX_BYTES = 1 * MB
    settings.UPLOAD_MAX_MB_BY_TYPE = {**settings.UPLOAD_MAX_MB_BY_TYPE, "pdf": 20}
    refused(PDF + bytes(MB), "验收单.pdf", "too_large")


def test_too_many_parts(settings):
    settings.UPLOAD_MAX_ZIP_ENTRIES = 20
    many = {f"xl/media/image{i}.png": PNG for i in range(30)}
    error = refused(repacked(xlsx(), add=many), "台账.xlsx", "too_many_entries")
    assert "20" in error.messages[0]


def bomb(declared: int = 1024 * MB) -> bytes:
    """A small xlsx-like zip whose sheet inflates to `declared` bytes of zeros: the
    deflate stream of zeros is built once and repeated, so the test stays quick."""
    chunk = bytes(MB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    # A full flush ends each block on a byte boundary: the same bytes repeat.
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    body = block * (declared // MB - 1) + compressor.compress(chunk) + compressor.flush()
    crc = 0
    for _ in range(declared // MB):
        crc = zlib.crc32(chunk, crc)
    name = b"xl/worksheets/sheet1.xml"
    zip64 = struct.pack("<HHQQ", 1, 16, declared, len(body))
    local = (
        struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            45,
            0,
            8,
            0,
            0,
            crc,
            0xFFFFFFFF,
            0xFFFFFFFF,
            len(name),
            len(zip64),
        )
        + name
        + zip64
    )
    central_offset = len(local) + len(body)
    central = (
        struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            45,
            45,
            0,
            8,
            0,
            0,
            crc,
            0xFFFFFFFF,
            0xFFFFFFFF,
            len(name),
            len(zip64),
            0,
            0,
            0,
            0,
            0,
        )
        + name
        + zip64
    )
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), central_offset, 0)
    return local + body + central + end


def test_a_zip_bomb_is_refused_from_its_central_directory_in_under_a_second():
    data = bomb()
    assert len(data) < 2 * MB
    info = zipfile.ZipFile(io.BytesIO(data)).infolist()[0]
    assert info.file_size == 1024 * MB  # what it would inflate to
    started = time.monotonic()
    refused(data, "台账.xlsx", "zip_bomb")
    assert time.monotonic() - started < 1.0


def test_a_zip_whose_directory_lies_about_sizes_is_damaged_not_a_crash():
    """zipfile stops at the declared size: truncated data, a CRC error, a clear message."""
    data = bytearray(xlsx([("序号", "具体措施"), *((str(i), "建设" * 50) for i in range(300))]))
    data = lie_about_size(data, b"xl/worksheets/sheet1.xml")
    refused(data, "台账.xlsx", "bad_zip")


def lie_about_size(data: bytearray, name: bytes, size: int | None = None) -> bytes:
    """The zip with the central directory entry of `name` declaring a smaller size."""
    entry = data.rfind(b"PK\x01\x02", 0, data.rfind(name))  # the central directory's
    real = struct.unpack("<I", data[entry + 24 : entry + 28])[0]
    data[entry + 24 : entry + 28] = struct.pack("<I", size or real // 4)
    return bytes(data)


# --- XML -------------------------------------------------------------------------------


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True
    # Even read without check_upload, the payload is refused, not expanded.
    with pytest.raises(ValueError, match="invalid XML") as caught:
        openpyxl.load_workbook(io.BytesIO(entity_in_sheet(xlsx())))
    assert isinstance(caught.value.__context__, DefusedXmlException)


def test_entity_expansion_is_refused_before_parsing():
    refused(entity_in_sheet(xlsx()), "台账.xlsx", "xml_dtd")


def test_a_dtd_in_utf16_or_in_the_content_types_is_refused_too():
    def utf16_sheet(name, content):
        if name == "xl/worksheets/sheet1.xml":
            body = content.decode()
            body = body.split("?>", 1)[1] if body.startswith("<?xml") else body
            return ('<?xml version="1.0" encoding="UTF-16"?>' + BILLION_LAUGHS[21:] + body).encode(
                "utf-16"
            )
        return content

    refused(repacked(xlsx(), utf16_sheet), "台账.xlsx", "xml_dtd")

    def dtd_in_types(name, content):
        if name == "[Content_Types].xml":
            return BILLION_LAUGHS.encode() + content
        return content

    refused(repacked(xlsx(), dtd_in_types), "台账.xlsx", "xml_dtd")


def test_a_document_declaring_entities_is_refused_but_an_svg_image_may():
    def dtd_in_body(name, content):
        if name == "word/document.xml":
            return BILLION_LAUGHS.encode() + content.split(b"?>", 1)[1]
        return content

    refused(repacked(docx(), dtd_in_body), "方案.docx", "xml_dtd")

    # Illustrator writes entities into its SVGs; images are stored, never parsed.
    svg = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY ns "http://x">]><svg/>'

    def svg_type(name, content):
        if name == "[Content_Types].xml":
            return content.replace(
                b'<Default Extension="xml"',
                b'<Default Extension="svg" ContentType="image/svg+xml"/><Default Extension="xml"',
            )
        return content

    data = repacked(docx({"word/media/image1.svg": svg}), svg_type)
    assert check_upload(upload(data, "方案.docx"))[1] == DOCX_TYPE


def test_an_xml_part_in_an_unexpected_encoding_is_refused():
    def ebcdic(name, content):
        if name == "xl/styles.xml":
            return b'<?xml version="1.0" encoding="cp500"?>' + "<a/>".encode("cp500")
        return content

    refused(repacked(xlsx(), ebcdic), "台账.xlsx", "bad_zip")


def test_no_python_code_parses_xml_with_the_standard_library():
    """XML is parsed by openpyxl (with defusedxml) or by defusedxml itself: never by
    xml.etree, xml.dom, xml.sax or lxml, whose defaults expand entities."""
    unsafe = re.compile(
        r"^\s*(?:from|import)\s+(?:xml\.(?:etree|dom|sax)|lxml|xml\.parsers)", re.MULTILINE
    )
    source = Path(__file__).resolve().parents[2]
    found = [
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if "tests" not in path.parts and unsafe.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


# --- the importers ----------------------------------------------------------------------


@pytest.fixture
def task_list(world):
    return task_services.tasklist_create(
        actor=world.office,
        office=world.potato,
        title="重点任务单",
        year=timezone.localdate().year,
        level="city",
    )


LEDGER = [
    ("序号", "具体措施", "牵头单位", "完成时限"),
    ("1", "建设马铃薯种薯繁育基地", "卓资县", "2025年12月底"),
    ("2", '=CONCAT("建设","冷库")', "卓资县", "2025年12月底"),
]


def test_the_task_import_refuses_a_formula_at_its_cell(world, task_list):
    plan = importer.parse_workbook(upload(xlsx(LEDGER), "任务单.xlsx"), task_list=task_list)
    formulas = [p for p in plan.problems if p.code == "formula"]
    assert [(p.row, p.column, p.header) for p in formulas] == [(3, "B", "具体措施")]
    assert "公式" in formulas[0].message  # the catalogue's Chinese, as the user reads it
    assert not plan.is_valid
    with pytest.raises(ValidationError):
        importer.commit(plan, actor=world.office)
    assert not Task.objects.filter(task_list=task_list).exists()


def test_the_task_import_does_not_trust_a_cached_value(world, task_list):
    """Excel saves what a formula gave beside it; the import reads neither."""

    def cached(name, content):
        if name == "xl/worksheets/sheet1.xml":
            return re.sub(
                rb'<c r="B3"[^>]*>.*?</c>',
                b'<c r="B3" t="str"><f>A1</f><v>\xe5\x86\xb7</v></c>',
                content,
            )
        return content

    plan = importer.parse_workbook(
        upload(repacked(xlsx(LEDGER), cached), "任务单.xlsx"), task_list=task_list
    )
    assert ("formula", "B") in {(p.code, p.column) for p in plan.problems if p.row == 3}
    assert "冷" not in [row.content for row in plan.rows]


def test_the_task_import_explains_a_lying_zip_and_entities(task_list):
    lying = lie_about_size(bytearray(xlsx(LEDGER * 50)), b"xl/worksheets/sheet1.xml")
    for data in (entity_in_sheet(xlsx(LEDGER)), lying):
        with pytest.raises(ValidationError) as caught:
            importer.parse_workbook(upload(data, "任务单.xlsx"), task_list=task_list)
        assert caught.value.code == "not_xlsx"


@pytest.fixture
def livestock_submission(world):
    template = dispatch_services.template_create(
        actor=world.office,
        office=world.potato,
        code="livestock",
        title="规模养殖场建设情况统计表",
        schema=LIVESTOCK_SCHEMA,
        units=[world.zhuozi, world.huade],
    )
    return submission_of(open_round(world, template), world.zhuozi)


def test_the_unit_upload_refuses_a_formula_at_its_cell(livestock_submission):
    out = io.BytesIO()
    write_unit_workbook(livestock_submission, out, rows=[{"beef": "3.2", "dairy": "1.1"}])
    wb = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    wb.worksheets[0]["C4"] = "=A4+B4"
    filled = io.BytesIO()
    wb.save(filled)
    result = read_unit_workbook(upload(filled.getvalue(), "卓资县.xlsx"), livestock_submission)
    assert not result.is_valid
    assert [(p.cell, p.code) for p in result.problems if p.cell == "C4"] == [("C4", "formula")]
    livestock_submission.refresh_from_db()
    assert livestock_submission.data in ([], None, {})


def test_the_unit_upload_explains_entities_as_a_damaged_file(livestock_submission):
    out = io.BytesIO()
    write_unit_workbook(livestock_submission, out, rows=[{"beef": "3.2", "note": "建设基地"}])
    result = read_unit_workbook(
        upload(entity_in_sheet(out.getvalue()), "卓资县.xlsx"), livestock_submission
    )
    assert [p.code for p in result.problems] == ["corrupt"]


# --- storing ------------------------------------------------------------------------------


def test_a_stored_file_is_named_by_its_hash_and_its_upload_audited(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    stored = store_upload(upload(PDF, "../../验收单.pdf"), user=world.zhuozi_liaison)
    digest = hashlib.sha256(PDF).hexdigest()
    assert stored.file.name == f"files/{digest[:2]}/{digest}"
    assert (tmp_path / stored.file.name).read_bytes() == PDF
    assert stored.name == "验收单.pdf"
    event = AuditEvent.objects.get(action=AuditAction.UPLOAD)
    assert (event.actor, event.object_type, event.object_id) == (
        world.zhuozi_liaison,
        "core.storedfile",
        str(stored.pk),
    )
    assert event.after == {
        "name": "验收单.pdf",
        "size": len(PDF),
        "sha256": digest,
        "content_type": "application/pdf",
    }
    assert event.outcome == AuditOutcome.SUCCESS


def test_a_refused_upload_stores_nothing_and_is_audited_as_a_failure(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError):
        store_upload(upload(xlsx(), "宏.xlsm"), user=world.zhuozi_liaison)
    assert not StoredFile.objects.exists()
    assert not any(tmp_path.rglob("*"))
    event = AuditEvent.objects.get(action=AuditAction.UPLOAD)
    assert event.outcome == AuditOutcome.FAILURE
    assert event.after["refused"] == "macro"


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_no_url_serves_the_media_folder(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert not any(callback is serve for _route, callback in _patterns(get_resolver()))
    stored = store_upload(upload(PDF, "验收单.pdf"), user=world.office)
    url = django_settings.MEDIA_URL + stored.file.name
    with pytest.raises(Resolver404):
        resolve(url)
    assert login(world.sysadmin).get(url).status_code == 404
    # Nor is it inside a folder the web server serves as static files.
    media = Path(django_settings.MEDIA_ROOT).resolve()
    for static in [django_settings.STATIC_ROOT, *getattr(django_settings, "STATICFILES_DIRS", [])]:
        assert not media.is_relative_to(Path(static).resolve())


# --- downloads ---------------------------------------------------------------------------


@pytest.fixture
def attachment(world, task_list, settings, tmp_path):
    """An attachment of a task that 卓资县 leads (and 化德县 cannot see)."""
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    task = task_services.task_create(
        actor=world.office,
        task_list=task_list,
        content="建设马铃薯种薯繁育基地",
        lead_unit=world.zhuozi,
        start_date=today,
        due_date=today + datetime.timedelta(days=30),
    )
    stored = store_upload(upload(PDF, "实施方案（2023）.pdf"), user=world.office)
    task_services.task_attach(actor=world.office, task=task, files=[stored])
    task_services.task_act(actor=world.office, task=task, action=Action.ASSIGN)
    return task, stored


def file_url(attachment):
    task, stored = attachment
    return reverse("tasks:file", args=[task.pk, stored.pk])


def test_a_download_is_an_attachment_with_safe_headers_and_audited(world, login, attachment):
    _task, stored = attachment
    response = login(world.zhuozi_liaison).get(file_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%AE%9E%E6%96%BD" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert (event.actor, event.object_id, event.outcome) == (
        world.zhuozi_liaison,
        str(stored.pk),
        AuditOutcome.SUCCESS,
    )
    assert event.after["sha256"] == stored.sha256
    assert event.after["context"] == f"tasks.task:{attachment[0].pk}"


def test_a_file_changed_on_disk_is_not_served(world, login, attachment):
    _task, stored = attachment
    Path(stored.file.path).write_bytes(PDF.replace(b"1.4", b"1.7"))  # same size, new bytes
    response = login(world.office).get(file_url(attachment))
    assert response.status_code == INTEGRITY_STATUS
    assert "application/pdf" not in response["Content-Type"]
    assert "Content-Disposition" not in response
    assert stored.name in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert event.outcome == AuditOutcome.FAILURE
    assert event.before["sha256"] == stored.sha256
    assert event.after["sha256"] == hashlib.sha256(PDF.replace(b"1.4", b"1.7")).hexdigest()


def test_a_file_missing_from_disk_is_an_error_page_not_a_crash(world, login, attachment):
    _task, stored = attachment
    Path(stored.file.path).unlink()
    response = login(world.office).get(file_url(attachment))
    assert response.status_code == INTEGRITY_STATUS
    assert AuditEvent.objects.get(action=AuditAction.DOWNLOAD).outcome == AuditOutcome.FAILURE


def test_another_countys_liaison_cannot_download(world, login, attachment):
    for persona in (world.huade_liaison, world.outsider):
        assert login(persona).get(file_url(attachment)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_a_file_of_another_task_is_not_served_through_this_one(world, login, attachment, task_list):
    _task, stored = attachment
    today = timezone.localdate()
    other = task_services.task_create(
        actor=world.office,
        task_list=task_list,
        content="另一项任务",
        lead_unit=world.zhuozi,
        start_date=today,
        due_date=today + datetime.timedelta(days=30),
    )
    task_services.task_act(actor=world.office, task=other, action=Action.ASSIGN)
    url = reverse("tasks:file", args=[other.pk, stored.pk])
    assert login(world.zhuozi_liaison).get(url).status_code == 404


def test_a_lying_zip_uploaded_as_evidence_is_explained(world, login, attachment):
    task, _stored = attachment
    task_services.task_act(actor=world.zhuozi_liaison, task=task, action=Action.ACCEPT)
    data = bytearray(docx({"word/media/notes.xml": b"<a>" + b"x" * 5000 + b"</a>"}))
    data = lie_about_size(data, b"word/media/notes.xml", 100)
    response = login(world.zhuozi_liaison).post(
        reverse("tasks:report", args=[task.pk]),
        {"text": "附件", "progress": 50, "evidence": upload(data, "报告.docx")},
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    with translation.override("zh-hans"):
        assert messages == [gettext("The file is damaged or is not an Office document.")]
    assert StoredFile.objects.count() == 1  # only the attachment of the fixture
    assert not task.reports.exists()
