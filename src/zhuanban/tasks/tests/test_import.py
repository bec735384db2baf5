import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from zhuanban.core.models import AuditEvent
from zhuanban.tasks import importer, services
from zhuanban.tasks.models import Milestone, Task

D = datetime.date
TITLE = "乌兰察布市建设重要农畜产品生产加工基地2023年重点任务单"
# As ledgers write them: spaces and line breaks inside the headers.
HEADER = [
    "序号",
    "重点任务",
    "具体措施",
    "牵 头\n单 位",
    "配合单位",
    "责任领导",
    "完成\n时限",
    "备注",
]


def ledger_rows():
    """Rows 4 to 10 of a realistic ledger: 重点任务 (and its 序号) merged over its measures."""
    return [
        # rows 4-6: 一、 merged over three measures
        [
            "一",
            "推进马铃薯种薯繁育基地建设",
            "1.建设脱毒种薯繁育基地5万亩",
            "卓资县",
            "种植业管理科",
            "王振华",
            "6月底前",
            None,
        ],
        [
            None,
            None,
            "2.完善种薯质量检测体系",
            "种植业管理科",
            "卓资县、化德县",
            "王振华",
            "2023年9月底前完成",
            "与自治区农科院合作",
        ],
        [None, None, "3.调度种薯生产进度", "马铃薯产业办", "各旗县市区", None, "每月10日前", None],
        # rows 7-8: 二、 merged over two measures
        [
            "二",
            "打造“原味乌兰察布”区域公用品牌",
            "1.开展品牌宣传推介",
            "品牌办、市场与信息化科",
            None,
            None,
            D(2023, 10, 31),  # a date cell
            None,
        ],
        [None, None, "2.加强品牌授权管理", "品牌办", "卓资县", None, "长期坚持", None],
        # row 9: 三、 with a single measure, nothing merged
        [
            "三",
            "建立马铃薯全产业链统计制度",
            "汇总产业链数据",
            "市场与信息化科",
            None,
            None,
            "每季度末",
            None,
        ],
        # row 10: a note merged over the whole width
        ["注：本表由马铃薯产业办负责调度。"],
    ]


LEDGER_MERGES = ["A4:A6", "B4:B6", "A7:A8", "B7:B8", "A10:H10"]


