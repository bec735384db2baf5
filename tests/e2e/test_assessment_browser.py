"""An assessment (考核) end to end in a real Chromium, on the Ulanqab demo.

The potato office designs the year's potato-industry assessment of four counties: on
its desktop it sees the item tree numbered 一、(一)…, the warning while the top-level
weights do not yet add up to 100, and starts the self-assessment. 卓资县's liaison, on a
phone, scores an item on the scorecard's inline (HTMX) form — first above the maximum
(refused, naming the maximum, nothing saved), then properly with a reason, the header's
totals following without a reload — files a PDF as evidence (its name and SHA-256 on the
list), opens the data behind an automatic score (the tasks counted), and cannot open
化德县's scorecard (404). The office then starts the review, the reviews are recorded,
and the scheme's page ranks the counties with totals and grades.

The scheme, its tasks and report rounds are built here through the services, as the
office and the counties would; the demo supplies the organisation, the people and the
supervision notices (the notices item deducts for them). No page reports a Content
Security Policy violation or a console error beyond the two refusals the test provokes.
"""

import datetime
import hashlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from browsing import (
    assert_clean,
    assert_no_error,
    assert_no_horizontal_scroll,
    click_and_wait,
    text_of,
    watched,
)
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.translation import gettext

from zhuanban.assessment import services
from zhuanban.assessment.lifecycle import SchemeStatus, SelfStatus
from zhuanban.assessment.models import Evidence, Grade, Method, Participant, Score
from zhuanban.assessment.scoring import period_of, tasks_of
from zhuanban.demo import org_data
from zhuanban.dispatch.models import Cadence, DispatchRound, SubmissionStatus, TableTemplate
from zhuanban.dispatch.periods import PeriodKind
from zhuanban.org.models import OrgUnit
from zhuanban.tasks import services as task_services
from zhuanban.tasks.lifecycle import Status as TaskStatus
from zhuanban.tasks.models import Task

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
D = Decimal

# The four counties assessed, by division code, with their liaison's username.
ZHUOZI, HUADE, SHANGDU, HOUQI = "150921", "150922", "150923", "150928"
COUNTIES = (ZHUOZI, HUADE, SHANGDU, HOUQI)
LIAISONS = {code: username for username, _name, code in org_data.COUNTY_LIAISONS}

SELF_REASON = (
    "全县完成马铃薯脱毒种薯原种扩繁5200亩，超过年度目标；种薯质量追溯台账已建立，"
    "佐证材料见扩繁基地验收资料。"
)
EVIDENCE_DESCRIPTION = "种薯扩繁基地验收资料"

# Self and review scores of the manual items, by item key: (self, review, review reason).
MANUAL_SCORES = {
    HUADE: {
        "seed": ("19", "19", "原种扩繁面积完成目标，种薯质量追溯台账个别批次记录不全，扣1分。"),
        "processing": ("14", "13", "加工转化率达到62%，较目标低3个百分点，扣2分。"),
        "brand": ("10", "9", "参加产销对接会2次，线上推介材料不全，扣1分。"),
        "market": ("15", "14", "仓储保鲜设施运行正常，个别贮藏窖温湿度记录缺失，扣1分。"),
    },
    SHANGDU: {
        "seed": ("18", "17", "扩繁面积达到目标的90%，扣2分；追溯台账个别批次信息不全，扣1分。"),
        "processing": ("13", "12", "加工转化率58%，扣3分。"),
        "brand": ("9", "8", "品牌宣传推介活动次数不足，扣2分。"),
        "market": ("13", "12", "产销对接签约量未达目标，扣3分。"),
    },
    HOUQI: {
        "seed": ("20", "19", "种质资源圃建设有序推进，追溯台账格式不规范，扣1分。"),
        "processing": ("15", "14", "加工转化率64%，扣1分。"),
        "brand": ("10", "9", "品牌授权企业用标检查记录不全，扣1分。"),
        "market": ("14", "13", "电商直播销售点运营台账不完整，扣2分。"),
    },
    ZHUOZI: {
        "seed": (None, "16", "扩繁面积达标，追溯台账覆盖率不足80%，扣4分。"),
        "processing": ("13", "12", "产地初加工中心尚未投产，加工转化率55%，扣3分。"),
        "brand": ("8", "8", "自评属实。"),
        "market": ("14", "13", "贮藏窖通风设施老化，整改未完成，扣2分。"),
    },
}
SELF_REASONS = {
    "seed": "原种扩繁面积完成年度目标，种薯质量追溯台账已建立。",
    "processing": "马铃薯加工转化率达到年度目标，见加工企业统计台账。",
    "brand": "参加中国马铃薯大会和产销对接会，组织线上推介。",
    "market": "新建贮藏窖并投入使用，开展产销对接签约。",
}


