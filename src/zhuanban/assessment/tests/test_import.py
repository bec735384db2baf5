"""Importing a scheme's items from Excel: the dry run's tree and problems by cell, the
all-or-nothing commit, the pages around them, and the blank template."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from zhuanban.assessment import importer, services
from zhuanban.assessment.lifecycle import SchemeStatus
from zhuanban.assessment.models import Evidence, Item, Method, Scheme
from zhuanban.core.models import AuditAction, AuditEvent

YEAR = 2023
TITLE = "2023年度马铃薯产业发展考核细则"
HEADER = [
    "序号",
    "考核内容",
    "分值（分）",  # as schemes write it: a hint in brackets
    "权重",
    "评分方式",
    "评分标准",
    "佐证材料",  # a variant of 佐证材料要求
    "牵头单位",  # a variant of 责任单位
]


def scheme_rows():
    """Rows 4 to 14 of a realistic scheme (the header is row 3)."""
    return [
        # 4
        ["一、", "重点任务落实", 30, 40, None, None, None, None],
        # 5: a heading without 分值 of its own (the sum of rows 6 and 7)
        ["（一）", "种薯繁育", None, None, None, None, None, None],
        # 6-7: 佐证材料 merged over both
        [
            "1.",
            "建设脱毒种薯繁育基地",
            12,
            None,
            "人工评分",
            "完成5万亩得12分，每少1千亩扣1分。",
            "验收报告、现场照片",
            "卓资县",
        ],
        [
            "2.",
            "完善种薯质量检测体系",
            8,
            None,
            None,
            "检测体系建成得8分。",
            None,
            "化德县、卓资县",
        ],
        # 8
        [
            "（二）",
            "调度数据按时报送",
            10,
            None,
            "调度报送及时率",
            "按时报送率×10分。",
            "调度报表",
            "各旗县市区",
        ],
        # 9: the points written in the content, 分值 left empty
        ["二、", "产业发展成效（60分）", None, 60, None, None, None, None],
        # 10-11: 序号 and 考核内容 merged over two rows; the criteria continue in row 11
        ["（一）", "工作成效", 40, None, None, "成效显著得40分，", "总结材料", "种植业管理科"],
        [None, None, None, None, None, "较好得30分，一般得20分。", "典型案例", None],
        # 12
        [
            "（二）",
            "督办通报扣分",
            20,
            None,
            "督办通报扣分",
            "每被通报一次扣2分，扣完为止。",
            None,
            "各旗县市区",
        ],
        # 13: the total row
        ["合计", None, 90, 100, None, None, None, None],
        # 14: a note merged over the whole width
        ["注：本细则由马铃薯产业办负责解释。"],
    ]


SCHEME_MERGES = ["G6:G7", "A10:A11", "B10:B11", "A14:H14"]


def workbook(rows, *, header=HEADER, merges=(), title=TITLE, percent_cells=()) -> bytes:
    """An .xlsx as offices send them: a title merged across, a subtitle, the header (row 3)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "考核细则"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(["（满分100分）"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    for cell in percent_cells:
        sheet[cell].number_format = "0%"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "考核细则.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def realistic() -> SimpleUploadedFile:
    return upload(workbook(scheme_rows(), merges=SCHEME_MERGES))


def row(number, title, points, *rest):
    """A data row: 序号, 考核内容, 分值, then 权重 … 责任单位 (empty unless given)."""
    values = [number, title, points, *rest]
    return values + [None] * (len(HEADER) - len(values))


def problems(plan, level=importer.ERROR):
    return {(p.cell, p.code) for p in plan.problems if p.level == level}


def messages_at(plan, cell):
    return [p.message for p in plan.problems if p.cell == cell]


@pytest.fixture
def scheme(world):
    """A fresh draft scheme of the potato office, without items."""
    return services.scheme_save(
        actor=world.office,
        office=world.potato,
        data={
            "title": "2023年度马铃薯产业发展考核",
            "year": YEAR,
            "period_start": datetime.date(YEAR, 1, 1),
            "period_end": datetime.date(YEAR, 12, 31),
        },
    )


# --- the dry run of a realistic scheme --------------------------------------------------


def test_the_plan_of_a_realistic_scheme(world, scheme):
    plan = importer.parse_workbook(realistic(), scheme=scheme)

    assert plan.is_valid, plan.errors
    assert plan.sheet == "考核细则"
    assert [(i.row, i.number, i.depth, i.title, i.points) for i in plan.items] == [
        (4, "一、", 0, "重点任务落实", "30"),
        (5, "(一)", 1, "种薯繁育", "20"),
        (6, "1.", 2, "建设脱毒种薯繁育基地", "12"),
        (7, "2.", 2, "完善种薯质量检测体系", "8"),
        (8, "(二)", 1, "调度数据按时报送", "10"),
        (9, "二、", 0, "产业发展成效", "60"),
        (10, "(一)", 1, "工作成效", "40"),
        (12, "(二)", 1, "督办通报扣分", "20"),
    ]
    by_row = {item.row: item for item in plan.items}
    assert [c.row for c in by_row[4].children] == [5, 8]
    assert by_row[4].weight == Decimal(40)
    assert by_row[9].weight == Decimal(60)
    assert by_row[5].weight is None
    # The merged 佐证材料 counts for both rows; row 11 continues row 10.
    assert by_row[6].evidence_required == by_row[7].evidence_required == "验收报告、现场照片"
    assert by_row[10].criteria == "成效显著得40分，\n较好得30分，一般得20分。"
    assert by_row[10].evidence_required == "总结材料\n典型案例"
    assert by_row[10].last_row == 11
    # Units by name; 各旗县市区 as every county.
    assert by_row[6].responsible_units == [world.zhuozi]
    assert by_row[7].responsible_units == [world.huade, world.zhuozi]
    assert set(by_row[8].responsible_units) == {world.zhuozi, world.huade}
    assert by_row[8].responsible_text == "各旗县市区"
    assert by_row[10].responsible_units == [world.crops]
    # Methods as written; the automatic ones are flagged for their source.
    assert [by_row[r].method for r in (6, 7, 8, 10, 12)] == [
        Method.MANUAL,
        Method.MANUAL,
        Method.DISPATCH,
        Method.MANUAL,
        Method.NOTICES,
    ]
    assert problems(plan, importer.WARNING) == {
        ("E8", "method_needs_source"),
        ("E12", "method_needs_source"),
        ("A13", "total_row"),
        ("A14", "note_row"),
    }
    assert plan.total_points == "90"
    assert plan.total_weight == "100"
    assert plan.leaf_count == 5


def test_the_dry_run_saves_nothing(world, scheme):
    events = AuditEvent.objects.count()

    importer.parse_workbook(realistic(), scheme=scheme)

    assert Item.objects.count() == 0
    assert AuditEvent.objects.count() == events


# --- committing ---------------------------------------------------------------------------


def test_commit_creates_the_tree_as_planned(world, scheme):
    plan = importer.parse_workbook(realistic(), scheme=scheme)

    created = importer.commit(plan, actor=world.office)

    items = list(scheme.items.order_by("sort_path"))
    assert created == items
    assert [(i.number, i.depth, i.title, i.max_score, i.is_heading) for i in items] == [
        ("一、", 0, "重点任务落实", Decimal(30), True),
        ("(一)", 1, "种薯繁育", Decimal(20), True),
        ("1.", 2, "建设脱毒种薯繁育基地", Decimal(12), False),
        ("2.", 2, "完善种薯质量检测体系", Decimal(8), False),
        ("(二)", 1, "调度数据按时报送", Decimal(10), False),
        ("二、", 0, "产业发展成效", Decimal(60), True),
        ("(一)", 1, "工作成效", Decimal(40), False),
        ("(二)", 1, "督办通报扣分", Decimal(20), False),
    ]
    first, seed, base, test, dispatch, second, results, notices = items
    assert [i.parent for i in items] == [None, first, seed, seed, first, None, second, second]
    assert [i.root for i in items] == [first] * 5 + [second] * 3
    assert (first.weight, second.weight, seed.weight) == (Decimal(40), Decimal(60), None)
    assert (dispatch.method, notices.method, results.method) == (
        Method.DISPATCH,
        Method.NOTICES,
        Method.MANUAL,
    )
    assert results.criteria == "成效显著得40分，\n较好得30分，一般得20分。"
    assert base.evidence_required == "验收报告、现场照片"
    assert set(test.responsible_units.all()) == {world.zhuozi, world.huade}
    assert test.responsible_text == "化德县、卓资县"
    assert set(notices.responsible_units.all()) == {world.zhuozi, world.huade}
    assert notices.responsible_text == "各旗县市区"
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.actor == world.office
    assert event.object_type == "assessment.scheme"
    assert event.object_id == str(scheme.pk)
    assert event.after["items"] == 8
    assert event.after["file"] == "考核细则.xlsx"
    assert event.after["sha256"] == plan.sha256
    assert len(plan.sha256) == 64


def test_the_imported_automatic_items_keep_the_scheme_from_opening(world, scheme):
    importer.commit(importer.parse_workbook(realistic(), scheme=scheme), actor=world.office)
    services.participants_set(actor=world.office, scheme=scheme, units=[world.zhuozi])

    with pytest.raises(ValidationError) as refused:
        services.scheme_act(actor=world.office, scheme=scheme, action="open")

    text = " ".join(refused.value.messages)
    assert "(二)" in text
    assert Scheme.objects.get(pk=scheme.pk).status == SchemeStatus.DRAFT


def test_decimal_numbers_nest_too(world, scheme):
    rows = [
        row("1", "组织领导", 10),
        row("1.1", "成立专班", 4),
        row("1.2", "制定方案", 6),
        row("1.2.1", "方案印发", 6),
        row("2", "工作成效", 90),
    ]

    plan = importer.parse_workbook(upload(workbook(rows)), scheme=scheme)

    assert plan.is_valid, plan.errors
    assert [(i.number, i.depth) for i in plan.items] == [
        ("一、", 0),
        ("(一)", 1),
        ("(二)", 1),
        ("1.", 2),
        ("二、", 0),
    ]
    assert problems(plan, importer.WARNING) == set()


# --- problems by cell ---------------------------------------------------------------------


def test_every_bad_cell_is_reported_at_once_and_nothing_is_imported(world, scheme):
    rows = [
        row("一、", "基础工作", 30),
        row("（一）", "组织领导", "十分"),  # C5: not a number
        row("（二）", "制度建设", -5),  # C6: negative
        row("（三）", "数据报送", 10, None, None, None, None, "卓资旗、化德县"),  # H7: unknown
        row("（四）", None, 10),  # B8: no content
        row("（五）", "宣传推介", None),  # C9: no points on a leaf
    ]

    plan = importer.parse_workbook(upload(workbook(rows)), scheme=scheme)

    assert not plan.is_valid
    assert problems(plan) == {
        ("C5", "bad_score"),
        ("C6", "negative_score"),
        ("H7", "unknown_unit"),
        ("B8", "no_content"),
        ("C9", "no_score"),
    }
    assert messages_at(plan, "C5") == [gettext("%(value)s is not a number.") % {"value": "“十分”"}]
    unknown = messages_at(plan, "H7")[0]
    assert "卓资旗" in unknown
    assert "卓资县" in unknown
    c5 = next(p for p in plan.problems if p.cell == "C5")
    assert c5.header == "分值（分）"
    with pytest.raises(ValidationError):
        importer.commit(plan, actor=world.office)
    assert Item.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


def test_points_and_weights_not_adding_up_are_warnings_saying_by_how_much(world, scheme):
    rows = [
        row("一、", "重点任务", 30, 40),
        row("（一）", "任务一", 20),
        row("（二）", "任务二", 5),
        row("二、", "工作成效", 70, 50),
        row("（一）", "成效一", 50),
        row("（二）", "成效二", 30),
    ]

    plan = importer.parse_workbook(upload(workbook(rows)), scheme=scheme)

    assert plan.is_valid, plan.errors
    assert problems(plan, importer.WARNING) == {
        ("C4", "children_sum"),
        ("C7", "children_sum"),
        ("D3", "weights_sum"),  # at the header of the column
    }
    assert messages_at(plan, "C4") == [
        gettext("Its sub-items' 分值 add up to %(sum)s, %(diff)s less than its own %(max)s.")
        % {"sum": "25", "diff": "5", "max": "30"}
    ]
    assert messages_at(plan, "C7") == [
        gettext("Its sub-items' 分值 add up to %(sum)s, %(diff)s more than its own %(max)s.")
        % {"sum": "80", "diff": "10", "max": "70"}
    ]
    weights = next(p for p in plan.problems if p.code == "weights_sum")
    assert weights.message == gettext(
        "The top-level weights add up to %(sum)s%%, %(diff)s%% short of 100%%."
    ) % {"sum": "90", "diff": "10"}


def test_weights_as_percentages_and_only_at_the_top(world, scheme):
    rows = [
        row("一、", "重点任务", 30, "40%"),
        row("（一）", "任务一", 30, 10),  # D5: a weight below the top
        row("二、", "工作成效", 70, 0.6),  # a percent cell: 60%
        row("三、", "加分项", 5, 120),  # D7: above 100
    ]

    plan = importer.parse_workbook(upload(workbook(rows, percent_cells=["D6"])), scheme=scheme)

    assert problems(plan) == {("D5", "weight_nested"), ("D7", "weight_range")}
    assert [i.weight for i in plan.roots[:2]] == [Decimal(40), Decimal(60)]


def test_a_skipped_level_and_a_wrong_decimal_parent(world, scheme):
    rows = [
        row("一、", "基础工作", 10),
        row("1.", "组织领导", 10),  # A5: 1. directly under 一、 (no (一) between)
        row("二、", "工作成效", 20),
    ]
    plan = importer.parse_workbook(upload(workbook(rows)), scheme=scheme)

    assert plan.is_valid, plan.errors
    assert problems(plan, importer.WARNING) == {("A5", "level_skipped")}
    assert plan.items[1].number == "(一)"
    assert plan.items[1].depth == 1

    decimal = [row("1", "基础工作", 10), row("1.1", "组织", 10), row("1.2.1", "方案", 10)]
    plan = importer.parse_workbook(upload(workbook(decimal)), scheme=scheme)

    assert ("A6", "wrong_parent") in problems(plan)


def test_unknown_methods_formulas_and_a_row_without_number(world, scheme):
    rows = [
        row("一、", "基础工作", "=C5+C6"),  # a heading's sum: not needed, not an error
        row("（一）", "组织领导", 4, None, "领导打分"),  # E5: unknown method
        row("（二）", "制度建设", "=2*3"),  # C6: a formula on a leaf
        row(None, "（续）制度执行情况", 2),  # C7: continues row 6, its points added
    ]

    plan = importer.parse_workbook(upload(workbook(rows)), scheme=scheme)

    assert problems(plan) == {("E5", "bad_method"), ("C6", "formula")}
    assert ("C7", "score_added") in problems(plan, importer.WARNING)
    assert plan.items[0].notes  # 分值 from its sub-items
    assert len(plan.items) == 3


def test_a_heading_sum_formula_is_computed_from_the_sub_items(world, scheme):
    rows = [
        row("一、", "基础工作", "=SUM(C5:C6)"),
        row("（一）", "组织", 4),
        row("（二）", "制度", 6),
    ]

    plan = importer.parse_workbook(upload(workbook(rows)), scheme=scheme)

    assert plan.is_valid, plan.errors
    assert plan.items[0].max_score == Decimal(10)


def test_a_missing_header_is_reported(world, scheme):
    rows = [row("一、", "基础工作", 10)]
    header = ["序号", "考核内容", "评分标准"]

    plan = importer.parse_workbook(upload(workbook(rows, header=header)), scheme=scheme)

    assert not plan.is_valid
    assert [p.code for p in plan.errors] == ["bad_header"]
    assert "分值" in plan.errors[0].message


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("考核细则.xlsx", b"this is not a workbook", "not_xlsx"),
        ("考核细则.xlsm", b"PK\x03\x04macros", "macro"),
        ("考核细则.xls", b"\xd0\xcf\x11\xe0old excel", "type"),
    ],
)
def test_a_file_that_is_not_an_xlsx_is_refused(world, scheme, name, data, code):
    with pytest.raises(ValidationError) as refused:
        importer.parse_workbook(upload(data, name), scheme=scheme)

    assert refused.value.code == code
    assert refused.value.messages[0]


