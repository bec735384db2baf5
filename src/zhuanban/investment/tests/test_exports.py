"""The pipeline's two ledgers, opened again with openpyxl: 农牧业招商引资签约落地项目情况表
(signed projects grouped by county with subtotals, funds in place and 到位率, a grand total,
dropped-after-signing projects with their reason) and 向上争取政策项目清单调度台账 (the year's
applications, a totals row and the granted funds against the year before); their filters,
who gets which rows, text that looks like a formula, the audit record, flat query counts,
and LibreOffice printing both."""

import datetime
import io
import zipfile
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext
from openpyxl import load_workbook

from zhuanban.core import excel, ledger
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.core.tests.office import A3_LANDSCAPE, print_to_pdf
from zhuanban.core.tests.test_export_safety import assert_no_formulas, assert_shown_as_text
from zhuanban.investment import exports, services
from zhuanban.investment.lifecycle import Stage, UpwardAction, UpwardStatus
from zhuanban.investment.models import UpwardKind
from zhuanban.investment.tests.conftest import make_project
from zhuanban.org.roles import UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory, person

pytestmark = pytest.mark.django_db

SIGNED = reverse("investment:export_signed")
UPWARD = reverse("investment:export_upward")
FIRST_ROW = ledger.HEADER_ROW + 1
HOSTILE = '=HYPERLINK("http://x","点此")'


def this_year(days_back: int) -> datetime.date:
    """A day of this year, `days_back` days before today (never before 1 January)."""
    today = timezone.localdate()
    return max(today - datetime.timedelta(days=days_back), datetime.date(today.year, 1, 1))


def download(client, address: str, params=None) -> tuple:
    response = client.get(address, params or {})
    assert response.status_code == 200, response.status_code
    return response, b"".join(response.streaming_content)


def sheet_of(client, address: str = SIGNED, params=None):
    _response, content = download(client, address, params)
    return load_workbook(io.BytesIO(content)).active


def rows_of(ws) -> list[list]:
    return [[cell.value for cell in row] for row in ws.iter_rows(min_row=FIRST_ROW)]


def project_names(ws) -> list[str]:
    """The projects' names (the rows numbered in 序号; subtotals and totals are not)."""
    return [row[2] for row in rows_of(ws) if isinstance(row[0], int)]


def report(project, on, received: str, text: str = "进展顺利") -> None:
    services.project_report(
        actor=None, project=project, on=on, text=text, received=Decimal(received)
    )


def move(project, stage, on, reason: str = ""):
    return services.project_move(actor=None, project=project, to_stage=stage, on=on, reason=reason)


def subtotal_label(county) -> str:
    return gettext("%(county)s subtotal") % {"county": county.name}


def projects_text(count: int) -> str:
    return ngettext("%(count)d project", "%(count)d projects", count) % {"count": count}


@pytest.fixture
def pipeline(inv):
    """This year, signed or later: 卓资县's 奶业 (landed, 5000 of 5000 in place), 清退 (dropped
    after its signing, 3000, nothing in place), 马铃薯全粉 (signed, key, 2450 of 9800);
    化德县's 肉牛 (started, 6000 of 20000 in two reports). Left out: 卓资县's project still
    negotiating and the one dropped before its signing; 化德县's project of last year."""
    w = inv.world
    year = timezone.localdate().year
    ns = inv
    ns.year = year
    ns.dairy_p = make_project(
        inv,
        "卓资县奶业加工项目",
        chain=inv.dairy,
        stage=Stage.SIGNED,
        on=this_year(90),
        year=year,
        planned="5000",
        investor_origin="北京市",
    )
    ns.dairy_p = move(ns.dairy_p, Stage.LANDED, this_year(30))
    report(ns.dairy_p, this_year(20), "5000", "设备安装完成")
    ns.dropped_p = make_project(
        inv, "卓资县冷链物流项目", stage=Stage.SIGNED, on=this_year(80), year=year, planned="3000"
    )
    ns.dropped_p = move(ns.dropped_p, Stage.DROPPED, this_year(10), reason="投资方资金链断裂")
    ns.potato_p = make_project(
        inv,
        "马铃薯全粉加工项目",
        stage=Stage.SIGNED,
        on=this_year(60),
        year=year,
        planned="9800",
        is_key=True,
        investor_origin="山东省",
    )
    report(ns.potato_p, this_year(50), "2450", "用地手续办理中")
    ns.beef_p = make_project(
        inv,
        "化德县肉牛养殖项目",
        county=w.huade,
        chain=inv.beef,
        stage=Stage.SIGNED,
        on=this_year(70),
        year=year,
        planned="20000",
    )
    ns.beef_p = move(ns.beef_p, Stage.STARTED, this_year(40))
    report(ns.beef_p, this_year(35), "2000", "场地平整")
    report(ns.beef_p, this_year(5), "4000", "牛舍主体完工")
    make_project(inv, "卓资县洽谈中项目", stage=Stage.NEGOTIATING, on=this_year(5), year=year)
    never_signed = make_project(
        inv, "卓资县未签约即终止项目", stage=Stage.NEGOTIATING, on=this_year(50), year=year
    )
    move(never_signed, Stage.DROPPED, this_year(4), reason="未达成一致")
    ns.last_year_p = make_project(
        inv,
        "化德县上年签约项目",
        county=w.huade,
        stage=Stage.SIGNED,
        on=datetime.date(year - 1, 5, 10),
        year=year - 1,
        planned="1000",
    )
    return ns


