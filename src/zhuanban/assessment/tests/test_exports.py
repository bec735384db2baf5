"""Assessment exports: the scheme's score sheet (.xlsx, a summary and the scores by item),
a unit's scorecard (.xlsx) and a unit's evidence bundle (.zip with folders numbered like
the scheme and an index .xlsx whose hashes match the bytes inside), against the data of
conftest.py and the totals computed by hand in test_scoring.py; who may download what;
tampered and lost files left out and reported; flat query counts; LibreOffice prints
the sheets."""

import datetime
import hashlib
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext, ngettext, pgettext
from openpyxl import load_workbook

from zhuanban.assessment import bundle, exports, services
from zhuanban.assessment.lifecycle import SchemeAction
from zhuanban.assessment.models import Grade, Item, Participant, Score
from zhuanban.assessment.tests.conftest import score_of
from zhuanban.core import ledger
from zhuanban.core.files import store_upload
from zhuanban.core.models import AuditAction, AuditEvent, AuditOutcome
from zhuanban.core.tests.office import A3_LANDSCAPE, print_to_pdf
from zhuanban.core.tests.test_export_safety import assert_no_formulas, assert_shown_as_text
from zhuanban.org.roles import UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db

FIRST_ROW = ledger.HEADER_ROW + 1
TOP = "2023年度马铃薯产业发展考核-卓资县"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
REPORT_1 = PDF + b"% first quarter report\n"
REPORT_2 = PDF + b"% second quarter report\n"
TASK_FILE = PDF + b"% acceptance record of the seed base\n"
# The index's columns, by position.
NO, CONTENT, REQUIRED, PATH, SHA, SIZE, UPLOADER, UPLOADED_AT, SOURCE, SCORE, CHECK = range(11)


def pdf(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def scores_url(scheme) -> str:
    return reverse("assessment:export_scores", args=[scheme.pk])


def unit_url(participant) -> str:
    return reverse("assessment:export_participant", args=[participant.pk])


def bundle_url(participant) -> str:
    return reverse("assessment:export_bundle", args=[participant.pk])


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:500] if not response.streaming else ""
    return response, b"".join(response.streaming_content)


def rows(ws, first: int = FIRST_ROW):
    return [[cell.value for cell in row] for row in ws.iter_rows(min_row=first)]


@pytest.fixture
def evidence(world, opened):
    """卓资县: two reports of the same name for (一), a screenshot for (二), a task's file
    linked to 二、; nothing for 三、 (asks for none) and 四、 (asks for a summary).
    化德县: one file of its own."""
    items = opened.items
    zhuozi = opened.zhuozi
    upload = services.evidence_upload
    first = upload(
        actor=world.zhuozi_liaison,
        participant=zhuozi,
        item=items.tasks,
        upload=pdf("报告.pdf", REPORT_1),
    )
    second = upload(
        actor=world.zhuozi_liaison,
        participant=zhuozi,
        item=items.tasks,
        upload=pdf("报告.pdf", REPORT_2),
    )
    screenshot = upload(
        actor=world.zhuozi_liaison,
        participant=zhuozi,
        item=items.dispatch,
        upload=SimpleUploadedFile("报送记录.png", PNG, content_type="image/png"),
    )
    task = (
        opened.scheme.items.get(pk=items.tasks.pk)
        .task_list.tasks.filter(lead_unit=world.zhuozi)
        .first()
    )
    stored = store_upload(pdf("种薯基地验收记录.pdf", TASK_FILE), user=world.zhuozi_liaison)
    task.attachments.add(stored)
    linked = services.evidence_link(
        actor=world.office, participant=zhuozi, item=items.indicator, file_id=stored.pk
    )
    huade = upload(
        actor=world.huade_liaison,
        participant=opened.huade,
        item=items.tasks,
        upload=pdf("化德县报告.pdf", PDF + b"% huade\n"),
    )
    opened.files = type(
        "Files",
        (),
        {
            "first": first,
            "second": second,
            "screenshot": screenshot,
            "linked": linked,
            "task": task,
            "huade": huade,
        },
    )
    return opened


def open_bundle(client, participant):
    response, content = download(client, bundle_url(participant))
    return response, content, zipfile.ZipFile(io.BytesIO(content))