# --- existing items -----------------------------------------------------------------------


def test_a_scheme_with_items_is_refused_unless_they_are_replaced(world, design):
    scheme = design.scheme
    before = list(scheme.items.values_list("pk", flat=True))

    plan = importer.parse_workbook(realistic(), scheme=scheme)

    assert ("", "not_empty") in problems(plan)
    assert not plan.is_valid
    with pytest.raises(ValidationError):
        importer.commit(plan, actor=world.office)
    assert list(scheme.items.values_list("pk", flat=True)) == before

    plan = importer.parse_workbook(realistic(), scheme=scheme, replace=True)

    assert plan.is_valid, plan.errors
    assert ("", "replacing") in problems(plan, importer.WARNING)
    importer.commit(plan, actor=world.office)
    assert not Item.objects.filter(pk__in=before).exists()
    assert scheme.items.count() == 8
    assert AuditEvent.objects.get(action=AuditAction.IMPORT).after["replaced"] == 6


def test_replacing_items_with_evidence_filed_is_refused(world, design):
    scheme = design.scheme
    participant = scheme.participants.get(unit=world.zhuozi)
    services.evidence_upload(
        actor=world.office,
        participant=participant,
        item=design.items.manual,
        upload=SimpleUploadedFile("总结.txt", "工作总结".encode()),
    )

    plan = importer.parse_workbook(realistic(), scheme=scheme, replace=True)

    assert ("", "evidence_filed") in problems(plan)
    assert scheme.items.count() == 6
    assert Evidence.objects.count() == 1


