"""The opinion adoption table (意见采纳情况表) as .xlsx and .docx: row by row, the summary,
one round or all of them, who may download it, text that looks like a formula, flat
query counts, and LibreOffice opening both files."""

import io
import zipfile

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext, pgettext
from openpyxl import load_workbook

from zhuanban.core import excel, ledger, word
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.core.tests.office import (
    A3_LANDSCAPE,
    A4_PORTRAIT,
    print_to_pdf,
    read_pdf,
    require_pdf_tools,
)
from zhuanban.documents import exports, services
from zhuanban.documents.models import Disposition, Opinion, OpinionRequest

pytestmark = pytest.mark.django_db

FIRST_ROW = ledger.HEADER_ROW + 1
PROPOSAL = "建议基地规模调整为120万亩。"
FUNDING = "建议明确市级财政每年安排专项资金。"
REASON = "规模调整为110万亩，兼顾耕地保护。"


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def url(name: str, document, round=None) -> str:
    address = reverse(f"documents:{name}", args=[document.pk])
    return f"{address}?round={round.pk}" if round is not None else address


def download(client, address: str) -> tuple:
    response = client.get(address)
    assert response.status_code == 200, response.status_code
    return response, b"".join(response.streaming_content)


def sheet(client, address: str):
    _response, content = download(client, address)
    return load_workbook(io.BytesIO(content)).active


def rows_of(ws) -> list[list]:
    return [[cell.value for cell in row] for row in ws.iter_rows(min_row=FIRST_ROW)]


def word_document(client, address: str):
    _response, content = download(client, address)
    return docx.Document(io.BytesIO(content))


def label(disposition: str) -> str:
    return str(Disposition(disposition).label)


@pytest.fixture
def handled(world, consulting):
    """Round 1: 卓资县 gave two opinions (one adopted, one partly with a reason), the
    leader answered 无意见, 化德县 has not answered."""
    c = consulting
    services.answer_submit(
        actor=world.zhuozi_liaison,
        request=c.zhuozi,
        opinions=[{"location": "二、(一)", "text": PROPOSAL}, {"location": "", "text": FUNDING}],
    )
    services.answer_submit(actor=world.leader, request=c.leader, opinions=[], no_opinion=True)
    first, second = c.zhuozi.opinions.order_by("position")
    services.opinion_decide(actor=world.office, opinion=first, disposition=Disposition.ADOPTED)
    services.opinion_decide(
        actor=world.office, opinion=second, disposition=Disposition.PARTLY, reason=REASON
    )
    return c


def expected_summary(total, adopted, partly, not_adopted, no_opinion, unanswered) -> list[str]:
    counts = {"total": total, "adopted": adopted, "partly": partly, "not_adopted": not_adopted}
    return [
        ngettext(
            "%(total)d opinion received: %(adopted)d adopted, %(partly)d partly adopted, "
            "%(not_adopted)d not adopted",
            "%(total)d opinions received: %(adopted)d adopted, %(partly)d partly adopted, "
            "%(not_adopted)d not adopted",
            total,
        )
        % counts,
        gettext("Answered “no opinion”: %(names)s") % {"names": no_opinion},
        gettext("Not answered: %(names)s") % {"names": unanswered},
    ]


# --- .xlsx ---------------------------------------------------------------------------------------


def test_the_xlsx_table_row_by_row(world, login, handled):
    c = handled
    response, content = download(login(world.office), url("adoption_xlsx", c.document, c.round))
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment")
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None
    ws = load_workbook(io.BytesIO(content)).active
    assert ws["A1"].value == gettext("Adoption of the opinions on %(title)s") % {
        "title": c.document.title
    }
    subtitle = ws["A2"].value
    for line in expected_summary(2, 1, 1, 0, world.leader.get_full_name(), world.huade.name):
        assert line in subtitle
    assert c.document.office.name in subtitle
    assert [cell.value for cell in ws[ledger.HEADER_ROW]] == [
        gettext("No."),
        pgettext("adoption table", "Proposed by"),
        pgettext("adoption table", "Clause"),
        pgettext("adoption table", "Opinion"),
        pgettext("adoption table", "Adoption"),
        pgettext("adoption table", "Reason given"),
    ]
    assert rows_of(ws) == [
        [1, world.zhuozi.name, "二、(一)", PROPOSAL, label(Disposition.ADOPTED), None],
        [2, world.zhuozi.name, None, FUNDING, label(Disposition.PARTLY), REASON],
    ]
    assert ws.print_title_rows == f"${ledger.HEADER_ROW}:${ledger.HEADER_ROW}"
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("seq")
    assert event.object_type == "documents.adoption_table"
    assert event.after == {"round": c.round.pk, "opinions": 2, "format": "xlsx"}