def index_of(archive: zipfile.ZipFile, top: str = TOP):
    data = archive.read(f"{top}/{gettext('Index.xlsx')}")
    return data, load_workbook(io.BytesIO(data)).active


# --- the evidence bundle ------------------------------------------------------------------------


def test_bundle_has_a_folder_per_item_in_the_schemes_order(world, login, evidence):
    response, _content, archive = open_bundle(login(world.office), evidence.zhuozi)
    assert response["Content-Type"] == "application/zip"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=utf-8''" in disposition  # the Chinese name, RFC 6266
    assert archive.testzip() is None
    files = [name for name in archive.namelist() if not name.endswith(".xlsx")]
    assert files == [
        f"{TOP}/01 一、(一)重点任务按期办结/报告.pdf",
        f"{TOP}/01 一、(一)重点任务按期办结/报告(2).pdf",
        f"{TOP}/02 一、(二)调度数据按时报送/报送记录.png",
        f"{TOP}/03 二、肉牛存栏增量/种薯基地验收记录.pdf",
    ]
    # Sorting by name keeps the scheme's order; no folder for items without evidence.
    folders = list(dict.fromkeys(name.rsplit("/", 1)[0] for name in files))
    assert sorted(folders) == folders
    assert not any("督办通报扣分" in name or "工作成效" in name for name in archive.namelist())
    # Each file is the uploaded bytes, under its item's folder, its name flagged UTF-8.
    assert archive.read(files[0]) == REPORT_1
    assert archive.read(files[1]) == REPORT_2
    assert archive.read(files[2]) == PNG
    assert archive.read(files[3]) == TASK_FILE
    for info in archive.infolist():
        assert info.flag_bits & 0x800, info.filename
    # Another unit's evidence is not in it.
    assert not any("化德县报告" in name for name in archive.namelist())


def test_bundle_index_lists_every_file_with_its_hash_and_every_item(world, login, evidence):
    _response, _content, archive = open_bundle(login(world.office), evidence.zhuozi)
    _data, ws = index_of(archive)
    assert ws["A1"].value == bundle.index_title(evidence.zhuozi)
    lines = rows(ws)
    *items, summary = lines
    assert [line[NO] for line in items] == [
        "一、(一)",
        "一、(一)",
        "一、(二)",
        "二、",
        "三、",
        "四、",
    ]
    paths = {line[PATH] for line in items if line[CHECK] == gettext("Verified")}
    assert paths == {name for name in archive.namelist() if not name.endswith(".xlsx")}
    for line in items[:4]:
        inside = archive.read(line[PATH])
        assert line[SHA] == hashlib.sha256(inside).hexdigest()
        assert line[SIZE] == len(inside)
        assert isinstance(line[UPLOADED_AT], datetime.datetime)
    assert items[0][UPLOADER] == "郭晓军"
    assert items[0][SOURCE] == pgettext("evidence source", "Uploaded")
    task = evidence.files.task
    assert items[3][SOURCE] == gettext("Linked from task %(number)s of %(list)s") % {
        "number": task.full_number(),
        "list": "2023年马铃薯重点任务",
    }
    assert items[3][UPLOADER] == "郭晓军"  # who uploaded it to the task
    # The final scores are the scorecard's.
    expected = [
        score_of(evidence.zhuozi, item).final
        for item in (
            evidence.items.tasks,
            evidence.items.tasks,
            evidence.items.dispatch,
            evidence.items.indicator,
            evidence.items.notices,
        )
    ]
    assert [Decimal(str(line[SCORE])).quantize(Decimal("0.01")) for line in items[:5]] == expected
    assert items[5][SCORE] is None  # the manual item awaits its review
    # 三、 asks for no evidence; 四、 asks for a summary and has none.
    assert (items[4][CHECK], items[4][PATH]) == (gettext("No evidence required"), None)
    assert items[5][CHECK] == gettext("Evidence missing")
    assert items[5][REQUIRED] == "总结材料、典型案例"
    assert summary[NO] == gettext("Total")
    assert summary[SIZE] == len(REPORT_1) + len(REPORT_2) + len(PNG) + len(TASK_FILE)
    assert summary[CONTENT] == bundle.index_summary_text(files=4, failed=0, lacking=1)