# --- 农牧业招商引资签约落地项目情况表 -------------------------------------------------------------


def test_the_signed_table_row_by_row_with_subtotals_and_total(inv, login, pipeline):
    p, w = pipeline, inv.world
    response, content = download(login(inv.staff), SIGNED)
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment")
    assert quote(exports.signed_title()) in response["Content-Disposition"]
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None
    ws = load_workbook(io.BytesIO(content)).active
    assert ws["A1"].value == exports.signed_title()
    today = timezone.localdate()
    assert gettext("Date filled in: %(date)s") % {"date": today.isoformat()} in ws["A2"].value
    assert gettext("Year: %(year)d") % {"year": p.year} in ws["A2"].value
    header = [cell.value for cell in ws[ledger.HEADER_ROW]]
    assert header == [column.label for column in exports.signed_columns()]
    assert header[8] == pgettext("investment ledger", "Planned investment (10,000 yuan)")
    rows = rows_of(ws)
    assert len(rows) == 7  # 3 + subtotal, 1 + subtotal, the total
    dairy, dropped, potato, zhuozi, beef, huade, total = rows
    assert dairy[:8] == [
        1,
        w.zhuozi.name,
        "卓资县奶业加工项目",
        "商都县十八顷农业科技有限公司",
        "北京市",
        inv.dairy.name,
        gettext("No"),
        datetime.datetime.combine(this_year(90), datetime.time()),
    ]
    assert dairy[8:12] == [5000, 5000, 1, str(Stage.LANDED.label)]
    assert dairy[12] == datetime.datetime.combine(this_year(30), datetime.time())
    assert dairy[13] == "设备安装完成"  # the last report
    assert dropped[2] == "卓资县冷链物流项目"
    assert dropped[8:12] == [3000, 0, 0, str(Stage.DROPPED.label)]
    assert dropped[12] is None
    assert dropped[13] == gettext("Dropped: %(reason)s") % {"reason": "投资方资金链断裂"}
    assert potato[:3] == [3, w.zhuozi.name, "马铃薯全粉加工项目"]
    assert potato[6] == gettext("Yes")  # a key project
    assert potato[8:12] == [9800, 2450, 0.25, str(Stage.SIGNED.label)]
    assert potato[12] is None  # not yet landed
    assert zhuozi[:3] == [None, subtotal_label(w.zhuozi), projects_text(3)]
    assert zhuozi[8:11] == [17800, 7450, 0.4185]  # 7450 / 17800
    assert beef[:3] == [4, w.huade.name, "化德县肉牛养殖项目"]
    assert beef[8:12] == [20000, 6000, 0.3, str(Stage.STARTED.label)]
    assert beef[12] == datetime.datetime.combine(this_year(40), datetime.time())
    assert beef[13] == "牛舍主体完工"  # the latest of its two reports
    assert huade[1:3] == [subtotal_label(w.huade), projects_text(1)]
    assert huade[8:11] == [20000, 6000, 0.3]
    assert total[1:3] == [gettext("Total"), projects_text(4)]
    assert total[8:11] == [37800, 13450, 0.3558]
    # Amounts as numbers with two decimals, the rate as a percentage.
    first = ws[FIRST_ROW]
    assert first[8].number_format == exports.AMOUNT_FORMAT == "0.00"
    assert first[9].number_format == exports.AMOUNT_FORMAT
    assert first[10].number_format == exports.RATE_FORMAT
    assert ws[FIRST_ROW + 3][8].font.bold  # the subtotal in bold
    event = AuditEvent.objects.get(
        action=AuditAction.EXPORT, object_type="investment.signed_projects"
    )
    assert event.actor == inv.staff
    assert event.after == {
        "year": p.year,
        "county": None,
        "chain": None,
        "projects": 4,
        "format": "xlsx",
    }


