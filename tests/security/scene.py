"""The data the suite attacks: 化德县's private objects beside 卓资县's own, built through
the services as the screens build them.

卓资县's liaison may see: the shared task list and the task 卓资县 leads; the shared table's
rounds and 卓资县's own submission in them; indicators (every signed-in user does, with
their own line only); offices, chains and the organisation tree.

They may not see anything below: 化德县's task (with its attachment, evidence, report and
extension request), the task list only 化德县 works on, 化德县's submission in the shared
round, the table only 化德县 fills with its rounds and snapshot, 化德县's unit page, a
notification addressed to 化德县's liaison, 化德县's indicator figure.

Supervision: 卓资县's liaison sees the inspection group covering 卓资县, 卓资县's visit
carried out with its finding and rectification item, and the notice issued to both
counties (its reasons and requirements, as printed for every unit concerned, but only
卓资县's own reply). They may not see the group covering only 化德县, 化德县's visit with
its photos, research report and findings, the visit planned there (unannounced: not even
化德县 sees it), 化德县's rectification items with their reports and evidence, the notice
issued to 化德县 alone with its reply, 化德县's reply to the shared notice, nor the potato
office's drafts.

Assessment: the potato office's scheme assessing both counties, in self-assessment, as
imported from the usual form (its first item's 责任单位 "各旗县市区": both counties supply
evidence for it). 卓资县's liaison sees the scheme, its items and 卓资县's own scorecard
(with its place in the ranking), not 化德县's scorecard: its self-assessed reasons, its
evidence (uploaded, and linked from 化德县's task), the tasks and notices behind its
computed scores. Nor the scheme assessing 化德县 alone (under review by the potato office's
director, with the review's reasons), nor the office's scheme still being designed (not
even the counties it will assess see it).

Documents and meetings: the potato office's draft never consulted on (its title, its
text and its .docx: nobody outside the bureau sees them); a document consulting 化德县
alone, with 化德县's answer; a document consulting both counties, on whose round
卓资县's liaison reads its own answer and not 化德县's, and whose opinion adoption table
(every answer) is the bureau's; an issued document, which every county reads, with the
earlier draft that was never put to anyone. Meetings are the bureau's: the bureau
meeting held with 化德县's topic (its material and decision) and the task its decision
became (led by 化德县), and the director's meeting still collecting topics, with
another topic of the office's about 化德县 — a county sees none of them.

Brand register (原味乌兰察布): 化德县's 塞外薯业 with its own login (`world.huade_applicant`,
its unit the enterprise's org unit), licensed after its county's first review and the brand
office's review (their opinions, an expert opinion added during the review, its quality
inspection report), a packaging photo of its logo use, a draft application for another
product, its sales of last year and this year, and this year's re-review reported by the
enterprise (its evidence and notes) and sent to rectification (a brand item in the shared
loop, for the enterprise's unit); 化德县's 草原晨曦乳业, not authorized, its application
awaiting 化德县's first review. Private to 化德县 (and to the bureau): the contact phone,
the full credit code, the opinions, the file names, the figures, the notes and the
reason for rectification; the names of the unauthorized enterprise and of the draft's
product. The enterprises holding a valid licence, their products and validity are public
(the verification pages), the rest never. 卓资县's 阴山优麦, licensed, with its sales and
its re-review awaiting the report: 卓资县's liaison reads it, and acts on none of it (the
brand office keeps the register; only the enterprise or the office reports).

Investment pipeline (招商引资): the investment office (农牧领域招商办) with its member
(`world.investment_staff`), who sets the signing stage's clock. 化德县's liaison enters
化德县's project (its investor, construction content and planned investment), moves it to
its signing long ago with the signed agreement as evidence and reports its progress with
the funds in place: stalled at 签约 past the clock's limit, it is red. 化德县's other
project is dropped, with the reason. 化德县's promotion event (its summary) produced the
red project. 卓资县's own project (signed lately, green) came out of an event the
investment office recorded in 卓资县, which produced 化德县's red project as well: on that
event's page 卓资县's liaison finds its own project, not 化德县's. Private to 化德县 (and
to the bureau): the projects' names, the investor, the content, the amounts, the
agreement's file name, the progress, the drop reason, the event's title and summary. The
potato office's upward application (向上争取: what is sought, the progress, the amount) is
the bureau's alone: no county reads it.

Reports (汇报): the bureau's 信息动态 and the potato office's 马铃薯工作动态. A published issue
of each is the bureau's circular, read by every county. The potato office's draft about
化德县's starch plant (its title, its sections) is seen by the office's staff alone (and the
leaders, who compose the bureau's series only): 卓资县's liaison finds it nowhere, nor the
potato office's report template (汇报材料) with its opening paragraph, nor the office's or
化德县's dashboards.
"""

import datetime
import io
import struct
import zlib
from decimal import Decimal
from types import SimpleNamespace

import docx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django.utils import timezone
from stdnum.cn import uscc