def test_bundle_is_audited_with_its_own_hash(world, login, evidence):
    _response, content, _archive = open_bundle(login(world.office), evidence.zhuozi)
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("seq")
    assert event.object_type == "assessment.evidence_bundle"
    assert event.object_id == str(evidence.zhuozi.pk)
    assert event.after["files"] == 4
    assert event.after["failed"] == []
    assert event.after["lacking"] == [evidence.items.manual.pk]
    assert event.after["sha256"] == hashlib.sha256(content).hexdigest()
    assert event.after["size"] == len(content)


def test_a_tampered_file_is_left_out_and_reported(world, login, evidence):
    stored = evidence.files.second.file
    Path(stored.file.path).write_bytes(REPORT_2.replace(b"second", b"SECOND"))
    client = login(world.office)
    response, _content, archive = open_bundle(client, evidence.zhuozi)
    names = archive.namelist()
    assert f"{TOP}/01 一、(一)重点任务按期办结/报告.pdf" in names
    assert not any("报告(2)" in name for name in names)
    assert archive.read(f"{TOP}/01 一、(一)重点任务按期办结/报告.pdf") == REPORT_1
    _data, ws = index_of(archive)
    second = rows(ws)[1]
    assert second[CHECK] == gettext("Checksum failed: not included")
    assert (second[PATH], second[SHA]) == ("报告.pdf", stored.sha256)  # not a path in the zip
    assert rows(ws)[-1][CONTENT] == bundle.index_summary_text(files=3, failed=1, lacking=1)
    # The user is told; the audit trail records the failure and the export.
    warnings = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(warnings) == 1
    assert "报告.pdf" in warnings[0]
    failure = AuditEvent.objects.get(action=AuditAction.DOWNLOAD, outcome=AuditOutcome.FAILURE)
    assert failure.object_id == str(stored.pk)
    assert (
        failure.after["sha256"] == hashlib.sha256(Path(stored.file.path).read_bytes()).hexdigest()
    )
    export = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("seq")
    assert (export.after["files"], export.after["failed"]) == (3, [stored.pk])


def test_a_file_lost_from_storage_is_left_out_and_reported(world, login, evidence):
    stored = evidence.files.screenshot.file
    Path(stored.file.path).unlink()
    response, _content, archive = open_bundle(login(world.office), evidence.zhuozi)
    assert not any(name.endswith(".png") for name in archive.namelist())
    _data, ws = index_of(archive)
    assert rows(ws)[2][CHECK] == gettext("Missing from storage: not included")
    assert len(list(get_messages(response.wsgi_request))) == 1


def test_the_unit_itself_and_the_bureau_download_the_bundle(world, login, evidence):
    for user in (world.zhuozi_liaison, world.leader, world.inspector):
        _response, _content, archive = open_bundle(login(user), evidence.zhuozi)
        assert f"{TOP}/01 一、(一)重点任务按期办结/报告.pdf" in archive.namelist()


@pytest.mark.parametrize("persona", ["huade_liaison", "outsider", "sysadmin", "auditor"])
def test_others_do_not_get_the_bundle_or_the_scorecard(world, login, evidence, persona):
    client = login(getattr(world, persona))
    for url in (bundle_url(evidence.zhuozi), unit_url(evidence.zhuozi)):
        assert client.get(url).status_code == 404, url
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_exports_need_a_login_and_a_get_or_a_post(world, client, login, evidence):
    urls = [scores_url(evidence.scheme), unit_url(evidence.zhuozi), bundle_url(evidence.zhuozi)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]
    client = login(world.office)
    for url in urls:  # the score sheet and the bundle take a POST too: it queues a job
        assert client.put(url).status_code == 405
    assert client.post(unit_url(evidence.zhuozi)).status_code == 405