def workbook(rows, *, header=HEADER, merges=(), title=TITLE) -> bytes:
    """An .xlsx as offices send them: a title merged across, a blank row, the header (row 3)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "重点任务单"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "重点任务单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture
def ledger():
    return upload(workbook(ledger_rows(), merges=LEDGER_MERGES))


def cells(plan, level=importer.ERROR):
    return {(p.row, p.column, p.code) for p in plan.problems if p.level == level}


# --- a valid ledger --------------------------------------------------------------------


def test_defusedxml_guards_openpyxl():
    assert openpyxl.DEFUSEDXML is True


def test_the_plan_of_a_valid_ledger(world, task_list, ledger):
    plan = importer.parse_workbook(ledger, task_list=task_list)

    assert plan.is_valid, plan.errors
    assert plan.sheet == "重点任务单"
    assert [(r.row, r.number, r.depth, r.content) for r in plan.rows] == [
        (4, "一、", 0, "推进马铃薯种薯繁育基地建设"),
        (4, "(一)", 1, "建设脱毒种薯繁育基地5万亩"),
        (5, "(二)", 1, "完善种薯质量检测体系"),
        (6, "(三)", 1, "调度种薯生产进度"),
        (7, "二、", 0, "打造“原味乌兰察布”区域公用品牌"),
        (7, "(一)", 1, "开展品牌宣传推介"),
        (8, "(二)", 1, "加强品牌授权管理"),
        (9, "三、", 0, "建立马铃薯全产业链统计制度"),
        (9, "(一)", 1, "汇总产业链数据"),
    ]
    base, first, quality, dispatch, brand, promote, licence, stats, collect = plan.rows
    assert first.parent is base
    assert dispatch.parent is base
    assert promote.parent is brand
    assert (first.lead_unit, first.cooperating_units) == (world.zhuozi, [world.crops])
    assert first.responsible_leader == "王振华"
    assert (first.due_date, first.due_text) == (D(2023, 6, 30), "6月底前")
    assert (quality.due_date, quality.remarks) == (D(2023, 9, 30), "与自治区农科院合作")
    assert quality.cooperating_units == [world.zhuozi, world.huade]
    # 各旗县市区 is every county
    assert dispatch.cooperating_units == [world.zhuozi, world.huade]
    assert len(dispatch.milestones) == 12
    assert dispatch.due_date == D(2023, 12, 10)
    # two lead units: the first leads, the other cooperates, and the plan says so
    assert (promote.lead_unit, promote.cooperating_units) == (world.brand, [world.it])
    assert any(world.it.name in note for note in promote.notes)
    assert (promote.due_date, promote.due_text) == (D(2023, 10, 31), "2023-10-31")
    assert (licence.is_ongoing, licence.due_date) == (True, None)
    assert [d for _t, d in collect.milestones] == [
        D(2023, 3, 31),
        D(2023, 6, 30),
        D(2023, 9, 30),
        D(2023, 12, 31),
    ]
    # the key tasks carry no fields of their own; the note row is skipped with a warning
    assert stats.lead_unit is None
    assert stats.due_date is None
    assert cells(plan, importer.WARNING) == {(10, "A", "note_row")}
    # each deadline says how it was read
    assert any("2023年6月30日" in note for note in first.notes)
    assert plan.milestone_count == 16


def test_commit_creates_the_tree(world, task_list, ledger):
    plan = importer.parse_workbook(ledger, task_list=task_list)
    created = importer.commit(plan, actor=world.office)

    tasks = list(Task.objects.filter(task_list=task_list).order_by("sort_path"))
    assert tasks == created
    assert [(t.number(), t.depth, t.parent.content if t.parent else None) for t in tasks] == [
        ("一、", 0, None),
        ("(一)", 1, "推进马铃薯种薯繁育基地建设"),
        ("(二)", 1, "推进马铃薯种薯繁育基地建设"),
        ("(三)", 1, "推进马铃薯种薯繁育基地建设"),
        ("二、", 0, None),
        ("(一)", 1, "打造“原味乌兰察布”区域公用品牌"),
        ("(二)", 1, "打造“原味乌兰察布”区域公用品牌"),
        ("三、", 0, None),
        ("(一)", 1, "建立马铃薯全产业链统计制度"),
    ]
    first, quality, dispatch = tasks[1], tasks[2], tasks[3]
    assert (first.lead_unit, first.county, first.due_date, first.original_due_date) == (
        world.zhuozi,
        world.zhuozi,
        D(2023, 6, 30),
        D(2023, 6, 30),
    )
    assert first.due_text == "6月底前"
    assert quality.due_text == "2023年9月底前完成"
    assert set(quality.cooperating_units.all()) == {world.zhuozi, world.huade}
    assert tasks[6].is_ongoing
    assert tasks[6].due_text == "长期坚持"
    assert [m.due_date for m in dispatch.milestones.all()] == [
        D(2023, month, 10) for month in range(1, 13)
    ]
    assert Milestone.objects.filter(task__task_list=task_list).count() == 16
    assert all(t.status == "draft" for t in tasks)
    # the audit trail has each task and the import itself
    assert AuditEvent.objects.filter(object_type="tasks.task", action="create").count() >= 9
    assert AuditEvent.objects.filter(
        object_type="tasks.tasklist", message="task list import", after__tasks=9
    ).exists()


def test_an_import_is_added_after_existing_tasks(world, task_list, make_task, ledger):
    make_task(content="已有任务")
    plan = importer.parse_workbook(ledger, task_list=task_list)
    assert [r.number for r in plan.rows if r.depth == 0] == ["二、", "三、", "四、"]
    assert (None, "", "list_not_empty") in cells(plan, importer.WARNING)
    importer.commit(plan, actor=world.office)
    assert [t.number() for t in Task.objects.filter(task_list=task_list, depth=0)] == [
        "一、",
        "二、",
        "三、",
        "四、",
    ]


def test_importing_the_same_file_twice_warns(world, task_list, ledger):
    importer.commit(importer.parse_workbook(ledger, task_list=task_list), actor=world.office)
    again = importer.parse_workbook(ledger, task_list=task_list)
    assert (5, "C", "duplicate") in cells(again, importer.WARNING)


def test_a_path_or_bytes_will_do(task_list, tmp_path):
    data = workbook(ledger_rows(), merges=LEDGER_MERGES)
    path = tmp_path / "任务单.xlsx"
    path.write_bytes(data)
    assert len(importer.parse_workbook(path, task_list=task_list).rows) == 9
    assert len(importer.parse_workbook(data, task_list=task_list).rows) == 9


# --- numbering -------------------------------------------------------------------------

FLAT_HEADER = ["序号", "具体措施", "牵头单位", "完成时限"]


def test_chinese_numbering_places_rows_and_checks_the_sequence(world, task_list):
    rows = [
        ["一、", "推进种薯基地建设", None, None],
        ["（一）", "建设繁育基地", "卓资县", "6月底前"],
        ["(三)", "完善检测体系", "化德县", "下半年"],
        ["1.", "检测站建设", "化德县", "9月底前"],
        ["(1)", "检测站选址", "化德县", "3月底前"],
        ["二、品牌建设", None, "品牌办", "年底前"],
    ]
    plan = importer.parse_workbook(workbook(rows, header=FLAT_HEADER), task_list=task_list)

    assert plan.is_valid, plan.errors
    assert [(r.number, r.depth, r.content) for r in plan.rows] == [
        ("一、", 0, "推进种薯基地建设"),
        ("(一)", 1, "建设繁育基地"),
        ("(二)", 1, "完善检测体系"),
        ("1.", 2, "检测站建设"),
        ("(1)", 3, "检测站选址"),
        ("二、", 0, "品牌建设"),
    ]
    # (三) after (一) is a warning naming what was expected, not an error
    (warning,) = [p for p in plan.warnings if p.code == "sequence"]
    assert (warning.row, warning.column) == (6, "A")
    assert "(二)" in warning.message


def test_a_child_without_a_parent_is_an_error(task_list):
    rows = [
        ["(一)", "建设繁育基地", "卓资县", "6月底前"],
        ["一、", "推进种薯基地建设", "卓资县", "6月底前"],
    ]
    plan = importer.parse_workbook(workbook(rows, header=FLAT_HEADER), task_list=task_list)
    assert cells(plan) == {(4, "A", "no_parent")}
    assert not plan.is_valid


def test_decimal_numbering(world, task_list):
    task_list.numbering = "decimal"
    task_list.save()
    rows = [
        [1, "建设种薯基地", "卓资县", "6月底前"],
        ["1.1", "选址", "卓资县", "3月底"],
        [1.2, "施工", "卓资县", "6月底"],
        ["1.2.1", "土建", "卓资县", "5月底"],
        [2, "品牌建设", "品牌办", "年底前"],
        ["2.1", "宣传推介", "品牌办", "年底前"],
    ]
    plan = importer.parse_workbook(workbook(rows, header=FLAT_HEADER), task_list=task_list)
    assert plan.is_valid, plan.errors
    assert [(r.number, r.depth) for r in plan.rows] == [
        ("1", 0),
        ("1.1", 1),
        ("1.2", 1),
        ("1.2.1", 2),
        ("2", 0),
        ("2.1", 1),
    ]


def test_a_decimal_number_under_the_wrong_parent_is_an_error(task_list):
    rows = [
        [1, "建设种薯基地", "卓资县", "6月底前"],
        [2, "品牌建设", "品牌办", "年底前"],
        ["1.1", "选址", "卓资县", "3月底"],
    ]
    plan = importer.parse_workbook(workbook(rows, header=FLAT_HEADER), task_list=task_list)
    assert cells(plan) == {(6, "A", "wrong_parent")}


def test_a_measure_before_any_key_task_is_an_error(task_list):
    rows = [[1, None, "建设繁育基地", "卓资县", None, None, "6月底前", None], *ledger_rows()[:3]]
    merges = ["A5:A7", "B5:B7"]
    plan = importer.parse_workbook(workbook(rows, merges=merges), task_list=task_list)
    assert cells(plan) == {(4, "B", "no_parent")}


def test_key_task_on_its_own_row_with_measures_below(world, task_list):
    """The unmerged layout: 一 | key task | (empty), then numbered measures below it."""
    rows = [
        ["一", "推进种薯基地建设", None, None, None, None, None, None],
        [1, None, "建设繁育基地", "卓资县", None, None, "6月底前", None],
        [2, None, "完善检测体系", "化德县", None, None, "上半年", None],
        ["二", "品牌建设", None, "品牌办", None, None, "年底前", None],
        [1, None, "宣传推介", "品牌办", None, None, "三季度", None],
    ]
    plan = importer.parse_workbook(workbook(rows), task_list=task_list)
    assert plan.is_valid, plan.errors
    assert [(r.number, r.content, r.lead_unit) for r in plan.rows] == [
        ("一、", "推进种薯基地建设", None),
        ("(一)", "建设繁育基地", world.zhuozi),
        ("(二)", "完善检测体系", world.huade),
        ("二、", "品牌建设", world.brand),
        ("(一)", "宣传推介", world.brand),
    ]
    assert plan.rows[3].due_date == D(2023, 12, 31)


# --- problems by row and column --------------------------------------------------------


def broken_rows():
    rows = ledger_rows()
    rows[0][3] = "四子王旗"  # D4: no such unit
    rows[1][6] = "尽快"  # G5: not a deadline
    rows[4][4] = "品牌办、卓资县"  # E8: the lead unit cooperates too
    return rows


def test_problems_are_reported_by_row_and_column(world, task_list):
    plan = importer.parse_workbook(
        upload(workbook(broken_rows(), merges=LEDGER_MERGES)), task_list=task_list
    )
    assert not plan.is_valid
    assert cells(plan) == {
        (4, "D", "unknown_unit"),
        (5, "G", "deadline_unparseable"),
        (8, "E", "lead_is_cooperating"),
    }
    by_cell = {p.cell: p for p in plan.errors}
    assert by_cell["D4"].header == "牵头单位"
    assert "四子王旗" in by_cell["D4"].message
    assert by_cell["G5"].header == "完成时限"
    assert "尽快" in by_cell["G5"].message
    assert world.brand.name in by_cell["E8"].message
    # the rest of the plan is still shown
    assert len(plan.rows) == 9


def test_nothing_is_saved_from_an_invalid_plan(world, task_list):
    plan = importer.parse_workbook(
        upload(workbook(broken_rows(), merges=LEDGER_MERGES)), task_list=task_list
    )
    with pytest.raises(ValidationError) as caught:
        importer.commit(plan, actor=world.office)
    assert caught.value.code == "invalid_plan"
    assert not Task.objects.filter(task_list=task_list).exists()


def test_a_failure_half_way_saves_nothing(world, task_list, ledger, monkeypatch):
    plan = importer.parse_workbook(ledger, task_list=task_list)
    real = importer._create_related
    calls = []

    def failing(*args, **kwargs):
        real(*args, **kwargs)  # the first level's tasks are written, then…
        calls.append(1)
        if len(calls) == 2:
            raise ValidationError("boom")

    monkeypatch.setattr(importer, "_create_related", failing)
    with pytest.raises(ValidationError):
        importer.commit(plan, actor=world.office)
    assert len(calls) == 2
    assert not Task.objects.filter(task_list=task_list).exists()
    assert not Milestone.objects.exists()
    assert not AuditEvent.objects.filter(object_type="tasks.task").exists()


@pytest.mark.parametrize("persona", ["brand_staff", "zhuozi_liaison", "leader"])
def test_only_the_owning_office_may_commit(world, task_list, ledger, persona):
    plan = importer.parse_workbook(ledger, task_list=task_list)
    with pytest.raises(PermissionDenied):
        importer.commit(plan, actor=getattr(world, persona))
    assert not Task.objects.filter(task_list=task_list).exists()


def test_all_counties_cannot_lead(task_list):
    rows = ledger_rows()
    rows[0][3] = "各旗县市区"
    plan = importer.parse_workbook(
        upload(workbook(rows, merges=LEDGER_MERGES)), task_list=task_list
    )
    assert cells(plan) == {(4, "D", "all_counties_lead")}


def test_an_inactive_unit_is_unknown(world, task_list, ledger):
    world.huade.is_active = False
    world.huade.save()
    plan = importer.parse_workbook(ledger, task_list=task_list)
    assert cells(plan) == {(5, "E", "unknown_unit")}


def test_units_by_short_name_and_full_width_separators(world, task_list):
    world.crops.short_name = "种植科"
    world.crops.save()
    rows = ledger_rows()
    rows[0][4] = "种植科；化德县\n市场与信息化科"
    plan = importer.parse_workbook(
        upload(workbook(rows, merges=LEDGER_MERGES)), task_list=task_list
    )
    assert plan.is_valid, plan.errors
    assert plan.rows[1].cooperating_units == [world.crops, world.huade, world.it]


def test_missing_deadline_and_lead_are_warnings(task_list):
    rows = ledger_rows()
    rows[0][3] = None
    rows[0][6] = None
    plan = importer.parse_workbook(
        upload(workbook(rows, merges=LEDGER_MERGES)), task_list=task_list
    )
    assert plan.is_valid
    assert {(4, "D", "no_lead_unit"), (4, "G", "no_deadline")} <= cells(plan, importer.WARNING)


# --- bad files ---------------------------------------------------------------------------


def test_a_wrong_header_is_one_error_naming_the_expected_headers(task_list):
    header = [*HEADER]
    header[3] = "负责单位"
    plan = importer.parse_workbook(
        upload(workbook(ledger_rows(), header=header, merges=LEDGER_MERGES)),
        task_list=task_list,
    )
    assert not plan.is_valid
    assert plan.rows == []
    (problem,) = plan.problems
    assert (problem.row, problem.column, problem.code) == (3, "D", "bad_header")
    assert "负责单位" in problem.message
    for expected in ("序号", "具体措施", "牵头单位", "完成时限", "配合单位", "备注"):
        assert expected in problem.message


def test_a_missing_column_is_named(task_list):
    header = ["序号", "重点任务", "具体措施", "牵头单位"]
    plan = importer.parse_workbook(
        upload(workbook([r[:4] for r in ledger_rows()], header=header)), task_list=task_list
    )
    (problem,) = plan.problems
    assert problem.code == "bad_header"
    assert "完成时限" in problem.message.split(".")[0]


def test_a_sheet_without_a_header(task_list):
    plan = importer.parse_workbook(
        upload(workbook([["a", "b"]], header=["甲", "乙"])), task_list=task_list
    )
    assert [p.code for p in plan.problems] == ["no_header"]


def expect_refused(source, task_list, code):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        importer.parse_workbook(source, task_list=task_list)
    assert caught.value.code == code
    assert caught.value.messages[0]
    assert not Task.objects.filter(task_list=task_list).exists()
    return caught.value


def test_a_file_over_the_size_limit(task_list, settings):
    data = b"PK\x03\x04" + bytes(20 * 1_048_576)
    assert len(data) > settings.UPLOAD_MAX_BYTES
    error = expect_refused(upload(data, "big.xlsx"), task_list, "too_large")
    assert str(settings.UPLOAD_MAX_BYTES // 1_048_576) in error.messages[0]


def test_a_zip_bomb(task_list):
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        zeros = bytes(1_048_576)
        for _ in range(200):
            member.write(zeros)
    assert len(buffer.getvalue()) < 1_048_576
    expect_refused(upload(buffer.getvalue(), "bomb.xlsx"), task_list, "zip_bomb")


def test_a_text_file_renamed_xlsx(task_list):
    text = "序号,重点任务,具体措施\n1,推进,建设\n".encode()
    error = expect_refused(upload(text, "任务单.xlsx"), task_list, "not_xlsx")
    assert ".xlsx" in error.messages[0]


def test_a_zip_that_is_not_a_spreadsheet(task_list):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    expect_refused(upload(buffer.getvalue()), task_list, "not_xlsx")


def test_xml_entities_are_refused(task_list):
    """defusedxml at work: a worksheet declaring entities (billion laughs) is not read."""
    source = zipfile.ZipFile(io.BytesIO(workbook(ledger_rows(), merges=LEDGER_MERGES)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = data.decode()
                body = body.split("?>", 1)[1] if body.startswith("<?xml") else body
                data = (
                    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' + body
                ).encode()
            archive.writestr(info, data)
    expect_refused(upload(buffer.getvalue()), task_list, "not_xlsx")


def test_an_old_xls_name_is_refused(task_list):
    expect_refused(upload(b"\xd0\xcf\x11\xe0" + bytes(100), "任务单.xls"), task_list, "type")


# --- the view: dry run, then confirm -----------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pending_files(media):
    folder = media / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_dry_run_then_confirm(world, task_list, login, media):
    client = login(world.office)
    url = reverse("tasks:import", args=[task_list.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert 'type="file"' in page.content.decode()

    data = workbook(ledger_rows(), merges=LEDGER_MERGES)
    dry = client.post(url, {"file": upload(data)})
    assert dry.status_code == 200
    plan = dry.context["plan"]
    assert plan.is_valid
    assert len(plan.rows) == 9
    html = dry.content.decode()
    assert "建设脱毒种薯繁育基地5万亩" in html
    assert 'name="confirm"' in html
    assert not Task.objects.filter(task_list=task_list).exists()
    (stored,) = pending_files(media)
    assert stored.read_bytes() == data

    done = client.post(url, {"confirm": "1", "token": dry.context["token"]})
    assert done.status_code == 302
    assert done.url == reverse("tasks:list", args=[task_list.pk])
    assert Task.objects.filter(task_list=task_list).count() == 9
    assert Milestone.objects.filter(task__task_list=task_list).count() == 16
    assert pending_files(media) == []

    # confirming again does nothing: the file is gone
    client.post(url, {"confirm": "1", "token": dry.context["token"]})
    assert Task.objects.filter(task_list=task_list).count() == 9


def test_the_dry_run_lists_problems_and_offers_no_confirmation(world, task_list, login, media):
    client = login(world.office)
    url = reverse("tasks:import", args=[task_list.pk])
    response = client.post(url, {"file": upload(workbook(broken_rows(), merges=LEDGER_MERGES))})
    html = response.content.decode()
    assert response.context["plan"].errors
    assert "四子王旗" in html
    assert "尽快" in html
    assert 'name="confirm"' not in html
    assert pending_files(media) == []
    # a forged confirmation imports nothing
    client.post(url, {"confirm": "1", "token": "x"})
    assert not Task.objects.filter(task_list=task_list).exists()


def test_a_bad_file_is_explained_on_the_form(world, task_list, login, media):
    client = login(world.office)
    url = reverse("tasks:import", args=[task_list.pk])
    response = client.post(url, {"file": upload(b"not a spreadsheet", "任务单.xlsx")})
    assert response.status_code == 200
    assert response.context["plan"] is None
    assert response.context["form"].errors["file"]
    assert "xlsx" in response.content.decode()
    assert pending_files(media) == []


def test_cancel_removes_the_checked_file(world, task_list, login, media):
    client = login(world.office)
    url = reverse("tasks:import", args=[task_list.pk])
    client.post(url, {"file": upload(workbook(ledger_rows(), merges=LEDGER_MERGES))})
    assert len(pending_files(media)) == 1
    response = client.post(url, {"cancel": "1"})
    assert response.status_code == 302
    assert pending_files(media) == []
    assert not Task.objects.filter(task_list=task_list).exists()


def refused(client, task_list, media, status):
    url = reverse("tasks:import", args=[task_list.pk])
    assert client.get(url).status_code == status
    data = workbook(ledger_rows(), merges=LEDGER_MERGES)
    assert client.post(url, {"file": upload(data)}).status_code == status
    assert client.post(url, {"confirm": "1", "token": "x"}).status_code == status
    assert pending_files(media) == []


@pytest.mark.parametrize("persona", ["brand_staff", "leader"])
def test_who_sees_the_list_but_does_not_own_it_gets_403(
    world, task_list, make_task, login, media, persona
):
    # brand_staff works in 市场与信息化科: an assigned task it leads makes the list visible
    task = make_task(content="建设马铃薯大数据平台", lead=world.it)
    services.task_act(actor=world.office, task=task, action="assign")
    refused(login(getattr(world, persona)), task_list, media, 403)
    assert Task.objects.filter(task_list=task_list).count() == 1


@pytest.mark.parametrize("persona", ["zhuozi_liaison", "outsider", "auditor", "brand_staff"])
def test_who_cannot_see_the_list_gets_404(world, task_list, login, media, persona):
    # the list has no task in 卓资县 (nor any task at all): it is invisible to them
    refused(login(getattr(world, persona)), task_list, media, 404)
    assert not Task.objects.filter(task_list=task_list).exists()


def test_anonymous_users_are_sent_to_log_in(client, task_list):
    response = client.get(reverse("tasks:import", args=[task_list.pk]))
    assert response.status_code == 302
    assert "login" in response.url


def test_wrong_method(world, task_list, login):
    client = login(world.office)
    response = client.put(reverse("tasks:import", args=[task_list.pk]))
    assert response.status_code == 405
