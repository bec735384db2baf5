"""A visit's written research report (调研报告) as an official Word document: read back in
document order (title, office and date under it, paragraphs and headings), without 版头,
with page numbers; who may download it; and LibreOffice printing it."""

from io import BytesIO
from urllib.parse import quote

import docx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext

from zhuanban.core import word
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.core.tests.office import A4_PORTRAIT, read_pdf, require_pdf_tools
from zhuanban.supervision import documents, services
from zhuanban.supervision.models import Visit

from .conftest import PDF

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
OWN_TITLE = "关于卓资县脱毒种薯繁育基地建设情况的调研报告"
INTRO = "六月下旬，马铃薯产业办会同市农牧局种植业管理科赴卓资县开展专题调研。"
BASICS = "一、基本情况。"
BASICS_TEXT = "卓资县今年新建脱毒种薯繁育基地2万亩，配套智能化网棚500亩。"
PROBLEMS = "二、存在的问题"
STORAGE = "（一）贮藏能力不足。"
STORAGE_TEXT = "部分种薯露天存放，损耗偏高。"
TESTING = "（二）检测力量薄弱"
CLOSING = "建议把种薯贮藏窖建设纳入明年基地建设项目，优先安排资金。"
REPORT = "\n".join(
    [
        OWN_TITLE,
        "",
        INTRO,
        f"{BASICS}{BASICS_TEXT}",
        "",
        PROBLEMS,
        f"{STORAGE}{STORAGE_TEXT}",
        TESTING,
        f"\u3000\u3000{CLOSING}",
    ]
)


def url(visit: Visit) -> str:
    return reverse("supervision:visit_report_docx", args=[visit.pk])


def write(world, visit: Visit, text: str = REPORT, **extra) -> Visit:
    return services.visit_report(
        actor=world.office, visit=visit, text=text, expected_version=visit.version, **extra
    )


def document_of(response):
    assert response.status_code == 200, response.content[:300]
    return docx.Document(BytesIO(b"".join(response.streaming_content)))


def paragraphs(document) -> list:
    return [paragraph for paragraph in document.paragraphs if paragraph.text]


def east_asian_font(run) -> str:
    return run._r.rPr.find(f"{{{W}}}rFonts").get(f"{{{W}}}eastAsia")


def report_title(subject: str) -> str:
    """The title as the document prints it, in Chinese whatever the reader's language."""
    with translation.override("zh-hans"):
        return pgettext("report document", "Research report on %(subject)s") % {"subject": subject}


def test_the_report_comes_as_a_word_attachment_and_is_audited(world, login, visit):
    visit = write(world, visit)
    assert url(visit) == f"/supervision/visits/{visit.pk}/report.docx"
    response = login(world.inspector).get(url(visit))
    assert response.status_code == 200
    assert response["Content-Type"] == word.DOCX_CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert quote(f"{OWN_TITLE}.docx") in disposition
    assert "no-store" in response["Cache-Control"]
    document_of(response)
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("seq")
    assert (event.object_type, event.object_id) == ("supervision.visit_report", str(visit.pk))
    assert event.actor == world.inspector


def test_title_office_date_and_paragraphs_in_order(world, login, visit):
    visit = write(world, visit)
    document = document_of(login(world.office).get(url(visit)))
    assert [paragraph.text for paragraph in paragraphs(document)] == [
        OWN_TITLE,
        "马铃薯产业办",
        word.chinese_date(visit.date),
        INTRO,
        f"{BASICS}{BASICS_TEXT}",
        PROBLEMS,
        f"{STORAGE}{STORAGE_TEXT}",
        TESTING,
        CLOSING,  # the blanks typed to indent it are dropped: the layout indents
    ]


def test_the_layout_of_title_byline_and_body(world, login, visit):
    visit = write(world, visit)
    title, office, dated, intro, *_rest = paragraphs(
        document_of(login(world.office).get(url(visit)))
    )
    (run,) = title.runs
    assert title.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    assert (east_asian_font(run), run.font.size.pt) == ("方正小标宋简体", 22)  # 小标宋 二号
    for line in (office, dated):
        (run,) = line.runs
        assert line.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
        assert (east_asian_font(run), run.font.size.pt) == ("楷体_GB2312", 16)  # 楷体 三号
    # The office one line below the title, the date right under it.
    assert office.paragraph_format.space_before.twips == word.LINE_PITCH
    assert not dated.paragraph_format.space_before
    (run,) = intro.runs
    assert (east_asian_font(run), run.font.size.pt) == ("仿宋_GB2312", 16)  # 仿宋 三号
    indent = intro._p.pPr.find(f"{{{W}}}ind")
    assert indent.get(f"{{{W}}}firstLineChars") == "200"  # two characters in


def test_headings_are_recognised_and_run_into_their_text(world, login, visit):
    visit = write(world, visit)
    by_text = {p.text: p for p in paragraphs(document_of(login(world.office).get(url(visit))))}
    basics = by_text[f"{BASICS}{BASICS_TEXT}"]
    assert [(run.text, east_asian_font(run)) for run in basics.runs] == [
        (BASICS, "黑体"),
        (BASICS_TEXT, "仿宋_GB2312"),
    ]
    problems = by_text[PROBLEMS]
    assert [(run.text, east_asian_font(run)) for run in problems.runs] == [(PROBLEMS, "黑体")]
    assert problems.paragraph_format.keep_with_next  # never alone at the foot of a page
    storage = by_text[f"{STORAGE}{STORAGE_TEXT}"]
    assert [(run.text, east_asian_font(run)) for run in storage.runs] == [
        (STORAGE, "楷体_GB2312"),
        (STORAGE_TEXT, "仿宋_GB2312"),
    ]
    assert [east_asian_font(run) for run in by_text[TESTING].runs] == ["楷体_GB2312"]
    # Not renumbered: the numbers are the author's.
    assert "一、一、基本情况。" not in by_text
    for text in (INTRO, CLOSING):
        assert [east_asian_font(run) for run in by_text[text].runs] == ["仿宋_GB2312"]