from zhuanban.assessment import services as assessment_services
from zhuanban.assessment.lifecycle import SchemeAction
from zhuanban.assessment.models import Method
from zhuanban.brand import services as brand_services
from zhuanban.brand.lifecycle import AppAction, ReviewAction
from zhuanban.brand.models import (
    AttachmentKind,
    Category,
    Channel,
    Enterprise,
    EnterpriseKind,
    Inspection,
)
from zhuanban.core import notify
from zhuanban.core.files import store_upload
from zhuanban.dispatch import services as dispatch_services
from zhuanban.dispatch.models import Cadence, Indicator
from zhuanban.dispatch.periods import Period, PeriodKind
from zhuanban.documents import services as document_services
from zhuanban.documents.lifecycle import DocAction, MeetingAction, Outcome
from zhuanban.documents.models import Kind, MeetingKind
from zhuanban.investment import services as investment_services
from zhuanban.investment.lifecycle import Stage, UpwardAction
from zhuanban.investment.models import ActivityKind, EventKind, UpwardKind
from zhuanban.org.models import Chain
from zhuanban.org.roles import Role, UnitKind
from zhuanban.org.tests.factories import ChainFactory, OrgUnitFactory, person
from zhuanban.rectification import services as rectification_services
from zhuanban.reports import services as report_services
from zhuanban.reports.models import Bulletin, ReportTemplate, Series, SeriesKind
from zhuanban.supervision import notice_services
from zhuanban.supervision import services as supervision_services
from zhuanban.supervision.lifecycle import NoticeAction
from zhuanban.supervision.models import (
    FindingKind,
    IssuingAuthority,
    NoticeKind,
    ReasonKind,
    VisitKind,
    VisitStatus,
)
from zhuanban.tasks import services as task_services
from zhuanban.tasks.lifecycle import Action

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Texts that only 化德县's private data contains: none may appear on a page, export or
# API answer that 卓资县's liaison receives.
HUADE_TASK = "化德县白音特拉冷链物流园建设"
HUADE_ONLY_LIST = "化德县冷链物流专项任务单"
HUADE_ONLY_TASK = "化德县乡镇冷库补短板"
HUADE_ATTACHMENT = "化德县冷库设计方案.pdf"
HUADE_EVIDENCE = "化德县冷库验收单.pdf"
HUADE_REPORT = "钢构吊装完成三分之二"
HUADE_EXTENSION = "钢构到货延迟二十天"
HUADE_NOTE = "化德县内部备注八四二"
HUADE_TABLE = "化德县肉羊出栏统计表"
HUADE_NOTIFICATION = "化德县专属提醒九一七"
HUADE_JOB = "化德县导出台账任务三七五"
HUADE_FIGURE = Decimal("8642.13")
# Supervision and rectification
HUADE_GROUP = "化德县冷链仓储专项督导组"
HUADE_VISIT_PLACE = "化德县七号冷库施工现场"
HUADE_PLANNED_PLACE = "化德县朝阳镇暗访点五一九"
HUADE_PHOTO = "化德县冷库现场照片.png"
HUADE_FINDING_PHOTO = "化德县温控室照片.png"
HUADE_RESEARCH = "化德县冷库运营调研结论五七九"
HUADE_RESEARCH_FILE = "化德县冷库调研报告.pdf"
HUADE_FINDING = "化德县冷库温控记录缺失三二八"
HUADE_PROBLEM = "化德县冷库消防通道堵塞六三一"
HUADE_REQUIREMENT = "化德县冷库消防通道限期清理"
HUADE_RESPONSE = "化德县已加装消防标识七四零"
HUADE_RECTIFICATION_EVIDENCE = "化德县消防整改验收单.pdf"
HUADE_NOTICE_TITLE = "关于化德县冷库建设滞后的督办通报"
HUADE_NOTICE_REASON = "化德县冷库项目投资完成率仅百分之十九"
HUADE_NOTICE_REQUIREMENT = "化德县须于月底前报送冷库整改方案"
HUADE_NOTICE_REPLY = "化德县冷库整改方案已由县政府审定"
HUADE_REPLY_FILE = "化德县通报回复材料.pdf"
HUADE_SHARED_REPLY = "化德县仓储设施复工情况说明八六五"
HUADE_SHARED_REPLY_FILE = "化德县仓储复工佐证.pdf"
HUADE_DRAFT_TITLE = "关于化德县冷库专项资金拨付的督办通报"
HUADE_REVIEW_TITLE = "关于化德县冷链物流园用地审批的督办通报"
ZHUOZI_GROUP = "卓资县种薯基地督导组"
ZHUOZI_VISIT_PLACE = "卓资县巴音锡勒镇种薯繁育基地"
ZHUOZI_PROBLEM = "卓资县种薯窖通风设施不足"
SHARED_NOTICE_TITLE = "关于马铃薯仓储设施建设进度的督办通报"
# Assessment
HUADE_ASSESSED_TASK = "化德县马铃薯窖藏改造考核任务"
HUADE_SELF_REASON = "化德县冷库项目自评说明三九一"
HUADE_SCHEME_FILE = "化德县考核佐证材料四六八.pdf"
HUADE_SCHEME_FILE_NOTE = "化德县佐证说明二五七"
HUADE_REVIEW_SCHEME = "2023年度化德县冷链物流专项考核"
HUADE_REVIEW_SELF_REASON = "化德县冷链专项自评说明六零八"
HUADE_REVIEW_REASON = "化德县冷链专项评审扣分说明七一五"
HUADE_REVIEW_FILE = "化德县冷链专项佐证.pdf"
DRAFT_SCHEME = "化德县草原生态保护考核草案"
DRAFT_ITEM = "化德县草场禁牧落实九四六"
SHARED_SCHEME = "2023年度马铃薯仓储设施建设考核"
ZHUOZI_SELF_REASON = "卓资县种薯窖改造全部完工"
# Documents and meetings
HUADE_DRAFT_DOC = "化德县冷链物流园用电补贴办法（内部稿）"
HUADE_DRAFT_TEXT = "化德县冷链物流园用电补贴每千瓦时三角七分"
HUADE_DRAFT_FILE = "化德县用电补贴办法内部稿.docx"
HUADE_CONSULTED_DOC = "化德县肉羊屠宰场迁建实施方案"
HUADE_CONSULTED_TEXT = "化德县肉羊屠宰场迁建选址八一六"
HUADE_CONSULTED_FILE = "化德县屠宰场迁建方案征求意见稿.docx"
HUADE_LETTER = "请化德县重点审阅迁建选址条款二九四"
HUADE_OPINION = "化德县建议屠宰场选址远离水源地四七三"
HUADE_SHARED_OPINION = "化德县建议仓储补贴比例提高到百分之四十二"
UNDISCLOSED_DRAFT_TEXT = "种薯补贴内部测算口径六九二"
HUADE_TOPIC = "化德县马铃薯淀粉厂技改贴息议题"
HUADE_TOPIC_SUMMARY = "化德县淀粉厂技改总投资一点三亿元五五三"
HUADE_TOPIC_FILE = "化德县淀粉厂技改测算表.pdf"
HUADE_DECISION = "同意对化德县淀粉厂技改项目贴息二百六十万元"
HUADE_DECISION_TASK = "化德县落实淀粉厂技改贴息资金拨付"
HUADE_PENDING_TOPIC = "化德县草原防火物资储备议题"
HUADE_PENDING_FILE = "化德县防火物资清单.pdf"
SHARED_DOC = "乌兰察布市马铃薯仓储设施建设补贴方案"
SHARED_DOC_TEXT = "对新建马铃薯仓储设施按投资额给予补贴。"
ZHUOZI_OPINION = "卓资县建议将种薯窖纳入补贴范围"
ISSUED_DOC = "乌兰察布市马铃薯种薯补贴实施方案"
ISSUED_TEXT = "对使用脱毒种薯的种植户每亩补贴五十元。"
ISSUE_NUMBER = "乌农牧发〔2023〕18号"
# Brand register
HUADE_ENTERPRISE = "化德县塞外薯业有限公司"
HUADE_PENDING_ENTERPRISE = "化德县草原晨曦乳业有限公司"
HUADE_PRODUCT = "塞外薯业马铃薯全粉"  # licensed: public
HUADE_DRAFT_PRODUCT = "塞外薯业紫薯全粉六五三"
HUADE_PHONE = "0474-6183527"
HUADE_CREDIT_NUMBER = 7_261_938  # the credit codes' serial part (see credit_code)
HUADE_COUNTY_OPINION = "化德县初审核实种植基地五千二百亩"
HUADE_OFFICE_OPINION = "专家组建议加强淀粉含量检测三一七"
HUADE_INSPECTION_FILE = "化德县薯业质检报告.pdf"
HUADE_EXPERT_FILE = "化德县薯业专家评审意见.pdf"
HUADE_PACKAGING = "五公斤礼盒装九二六"
HUADE_LOGO_PHOTO = "化德县薯业礼盒包装照片.png"
HUADE_SALES = Decimal("3728.46")
HUADE_SALES_LAST = Decimal("2961.07")
HUADE_LOGO_NOTE = "礼盒装在京东旗舰店销售八三九"
HUADE_BRAND_EVIDENCE = "化德县薯业用标佐证.pdf"
HUADE_BRAND_RECTIFICATION = "化德县薯业礼盒未按规范使用标识四八五"
# Made by the public page's check (registry._public_licence_page), not by the scene.
HUADE_REMOVAL_REASON = "化德县薯业抽检不合格予以清退二七一"
ZHUOZI_ENTERPRISE = "卓资县阴山优麦食品有限公司"
ZHUOZI_PRODUCT = "阴山优麦燕麦片"
ZHUOZI_SALES = Decimal("1520.30")
# Investment pipeline
HUADE_PROJECT = "化德县马铃薯变性淀粉扩产项目"
HUADE_INVESTOR = "深圳禾丰源生物科技有限公司"
HUADE_PROJECT_CONTENT = "新建年产两万吨变性淀粉生产线四一九"
HUADE_PLANNED = Decimal("7395.16")
HUADE_RECEIVED = Decimal("1863.27")
HUADE_AGREEMENT = "化德县变性淀粉项目投资协议.pdf"
HUADE_PROGRESS = "厂房地基已完成浇筑六二八"
HUADE_DROPPED_PROJECT = "化德县燕麦秸秆饲料加工项目"
HUADE_DROP_REASON = "投资方资金链断裂撤资九零三"
HUADE_ACTIVITY = "化德县京津冀薯业招商推介会"
HUADE_ACTIVITY_SUMMARY = "现场达成签约意向四点二亿元七六一"
UPWARD_TITLE = "马铃薯种薯脱毒繁育中心建设资金"
UPWARD_PROGRESS = "已通过自治区农牧厅初审五九四"
UPWARD_REQUESTED = Decimal("2468.35")
ZHUOZI_PROJECT = "卓资县燕麦精深加工项目"
ZHUOZI_PLANNED = Decimal("3260.00")
ZHUOZI_ACTIVITY = "卓资县燕麦产业招商洽谈会"
# Reports
HUADE_BULLETIN = "化德县马铃薯淀粉厂环保整改情况（内部稿）"
HUADE_BULLETIN_HEADING = "一、化德县淀粉厂排查情况"
HUADE_BULLETIN_TEXT = "化德县淀粉废水超标排放四二六"
PUBLISHED_BULLETIN = "马铃薯产业发展示范区建设稳步推进"
PUBLISHED_TEXT = "全市马铃薯种植面积稳定在三百万亩以上"
NEWS_BULLETIN = "全市农牧业重点工作进展"
REPORT_TEMPLATE = "马铃薯产业发展示范区建设进展情况"
REPORT_TEMPLATE_OPENING = "示范区内部测算口径三八五"