def test_commit_checks_who_and_when(world, scheme):
    plan = importer.parse_workbook(realistic(), scheme=scheme)

    with pytest.raises(PermissionDenied):
        importer.commit(plan, actor=world.brand_staff)
    Scheme.objects.filter(pk=scheme.pk).update(status=SchemeStatus.SELF)
    with pytest.raises(ValidationError):
        importer.commit(plan, actor=world.office)
    assert Item.objects.count() == 0


def test_commit_refuses_a_plan_when_the_scheme_changed_meanwhile(world, scheme):
    plan = importer.parse_workbook(realistic(), scheme=scheme)
    services.item_save(
        actor=world.office, scheme=scheme, data={"title": "新增", "max_score": Decimal(5)}
    )

    with pytest.raises(ValidationError) as refused:
        importer.commit(plan, actor=world.office)

    assert refused.value.code == "scheme_changed"
    assert scheme.items.count() == 1


def test_commit_queries_do_not_grow_with_the_items(world, scheme):
    def sheet(parts):
        rows = []
        for n in range(1, parts + 1):
            rows.append(row(f"{n}", f"第{n}部分", 10, None, None, None, None, "卓资县"))
            rows += [
                row(f"{n}.{m}", f"指标{n}.{m}", 5, None, None, "标准", "材料", "化德县")
                for m in (1, 2)
            ]
        return upload(workbook(rows))

    def count(parts):
        scheme.items.all().delete()
        plan = importer.parse_workbook(sheet(parts), scheme=scheme)
        assert plan.is_valid, plan.errors
        with CaptureQueriesContext(connection) as queries:
            importer.commit(plan, actor=world.office)
        return len(queries)

    # 6 items against 36: one insert per level of the tree. (SQLite takes at most ~49
    # items per insert, its limit of query parameters; PostgreSQL takes them all at once.)
    assert count(2) == count(12)