# --- helpers ------------------------------------------------------------------------------


def zh(text: str) -> str:
    """A msgid as the pages show it (zh-hans), whatever language the test runs in."""
    with translation.override("zh-hans"):
        return gettext(text)


def with_zh_params(msgid: str, **params) -> str:
    return zh(msgid) % params


def zh_label(choice) -> str:
    with translation.override("zh-hans"):
        return str(choice.label)


def pdf(path, title="Seed potato base acceptance report"):
    """A small valid one-page PDF (catalog, page tree, page, content, font, xref)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        body += b"%010d 00000 n \n" % offset
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(body))
    return path


# --- the data: a scheme of the potato office, built as the office would ----------------------


def scheme_year(today: datetime.date) -> int:
    """This year's scheme once the year has a few months of data, else last year's."""
    return today.year if today >= datetime.date(today.year, 5, 1) else today.year - 1


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, 0, tzinfo=timezone.get_current_timezone()
    )


def build(today: datetime.date) -> SimpleNamespace:
    """The potato office's assessment in design, with the tasks and the report rounds
    its automatic items read. The top-level weights add up to 90: the notices item (10)
    comes later, once the office has seen the warning."""
    users = get_user_model().objects.in_bulk(["office", *LIAISONS.values()], field_name="username")
    office = users["office"]
    potato = OrgUnit.objects.get(code="office-potato")
    counties = {code: OrgUnit.objects.get(code=code, kind="county") for code in COUNTIES}
    year = scheme_year(today)
    end = min(today, datetime.date(year, 12, 31))

    # Tasks of the office's assessment list: (county, content, due days before `end`,
    # closed days before `end` or None while open).
    task_list = task_services.tasklist_create(
        actor=office,
        office=potato,
        title=f"{year}年马铃薯产业发展考核任务清单",
        year=year,
        level="city",
    )
    specs = [
        (ZHUOZI, "完成马铃薯脱毒种薯原种扩繁500亩", 75, 80),
        (ZHUOZI, "建成马铃薯贮藏窖2座，新增贮藏能力1万吨", 45, 40),
        (ZHUOZI, "组织马铃薯晚疫病统防统治技术培训3期", 20, 25),
        (HUADE, "建设马铃薯原种繁育网棚100亩", 70, 72),
        (HUADE, "建成马铃薯电商直播销售点2处", 30, 31),
        (SHANGDU, "建设马铃薯全程机械化示范基地1万亩", 65, 66),
        (SHANGDU, "培育马铃薯加工龙头企业1家", 40, 42),
        (SHANGDU, "完成马铃薯产地初加工设施改造10处", 15, None),
        (HOUQI, "建设马铃薯种质资源圃1处", 60, 55),
        (HOUQI, "推广马铃薯水肥一体化技术5000亩", 25, 26),
    ]
    tasks = {}
    for code, content, due_days, closed_days in specs:
        due = end - datetime.timedelta(days=due_days)
        task = task_services.task_create(
            actor=office,
            task_list=task_list,
            content=content,
            lead_unit=counties[code],
            start_date=datetime.date(year, 1, 1),
            due_date=due,
        )
        closed = end - datetime.timedelta(days=closed_days) if closed_days else None
        Task.objects.filter(pk=task.pk).update(
            counts_in_assessment=True,
            status=TaskStatus.CLOSED if closed else TaskStatus.IN_PROGRESS,
            closed_at=at(closed, 17) if closed else None,
        )
        tasks.setdefault(code, []).append(task)

    # Three monthly rounds of the potato-chain table, due in the period: who reported by
    # the deadline (True), who did not report (False).
    template = TableTemplate.objects.get(code="potato-chain")
    version = template.versions.order_by("-number").first()
    last_month = end.month if end.day > 5 else end.month - 1
    on_time = {
        ZHUOZI: (True, True, False),
        HUADE: (True, True, True),
        SHANGDU: (True, True, True),
        HOUQI: (True, False, True),
    }
    for n, month in enumerate(range(last_month - 3, last_month)):
        if DispatchRound.objects.filter(
            template=template,
            cadence=Cadence.MONTHLY_DISPATCH,
            period_kind=PeriodKind.MONTH,
            year=year,
            period_number=month,
        ).exists():
            continue  # the demo's own round of that month counts as it is
        due = datetime.date(year, month + 1, 5)
        round_ = DispatchRound.objects.create(
            office=potato,
            template=template,
            template_version=version,
            title=f"{template.title}（{year}年{month}月）",
            cadence=Cadence.MONTHLY_DISPATCH,
            period_kind=PeriodKind.MONTH,
            year=year,
            period_number=month,
            opens_on=datetime.date(year, month + 1, 1),
            due_on=due,
            locks_on=datetime.date(year, month + 1, 10),
        )
        round_.units.set(counties.values())
        for code, county in counties.items():
            reported = on_time[code][n]
            round_.submissions.create(
                unit=county,
                status=SubmissionStatus.SUBMITTED if reported else SubmissionStatus.PENDING,
                first_submitted_at=at(due - datetime.timedelta(days=2)) if reported else None,
            )

    scheme = services.scheme_save(
        actor=office,
        office=potato,
        data={
            "title": f"{year}年度马铃薯产业发展考核",
            "year": year,
            "assessor": "乌兰察布市农牧局",
            "basis": "依据《乌兰察布市马铃薯产业高质量发展实施方案》，对种薯繁育、标准化种植、"
            "加工转化、品牌建设和产销对接等重点任务进行考核。",
            "period_start": datetime.date(year, 1, 1),
            "period_end": datetime.date(year, 12, 31),
        },
    )

    def add(title, max_score, method=Method.MANUAL, parent=None, units=(), **fields):
        # 责任单位: the bureau's sections that answer for the item (a county named
        # here would supply evidence, and so see every county's scorecard).
        return services.item_save(
            actor=office,
            scheme=scheme,
            parent=parent,
            data={"title": title, "max_score": D(max_score), "method": method, **fields},
            responsible_units=[sections[code] for code in units],
        )

    sections = OrgUnit.objects.in_bulk(
        ["sec-industry", "sec-market", "sec-crops", "sta-extension"], field_name="code"
    )
    tasks_heading = add("重点任务落实", 30, weight=D(30))
    items = SimpleNamespace(
        tasks_heading=tasks_heading,
        tasks=add(
            "马铃薯产业重点任务按期办结",
            20,
            Method.TASKS,
            tasks_heading,
            task_list=task_list,
            units=("sec-industry",),
            criteria="按期办结率×20分。",
        ),
        dispatch=add(
            "全产业链调度数据按时报送",
            10,
            Method.DISPATCH,
            tasks_heading,
            template=template,
            units=("sec-market",),
            criteria="按时报送率×10分。",
        ),
        seed=add(
            "种薯繁育体系建设",
            20,
            weight=D(20),
            units=("sec-crops", "sta-extension"),
            criteria="脱毒种薯扩繁面积完成年度目标的得20分，每低于目标10%扣2分；"
            "未建立种薯质量追溯台账的扣5分。",
            evidence_required="种薯扩繁基地验收资料、种薯质量追溯台账、现场照片",
        ),
    )
    processing_heading = add("加工转化与品牌建设", 25, weight=D(25))
    items.processing_heading = processing_heading
    items.processing = add(
        "马铃薯加工转化率",
        15,
        parent=processing_heading,
        units=("sec-industry",),
        criteria="加工转化率达到65%的得15分，每低1个百分点扣1分。",
        evidence_required="加工企业名录及加工量统计台账",
    )
    items.brand = add(
        "“乌兰察布马铃薯”品牌宣传推介",
        10,
        parent=processing_heading,
        units=("sec-market",),
        criteria="组织或参加品牌推介活动不少于3次的得10分，每少1次扣2分。",
        evidence_required="活动通知、照片和宣传报道",
    )
    items.market = add(
        "产销对接与仓储保鲜",
        15,
        weight=D(15),
        units=("sec-market", "sec-industry"),
        criteria="新增仓储保鲜能力和产销对接签约量均完成目标的得15分。",
        evidence_required="仓储设施验收资料、产销对接签约协议",
    )
    services.participants_set(actor=office, scheme=scheme, units=list(counties.values()))
    return SimpleNamespace(
        scheme=scheme,
        items=items,
        tasks=tasks,
        counties=counties,
        users=users,
        office=office,
        year=year,
    )


def self_assess_others(data) -> None:
    """The other three counties score themselves, file evidence and submit; 卓资县 has
    scored two of its four manual items so far."""
    for code in (HUADE, SHANGDU, HOUQI, ZHUOZI):
        liaison = data.users[LIAISONS[code]]
        participant = data.scheme.participants.get(unit=data.counties[code])
        for key, (own, _review, _reason) in MANUAL_SCORES[code].items():
            if own is None or (code == ZHUOZI and key == "brand"):
                continue
            services.score_self(
                actor=liaison,
                score=participant.scores.get(item=getattr(data.items, key)),
                value=D(own),
                reason=SELF_REASONS[key],
            )
        if code == ZHUOZI:
            continue
        name = data.counties[code].name
        services.evidence_upload(
            actor=liaison,
            participant=participant,
            item=data.items.seed,
            upload=SimpleUploadedFile(
                f"{name}种薯扩繁基地验收资料.pdf",
                b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                content_type="application/pdf",
            ),
            description=EVIDENCE_DESCRIPTION,
        )
        services.participant_act(actor=liaison, participant=participant, action="submit")


def review_all(data) -> None:
    """The office's reviewers score every manual item of every county, with reasons."""
    for code in COUNTIES:
        participant = data.scheme.participants.get(unit=data.counties[code])
        for key, (_own, review, reason) in MANUAL_SCORES[code].items():
            services.score_review(
                actor=data.office,
                score=participant.scores.get(item=getattr(data.items, key)),
                value=D(review),
                reason=reason,
            )