def test_names_in_the_bundle_are_safe_and_unique():
    assert bundle.safe_name('a/b\\c:d*e?f"g<h>i|j\x00k', 60) == "abcdefghijk"
    assert bundle.safe_name("  ..标题\n第二行.. ", 60) == "标题 第二行"
    assert bundle.safe_name("CON", 60) == "_CON"
    assert bundle.safe_name("///", 60) == "_"
    assert len(bundle.safe_name("长" * 200, 60)) == 60
    long = bundle.safe_file_name("长" * 200 + ".pdf")
    assert long.endswith(".pdf")
    assert len(long) == bundle.FILE_MAX_CHARS
    assert bundle.safe_file_name("../../etc/passwd") == "etcpasswd"
    taken: set[str] = set()
    assert [bundle.unique_name(n, taken) for n in ("a.pdf", "A.PDF", "a.pdf", "b")] == [
        "a.pdf",
        "A(2).PDF",
        "a(3).pdf",
        "b",
    ]


def test_long_item_titles_make_short_folder_names(world, login, evidence):
    Item.objects.filter(pk=evidence.items.tasks.pk).update(
        title="重点任务按期办结：" + "各旗县市区按照任务清单逐项落实" * 6 + '/含"特殊"字符'
    )
    _response, _content, archive = open_bundle(login(world.office), evidence.zhuozi)
    folder = archive.namelist()[0].split("/")[1]
    assert folder.startswith("01 一、(一)重点任务按期办结")
    assert len(folder) <= bundle.FOLDER_MAX_CHARS
    assert not set(folder) & set('/\\:*?"<>|')


# --- the score sheet ----------------------------------------------------------------------------


def summary_and_detail(client, scheme):
    response, content = download(client, scores_url(scheme))
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(content))
    return content, workbook.worksheets[0], workbook.worksheets[1]


def test_score_sheet_before_review_has_the_computed_totals(world, login, evidence):
    _content, summary, detail = summary_and_detail(login(world.office), evidence.scheme)
    assert summary["A1"].value == exports.scores_title(evidence.scheme)
    header = [cell.value for cell in summary[ledger.HEADER_ROW]]
    assert header == [
        pgettext("assessment export", "Rank"),
        gettext("Unit"),
        gettext("%(number)s%(title)s (%(points)s points)")
        % {"number": "一、", "title": "重点任务落实", "points": "30"},
        gettext("%(number)s%(title)s (%(points)s points)")
        % {"number": "二、", "title": "肉牛存栏增量", "points": "10"},
        gettext("%(number)s%(title)s (%(points)s points)")
        % {"number": "三、", "title": "督办通报扣分", "points": "5"},
        gettext("%(number)s%(title)s (%(points)s points)")
        % {"number": "四、", "title": "工作成效", "points": "15"},
        pgettext("assessment export", "Self-assessed total"),
        pgettext("assessment export", "Final score"),
        pgettext("assessment export", "Grade"),
        pgettext("assessment export", "Items awaiting a score"),
    ]
    # 化德县 20 + 10 + 10 + 5 = 45; 卓资县 10 + 3.33 + 7.50 + 1 = 21.83; the manual item
    # is unscored for both, so no grade yet.
    assert rows(summary) == [
        [1, "化德县", 30, 10, 5, None, 45, 45, None, 1],
        [2, "卓资县", 13.33, 7.5, 1, None, 21.83, 21.83, None, 1],
    ]
    row = list(summary.iter_rows(min_row=FIRST_ROW))[1]
    assert row[6].number_format == exports.SCORE_FORMAT
    assert row[6].data_type == "n"
    assert row[0].data_type == "n"
    # The detail: one row per unit and leaf item, 卓资县 first (the units' order).
    lines = rows(detail)
    assert len(lines) == 2 * 5
    assert lines[0] == [
        "卓资县",
        "一、(一)",
        "重点任务按期办结",
        20,
        10,
        None,
        None,
        None,
        None,
        None,
        10,
        2,
    ]
    assert [line[:2] for line in lines[:5]] == [
        ["卓资县", "一、(一)"],
        ["卓资县", "一、(二)"],
        ["卓资县", "二、"],
        ["卓资县", "三、"],
        ["卓资县", "四、"],
    ]
    assert lines[5][0] == "化德县"
    assert lines[5][11] == 1  # its own file