# --- the pages ------------------------------------------------------------------------------


def import_url(scheme):
    return reverse("assessment:scheme_import", args=[scheme.pk])


def test_the_office_checks_then_confirms_a_file(world, scheme, login):
    client = login(world.office)
    page = client.get(import_url(scheme))
    assert page.status_code == 200
    assert reverse("assessment:import_template") in page.content.decode()
    assert "replace" not in page.context["form"].fields

    checked = client.post(import_url(scheme), {"file": realistic()})

    assert checked.status_code == 200
    html = checked.content.decode()
    assert "建设脱毒种薯繁育基地" in html
    assert "(一)" in html
    assert 'name="confirm"' in html
    assert Item.objects.count() == 0
    token = checked.context["token"]

    done = client.post(import_url(scheme), {"confirm": "1", "token": token})

    assert done.status_code == 302
    assert done["Location"] == scheme.get_absolute_url()
    assert scheme.items.count() == 8
    assert client.session["assessment_import_pending"] == {}


def test_a_file_with_errors_shows_them_by_cell_and_offers_no_confirm(world, scheme, login):
    client = login(world.office)
    rows = [row("一、", "基础工作", "十分")]

    checked = client.post(import_url(scheme), {"file": upload(workbook(rows))})

    html = checked.content.decode()
    assert "C4" in html
    assert gettext("%(value)s is not a number.") % {"value": "“十分”"} in html
    assert 'name="confirm"' not in html
    assert checked.context["token"] is None
    assert Item.objects.count() == 0