def test_opinions_not_yet_handled_are_counted_apart(world, login, consulting):
    services.answer_submit(
        actor=world.huade_liaison, request=consulting.huade, opinions=[{"text": "待处理的意见"}]
    )
    ws = sheet(login(world.office), url("adoption_xlsx", consulting.document))
    assert gettext("%(pending)d not yet handled") % {"pending": 1} in ws["A2"].value
    assert rows_of(ws)[0][4] == label(Disposition.PENDING)


def test_several_rounds_in_one_table_and_one_round_alone(world, login, handled):
    c = handled
    services.round_close(actor=world.office, round=c.round)
    second = services.round_open(
        actor=world.office,
        document=c.document,
        deadline=timezone.localdate(),
        units=[world.huade],
    )
    services.answer_submit(
        actor=world.huade_liaison,
        request=second.requests.get(),
        opinions=[{"location": "三", "text": "化德县第二轮意见"}],
    )
    client = login(world.office)
    rows = rows_of(sheet(client, url("adoption_xlsx", c.document)))
    assert [row[0] for row in rows] == [
        exports.round_label(c.round),  # a row across the table that names the round
        1,
        2,
        exports.round_label(second),
        3,
    ]
    assert rows[4][1:4] == [world.huade.name, "三", "化德县第二轮意见"]

    alone = sheet(client, url("adoption_xlsx", c.document, second))
    assert rows_of(alone) == [
        [1, world.huade.name, "三", "化德县第二轮意见", label(Disposition.PENDING), None]
    ]
    assert (
        gettext("Not answered: %(names)s")
        % {
            "names": gettext("%(name)s (round %(number)s)")
            % {"name": world.huade.name, "number": 1}
        }
        in sheet(client, url("adoption_xlsx", c.document))["A2"].value
    )

    document = word_document(client, url("adoption_docx", c.document))
    assert len(document.tables) == 2
    texts = [p.text for p in document.paragraphs]
    assert exports.round_label(c.round) in texts
    assert exports.round_label(second) in texts
    assert document.tables[1].rows[1].cells[3].text == "化德县第二轮意见"


def test_text_that_looks_like_a_formula_stays_text(world, login, consulting):
    hostile = '=HYPERLINK("http://evil.example","点此")'
    services.answer_submit(
        actor=world.zhuozi_liaison,
        request=consulting.zhuozi,
        opinions=[{"location": "+1", "text": hostile}, {"location": "@SUM(A1)", "text": "-2+3"}],
    )
    opinion = consulting.zhuozi.opinions.get(position=1)
    services.opinion_decide(
        actor=world.office, opinion=opinion, disposition="not_adopted", reason="=1+1"
    )
    _response, content = download(login(world.office), url("adoption_xlsx", consulting.document))
    ws = load_workbook(io.BytesIO(content)).active
    first, second = list(ws.iter_rows(min_row=FIRST_ROW))
    for cell in (first[2], first[3], first[5], second[2], second[3]):
        assert cell.data_type == "s", (cell.coordinate, cell.value)
        assert cell.quotePrefix
    assert first[3].value == hostile
    assert first[5].value == "=1+1"
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml


# --- .docx ---------------------------------------------------------------------------------------


def test_the_docx_table_row_by_row(world, login, handled):
    c = handled
    client = login(world.office)
    response, content = download(client, url("adoption_docx", c.document, c.round))
    assert response["Content-Type"] == word.DOCX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment")
    document = docx.Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == gettext("Adoption of the opinions on %(title)s") % {
        "title": c.document.title
    }
    summary = pgettext("list separator", "; ").join(
        expected_summary(2, 1, 1, 0, world.leader.get_full_name(), world.huade.name)
    )
    assert summary in texts
    (table,) = document.tables
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        [str(column.label) for column in exports.columns()],
        ["1", world.zhuozi.name, "二、(一)", PROPOSAL, label(Disposition.ADOPTED), ""],
        ["2", world.zhuozi.name, "", FUNDING, label(Disposition.PARTLY), REASON],
    ]
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("seq")
    assert event.after["format"] == "docx"