def credit_code(n: int, region: str) -> str:
    """A valid unified social credit code (GB 32100-2015) of an enterprise in `region`."""
    body = f"91{region}MA{n:07d}"[:17]
    return body + uscc.calc_check_digit(body)


HUADE_CREDIT_CODE = credit_code(HUADE_CREDIT_NUMBER, "150922")

SECRETS = (
    "白音特拉冷链物流园",
    "冷链物流专项任务单",
    "乡镇冷库补短板",
    "冷库设计方案",
    "冷库验收单",
    HUADE_REPORT,
    HUADE_EXTENSION,
    "内部备注八四二",
    "肉羊出栏统计表",
    "专属提醒九一七",
    "导出台账任务三七五",
    "8642.13",
    "8,642.13",
    "8642.1",  # as a figure shown with one decimal
    "冷链仓储专项督导组",
    "七号冷库施工现场",
    "暗访点五一九",
    "冷库现场照片",
    "温控室照片",
    "冷库运营调研结论五七九",
    "冷库调研报告",
    "温控记录缺失三二八",
    "消防通道堵塞六三一",
    "消防通道限期清理",
    "加装消防标识七四零",
    "消防整改验收单",
    "冷库建设滞后",
    "投资完成率仅百分之十九",
    "报送冷库整改方案",
    "整改方案已由县政府审定",
    "通报回复材料",
    "复工情况说明八六五",
    "仓储复工佐证",
    "冷库专项资金拨付",
    "冷链物流园用地审批",
    "窖藏改造考核任务",
    "自评说明三九一",
    "考核佐证材料四六八",
    "佐证说明二五七",
    "冷链物流专项考核",
    "冷链专项自评说明六零八",
    "评审扣分说明七一五",
    "冷链专项佐证",
    "草原生态保护考核草案",
    "草场禁牧落实九四六",
    # documents and meetings
    "冷链物流园用电补贴",
    "每千瓦时三角七分",
    "用电补贴办法内部稿",
    "肉羊屠宰场迁建",
    "迁建选址八一六",
    "屠宰场迁建方案征求意见稿",
    "迁建选址条款二九四",
    "远离水源地四七三",
    "提高到百分之四十二",
    UNDISCLOSED_DRAFT_TEXT,
    "淀粉厂技改",
    "一点三亿元五五三",
    "贴息二百六十万元",
    "草原防火物资储备",
    "防火物资清单",
    # brand register
    "草原晨曦乳业",
    "紫薯全粉六五三",
    "6183527",  # the contact phone
    HUADE_CREDIT_CODE,  # the public pages show its last four characters only
    HUADE_CREDIT_CODE.lower(),  # as it is written in the enterprise's org unit code
    "基地五千二百亩",
    "淀粉含量检测三一七",
    "薯业质检报告",
    "薯业专家评审意见",
    "礼盒装九二六",
    "礼盒包装照片",
    "3728.46",
    "3,728.46",
    "3728.5",  # as a figure shown with one decimal
    "3,728.5",
    "2961.07",
    "2,961.07",
    "京东旗舰店销售八三九",
    "薯业用标佐证",
    "未按规范使用标识四八五",
    "抽检不合格予以清退二七一",
    # investment pipeline
    "变性淀粉扩产",
    "禾丰源生物",
    "变性淀粉生产线四一九",
    "7395.16",
    "7,395.16",
    "1863.27",
    "1,863.27",
    "变性淀粉项目投资协议",
    "地基已完成浇筑六二八",
    "燕麦秸秆饲料加工",
    "资金链断裂撤资九零三",
    "京津冀薯业招商推介会",
    "签约意向四点二亿元七六一",
    # the potato office's upward application: the bureau's, no county's
    "种薯脱毒繁育中心",
    "自治区农牧厅初审五九四",
    "2468.35",
    "2,468.35",
    # reports: the potato office's draft and report template
    "淀粉厂环保整改",
    "淀粉厂排查情况",
    "淀粉废水超标排放四二六",
    "内部测算口径三八五",
)
ZHUOZI_TASK = "卓资县种薯繁育基地建设"

LIVESTOCK_SCHEMA = {
    "columns": [
        {
            "key": "beef",
            "label": "肉牛存栏",
            "type": "decimal",
            "decimals": 2,
            "unit": "万头",
            "required": True,
            "min": 0,
        },
        {"key": "note", "label": "备注", "type": "text"},
    ],
    "rules": [],
}
SHEEP_SCHEMA = {
    "columns": [
        {"key": "sheep", "label": "肉羊出栏", "type": "integer", "unit": "只", "required": True},
        {"key": "note", "label": "备注", "type": "text"},
    ],
    "rules": [],
}
JUNE = Period(2023, PeriodKind.MONTH, 6)
MAY = Period(2023, PeriodKind.MONTH, 5)