def test_the_signed_table_is_laid_out_to_print(inv, login, pipeline):
    ws = sheet_of(login(inv.staff))
    assert ws.freeze_panes == f"A{FIRST_ROW}"
    assert ws.print_title_rows == f"${ledger.HEADER_ROW}:${ledger.HEADER_ROW}"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == excel.PAPER_A3
    assert ws.column_dimensions["C"].width == 28  # the project's name


def test_the_signed_table_of_a_county_a_chain_and_last_year(inv, login, pipeline):
    p, w = pipeline, inv.world
    client = login(inv.staff)
    ws = sheet_of(client, params={"county": w.huade.pk})
    assert project_names(ws) == ["化德县肉牛养殖项目"]
    assert w.huade.name in ws["A2"].value
    assert rows_of(ws)[-1][8:10] == [20000, 6000]
    ws = sheet_of(client, params={"chain": inv.dairy.pk})
    assert project_names(ws) == ["卓资县奶业加工项目"]
    assert inv.dairy.name in ws["A2"].value
    ws = sheet_of(client, params={"year": p.year - 1})
    assert project_names(ws) == ["化德县上年签约项目"]
    assert gettext("Year: %(year)d") % {"year": p.year - 1} in ws["A2"].value
    # Values that are not choices are left out, never an error.
    ws = sheet_of(client, params={"year": "x", "county": "y", "chain": "999999"})
    assert len(project_names(ws)) == 4
    # No project: the header, and a total of nought.
    ws = sheet_of(client, params={"year": 2001})
    assert rows_of(ws) == [
        [None, gettext("Total"), projects_text(0), *[None] * 5, 0, 0, None, None, None, None]
    ]


def test_a_county_liaison_gets_their_county_only(inv, login, pipeline):
    w = inv.world
    client = login(w.zhuozi_liaison)
    ws = sheet_of(client)
    assert project_names(ws) == ["卓资县奶业加工项目", "卓资县冷链物流项目", "马铃薯全粉加工项目"]
    assert rows_of(ws)[-1][8:10] == [17800, 7450]
    assert project_names(sheet_of(client, params={"county": w.huade.pk})) == []
    assert project_names(sheet_of(login(w.huade_liaison))) == ["化德县肉牛养殖项目"]
    # Those who read the whole pipeline get everything.
    for reader in (w.leader, w.office, w.inspector):
        assert len(project_names(sheet_of(login(reader)))) == 4, reader


def test_who_gets_no_signed_table(inv, login, pipeline, client):
    w = inv.world
    enterprise = OrgUnitFactory(
        code="ent-1", name="某食品公司", kind=UnitKind.ENTERPRISE, parent=w.zhuozi
    )
    company_login = person("ent-login", enterprise, name="企业账号")
    for user in (w.sysadmin, w.secadmin, w.auditor, w.outsider, company_login):
        assert login(user).get(SIGNED).status_code == 404, user
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    assert login(inv.staff).put(SIGNED).status_code == 405  # POST queues a job
    client.logout()
    assert client.get(SIGNED).status_code == 302


def test_text_from_users_never_becomes_a_formula_in_the_signed_table(inv, login, pipeline):
    hostile = make_project(
        inv,
        "=1+1",
        stage=Stage.SIGNED,
        on=this_year(3),
        year=pipeline.year,
        investor="+1+1",
        investor_origin="@SUM(A1)",
    )
    report(hostile, this_year(2), "0", HOSTILE)
    _response, content = download(login(inv.staff), SIGNED)
    assert_no_formulas(content)
    assert_shown_as_text(content, ["=1+1", "+1+1", "@SUM(A1)", HOSTILE])


def _queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        _response, content = download(client, address)
    assert content
    return len(captured)


def test_the_signed_table_runs_the_same_queries_for_2_or_10_projects(inv, login):
    w = inv.world
    client = login(inv.staff)
    year = timezone.localdate().year

    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            county = w.zhuozi if n % 2 else w.huade
            project = make_project(
                inv, f"签约项目{n}", county=county, stage=Stage.SIGNED, on=this_year(30), year=year
            )
            report(project, this_year(20), "100")
            report(project, this_year(10), "50")

    add(0, 2)
    small = _queries(client, SIGNED)
    add(2, 8)
    large = _queries(client, SIGNED)
    assert len(project_names(sheet_of(client))) == 10
    assert large == small