def test_a_file_that_is_not_a_workbook_is_refused_on_the_form(world, scheme, login):
    client = login(world.office)

    checked = client.post(import_url(scheme), {"file": upload(b"macro", "考核细则.xlsm")})

    assert checked.status_code == 200
    assert checked.context["form"].errors["file"]
    assert checked.context["plan"] is None
    assert Item.objects.count() == 0


def test_confirming_with_a_stale_token_saves_nothing(world, scheme, login):
    client = login(world.office)
    client.post(import_url(scheme), {"file": realistic()})

    refused = client.post(import_url(scheme), {"confirm": "1", "token": "forged"}, follow=True)

    assert gettext("The checked file is no longer waiting for confirmation; upload it again.") in [
        str(m) for m in refused.context["messages"]
    ]
    assert Item.objects.count() == 0


def test_replacing_from_the_page(world, design, login):
    client = login(world.office)
    scheme = design.scheme
    page = client.get(import_url(scheme))
    assert "replace" in page.context["form"].fields

    refused = client.post(import_url(scheme), {"file": realistic()})
    assert ("", "not_empty") in problems(refused.context["plan"])
    checked = client.post(import_url(scheme), {"file": realistic(), "replace": "on"})
    assert checked.context["plan"].is_valid
    client.post(import_url(scheme), {"confirm": "1", "token": checked.context["token"]})

    assert scheme.items.count() == 8
    assert not scheme.items.filter(title="工作成效", max_score=15).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("potato_director", 200),
        ("brand_staff", 403),  # another office: sees the scheme, does not organise it
        ("leader", 403),
        ("inspector", 403),
        ("zhuozi_liaison", 404),  # a draft is not shown to the units
        ("sysadmin", 404),
        ("outsider", 404),
    ],
)
def test_only_the_organising_office_may_import(world, scheme, login, persona, status):
    client = login(getattr(world, persona))

    assert client.get(import_url(scheme)).status_code == status
    assert client.post(import_url(scheme), {"file": realistic()}).status_code == status
    assert Item.objects.count() == 0