def test_a_round_without_opinions_says_so(world, login, consulting):
    document = word_document(login(world.office), url("adoption_docx", consulting.document))
    assert not document.tables
    assert gettext("No opinion was received.") in [p.text for p in document.paragraphs]


# --- who may download ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["adoption_xlsx", "adoption_docx"])
def test_only_the_bureau_downloads_the_table(world, login, handled, name):
    c = handled
    assert login(world.leader).get(url(name, c.document)).status_code == 200
    assert login(world.inspector).get(url(name, c.document)).status_code == 200
    # A consulted county sees the document, its own answer, never the others'.
    assert login(world.zhuozi_liaison).get(url(name, c.document)).status_code == 404
    assert login(world.outsider).get(url(name, c.document)).status_code == 404
    assert login(world.auditor).get(url(name, c.document)).status_code == 404


def test_a_round_of_another_document_or_no_round_at_all_is_404(world, login, handled, draft):
    client = login(world.office)
    address = reverse("documents:adoption_xlsx", args=[handled.document.pk])
    assert client.get(f"{address}?round=abc").status_code == 404
    assert client.get(f"{address}?round=99999").status_code == 404
    other = services.document_save(
        actor=world.brand_staff,
        office=world.brand,
        data={"title": "品牌管理规则", "kind": "rules", "lead_author": world.brand_staff},
    )
    services.version_add(actor=world.brand_staff, document=other, text="第一条 总则")
    other_round = services.round_open(
        actor=world.brand_staff,
        document=other,
        deadline=timezone.localdate(),
        units=[world.zhuozi],
    )
    assert client.get(f"{address}?round={other_round.pk}").status_code == 404
    assert client.post(address).status_code == 405


def test_exports_count_against_the_rate_limit(world, login, handled, settings):
    settings.RATELIMIT_EXPORT = "2/m"
    client = login(world.office)
    address = url("adoption_xlsx", handled.document)
    assert [client.get(address).status_code for _ in range(3)] == [200, 200, 429]


# --- queries and LibreOffice --------------------------------------------------------------------


def _add_opinions(request: OpinionRequest, count: int) -> None:
    start = request.opinions.count()
    Opinion.objects.bulk_create(
        Opinion(request=request, position=start + n, location=f"第{n}条", text=f"意见{n}")
        for n in range(1, count + 1)
    )


@pytest.mark.parametrize("name", ["adoption_xlsx", "adoption_docx"])
def test_the_queries_do_not_grow_with_the_opinions(world, login, consulting, name):
    client = login(world.office)
    address = url(name, consulting.document)

    def queries(total: int) -> int:
        _add_opinions(consulting.zhuozi, total - consulting.zhuozi.opinions.count())
        with CaptureQueriesContext(connection) as captured:
            download(client, address)
        return len(captured)

    assert queries(5) == queries(15)


def test_libreoffice_prints_the_xlsx(world, login, handled, tmp_path):
    _response, content = download(login(world.office), url("adoption_xlsx", handled.document))
    printed = print_to_pdf(content, tmp_path, "adoption")
    assert "".join(handled.document.title.split()) in printed.text
    assert "".join(PROPOSAL.split()) in printed.text
    assert "".join(REASON.split()) in printed.text
    assert printed.page_size in (None, A3_LANDSCAPE)


def test_libreoffice_prints_the_docx(world, login, handled, tmp_path):
    require_pdf_tools()
    _response, content = download(login(world.office), url("adoption_docx", handled.document))
    pdf = word.to_pdf(content)
    assert pdf is not None
    printed = read_pdf(pdf, tmp_path, "adoption")
    assert printed.page_size == A4_PORTRAIT
    assert "".join(handled.document.title.split()) in printed.text
    # Text wraps inside its cell, and poppler reads a row's cells line by line.
    assert "建议基地规模" in printed.text
    assert world.zhuozi.name in printed.text