def test_libreoffice_prints_the_signed_table(inv, login, pipeline, tmp_path):
    _response, content = download(login(inv.staff), SIGNED)
    printed = print_to_pdf(content, tmp_path, "signed")
    assert "马铃薯全粉加工项目" in printed.text
    assert "化德县肉牛养殖项目" in printed.text
    if printed.page_size:
        assert printed.page_size == A3_LANDSCAPE


# --- 向上争取政策项目清单调度台账 ---------------------------------------------------------------


def upward(
    inv,
    title: str,
    *,
    year: int,
    kind=UpwardKind.FUNDS,
    requested=None,
    chain=None,
    submitted=None,
    approved=None,
    granted=None,
    rejected=None,
    **fields,
):
    application = services.upward_save(
        actor=inv.staff,
        title=title,
        kind=kind,
        authority=fields.pop("authority", "自治区农牧厅"),
        chain=chain or inv.potato,
        office=inv.office,
        year=year,
        led_by=fields.pop("led_by", "王振华"),
        amount_requested=Decimal(requested) if requested is not None else None,
        progress=fields.pop("progress", ""),
    )
    if submitted:
        application = services.upward_act(
            actor=inv.staff, application=application, action=UpwardAction.SUBMIT, on=submitted
        )
    if approved:
        application = services.upward_act(
            actor=inv.staff,
            application=application,
            action=UpwardAction.APPROVE,
            on=approved,
            granted=Decimal(granted) if granted is not None else None,
        )
    if rejected:
        application = services.upward_act(
            actor=inv.staff,
            application=application,
            action=UpwardAction.REJECT,
            on=rejected,
            reason="不符合申报条件",
        )
    return application


@pytest.fixture
def applications(inv):
    """This year: 马铃薯产业发展支持资金 (funds, 1000 requested, 500 granted), the 马铃薯国家
    优势特色产业集群 (project, 5000 requested, submitted), 肉牛 policy (preparing), 奶业 funds
    (rejected); last year: 马铃薯 funds (400 granted) — so the granted funds grow 25%."""
    year = timezone.localdate().year
    last = datetime.date(year - 1, 9, 1)
    ns = inv
    ns.year = year
    ns.funds = upward(
        inv,
        "马铃薯产业发展支持资金",
        year=year,
        requested="1000",
        submitted=this_year(60),
        approved=this_year(20),
        granted="500",
        progress="资金已下达",
    )
    ns.cluster = upward(
        inv,
        "马铃薯国家优势特色产业集群项目",
        year=year,
        kind=UpwardKind.PROJECT,
        authority="农业农村部",
        requested="5000",
        submitted=this_year(30),
        led_by="张海龙",
    )
    ns.policy = upward(
        inv, "肉牛产业扶持政策", year=year, kind=UpwardKind.POLICY, chain=inv.beef, led_by=""
    )
    ns.rejected = upward(
        inv,
        "奶业振兴资金",
        year=year,
        chain=inv.dairy,
        requested="800",
        submitted=this_year(40),
        rejected=this_year(10),
    )
    ns.last_year = upward(
        inv,
        "上年马铃薯产业资金",
        year=year - 1,
        requested="600",
        submitted=last,
        approved=last + datetime.timedelta(days=30),
        granted="400",
    )
    return ns