def test_a_liaison_who_sees_an_opened_scheme_may_not_import(world, opened, login):
    client = login(world.zhuozi_liaison)

    assert client.get(import_url(opened.scheme)).status_code == 403
    assert client.post(import_url(opened.scheme), {"file": realistic()}).status_code == 403


def test_no_import_once_the_scheme_is_opened(world, opened, login):
    client = login(world.office)
    before = opened.scheme.items.count()

    response = client.post(import_url(opened.scheme), {"file": realistic(), "replace": "on"})

    assert response.status_code == 302
    assert opened.scheme.items.count() == before
    page = client.get(import_url(opened.scheme), follow=True)
    assert gettext("Items and units assessed change only while the scheme is being designed.") in [
        str(m) for m in page.context["messages"]
    ]


def test_the_import_page_wants_a_login_and_the_right_method(world, scheme, client, login):
    assert client.get(import_url(scheme)).status_code == 302
    client = login(world.office)
    assert client.put(import_url(scheme)).status_code == 405
    assert client.delete(import_url(scheme)).status_code == 405


def test_the_dry_run_page_costs_the_same_whatever_the_file(world, scheme, login):
    client = login(world.office)

    def queries(rows):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(import_url(scheme), {"file": upload(workbook(rows))})
        assert response.context["plan"].is_valid
        return len(captured)

    small = [row("一、", "基础工作", 10, None, None, None, None, "卓资县")]
    big = [
        row(f"{n}", f"指标{n}", 10, None, None, "标准", "材料", "各旗县市区") for n in range(1, 61)
    ]
    assert queries(small) == queries(big)