# --- the test -----------------------------------------------------------------------------


def test_an_office_runs_an_assessment_and_a_county_self_assesses_on_a_phone(
    new_page, log_in, screenshot_path, tmp_path
):
    today = timezone.localdate()
    data = build(today)
    scheme, items = data.scheme, data.items

    # --- the office designs: the tree, numbered, and the weights' warning ---------------------
    office = log_in(watched(new_page(**DESKTOP)), "office")
    assert_clean(office, "home")
    office.goto(f"/assessment/{scheme.pk}/")
    assert_clean(office, "scheme (design)")
    assert text_of(office, "#scheme-status") == zh_label(SchemeStatus.DRAFT)
    numbers = office.locator("#item-tree .item-number").all_inner_texts()
    assert [n.strip() for n in numbers] == [
        "一、",
        "(一)",
        "(二)",
        "二、",
        "三、",
        "(一)",
        "(二)",
        "四、",
    ]
    tree = office.locator("#item-tree").inner_text()
    for item in (items.tasks, items.dispatch, items.seed, items.brand, items.market):
        assert item.title in tree
    short = with_zh_params(
        "Top-level weights add up to %(actual)s, %(gap)s short of %(expected)s.",
        actual="90",
        gap="10",
        expected="100",
    )
    assert text_of(office, "#weight-warnings") == short

    # The last item, the deduction for supervision notices: the weights now add up.
    items.notices = services.item_save(
        actor=data.office,
        scheme=scheme,
        data={
            "title": "督办通报扣分",
            "max_score": D(10),
            "weight": D(10),
            "method": Method.NOTICES,
            "points_per_notice": D(2),
            "criteria": "考核期内被市农牧局督办通报的，每次扣2分，扣完为止。",
            "responsible_text": "市农牧局办公室",
        },
    )
    office.reload()
    assert_clean(office, "scheme (weights complete)")
    assert office.locator("#weight-warnings").count() == 0
    assert office.locator(f"#item-{items.notices.pk} .item-number").inner_text().strip() == "五、"

    # The office starts the self-assessment: scores kept, automatic items computed.
    click_and_wait(office, "form.act-open button[type=submit]")
    assert_no_error(office)
    assert_clean(office, "scheme (opened)")
    assert text_of(office, "#scheme-status") == zh_label(SchemeStatus.SELF)
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.SELF
    assert Score.objects.filter(participant__scheme=scheme).count() == 4 * 7

    zhuozi_card = scheme.participants.select_related("unit").get(unit__code=ZHUOZI)
    huade_card = scheme.participants.get(unit__code=HUADE)
    tasks_score = zhuozi_card.scores.get(item=items.tasks)
    # 卓资县: three tasks fell due, two closed by their deadline → 20 × 2/3.
    assert tasks_score.auto_score == D("13.33")
    assert tasks_score.auto_basis == {"due": 3, "on_time": 2}

    self_assess_others(data)

    # --- 卓资县's liaison, on a phone: the scorecard ------------------------------------------
    zhuozi = log_in(watched(new_page(**PHONE)), "zhuozi")
    zhuozi.goto(f"/assessment/units/{zhuozi_card.pk}/")
    assert_clean(zhuozi, "scorecard")
    assert_no_horizontal_scroll(zhuozi)
    assert "卓资县" in text_of(zhuozi, "h1")
    assert text_of(zhuozi, "#sc-self-status") == zh_label(SelfStatus.PENDING)
    zhuozi_card.refresh_from_db()
    before_total = zhuozi_card.self_total
    assert text_of(zhuozi, "#sc-self-total") == str(before_total)
    # Two manual items still await the unit's own score.
    seed_score = zhuozi_card.scores.get(item=items.seed)
    assert seed_score.self_score is None
    line = f"#item-{items.seed.pk}"
    form = f"#self-form-{seed_score.pk}"
    assert zhuozi.locator(form).is_visible()
    # A mark on the window: gone if the page reloads.
    zhuozi.evaluate("window.__sameDocument = true")

    # Above the maximum: the line comes back with the error naming the maximum.
    zhuozi.fill(f"{form} input[name=self_score]", "25")
    zhuozi.fill(f"{form} textarea[name=self_reason]", SELF_REASON)
    with zhuozi.expect_response(lambda r: r.url.endswith(f"/scores/{seed_score.pk}/self/")) as sent:
        zhuozi.click(f"{form} button[type=submit]")
    assert sent.value.status == 422
    refused = with_zh_params(
        "The score %(score)s is above this item's maximum of %(max)s.", score="25", max="20"
    )
    error = zhuozi.locator(f"{line} .errorlist")
    error.first.wait_for()
    assert refused in error.all_inner_texts()[0]
    # What was typed is kept, and nothing was saved.
    assert zhuozi.locator(f"{form} input[name=self_score]").input_value() == "25"
    assert zhuozi.locator(f"{form} textarea[name=self_reason]").input_value() == SELF_REASON
    seed_score.refresh_from_db()
    assert (seed_score.self_score, seed_score.self_reason) == (None, "")
    assert text_of(zhuozi, "#sc-self-total") == str(before_total)
    assert zhuozi.evaluate("window.__sameDocument") is True
    assert_clean(
        zhuozi,
        "scorecard (score refused)",
        refused=[(422, f"/assessment/scores/{seed_score.pk}/self/")],
    )

    # A proper score with its reason: saved, the header's totals follow, no reload.
    zhuozi.fill(f"{form} input[name=self_score]", "18")
    with zhuozi.expect_response(lambda r: r.url.endswith(f"/scores/{seed_score.pk}/self/")) as sent:
        zhuozi.click(f"{form} button[type=submit]")
    assert sent.value.status == 200
    zhuozi.locator(f"{line} .sc-note").wait_for()
    assert text_of(zhuozi, f"{line} .sc-note") == zh("Saved.")
    assert zhuozi.locator(f"{line} .errorlist").count() == 0
    seed_score.refresh_from_db()
    assert seed_score.self_score == D("18.00")
    assert seed_score.self_reason == SELF_REASON
    assert seed_score.self_by == data.users["zhuozi"]
    zhuozi_card.refresh_from_db()
    assert zhuozi_card.self_total == before_total + D(18)
    assert text_of(zhuozi, "#sc-self-total") == str(zhuozi_card.self_total)
    assert text_of(zhuozi, f"{line} .sc-self .sc-value") == "18.00"
    assert SELF_REASON in text_of(zhuozi, f"{line} .sc-self")
    assert zhuozi.evaluate("window.__sameDocument") is True
    assert_clean(zhuozi, "scorecard (score saved)")

    # Evidence: a PDF uploaded against the item, listed with its name and SHA-256.
    report = pdf(tmp_path / "卓资县种薯扩繁基地验收资料.pdf")
    digest = hashlib.sha256(report.read_bytes()).hexdigest()
    evidence = f"#evidence-{items.seed.pk}"
    zhuozi.click(f"{evidence} details.sc-add > summary")
    zhuozi.locator(f"{evidence} input[name=file]").set_input_files(str(report))
    zhuozi.fill(f"{evidence} input[name=description]", EVIDENCE_DESCRIPTION)
    assert_no_horizontal_scroll(zhuozi)
    click_and_wait(zhuozi, f"{evidence} form.sc-evidence-form button[type=submit]")
    assert_no_error(zhuozi)
    assert_clean(zhuozi, "scorecard (evidence filed)")
    filed = Evidence.objects.select_related("file").get(participant=zhuozi_card, item=items.seed)
    assert filed.file.sha256 == digest
    assert filed.file.name == report.name
    assert filed.file.size == report.stat().st_size
    assert filed.added_by == data.users["zhuozi"]
    assert filed.description == EVIDENCE_DESCRIPTION
    listed = zhuozi.locator(f"#evidence-file-{filed.pk}")
    assert report.name in listed.locator(".sc-file-name").inner_text()
    assert f"SHA-256 {digest[:12]}" in listed.locator(".sc-hash").inner_text()
    assert listed.locator(".sc-hash").get_attribute("title") == f"SHA-256 {digest}"
    assert_no_horizontal_scroll(zhuozi)

    # The data behind an automatic score: the tasks counted, on time or not.
    with zhuozi.expect_navigation():
        zhuozi.locator(f"#item-{items.tasks.pk} a.sc-basis").click()
    assert zhuozi.url.endswith(f"/assessment/scores/{tasks_score.pk}/basis/")
    assert_clean(zhuozi, "score basis")
    assert_no_horizontal_scroll(zhuozi)
    assert text_of(zhuozi, "#basis-score") == "13.33"
    start, end = period_of(scheme)
    counted = list(tasks_of(zhuozi_card, items.tasks, start, end))
    assert {t.pk for t in counted} == {t.pk for t in data.tasks[ZHUOZI]}
    rows = zhuozi.locator("#basis-rows tbody tr")
    assert rows.count() == 3
    for task in data.tasks[ZHUOZI]:
        row = zhuozi.locator(f"#task-{task.pk}")
        assert task.content in row.inner_text()
    assert zhuozi.locator("#basis-rows tr.sc-on-time").count() == 2
    assert zhuozi.locator("#basis-rows tr.sc-late").count() == 1
    for other in data.tasks[HUADE]:
        assert zhuozi.locator(f"#task-{other.pk}").count() == 0
    formula = text_of(zhuozi, "#basis-formula")
    assert formula == with_zh_params(
        "%(done)s of %(total)s tasks closed on time → %(max)s × %(done)s/%(total)s = %(score)s",
        done=2,
        total=3,
        max="20",
        score="13.33",
    )

    # Back to the scorecard: the picture for the README is the item just scored, whole
    # (the phone's page is long: the header alone fills the screen).
    zhuozi.goto(f"/assessment/units/{zhuozi_card.pk}/")
    assert_clean(zhuozi, "scorecard (again)")
    assert text_of(zhuozi, "#sc-self-total") == str(zhuozi_card.self_total)
    assert_no_horizontal_scroll(zhuozi)
    top, height = zhuozi.evaluate(
        """(id) => {
          const box = document.getElementById(id).getBoundingClientRect();
          return [box.top + window.scrollY, box.height];
        }""",
        f"item-{items.seed.pk}",
    )
    zhuozi.screenshot(
        path=screenshot_path("assessment-scorecard.png"),
        full_page=True,
        clip={"x": 0, "y": top - 8, "width": PHONE["width"], "height": height + 16},
    )

    # --- another county's scorecard is not even there for him --------------------------------
    response = zhuozi.goto(f"/assessment/units/{huade_card.pk}/")
    assert response.status == 404
    assert "化德县" not in zhuozi.content()
    assert_clean(
        zhuozi, "化德县's scorecard", refused=[(404, f"/assessment/units/{huade_card.pk}/")]
    )
    zhuozi.goto(f"/assessment/{scheme.pk}/")
    assert_clean(zhuozi, "scheme (county)")
    ranking = zhuozi.locator("#ranking-table tbody tr")
    assert ranking.count() == 1
    assert "卓资县" in ranking.inner_text()
    assert (
        zhuozi.locator(f"#ranking-table a[href='/assessment/units/{huade_card.pk}/']").count() == 0
    )

    # --- 卓资县 completes and submits; the office reviews and ranks --------------------------
    services.score_self(
        actor=data.users["zhuozi"],
        score=zhuozi_card.scores.get(item=items.brand),
        value=D("8"),
        reason=SELF_REASONS["brand"],
    )
    services.participant_act(actor=data.users["zhuozi"], participant=zhuozi_card, action="submit")
    office.reload()
    assert_clean(office, "scheme (self-assessment submitted)")
    click_and_wait(office, "form.act-review button[type=submit]")
    assert_no_error(office)
    assert text_of(office, "#scheme-status") == zh_label(SchemeStatus.REVIEW)
    review_all(data)
    office.reload()
    assert_clean(office, "scheme (reviewed)")

    expected = list(
        Participant.objects.filter(scheme=scheme)
        .select_related("unit")
        .order_by("-total", "unit__sort_order", "unit__code")
    )
    assert all(p.unscored == 0 and p.total is not None and p.grade for p in expected)
    assert {p.grade for p in expected} >= {Grade.GOOD, Grade.AVERAGE}
    rows = office.locator("#ranking-table tbody tr")
    assert rows.count() == 4
    for position, participant in enumerate(expected):
        row = rows.nth(position)
        assert row.get_attribute("id") == f"unit-{participant.pk}"
        assert participant.unit.name in row.inner_text()
        assert row.locator("td.total").inner_text().strip() == f"{participant.total:.2f}"
        assert row.locator(".grade").inner_text().strip() == zh_label(Grade(participant.grade))
    # 化德县: every task and report on time, 81 points reviewed, the demo's two notices
    # deduct 4 of the 10 → 91, 好.
    huade_card.refresh_from_db()
    assert huade_card.grade == Grade.GOOD, huade_card.total
    assert expected[0].unit.code == HUADE

    office.screenshot(path=screenshot_path("assessment-scheme.png"), full_page=True)