def found_secrets(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _png_bytes() -> bytes:
    """A real 1×1 PNG (signature, IHDR, IDAT, IEND with their CRCs), not just the magic."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(b"\x00\x2e\x7d\x32")  # filter byte + one green pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png_bytes()


def png(name: str = "现场照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _round(office, template, period):
    today = timezone.localdate()
    return dispatch_services.round_open(
        actor=office,
        template=template,
        cadence=Cadence.MONTHLY_DISPATCH,
        period=period,
        opens_on=today - datetime.timedelta(days=5),
        due_on=today + datetime.timedelta(days=5),
        locks_on=today + datetime.timedelta(days=10),
    )


def _submit(liaison, round_, unit, rows):
    submission = round_.submissions.get(unit=unit)
    return dispatch_services.submission_submit(
        actor=liaison, submission=submission, rows=rows, expected_version=submission.lock_version
    )


def _build_tasks(world, today):
    office, huade_liaison = world.office, world.huade_liaison

    def make(task_list, content, lead, due_in=60):
        task = task_services.task_create(
            actor=office,
            task_list=task_list,
            content=content,
            lead_unit=lead,
            start_date=today - datetime.timedelta(days=90),
            due_date=today + datetime.timedelta(days=due_in),
        )
        return task_services.task_act(actor=office, task=task, action=Action.ASSIGN)

    shared_list = task_services.tasklist_create(
        actor=office,
        office=world.potato,
        title="2023年马铃薯产业重点任务单",
        year=2023,
        level="city",
        source_document="乌兰察布市马铃薯产业发展实施方案",
    )
    zhuozi_task = make(shared_list, ZHUOZI_TASK, world.zhuozi)
    zhuozi_task = task_services.task_act(
        actor=world.zhuozi_liaison, task=zhuozi_task, action=Action.ACCEPT
    )
    huade_task = make(shared_list, HUADE_TASK, world.huade)
    attachment = store_upload(_pdf(HUADE_ATTACHMENT), user=office)
    task_services.task_attach(actor=office, task=huade_task, files=[attachment])
    huade_task = task_services.task_act(actor=huade_liaison, task=huade_task, action=Action.ACCEPT)
    evidence = store_upload(_pdf(HUADE_EVIDENCE), user=huade_liaison)
    task_services.task_report(
        actor=huade_liaison, task=huade_task, text=HUADE_REPORT, progress=60, evidence=[evidence]
    )
    extension = task_services.extension_request(
        actor=huade_liaison,
        task=huade_task,
        reason=HUADE_EXTENSION,
        new_due_date=huade_task.due_date + datetime.timedelta(days=30),
        progress_so_far=HUADE_REPORT,
    )
    huade_list = task_services.tasklist_create(
        actor=office, office=world.potato, title=HUADE_ONLY_LIST, year=2023, level="city"
    )
    # Overdue, so that it is a red-light candidate on 化德县's screens.
    huade_only_task = make(huade_list, HUADE_ONLY_TASK, world.huade, due_in=-3)
    return SimpleNamespace(
        shared_list=shared_list,
        huade_list=huade_list,
        zhuozi_task=zhuozi_task,
        huade_task=huade_task,
        huade_only_task=huade_only_task,
        attachment=attachment,
        evidence=evidence,
        extension=extension,
    )


def _build_dispatch(world):
    office = world.office
    livestock = dispatch_services.template_create(
        actor=office,
        office=world.potato,
        code="livestock",
        title="规模养殖场建设情况统计表",
        schema=LIVESTOCK_SCHEMA,
        units=[world.zhuozi, world.huade],
    )
    sheep = dispatch_services.template_create(
        actor=office,
        office=world.potato,
        code="sheep-huade",
        title=HUADE_TABLE,
        schema=SHEEP_SCHEMA,
        units=[world.huade],
    )
    shared_round = _round(office, livestock, JUNE)
    _submit(world.huade_liaison, shared_round, world.huade, [{"beef": "12.34", "note": HUADE_NOTE}])
    shared_locked_round = _round(office, livestock, MAY)
    _submit(
        world.huade_liaison, shared_locked_round, world.huade, [{"beef": "11", "note": HUADE_NOTE}]
    )
    shared_snapshot = dispatch_services.round_lock(actor=office, round_=shared_locked_round)
    huade_round = _round(office, sheep, JUNE)
    _submit(world.huade_liaison, huade_round, world.huade, [{"sheep": "420", "note": HUADE_NOTE}])
    huade_locked_round = _round(office, sheep, MAY)
    huade_snapshot = dispatch_services.round_lock(actor=office, round_=huade_locked_round)

    indicator = Indicator.objects.create(
        code="beef-stock",
        name="肉牛存栏",
        unit_of_measure="万头",
        office=world.potato,
        aggregation="latest",
        decimals=2,
    )
    for unit, target, actual in (
        (world.zhuozi, Decimal("10"), Decimal("4.20")),
        (world.huade, Decimal("9000"), HUADE_FIGURE),
    ):
        dispatch_services.target_set(
            actor=office, indicator=indicator, unit=unit, year=2023, value=target
        )
        dispatch_services.indicator_value_set(
            actor=office, indicator=indicator, unit=unit, period=JUNE, value=actual
        )
    return SimpleNamespace(
        livestock=livestock,
        sheep=sheep,
        shared_round=shared_round,
        shared_locked_round=shared_locked_round,
        shared_snapshot=shared_snapshot,
        huade_round=huade_round,
        huade_locked_round=huade_locked_round,
        huade_snapshot=huade_snapshot,
        indicator=indicator,
    )


def _group(world, today, name, county):
    # The period starts today so that a visit dated today (never in the future) falls in
    # it whatever the day of the year.
    return supervision_services.group_create(
        actor=world.office,
        office=world.potato,
        name=name,
        year=today.year,
        leader=world.leader,
        members=[world.office, world.inspector],
        counties=[county],
        topics="马铃薯仓储设施建设",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=60),
    )


def _visit(world, group, county, place, date, status=VisitStatus.DONE, kind=VisitKind.INSPECTION):
    return supervision_services.visit_create(
        actor=world.office,
        kind=kind,
        group=group,
        county=county,
        date=date,
        place=place,
        status=status,
        participants=[world.office, world.inspector],
        topics="仓储设施建设进度",
    )


def _build_supervision(world, today):
    """Visits, findings and rectification items: 化德县's beside 卓资县's own."""
    office, due = world.office, today + datetime.timedelta(days=30)
    huade_group = _group(world, today, HUADE_GROUP, world.huade)
    huade_visit = _visit(world, huade_group, world.huade, HUADE_VISIT_PLACE, today)
    (photo,) = supervision_services.visit_add_photos(
        actor=office, visit=huade_visit, uploads=[png(HUADE_PHOTO)]
    )
    huade_visit = supervision_services.visit_report(
        actor=office,
        visit=huade_visit,
        text=HUADE_RESEARCH,
        upload=_pdf(HUADE_RESEARCH_FILE),
        expected_version=huade_visit.version,
    )
    # Unannounced and still to come: not even 化德县's own people see it.
    planned_visit = _visit(
        world,
        huade_group,
        world.huade,
        HUADE_PLANNED_PLACE,
        today + datetime.timedelta(days=7),
        status=VisitStatus.PLANNED,
        kind=VisitKind.UNANNOUNCED,
    )
    loose_finding = supervision_services.finding_add(
        actor=office,
        visit=huade_visit,
        kind=FindingKind.PROBLEM,
        text=HUADE_FINDING,
        unit=world.huade,
        photos=[png(HUADE_FINDING_PHOTO)],
    )
    finding_photo = loose_finding.photos.get()
    rectified_finding = supervision_services.finding_add(
        actor=office,
        visit=huade_visit,
        kind=FindingKind.PROBLEM,
        text=HUADE_PROBLEM,
        unit=world.huade,
        rectify=True,
        requirement=HUADE_REQUIREMENT,
        due_date=due,
    )
    huade_item = rectified_finding.rectifications.get()
    rectification_evidence = store_upload(
        _pdf(HUADE_RECTIFICATION_EVIDENCE), user=world.huade_liaison, allowed={".pdf"}
    )
    rectification_services.rectification_respond(
        actor=world.huade_liaison,
        item=huade_item,
        text=HUADE_RESPONSE,
        evidence=[rectification_evidence],
        expected_version=huade_item.version,
    )
    huade_item.refresh_from_db()

    zhuozi_group = _group(world, today, ZHUOZI_GROUP, world.zhuozi)
    zhuozi_visit = _visit(world, zhuozi_group, world.zhuozi, ZHUOZI_VISIT_PLACE, today)
    zhuozi_finding = supervision_services.finding_add(
        actor=office,
        visit=zhuozi_visit,
        kind=FindingKind.PROBLEM,
        text=ZHUOZI_PROBLEM,
        unit=world.zhuozi,
        rectify=True,
        requirement="增设通风设施并报送整改照片",
        due_date=due,
    )
    return SimpleNamespace(
        huade_group=huade_group,
        huade_visit=huade_visit,
        planned_visit=planned_visit,
        visit_photo=photo,
        finding_photo=finding_photo,
        loose_finding=loose_finding,
        rectified_finding=rectified_finding,
        huade_item=huade_item,
        rectification_evidence=rectification_evidence,
        zhuozi_group=zhuozi_group,
        zhuozi_visit=zhuozi_visit,
        zhuozi_item=zhuozi_finding.rectifications.get(),
    )


def _notice(world, authority, today, *, title, units, reasons, requirement):
    notice = notice_services.notice_create(
        actor=world.office,
        office=world.potato,
        authority=authority,
        kind=NoticeKind.SUPERVISION,
        title=title,
        addressees="各旗县市区农牧局",
        units=units,
        opening="为推动重点任务落实，市农牧局对各地任务完成情况进行了督导检查。",
        closing="特此通报。",
        reply_deadline=today + datetime.timedelta(days=14),
        requirements=[requirement],
    )
    for unit, text in reasons:
        notice_services.notice_reason_save(
            actor=world.office, notice=notice, unit=unit, kind=ReasonKind.OTHER, text=text
        )
    return notice


def _issue(world, notice):
    """Submitted by the office member, issued by the director (four eyes)."""
    notice = notice_services.notice_act(
        actor=world.office, notice=notice, action=NoticeAction.SUBMIT
    )
    return notice_services.notice_issue(actor=world.potato_director, notice=notice)


def _reply(world, notice, text, file_name):
    recipient = notice.recipients.get(unit=world.huade)
    attachment = store_upload(_pdf(file_name), user=world.huade_liaison, allowed={".pdf"})
    recipient = notice_services.notice_reply(
        actor=world.huade_liaison,
        notice=notice,
        recipient=recipient,
        text=text,
        evidence=[attachment],
    )
    return recipient, attachment


def _build_notices(world, today):
    authority = IssuingAuthority.objects.create(
        name="市委农牧办", header="中共乌兰察布市委农村牧区工作办公室", number_prefix="乌农牧督"
    )
    huade_notice = _issue(
        world,
        _notice(
            world,
            authority,
            today,
            title=HUADE_NOTICE_TITLE,
            units=[world.huade],
            reasons=[(world.huade, HUADE_NOTICE_REASON)],
            requirement=HUADE_NOTICE_REQUIREMENT,
        ),
    )
    huade_recipient, reply_file = _reply(world, huade_notice, HUADE_NOTICE_REPLY, HUADE_REPLY_FILE)
    # Issued to both counties: its printed content is every unit's, the replies are not.
    shared_notice = _issue(
        world,
        _notice(
            world,
            authority,
            today,
            title=SHARED_NOTICE_TITLE,
            units=[world.zhuozi, world.huade],
            reasons=[
                (world.zhuozi, "卓资县马铃薯仓储设施建设进度滞后于计划。"),
                (world.huade, "化德县马铃薯仓储设施建设进度滞后于计划。"),
            ],
            requirement="立即组织整改，明确完成时限",
        ),
    )
    shared_recipient, shared_reply_file = _reply(
        world, shared_notice, HUADE_SHARED_REPLY, HUADE_SHARED_REPLY_FILE
    )
    draft_notice = _notice(
        world,
        authority,
        today,
        title=HUADE_DRAFT_TITLE,
        units=[world.huade],
        reasons=[],
        requirement="按期拨付专项资金",
    )
    review_notice = notice_services.notice_act(
        actor=world.office,
        notice=_notice(
            world,
            authority,
            today,
            title=HUADE_REVIEW_TITLE,
            units=[world.huade],
            reasons=[(world.huade, "用地审批手续尚未办结。")],
            requirement="加快办理用地审批手续",
        ),
        action=NoticeAction.SUBMIT,
    )
    return SimpleNamespace(
        authority=authority,
        huade_notice=huade_notice,
        huade_recipient=huade_recipient,
        reply_file=reply_file,
        huade_notice_item=huade_notice.rectifications.get(unit=world.huade),
        shared_notice=shared_notice,
        shared_recipient=shared_recipient,
        shared_zhuozi_recipient=shared_notice.recipients.get(unit=world.zhuozi),
        shared_reply_file=shared_reply_file,
        draft_notice=draft_notice,
        review_notice=review_notice,
    )


def _scheme(world, title, *, units, items, reviewers=(), responsible=None):
    """A 2023 scheme of the potato office: `items` as (title, max, method, extra fields);
    `responsible` (units) on the first item, worded 各旗县市区 as the usual form has it."""
    scheme = assessment_services.scheme_save(
        actor=world.office,
        office=world.potato,
        reviewers=list(reviewers),
        data={
            "title": title,
            "year": 2023,
            "assessor": "市农牧局",
            # From 2023 (the indicator's year) until after today: the tasks and notices
            # of the scene fall in it, whatever today is.
            "period_start": datetime.date(2023, 1, 1),
            "period_end": timezone.localdate() + datetime.timedelta(days=30),
        },
    )
    made = []
    for position, (name, max_score, method, fields) in enumerate(items):
        made.append(
            assessment_services.item_save(
                actor=world.office,
                scheme=scheme,
                data={"title": name, "max_score": Decimal(max_score), "method": method, **fields},
                responsible_units=responsible if responsible and position == 0 else (),
            )
        )
    assessment_services.participants_set(actor=world.office, scheme=scheme, units=units)
    scheme.refresh_from_db()
    return scheme, made


def _open(world, scheme):
    scheme = assessment_services.scheme_act(
        actor=world.office, scheme=scheme, action=SchemeAction.OPEN
    )
    return scheme, {p.unit_id: p for p in scheme.participants.all()}


def _self_score(liaison, card, item, value, reason):
    score = card.scores.get(item=item)
    return assessment_services.score_self(
        actor=liaison, score=score, value=value, reason=reason, expected_version=score.version
    )


def _build_assessment(world, scene):
    """The shared scheme (卓资县 and 化德县, self-assessment), the scheme assessing 化德县
    alone (under review, reviewer: the potato office's director) and a draft."""
    office, huade_liaison = world.office, world.huade_liaison
    today = scene.today
    # 化德县's overdue task in the shared list: the tasks item's data behind its score.
    assessed_task = task_services.task_create(
        actor=office,
        task_list=scene.shared_list,
        content=HUADE_ASSESSED_TASK,
        lead_unit=world.huade,
        start_date=today - datetime.timedelta(days=90),
        due_date=today - datetime.timedelta(days=10),
        counts_in_assessment=True,
    )
    task_services.task_act(actor=office, task=assessed_task, action=Action.ASSIGN)
    shared, (manual, tasks, indicator, notices) = _scheme(
        world,
        SHARED_SCHEME,
        units=[world.zhuozi, world.huade],
        items=[
            (
                "仓储设施建设成效",
                "20",
                Method.MANUAL,
                {
                    "criteria": "全部完工得20分，每缺一处扣5分。",
                    "evidence_required": "验收报告、现场照片",
                    "responsible_text": "各旗县市区",
                },
            ),
            ("重点任务按期办结", "10", Method.TASKS, {"task_list": scene.shared_list}),
            ("肉牛存栏完成率", "10", Method.INDICATOR, {"indicator": scene.indicator}),
            ("督办通报扣分", "5", Method.NOTICES, {"points_per_notice": Decimal(2)}),
        ],
        responsible=[world.zhuozi, world.huade],
    )
    shared, cards = _open(world, shared)
    huade_card, zhuozi_card = cards[world.huade.pk], cards[world.zhuozi.pk]
    _self_score(huade_liaison, huade_card, manual, "17.5", HUADE_SELF_REASON)
    _self_score(world.zhuozi_liaison, zhuozi_card, manual, "18", ZHUOZI_SELF_REASON)
    huade_file = assessment_services.evidence_upload(
        actor=huade_liaison,
        participant=huade_card,
        item=manual,
        upload=_pdf(HUADE_SCHEME_FILE),
        description=HUADE_SCHEME_FILE_NOTE,
    )
    huade_linked = assessment_services.evidence_link(
        actor=huade_liaison, participant=huade_card, item=manual, file_id=scene.evidence.pk
    )
    zhuozi_file = assessment_services.evidence_upload(
        actor=world.zhuozi_liaison,
        participant=zhuozi_card,
        item=manual,
        upload=_pdf("卓资县种薯窖验收报告.pdf"),
    )

    review, (review_item,) = _scheme(
        world,
        HUADE_REVIEW_SCHEME,
        units=[world.huade],
        items=[("冷链设施运营管理", "20", Method.MANUAL, {"evidence_required": "运营台账"})],
        reviewers=[world.potato_director],
    )
    review, review_cards = _open(world, review)
    review_card = review_cards[world.huade.pk]
    _self_score(huade_liaison, review_card, review_item, "18", HUADE_REVIEW_SELF_REASON)
    review_file = assessment_services.evidence_upload(
        actor=huade_liaison,
        participant=review_card,
        item=review_item,
        upload=_pdf(HUADE_REVIEW_FILE),
    )
    review_card.refresh_from_db()
    assessment_services.participant_act(
        actor=huade_liaison,
        participant=review_card,
        action="submit",
        expected_version=review_card.version,
    )
    review = assessment_services.scheme_act(actor=office, scheme=review, action=SchemeAction.REVIEW)
    review_score = review_card.scores.get(item=review_item)
    review_score = assessment_services.score_review(
        actor=world.potato_director,
        score=review_score,
        value="14",
        reason=HUADE_REVIEW_REASON,
        expected_version=review_score.version,
    )

    draft, (draft_item,) = _scheme(
        world,
        DRAFT_SCHEME,
        units=[world.zhuozi, world.huade],
        items=[(DRAFT_ITEM, "10", Method.MANUAL, {})],
    )

    def score(card, item):
        return card.scores.get(item=item)

    for card in (huade_card, zhuozi_card, review_card):
        card.refresh_from_db()
    return SimpleNamespace(
        assessed_task=assessed_task,
        shared_scheme=shared,
        review_scheme=review,
        draft_scheme=draft,
        huade_card=huade_card,
        zhuozi_card=zhuozi_card,
        review_card=review_card,
        draft_card=draft.participants.get(unit=world.huade),
        manual_item=manual,
        tasks_item=tasks,
        indicator_item=indicator,
        notices_item=notices,
        review_item=review_item,
        draft_item=draft_item,
        huade_manual_score=score(huade_card, manual),
        huade_tasks_score=score(huade_card, tasks),
        huade_indicator_score=score(huade_card, indicator),
        huade_notices_score=score(huade_card, notices),
        zhuozi_manual_score=score(zhuozi_card, manual),
        zhuozi_indicator_score=score(zhuozi_card, indicator),
        review_card_score=review_score,
        huade_scheme_evidence=huade_file,
        huade_linked_evidence=huade_linked,
        zhuozi_scheme_evidence=zhuozi_file,
        review_evidence=review_file,
    )


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx(name: str, paragraphs: list[str]) -> SimpleUploadedFile:
    """A real .docx (python-docx), as a drafting office uploads it."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=DOCX)


def _document(world, title: str, kind: str = Kind.PLAN):
    return document_services.document_save(
        actor=world.office,
        office=world.potato,
        data={
            "title": title,
            "kind": kind,
            "lead_author": world.office,
            "issuing_authority": "乌兰察布市农牧局",
        },
    )


def _draft(world, document, name: str, paragraphs: list[str], label: str = ""):
    return document_services.version_add(
        actor=world.office, document=document, upload=_docx(name, paragraphs), label=label
    )


def _answer(liaison, round_, unit, text: str):
    request = round_.requests.get(unit=unit)
    document_services.answer_submit(
        actor=liaison, request=request, opinions=[{"location": "第三条", "text": text}]
    )
    return request, request.opinions.get()


def _build_documents(world, today):
    """Policy documents of the potato office: see the module's docstring."""
    deadline = today + datetime.timedelta(days=10)
    # Never consulted on: the bureau's alone.
    huade_draft = _document(world, HUADE_DRAFT_DOC, Kind.SUBSIDY)
    huade_draft_v1 = _draft(
        world, huade_draft, HUADE_DRAFT_FILE, [HUADE_DRAFT_DOC, HUADE_DRAFT_TEXT], "初稿"
    )
    # Consulting 化德县 alone, which has answered.
    consulted = _document(world, HUADE_CONSULTED_DOC)
    consulted_v1 = _draft(
        world,
        consulted,
        HUADE_CONSULTED_FILE,
        [HUADE_CONSULTED_DOC, HUADE_CONSULTED_TEXT],
        "征求意见稿",
    )
    huade_round = document_services.round_open(
        actor=world.office,
        document=consulted,
        deadline=deadline,
        units=[world.huade],
        letter=HUADE_LETTER,
    )
    huade_request, huade_opinion = _answer(
        world.huade_liaison, huade_round, world.huade, HUADE_OPINION
    )
    # Consulting both counties: each reads its own answer.
    shared = _document(world, SHARED_DOC, Kind.SUBSIDY)
    shared_v1 = _draft(world, shared, "仓储设施建设补贴方案.docx", [SHARED_DOC, SHARED_DOC_TEXT])
    shared_round = document_services.round_open(
        actor=world.office,
        document=shared,
        deadline=deadline,
        units=[world.zhuozi, world.huade],
        letter="请各旗县市区于十日内反馈意见。",
    )
    shared_huade_request, shared_huade_opinion = _answer(
        world.huade_liaison, shared_round, world.huade, HUADE_SHARED_OPINION
    )
    shared_zhuozi_request, zhuozi_opinion = _answer(
        world.zhuozi_liaison, shared_round, world.zhuozi, ZHUOZI_OPINION
    )
    # Issued (every county reads it), after a first draft that was never put to anyone.
    issued = _document(world, ISSUED_DOC)
    undisclosed_v1 = _draft(
        world, issued, "种薯补贴方案初稿.docx", [ISSUED_DOC, UNDISCLOSED_DRAFT_TEXT], "初稿"
    )
    issued_v2 = _draft(
        world, issued, "种薯补贴方案送审稿.docx", [ISSUED_DOC, ISSUED_TEXT], "送审稿"
    )
    for action in (DocAction.SUBMIT, DocAction.APPROVE):
        issued = document_services.document_act(actor=world.office, document=issued, action=action)
    issued = document_services.document_act(
        actor=world.office,
        document=issued,
        action=DocAction.ISSUE,
        issue_number=ISSUE_NUMBER,
        issued_on=today,
    )
    return SimpleNamespace(
        huade_draft=huade_draft,
        huade_draft_v1=huade_draft_v1,
        consulted_doc=consulted,
        consulted_v1=consulted_v1,
        huade_doc_round=huade_round,
        huade_request=huade_request,
        huade_opinion=huade_opinion,
        shared_doc=shared,
        shared_v1=shared_v1,
        shared_doc_round=shared_round,
        shared_huade_request=shared_huade_request,
        shared_huade_opinion=shared_huade_opinion,
        shared_zhuozi_request=shared_zhuozi_request,
        zhuozi_opinion=zhuozi_opinion,
        issued_doc=issued,
        undisclosed_v1=undisclosed_v1,
        issued_v2=issued_v2,
    )


def _meeting(world, kind: str, starts_at):
    return document_services.meeting_save(
        actor=world.leader,
        convener=world.bureau,
        data={"kind": kind, "starts_at": starts_at, "place": "局三楼会议室", "chair": world.leader},
        attendees=[world.leader, world.potato_director],
    )


def _topic(world, meeting, title: str, file_name: str, summary: str = ""):
    return document_services.topic_submit(
        actor=world.office,
        meeting=meeting,
        office=world.potato,
        data={
            "title": title,
            "summary": summary,
            "request": "请会议研究",
            "presenter": world.office,
        },
        materials=[_pdf(file_name)],
    )


def _build_meetings(world, today):
    """The bureau meeting held (化德县's topic decided, a task made of the decision) and
    the director's meeting still collecting topics."""

    # Both today (the one held this morning): the year's counts hold both, any day.
    def at(hour: int) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(today, datetime.time(hour)))

    held = _meeting(world, MeetingKind.BUREAU, at(8))
    decided = _topic(world, held, HUADE_TOPIC, HUADE_TOPIC_FILE, HUADE_TOPIC_SUMMARY)
    (material,) = decided.materials.all()
    decided = document_services.topic_act(actor=world.leader, topic=decided, action="approve")
    for action in (MeetingAction.FIX_AGENDA, MeetingAction.HOLD):
        held = document_services.meeting_act(actor=world.leader, meeting=held, action=action)
    decided = document_services.topic_decide(
        actor=world.leader, topic=decided, outcome=Outcome.APPROVED, decision=HUADE_DECISION
    )
    decision_task = document_services.decision_task_create(
        actor=world.office,
        topic=decided,
        content=HUADE_DECISION_TASK,
        lead_unit=world.huade,
        due_date=today + datetime.timedelta(days=60),
    )
    planned = _meeting(world, MeetingKind.DIRECTOR, at(17))
    pending = _topic(world, planned, HUADE_PENDING_TOPIC, HUADE_PENDING_FILE)
    (pending_material,) = pending.materials.all()
    return SimpleNamespace(
        held_meeting=held,
        planned_meeting=planned,
        decided_topic=decided,
        topic_material=material,
        pending_topic=pending,
        pending_material=pending_material,
        decision_task=decision_task,
    )


def _enterprise(world, name: str, county, n: int, phone: str) -> Enterprise:
    return brand_services.enterprise_save(
        actor=world.brand_staff,
        enterprise=Enterprise(
            name=name,
            credit_code=credit_code(n, county.division_code),
            county=county,
            kind=EnterpriseKind.CITY_LEADING,
            contact_name="王经理",
            contact_phone=phone,
        ),
    )


def _product(name: str, category: str, base: str) -> dict:
    return {
        "name": name,
        "category": category,
        "standard": "GB/T 40772",
        "origin_base": base,
        "annual_output": "3000",
    }


def _documents(inspection_report: str = "质检报告.pdf") -> list:
    return [
        (AttachmentKind.BUSINESS_LICENCE, _pdf("营业执照.pdf")),
        (AttachmentKind.INSPECTION_REPORT, _pdf(inspection_report)),
        (AttachmentKind.ORIGIN_PROOF, _pdf("产地证明.pdf")),
    ]


def _build_brand(world, today):
    """The brand register: see the module's docstring. The brand office's member
    (`world.brand_staff`) keeps it; 化德县's enterprise acts through its own login."""
    staff, act = world.brand_staff, brand_services.application_act
    huade_enterprise = _enterprise(
        world, HUADE_ENTERPRISE, world.huade, HUADE_CREDIT_NUMBER, HUADE_PHONE
    )
    # The enterprise's own login: its unit is the enterprise's (a persona of `world`, so
    # that the registry's positive controls can name it).
    world.huade_applicant = person("huade-ent", huade_enterprise.unit, name="塞外薯业申报员")
    applicant = world.huade_applicant
    application = brand_services.application_create(
        actor=applicant,
        enterprise=huade_enterprise,
        products=[_product(HUADE_PRODUCT, Category.POTATO, "化德县马铃薯基地")],
        attachments=_documents(HUADE_INSPECTION_FILE),
    )
    act(actor=applicant, application=application, action=AppAction.SUBMIT)
    act(
        actor=world.huade_liaison,
        application=application,
        action=AppAction.COUNTY_PASS,
        comment=HUADE_COUNTY_OPINION,
    )
    (expert_opinion,) = brand_services.application_attach(
        actor=staff,
        application=application,
        uploads=[(AttachmentKind.EXPERT_OPINION, _pdf(HUADE_EXPERT_FILE))],
    )
    act(
        actor=staff,
        application=application,
        action=AppAction.APPROVE,
        comment=HUADE_OFFICE_OPINION,
    )
    application.refresh_from_db()
    huade_licence = application.licence
    logo_use = brand_services.logo_use_save(
        actor=applicant,
        licence=huade_licence,
        product=application.products.get(),
        packaging=HUADE_PACKAGING,
        channels=[Channel.ECOMMERCE],
        since=today,
        photos=[png(HUADE_LOGO_PHOTO)],
    )
    # Another product, still the enterprise's draft.
    draft = brand_services.application_create(
        actor=applicant,
        enterprise=huade_enterprise,
        products=[_product(HUADE_DRAFT_PRODUCT, Category.POTATO, "化德县紫薯基地")],
    )
    # Not authorized: its application awaits 化德县's first review.
    pending_enterprise = _enterprise(
        world, HUADE_PENDING_ENTERPRISE, world.huade, 7_261_939, HUADE_PHONE
    )
    pending = brand_services.application_create(
        actor=staff,
        enterprise=pending_enterprise,
        products=[_product("草原晨曦鲜牛奶", Category.DAIRY, "化德县奶牛养殖基地")],
        attachments=_documents(),
    )
    act(actor=staff, application=pending, action=AppAction.SUBMIT)

    zhuozi_enterprise = _enterprise(world, ZHUOZI_ENTERPRISE, world.zhuozi, 1, "0474-5200001")
    zhuozi_application = brand_services.application_create(
        actor=staff,
        enterprise=zhuozi_enterprise,
        products=[_product(ZHUOZI_PRODUCT, Category.GRAINS, "卓资县燕麦种植基地")],
        attachments=_documents(),
    )
    act(actor=staff, application=zhuozi_application, action=AppAction.SUBMIT)
    act(
        actor=world.zhuozi_liaison,
        application=zhuozi_application,
        action=AppAction.COUNTY_PASS,
        comment="同意",
    )
    act(actor=staff, application=zhuozi_application, action=AppAction.APPROVE, comment="同意")
    zhuozi_application.refresh_from_db()

    brand_services.sales_save(
        actor=staff, enterprise=huade_enterprise, year=today.year - 1, amount=HUADE_SALES_LAST
    )
    brand_services.sales_save(
        actor=staff, enterprise=zhuozi_enterprise, year=today.year, amount=ZHUOZI_SALES
    )
    review_round = brand_services.review_round_open(
        actor=staff, year=today.year, due_date=today + datetime.timedelta(days=30)
    )
    huade_review = brand_services.review_submit(
        actor=applicant,
        review=review_round.reviews.get(licence=huade_licence),
        sales=HUADE_SALES,
        output=Decimal("2800"),
        complaints=0,
        inspection=Inspection.PASSED,
        logo_note=HUADE_LOGO_NOTE,
        evidence=[_pdf(HUADE_BRAND_EVIDENCE)],
    )
    huade_review = brand_services.review_act(
        actor=staff,
        review=huade_review,
        action=ReviewAction.RECTIFY,
        comment=HUADE_BRAND_RECTIFICATION,
        due_date=today + datetime.timedelta(days=30),
    )
    return SimpleNamespace(
        huade_enterprise=huade_enterprise,
        huade_application=application,
        huade_attachment=application.attachments.get(kind=AttachmentKind.INSPECTION_REPORT),
        huade_expert_opinion=expert_opinion,
        huade_licence=huade_licence,
        huade_logo_use=logo_use,
        huade_logo_photo=logo_use.photos.get(),
        huade_draft_application=draft,
        pending_enterprise=pending_enterprise,
        pending_application=pending,
        review_round=review_round,
        huade_review=huade_review,
        huade_brand_evidence=huade_review.evidence.get(),
        huade_brand_item=huade_review.rectification,
        zhuozi_enterprise=zhuozi_enterprise,
        zhuozi_application=zhuozi_application,
        zhuozi_licence=zhuozi_application.licence,
        zhuozi_review=review_round.reviews.get(licence=zhuozi_application.licence),
    )


def _build_investment(world, today):
    """The investment pipeline: see the module's docstring. The investment office's member
    (`world.investment_staff`) keeps the clocks; each county enters and moves its own
    projects and activities; the potato office keeps its upward application."""
    office = OrgUnitFactory(
        code="office-investment", name="农牧领域招商办", kind=UnitKind.OFFICE, parent=world.bureau
    )
    world.investment_staff = person(
        "invest-m1", world.crops, (Role.OFFICE_MEMBER, office), name="贾斌"
    )
    staff, huade = world.investment_staff, world.huade_liaison
    chain = Chain.objects.get(code="potato")

    def ago(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

    signed_clock = investment_services.clock_save(
        actor=staff,
        stage=Stage.SIGNED,
        limit_days=90,
        warn_days=15,
        report_days=30,
        evidence_required=True,
        commitment="签约后九十日内落地",
    )
    # 化德县's project: signed 150 days ago, past the 90-day limit (red).
    project = investment_services.project_create(
        actor=huade,
        name=HUADE_PROJECT,
        year=today.year,
        chain=chain,
        county=world.huade,
        planned_investment=HUADE_PLANNED,
        stage=Stage.NEGOTIATING,
        stage_on=ago(200),
        investor=HUADE_INVESTOR,
        investor_origin="广东省",
        is_key=True,
        content=HUADE_PROJECT_CONTENT,
    )
    project = investment_services.project_move(
        actor=huade,
        project=project,
        to_stage=Stage.SIGNED,
        on=ago(150),
        evidence=[_pdf(HUADE_AGREEMENT)],
        expected_version=project.version,
    )
    signing = project.events.get(kind=EventKind.STAGE, to_stage=Stage.SIGNED)
    report = investment_services.project_report(
        actor=huade, project=project, on=ago(120), text=HUADE_PROGRESS, received=HUADE_RECEIVED
    )
    dropped = investment_services.project_create(
        actor=huade,
        name=HUADE_DROPPED_PROJECT,
        year=today.year,
        chain=chain,
        county=world.huade,
        planned_investment=Decimal("2150.00"),
        stage=Stage.PLANNED,
        stage_on=ago(100),
    )
    dropped = investment_services.project_move(
        actor=huade,
        project=dropped,
        to_stage=Stage.DROPPED,
        on=ago(60),
        reason=HUADE_DROP_REASON,
        expected_version=dropped.version,
    )
    huade_activity = investment_services.activity_save(
        actor=huade,
        projects=[project],
        kind=ActivityKind.PROMOTION,
        title=HUADE_ACTIVITY,
        date=today,
        place="化德县长顺镇",
        organiser=world.huade,
        county=world.huade,
        leader="化德县人民政府副县长",
        summary=HUADE_ACTIVITY_SUMMARY,
    )
    # 卓资县's own project, signed lately (green).
    zhuozi_project = investment_services.project_create(
        actor=world.zhuozi_liaison,
        name=ZHUOZI_PROJECT,
        year=today.year,
        chain=chain,
        county=world.zhuozi,
        planned_investment=ZHUOZI_PLANNED,
        stage=Stage.SIGNED,
        stage_on=ago(10),
        investor="内蒙古阴山燕麦食品有限公司",
    )
    # Held in 卓资县 by the investment office: it produced a project in each county.
    zhuozi_activity = investment_services.activity_save(
        actor=staff,
        projects=[zhuozi_project, project],
        kind=ActivityKind.DELEGATION,
        title=ZHUOZI_ACTIVITY,
        date=today,
        place="卓资县卓资山镇",
        organiser=office,
        county=world.zhuozi,
        summary="客商考察燕麦和马铃薯加工项目",
    )
    upward = investment_services.upward_save(
        actor=world.office,
        title=UPWARD_TITLE,
        kind=UpwardKind.FUNDS,
        authority="农业农村部",
        chain=chain,
        office=world.potato,
        year=today.year,
        led_by="马铃薯产业办",
        amount_requested=UPWARD_REQUESTED,
        progress=UPWARD_PROGRESS,
    )
    upward = investment_services.upward_act(
        actor=world.office,
        application=upward,
        action=UpwardAction.SUBMIT,
        on=today,
        expected_version=upward.version,
    )
    return SimpleNamespace(
        investment_office=office,
        investment_chain=chain,
        signed_clock=signed_clock,
        huade_project=project,
        huade_signing=signing,
        huade_agreement=signing.evidence.get(),
        huade_progress=report,
        huade_dropped_project=dropped,
        huade_activity=huade_activity,
        zhuozi_project=zhuozi_project,
        zhuozi_project_created=zhuozi_project.events.get(kind=EventKind.CREATED),
        zhuozi_activity=zhuozi_activity,
        upward=upward,
    )


def _bulletin(actor, series, title: str, sections: list[tuple[str, str]]):
    bulletin = report_services.bulletin_create(actor=actor, series=series, title=title)
    for heading, body in sections:
        section = report_services.section_save(
            actor=actor, bulletin=bulletin, expected_version=None, heading=heading, body=body
        )
    bulletin.refresh_from_db()
    return bulletin, section


def _build_reports(world):
    """Bulletins and a report template: see the module's docstring. Series are set up by
    the administrators (no service); issues are composed and published by their
    offices."""
    news = Series.objects.create(
        name="信息动态", kind=SeriesKind.NEWS, issuer=world.bureau, sort_order=1
    )
    potato_news = Series.objects.create(
        name="马铃薯工作动态", kind=SeriesKind.NEWS, issuer=world.potato, sort_order=2
    )
    # Published: every county reads them (no PDF: LibreOffice would take seconds).
    published, _section = _bulletin(
        world.office, potato_news, PUBLISHED_BULLETIN, [("一、总体情况", PUBLISHED_TEXT)]
    )
    news_issue, _section = _bulletin(
        world.leader, news, NEWS_BULLETIN, [("一、重点任务", "重点任务有序推进。")]
    )
    with override_settings(BULLETIN_PDF=False):
        published = report_services.bulletin_publish(
            actor=world.office, bulletin=published, expected_version=published.version
        )
        news_issue = report_services.bulletin_publish(
            actor=world.leader, bulletin=news_issue, expected_version=news_issue.version
        )
    # The PDF LibreOffice would have made of the potato office's issue.
    pdf = store_upload(
        SimpleUploadedFile("马铃薯工作动态第1期.pdf", PDF, content_type="application/pdf"),
        user=world.office,
        allowed={".pdf"},
    )
    Bulletin.objects.filter(pk=published.pk).update(pdf=pdf)
    published.refresh_from_db()
    # The potato office's draft about 化德县: its staff's alone.
    draft, draft_section = _bulletin(
        world.office,
        potato_news,
        HUADE_BULLETIN,
        [
            ("", "市马铃薯产业办近期对重点加工企业开展了排查。"),
            (HUADE_BULLETIN_HEADING, HUADE_BULLETIN_TEXT),
        ],
    )
    template = ReportTemplate.objects.create(
        title=REPORT_TEMPLATE,
        office=world.potato,
        opening=REPORT_TEMPLATE_OPENING,
        sections=[
            {"heading": "一、基本情况", "source": "", "params": {}, "text": "示范区建设稳步推进。"},
        ],
    )
    return SimpleNamespace(
        news=news,
        potato_news=potato_news,
        published_bulletin=published,
        news_issue=news_issue,
        huade_bulletin=draft,
        huade_bulletin_section=draft_section,
        report_template=template,
    )


def build_scene(world) -> SimpleNamespace:
    today = timezone.localdate()
    scene = SimpleNamespace(world=world, today=today)
    scene.__dict__.update(vars(_build_tasks(world, today)))
    scene.__dict__.update(vars(_build_dispatch(world)))
    scene.__dict__.update(vars(_build_supervision(world, today)))
    scene.__dict__.update(vars(_build_notices(world, today)))
    scene.__dict__.update(vars(_build_assessment(world, scene)))
    scene.__dict__.update(vars(_build_documents(world, today)))
    scene.__dict__.update(vars(_build_meetings(world, today)))
    scene.__dict__.update(vars(_build_brand(world, today)))
    scene.chain = ChainFactory(code="potato", name="马铃薯产业链", short_name="薯")
    scene.__dict__.update(vars(_build_investment(world, today)))
    scene.__dict__.update(vars(_build_reports(world)))
    (scene.huade_notification,) = notify.notify(
        [world.huade_liaison], kind="test", title=HUADE_NOTIFICATION, url="/tasks/"
    )
    scene.huade_job = _huade_job(world)
    return scene


def _huade_job(world):
    """A finished export of 化德县's liaison, with its file: theirs alone (ops.access)."""
    from zhuanban.ops.lifecycle import JobStatus
    from zhuanban.ops.models import Job

    result = store_upload(
        SimpleUploadedFile(f"{HUADE_JOB}.pdf", PDF, content_type="application/pdf"),
        user=world.huade_liaison,
    )
    return Job.objects.create(
        kind="tasks.ledger",
        title=HUADE_JOB,
        owner=world.huade_liaison,
        status=JobStatus.SUCCEEDED,
        total=3,
        done=3,
        result_text=HUADE_JOB,
        result_file=result,
    )