def test_the_upward_ledger_row_by_row_with_totals_and_the_year_before(inv, login, applications):
    a = applications
    response, content = download(login(inv.world.leader), UPWARD)
    assert quote(exports.upward_title()) in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(content)).active
    assert ws["A1"].value == exports.upward_title()
    today = timezone.localdate()
    assert gettext("Date filled in: %(date)s") % {"date": today.isoformat()} in ws["A2"].value
    header = [cell.value for cell in ws[ledger.HEADER_ROW]]
    assert header == [column.label for column in exports.upward_columns()]
    assert header[7] == pgettext("investment ledger", "Amount requested (10,000 yuan)")
    rows = rows_of(ws)
    assert len(rows) == 4 + 1 + 3  # applications, totals, the comparison with last year
    by_title = {row[1]: row for row in rows[:4]}
    assert set(by_title) == {a.funds.title, a.cluster.title, a.policy.title, a.rejected.title}
    funds = by_title[a.funds.title]
    assert funds[2:10] == [
        str(UpwardKind.FUNDS.label),
        "自治区农牧厅",
        inv.potato.name,
        inv.office.name,
        "王振华",
        1000,
        500,
        str(UpwardStatus.APPROVED.label),
    ]
    assert funds[10] == datetime.datetime.combine(this_year(60), datetime.time())
    assert funds[11] == datetime.datetime.combine(this_year(20), datetime.time())
    assert funds[12] == "资金已下达"
    cluster = by_title[a.cluster.title]
    assert cluster[2:4] == [str(UpwardKind.PROJECT.label), "农业农村部"]
    assert cluster[6:10] == ["张海龙", 5000, None, str(UpwardStatus.SUBMITTED.label)]
    assert cluster[11] is None
    policy = by_title[a.policy.title]
    assert policy[6:10] == [None, None, None, str(UpwardStatus.PREPARING.label)]
    rejected = by_title[a.rejected.title]
    assert rejected[9] == str(UpwardStatus.REJECTED.label)
    assert rejected[12] == gettext("Not approved: %(reason)s") % {"reason": "不符合申报条件"}
    assert [row[0] for row in rows[:4]] == [1, 2, 3, 4]
    totals, this, last, change = rows[4:]
    assert totals[:2] == [
        gettext("Total"),
        ngettext("%(count)d application", "%(count)d applications", 4) % {"count": 4},
    ]
    assert totals[7:9] == [6800, 500]  # requested by all; granted to the approved
    assert this[1] == gettext("Granted in %(year)d (10,000 yuan)") % {"year": a.year}
    assert this[8] == 500
    assert last[1] == gettext("Granted in %(year)d (10,000 yuan)") % {"year": a.year - 1}
    assert last[8] == 400
    assert change[1] == gettext("Change on the year before (%)")
    assert change[8] == 25  # 支持资金同比增加25%
    assert ws[FIRST_ROW][7].number_format == exports.AMOUNT_FORMAT
    assert ws.auto_filter.ref == f"A{ledger.HEADER_ROW}:M{ledger.HEADER_ROW + 4}"
    assert ws.freeze_panes == f"A{FIRST_ROW}"
    assert ws.page_setup.orientation == "landscape"
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="investment.upward")
    assert event.actor == inv.world.leader
    assert event.after == {"year": a.year, "applications": 4, "format": "xlsx"}


def test_the_upward_ledger_of_last_year(inv, login, applications):
    ws = sheet_of(login(inv.staff), UPWARD, {"year": applications.year - 1})
    rows = rows_of(ws)
    assert [row[1] for row in rows[:1]] == ["上年马铃薯产业资金"]
    assert rows[1][7:9] == [600, 400]
    assert rows[3][8] == 0  # nothing granted the year before that
    assert rows[4][8] == "—"  # no change to compute against nought


def test_who_gets_the_upward_ledger(inv, login, applications, client):
    w = inv.world
    for reader in (w.leader, w.office, w.brand_staff, w.inspector, inv.staff):
        assert len(rows_of(sheet_of(login(reader), UPWARD))) == 8, reader
    enterprise = OrgUnitFactory(
        code="ent-1", name="某食品公司", kind=UnitKind.ENTERPRISE, parent=w.zhuozi
    )
    company_login = person("ent-login", enterprise, name="企业账号")
    for user in (
        w.zhuozi_liaison,
        w.huade_liaison,
        w.sysadmin,
        w.auditor,
        w.outsider,
        company_login,
    ):
        assert login(user).get(UPWARD).status_code == 404, user
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 5
    assert login(inv.staff).put(UPWARD).status_code == 405  # POST queues a job
    client.logout()
    assert client.get(UPWARD).status_code == 302


def test_text_from_users_never_becomes_a_formula_in_the_upward_ledger(inv, login):
    upward(inv, "=1+1", year=timezone.localdate().year, authority="@SUM(A1)", progress=HOSTILE)
    _response, content = download(login(inv.staff), UPWARD)
    assert_no_formulas(content)
    assert_shown_as_text(content, ["=1+1", "@SUM(A1)", HOSTILE])


def test_the_upward_ledger_runs_the_same_queries_for_2_or_10_applications(inv, login):
    client = login(inv.staff)
    year = timezone.localdate().year

    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            chain = inv.potato if n % 2 else inv.beef
            upward(inv, f"争取事项{n}", year=year, chain=chain, requested="100")

    add(0, 2)
    small = _queries(client, UPWARD)
    add(2, 8)
    large = _queries(client, UPWARD)
    assert len(rows_of(sheet_of(client, UPWARD))) == 10 + 4
    assert large == small


def test_libreoffice_prints_the_upward_ledger(inv, login, applications, tmp_path):
    _response, content = download(login(inv.staff), UPWARD)
    printed = print_to_pdf(content, tmp_path, "upward")
    assert "马铃薯国家优势特色产业集群项目" in printed.text
    if printed.page_size:
        assert printed.page_size == A3_LANDSCAPE