# --- the template --------------------------------------------------------------------------


def test_the_template_reads_back_and_imports_cleanly(world, scheme, login):
    client = login(world.office)

    response = client.get(reverse("assessment:import_template"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    data = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[3]] == [
        "序号",
        "考核内容",
        "分值",
        "权重",
        "评分方式",
        "评分标准",
        "佐证材料要求",
        "责任单位",
    ]
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width
    plan = importer.parse_workbook(upload(data, "template.xlsx"), scheme=scheme)
    assert plan.is_valid, plan.errors
    assert [(i.number, i.points) for i in plan.roots] == [("一、", "30"), ("二、", "70")]
    assert plan.total_weight == "100"


@pytest.mark.parametrize("persona", ["zhuozi_liaison", "sysadmin", "outsider"])
def test_the_template_is_for_the_offices(world, login, persona):
    client = login(getattr(world, persona))

    assert client.get(reverse("assessment:import_template")).status_code == 403


def test_messages_are_translated_by_number(world, scheme):
    plan = importer.parse_workbook(realistic(), scheme=scheme)
    note = plan.items[6].notes[0]

    assert note == ngettext(
        "Row %(rows)s has no 序号: read as part of this item.",
        "Rows %(rows)s have no 序号: read as part of this item.",
        1,
    ) % {"rows": "11"}


def test_points_written_in_the_content(world, scheme):
    rows = [
        row("一、", "产业发展（30分）", None),  # the points from the content
        row("（一）", "基地建设（30分）", 30),  # the same: the repetition dropped
        row("二、", "工作成效（20分）", 25),  # C6: another: the 分值 counts
    ]

    plan = importer.parse_workbook(upload(workbook(rows)), scheme=scheme)

    assert plan.is_valid, plan.errors
    assert [(i.title, i.points) for i in plan.items] == [
        ("产业发展", "30"),
        ("基地建设", "30"),
        ("工作成效（20分）", "25"),
    ]
    assert problems(plan, importer.WARNING) == {("C6", "title_points")}


def test_a_sheet_without_numbers_is_a_flat_list(world, scheme):
    rows = [
        row(None, "组织领导", 10),
        row(None, "制度建设", 20),
        row(None, None, None, None, None, "（续）"),
    ]

    plan = importer.parse_workbook(upload(workbook(rows)), scheme=scheme)

    assert plan.is_valid, plan.errors
    assert [(i.number, i.title, i.criteria) for i in plan.items] == [
        ("一、", "组织领导", ""),
        ("二、", "制度建设", "（续）"),
    ]