def test_score_sheet_after_review_has_grades_reasons_and_differences(world, login, evidence):
    scheme = evidence.scheme
    zhuozi_manual = score_of(evidence.zhuozi, evidence.items.manual)
    services.score_self(
        actor=world.zhuozi_liaison, score=zhuozi_manual, value="14", reason="成效显著"
    )
    scheme = services.scheme_act(actor=world.office, scheme=scheme, action=SchemeAction.REVIEW)
    for participant, value in ((evidence.zhuozi, "12"), (evidence.huade, "15")):
        services.score_review(
            actor=world.potato_director,
            score=score_of(participant, evidence.items.manual),
            value=value,
            reason="材料齐全，成效一般。",
        )
    scheme = services.scheme_act(actor=world.leader, scheme=scheme, action=SchemeAction.CLOSE)
    _content, summary, detail = summary_and_detail(login(world.leader), scheme)
    # test_scoring: 卓资县 33.83 (差), 化德县 60 (一般); 卓资县's own total 21.83 + 14.
    assert rows(summary) == [
        [1, "化德县", 30, 10, 5, 15, 45, 60, str(Grade.AVERAGE.label), 0],
        [2, "卓资县", 13.33, 7.5, 1, 12, 35.83, 33.83, str(Grade.POOR.label), 0],
    ]
    manual = rows(detail)[4]
    assert manual[1:] == [
        "四、",
        "工作成效",
        15,
        None,
        14,
        "成效显著",
        12,
        "材料齐全，成效一般。",
        -2,
        12,
        0,
    ]


def test_weights_show_in_the_headers(world, login, evidence):
    Item.objects.filter(pk=evidence.items.heading.pk).update(weight=Decimal(50))
    _content, summary, _detail = summary_and_detail(login(world.office), evidence.scheme)
    assert summary.cell(ledger.HEADER_ROW, 3).value == gettext(
        "%(number)s%(title)s (%(points)s points, weight %(weight)s%%)"
    ) % {"number": "一、", "title": "重点任务落实", "points": "30", "weight": "50"}


def test_a_county_gets_only_its_own_row_ranked_among_all(world, login, evidence):
    _content, summary, detail = summary_and_detail(login(world.zhuozi_liaison), evidence.scheme)
    assert [line[:2] for line in rows(summary)] == [[2, "卓资县"]]
    assert {line[0] for line in rows(detail)} == {"卓资县"}
    # The subtitle says the sheet shows one unit of two.
    assert exports.units_text(2, 1) in summary["A2"].value
    assert exports.units_text(2, 1) == ngettext(
        "%(shown)d of %(count)d unit assessed", "%(shown)d of %(count)d units assessed", 2
    ) % {"shown": 1, "count": 2}


def test_the_score_sheet_is_refused_to_those_who_do_not_see_the_scheme(world, login, design):
    url = scores_url(design.scheme)
    # Still being designed: the counties do not see it yet.
    for persona in ("zhuozi_liaison", "outsider", "sysadmin"):
        assert login(getattr(world, persona)).get(url).status_code == 404, persona
    assert login(world.office).get(url).status_code == 200


def test_score_sheet_is_audited(world, login, evidence):
    download(login(world.inspector), scores_url(evidence.scheme))
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("seq")
    assert event.object_type == "assessment.score_sheet"
    assert event.after == {"units": 2, "of": 2}


def test_text_is_never_a_formula(world, login, evidence):
    hostile = '=HYPERLINK("http://x","点此")'
    Item.objects.filter(pk=evidence.items.manual.pk).update(title=hostile)
    services.score_self(
        actor=world.zhuozi_liaison,
        score=score_of(evidence.zhuozi, evidence.items.manual),
        value="10",
        reason="+1+1",
    )
    client = login(world.office)
    _response, scores = download(client, scores_url(evidence.scheme))
    _response, card = download(client, unit_url(evidence.zhuozi))
    _response, _content, archive = open_bundle(client, evidence.zhuozi)
    index, _ws = index_of(archive)
    for content in (scores, card, index):
        assert_no_formulas(content)
    assert_shown_as_text(scores, [hostile, "+1+1"])
    assert_shown_as_text(card, [hostile, "+1+1"])
    assert_shown_as_text(index, [hostile])