def test_no_head_a_report_is_not_a_document_with_a_red_header(world, login, visit):
    visit = write(world, visit)
    document = document_of(login(world.office).get(url(visit)))
    body = document.element.body
    assert not body.xpath(".//w:color[@w:val='FF0000']")
    assert not body.xpath(".//w:pBdr")  # no red separator, no number line
    title = paragraphs(document)[0]
    assert title.text == OWN_TITLE
    assert not title.paragraph_format.space_before  # at the top of the type area
    assert not document.tables  # no 版记 either


def test_page_numbers_as_in_a_notice(world, login, visit):
    visit = write(world, visit)
    section = document_of(login(world.office).get(url(visit))).sections[0]
    for footer in (section.footer, section.even_page_footer):
        (paragraph,) = footer.paragraphs
        instructions = [i.text.strip() for i in paragraph._p.xpath(".//w:instrText")]
        assert instructions == ["PAGE"]
        texts = [t.text for t in paragraph._p.xpath(".//w:t")]
        assert (texts[0], texts[-1]) == ("— ", " —")


def test_the_title_comes_from_the_topics_or_else_the_place(world, login, make_visit):
    short = make_visit(topics="种薯基地建设进度。\n仓储设施")
    short = write(world, short, text="调研发现，种薯基地建设总体顺利。")
    first = paragraphs(document_of(login(world.office).get(url(short))))
    assert first[0].text == report_title("种薯基地建设进度")
    assert first[3].text == "调研发现，种薯基地建设总体顺利。"  # not taken for a title

    long_topic = "马铃薯种薯繁育基地建设、仓储设施配套和订单生产推进情况"
    wordy = make_visit(topics=long_topic, place="察右后旗乌兰哈达苏木种薯繁育基地")
    wordy = write(world, wordy, text="调研发现，种薯基地建设总体顺利。")
    first = paragraphs(document_of(login(world.office).get(url(wordy))))
    assert first[0].text == report_title("察右后旗乌兰哈达苏木种薯繁育基地")


def test_404_without_a_written_report(world, login, visit, planned_visit):
    client = login(world.office)
    assert client.get(url(visit)).status_code == 404  # nothing written yet
    assert client.get(url(planned_visit)).status_code == 404
    attached = services.visit_report(
        actor=world.office,
        visit=visit,
        text="",
        upload=SimpleUploadedFile("调研报告.pdf", PDF, content_type="application/pdf"),
        expected_version=visit.version,
    )
    # An attached file is downloaded as it was uploaded: there is nothing to lay out.
    assert attached.report_file_id is not None
    assert client.get(url(attached)).status_code == 404
    assert client.get(reverse("supervision:visit_report_docx", args=[999_999])).status_code == 404
    assert not AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="supervision.visit_report"
    ).exists()


def test_another_countys_report_is_404_for_a_liaison(world, login, huade_visit):
    huade_visit = write(world, huade_visit, text="化德县冷库运营调研结论。")
    assert login(world.zhuozi_liaison).get(url(huade_visit)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    # The visit's own county reads it: the 404 above comes from the scope, not the id.
    document = document_of(login(world.huade_liaison).get(url(huade_visit)))
    assert "化德县冷库运营调研结论。" in [p.text for p in document.paragraphs]


def test_who_else_may_not_download_it(world, login, visit, client):
    visit = write(world, visit)
    assert client.get(url(visit)).status_code == 302  # to the login page
    for persona in (world.outsider, world.auditor, world.sysadmin):
        assert login(persona).get(url(visit)).status_code == 404
    assert login(world.office).post(url(visit)).status_code == 405
    assert not AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="supervision.visit_report"
    ).exists()


def test_the_visit_page_links_to_the_document_only_when_written(world, login, visit):
    client = login(world.office)
    page = reverse("supervision:visit", args=[visit.pk])
    assert url(visit) not in client.get(page).content.decode()
    visit = write(world, visit)
    assert f'href="{url(visit)}"' in client.get(page).content.decode()


def test_the_document_takes_the_same_queries_whatever_its_length(world, login, make_visit):
    client = login(world.office)

    def queries(paragraph_count: int) -> int:
        visit = make_visit()
        text = "\n".join(f"（{n}）第{n}段。正文" for n in range(paragraph_count))
        visit = write(world, visit, text=text)
        with CaptureQueriesContext(connection) as captured:
            document = document_of(client.get(url(visit)))
        assert len(paragraphs(document)) == 3 + paragraph_count
        return len(captured)

    assert queries(3) == queries(200)


def test_the_builder_alone(world, visit):
    """documents.visit_report_docx works on any visit with a written report, as the view
    fetches it (its office joined)."""
    visit = write(world, visit, text="（一）仓储\n正文")
    visit = Visit.objects.select_related("office").get(pk=visit.pk)
    document = docx.Document(BytesIO(documents.visit_report_docx(visit)))
    assert [p.text for p in paragraphs(document)][-2:] == ["（一）仓储", "正文"]


def test_libreoffice_prints_the_report(world, visit, tmp_path):
    require_pdf_tools()
    visit = write(world, visit)
    pdf = word.to_pdf(documents.visit_report_docx(visit))
    assert pdf is not None
    printed = read_pdf(pdf, tmp_path, "report")
    assert printed.page_size == A4_PORTRAIT
    assert OWN_TITLE in printed.text
    assert BASICS_TEXT in printed.text
    assert CLOSING in printed.text
    assert "—1—" in printed.text
    assert word.chinese_date(visit.date) in printed.text