# --- a unit's scorecard -------------------------------------------------------------------------


def test_scorecard_has_totals_grade_and_rank_at_the_top(world, login, evidence):
    _response, content = download(login(world.zhuozi_liaison), unit_url(evidence.zhuozi))
    ws = load_workbook(io.BytesIO(content)).active
    assert ws["A1"].value == exports.unit_title(evidence.zhuozi)
    top = ws["A2"].value
    assert "21.83" in top
    assert gettext("%(rank)d of %(count)d") % {"rank": 2, "count": 2} in top
    lines = rows(ws)
    assert [line[0] for line in lines] == [
        "一、",
        "一、(一)",
        "一、(二)",
        "二、",
        "三、",
        "四、",
        gettext("Total"),
    ]
    heading = lines[0]
    assert heading[1:4] == ["重点任务落实", 30, 13.33]
    assert heading[9] == 13.33
    assert lines[1][1:] == ["重点任务按期办结", 20, 10, None, None, None, None, None, 10, 2]
    total = lines[-1]
    assert (total[2], total[4], total[9], total[10]) == (60, 21.83, 21.83, 4)


# --- query counts -------------------------------------------------------------------------------


def _grow(world, opened, units: int = 4, items: int = 3) -> None:
    """More units assessed (each with scores and a file) and more leaf items, written
    straight to the database: the scheme is past its design."""
    scheme = opened.scheme
    heading = opened.items.heading
    for n in range(items):
        Item.objects.create(
            scheme=scheme,
            parent=heading,
            position=10 + n,
            sort_path=f"~grow{n}",
            title=f"新增指标{n}",
            max_score=Decimal(1),
        )
    services.renumber(scheme)
    leaves = list(scheme.items.filter(is_heading=False))
    for n in range(units):
        county = OrgUnitFactory(
            code=f"15099{n}",
            name=f"旗县{n}",
            kind=UnitKind.COUNTY,
            parent=world.city,
            division_code=f"15099{n}",
        )
        participant = Participant.objects.create(scheme=scheme, unit=county)
        services.evidence_upload(
            actor=world.office,
            participant=participant,
            item=opened.items.manual,
            upload=pdf(f"材料{n}.pdf", PDF + f"% {n}\n".encode()),
        )
    for participant in scheme.participants.all():
        Score.objects.bulk_create(
            [Score(participant=participant, item=item, auto_score=0) for item in leaves],
            ignore_conflicts=True,
        )
    services.evidence_upload(
        actor=world.zhuozi_liaison,
        participant=opened.zhuozi,
        item=leaves[-1],
        upload=pdf("追加.pdf", PDF + b"% more\n"),
    )
    services.recompute_totals(scheme)


def test_query_counts_do_not_grow_with_units_items_or_files(world, login, evidence):
    client = login(world.office)
    urls = [scores_url(evidence.scheme), unit_url(evidence.zhuozi), bundle_url(evidence.zhuozi)]
    before = {}
    for url in urls:
        download(client, url)  # the session's first queries out of the way
        with CaptureQueriesContext(connection) as queries:
            download(client, url)
        before[url] = len(queries)
    _grow(world, evidence)
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            _response, _content = download(client, url)
        assert len(queries) <= before[url], (url, [q["sql"] for q in queries.captured_queries])
    _data, summary, _detail = summary_and_detail(client, evidence.scheme)
    assert len(rows(summary)) == 6


# --- printing ----------------------------------------------------------------------------------


def test_libreoffice_prints_the_score_sheet_and_the_index(world, login, evidence, tmp_path):
    client = login(world.office)
    _response, scores = download(client, scores_url(evidence.scheme))
    printed = print_to_pdf(scores, tmp_path, "scores")
    assert "卓资县" in printed.text
    assert "化德县" in printed.text
    assert "21.83" in printed.text
    if printed.page_size:
        assert printed.page_size == A3_LANDSCAPE
    _response, _content, archive = open_bundle(client, evidence.zhuozi)
    index, _ws = index_of(archive)
    printed = print_to_pdf(index, tmp_path, "index")
    assert "种薯基地验收记录.pdf" in printed.text
    assert evidence.files.first.file.sha256[:16] in printed.text
