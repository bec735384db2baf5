"""The demo's policy documents and meetings (文件和会议), loaded through the documents
services as the offices, the consulted leaders, counties and departments, and the
meetings' managers would have worked them.

THE STORY follows the seed's sections 二 and 四(二):

* The six documents the seed names were drafted by the office in charge, put to the city's
  leaders, counties and departments (征求意见: one or two rounds each; most answered with
  opinions on a clause, some 无意见, one late in several rounds; every opinion was adopted,
  partly adopted or not adopted with a reason), revised (2–3 versions: the first draft
  and the issued text uploaded as .docx, a draft between them written in the app),
  deliberated and issued in the first half of 2023 (推动文件印发实施: all six are ISSUED):
  the city-level ones went before the bureau's own meeting first (原则通过, to be
  revised), then to 市委常委会 or 市人民政府常务会议 (`document_act` APPROVE with the
  deliberation) and were issued as 乌党发 / 乌政办发; the bureau's own (the 冻精 subsidy
  plan, the logo-use policy) were approved through an agenda topic and issued as 乌农牧发.
  The numbers agree with org_data's chain work plans (乌政办发〔2023〕8号, 12号).
* 《乌兰察布市学习推广浙江“千万工程”经验具体措施(讨论稿)》 (农牧办) is in opinion-seeking NOW:
  version 1 (5 parts, 28 measures) went through round 1 (closed, every opinion handled),
  version 2 has 6 parts and 37 measures; round 2 is open until a few days after today,
  most have answered (a few answers already handled), the office urged the rest once;
  卓资县 and 化德县 (the demo accounts `zhuozi`, `huade`) and 市商务局 have not answered.
* Living documents: 《乌兰察布市农牧业招商引资手册》 (招商办), issued in March 2023 and
  revised in place three times (the last this year), and the brand office's three rules
  (授权管理规则, 商标使用管理规则, LOGO使用规则), issued together and revised since; every
  revision says what changed.
* Meetings: nine in the first half of 2023 (党组会 ×2, 局务会 ×2, 局长办公会 ×2, the potato
  office's 专项推进会, the base office's 调度会, a 现场观摩会) with 22 agenda topics (the
  seed's 提交议题20余次), one of them deferred to a later meeting; and this year's eight
  with 11 topics, dated relative to today: seven held (one topic deferred for now) and the
  next 局务会, still collecting topics, with two (one approved onto the agenda, one
  waiting).
  Thirteen decisions became tasks of the offices' "meeting decisions" lists, led by
  counties through their liaisons: the 2023 ones and some of this year's closed, the
  rest open (one overdue and urged, one not yet accepted by 化德县, one lagging in 卓资县),
  in line with the supervision notices of supervision_data.

TODAY. The 2023 story keeps its real dates (its documents carry 〔2023〕 numbers and are
issued, so no warning light depends on them); what is still moving (the 千万工程 rounds,
the handbook's latest revision, this year's meetings and the tasks they created) is dated
relative to the day the demo is loaded, as the other loaders do.

DATES. The services stamp what they do with the time they run. The loader runs the
story's steps in date order (documents and meetings interleave: a topic needs its
document's draft, a decision moves the document on), notes each step's moment on a
clock (supervision_data's, for events and notifications) and afterwards moves what the
steps created back to those moments with a few bulk updates. Notifications of the past are
marked read, except the ones someone still has to act on. The audit trail keeps the real
time. People are fictitious; unit names are real; figures are illustrative.
"""

import datetime
import functools
import io
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

import docx
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from zhuanban.core.models import Notification, StoredFile
from zhuanban.demo import org_data
from zhuanban.demo.supervision_data import _Clock as SupervisionClock
from zhuanban.demo.supervision_data import write_stamps
from zhuanban.documents import services
from zhuanban.documents.lifecycle import DocAction, MeetingAction, Outcome
from zhuanban.documents.models import (
    Disposition,
    Document,
    DocumentEvent,
    Kind,
    Meeting,
    MeetingKind,
    Topic,
)
from zhuanban.org.models import Chain, OrgUnit
from zhuanban.org.selectors import people_acting_for
from zhuanban.tasks import services as task_services
from zhuanban.tasks.lifecycle import Action as TaskAction
from zhuanban.tasks.models import ProgressReport, Task, TaskEvent, TaskList

# A day of the story: a date (the 2023 story), or days before today (negative: after).
When = datetime.date | int

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
A, P, N = Disposition.ADOPTED, Disposition.PARTLY, Disposition.NOT_ADOPTED


def d23(month: int, day: int) -> datetime.date:
    return datetime.date(2023, month, day)


def revise(
    lines: tuple[str, ...],
    *,
    replace: dict[str, str] | None = None,
    after: dict[str, tuple[str, ...]] | None = None,
) -> tuple[str, ...]:
    """A later draft of `lines`: a paragraph starting with a key of `replace` becomes its
    value (an empty value drops it); paragraphs are inserted after the one starting with a
    key of `after`. Keys match the earlier draft, so a draft reads as its edits."""
    replace, after = replace or {}, after or {}
    result = []
    for line in lines:
        new = next((text for start, text in replace.items() if line.startswith(start)), line)
        if new:
            result.append(new)
        for start, added in after.items():
            if line.startswith(start):
                result.extend(added)
    return tuple(result)


# --- what the documents' stories are made of -------------------------------------------


@dataclass(frozen=True)
class Op:
    """One opinion: the clause, the text, and what the office did with it ("" pending)."""

    location: str
    text: str
    disposition: str = A
    reason: str = ""


@dataclass(frozen=True)
class Answer:
    who: str  # a unit code, or a leader's username
    on: When
    opinions: tuple[Op, ...] = ()  # none: 无意见


@dataclass(frozen=True)
class Draft:
    on: When
    label: str
    lines: tuple[str, ...]
    note: str = ""  # what changed (required of a living document's revision)
    upload: bool = True  # a .docx; otherwise the text is written in the app


@dataclass(frozen=True)
class Consult:
    opened: When
    deadline: When
    consulted: tuple[str, ...]  # unit codes and leaders' usernames
    answers: tuple[Answer, ...]
    closed: When | None = None  # None: still open
    urged: When | None = None
    handled: When | None = None  # when the office handled the opinions; default: closed


@dataclass(frozen=True)
class Submit:
    on: When
    comment: str


@dataclass(frozen=True)
class Approve:
    on: When
    deliberation: str
    by: str = "leader"


@dataclass(frozen=True)
class Issue:
    on: When
    number: str


@dataclass(frozen=True)
class Pen:
    on: When
    to: str


@dataclass(frozen=True)
class Doc:
    key: str
    title: str
    kind: str
    office: str
    lead: str
    pen: str
    authority: str
    key_work: str
    summary: str
    steps: tuple
    chain: str = ""
    living: bool = False


# fmt: off
# Documents read best as one paragraph, opinion or step per line.

# --- 《乌兰察布市关于做好2023年全面推进乡村振兴重点工作的实施意见》 -----------------------------

RURAL_TITLE = "乌兰察布市关于做好2023年全面推进乡村振兴重点工作的实施意见"
RURAL_V1 = (
    RURAL_TITLE,
    "为深入贯彻落实中央和自治区农村牧区工作会议精神,全面推进乡村振兴,加快建设农牧业强市,结合我市实际,提出如下实施意见。",
    "一、全力抓好粮食和重要农畜产品稳产保供",
    "(一)稳定粮食生产。全市粮食播种面积稳定在1000万亩以上,产量稳定在38亿斤以上。",
    "(二)加快国家重要农畜产品生产基地建设。推进马铃薯种薯、冷凉蔬菜、优质肉牛肉羊和奶源基地建设,落实基地建设重点任务单。",
    "(三)加强高标准农田建设。新建高标准农田40万亩,市级配套资金按每亩200元安排。",
    "二、巩固拓展脱贫攻坚成果",
    "(四)健全防止返贫动态监测和帮扶机制。对监测对象应纳尽纳、应扶尽扶,守住不发生规模性返贫底线。",
    "(五)促进脱贫人口持续增收。衔接推进乡村振兴补助资金重点用于产业发展。",
    "三、推动乡村产业高质量发展",
    "(六)做强特色产业。推进马铃薯、燕麦、冷凉蔬菜、肉牛、奶业全产业链发展。",
    "(七)打响“原味乌兰察布”区域公用品牌。年内新增品牌授权企业20家以上。",
    "(八)加大农牧业招商引资力度。围绕六大产业谋划招商引资重点项目,力争签约落地项目100个以上。",
    "四、扎实推进宜居宜业和美乡村建设",
    "(九)实施农村牧区人居环境整治提升行动。新改造农村牧区户厕2万户,生活垃圾收运处置体系覆盖80%以上的行政村。",
    "(十)加强和改进乡村治理。推广积分制、清单制,深化移风易俗。",
    "五、强化组织保障",
    "(十一)坚持党对“三农”工作的全面领导。落实五级书记抓乡村振兴责任。",
    "(十二)加大投入保障。市财政每年安排乡村振兴专项资金不少于1亿元。",
    "(十三)强化考核督导。将重点任务纳入旗县市区党政领导班子和领导干部推进乡村振兴战略实绩考核。",
)
RURAL_V2 = revise(RURAL_V1, replace={
    "(一)": "(一)稳定粮食生产。确保完成自治区下达的粮食生产目标任务,全市粮食播种面积稳定在1000万亩以上。",
    "(二)": "(二)加快国家重要农畜产品生产基地建设。推进马铃薯种薯、冷凉蔬菜、优质肉牛肉羊和奶源基地建设,落实基地建设重点任务单;落实“菜篮子”市长负责制,年内新建设施农业2000亩以上。",
    "(三)": "(三)加强高标准农田建设。新建高标准农田42.6万亩,市级配套资金按每亩200元安排。",
    "(五)": "(五)促进脱贫人口持续增收。衔接推进乡村振兴补助资金用于产业发展的比例不低于55%。",
    "(六)": "(六)做强特色产业。推进马铃薯、燕麦、冷凉蔬菜、肉牛、肉羊、奶业全产业链发展,推广牧区肉羊标准化养殖。",
    "(八)": "(八)加大农牧业招商引资力度。围绕六大产业谋划储备一批农牧业重大项目,力争签约落地项目100个以上。",
    "(九)": "(九)实施农村牧区人居环境整治提升行动。坚持“先建后补、以奖代补”,新改造农村牧区户厕2万户,生活垃圾收运处置体系覆盖80%以上的行政村。",
    "(十二)": "(十二)加大投入保障。市财政统筹安排资金支持乡村振兴重点工作。",
})
RURAL_V3 = revise(
    RURAL_V2,
    replace={
        "为深入": "为深入贯彻落实中央和自治区农村牧区工作会议精神,全面推进乡村振兴,加快建设现代化农牧业强市,结合我市实际,提出如下实施意见。",
        "(十三)": "(十三)强化考核督导。将重点任务纳入旗县市区党政领导班子和领导干部推进乡村振兴战略实绩考核,考核结果作为干部选拔任用的重要参考。",
    },
    after={"(十三)": ("各旗县市区党委、政府要结合实际制定具体落实措施,确保各项重点工作落地见效。",)},
)

RURAL = Doc(
    "rural", RURAL_TITLE, Kind.OPINIONS, "office-rural", "rural-dir", "rural-m1",
    authority="中共乌兰察布市委 乌兰察布市人民政府",
    key_work="全面推进乡村振兴",
    summary="贯彻中央和自治区一号文件精神,部署2023年全市全面推进乡村振兴的13项重点工作。",
    steps=(
        Draft(d23(1, 9), "初稿", RURAL_V1),
        Consult(
            d23(1, 11), d23(1, 20),
            ("ldr-wu", "ldr-zhao", "mu-ndrc", "mu-finance", "sec-farmland", "150981", "150925", "150929"),
            (
                Answer("ldr-wu", d23(1, 16), (Op("第一部分第(一)条", "建议将粮食生产目标与自治区下达我市的任务衔接,表述为“确保完成自治区下达的粮食生产目标任务”。"),)),
                Answer("ldr-zhao", d23(1, 17), (Op("第一部分第(二)条", "建议增加落实“菜篮子”市长负责制和年度新建设施农业面积的内容。"),)),
                Answer("mu-ndrc", d23(1, 18), (Op("第三部分第(八)条", "建议将招商引资与重大项目谋划储备结合,增加“谋划储备一批农牧业重大项目”的表述,并列出项目数量。", P, "已增加重大项目谋划储备的表述;项目数量以年度重点项目计划为准,实施意见中不再列出。"),)),
                Answer("mu-finance", d23(1, 19), (
                    Op("第二部分第(五)条", "衔接推进乡村振兴补助资金用于产业发展的比例,建议按自治区要求表述为“不低于55%”。"),
                    Op("第五部分第(十二)条", "建议删除“市财政每年安排乡村振兴专项资金不少于1亿元”的表述,资金规模以年度预算为准。", P, "删除具体金额,表述为“市财政统筹安排资金支持乡村振兴重点工作”。"),
                )),
                Answer("sec-farmland", d23(1, 13), (Op("第一部分第(三)条", "高标准农田建设任务以自治区最终下达数为准,建议表述为“新建高标准农田42.6万亩”。"),)),
                Answer("150981", d23(1, 19), (Op("第四部分第(九)条", "建议对农村牧区户厕改造明确“先建后补、以奖代补”的支持方式。"),)),
                Answer("150925", d23(1, 20), (Op("第一部分第(三)条", "我县高标准农田建设任务较重,建议市级配套资金向任务较重的旗县倾斜。", N, "配套资金按自治区下达的任务量和项目评审结果分配,实施意见中不作倾斜规定。"),)),
                Answer("150929", d23(1, 24), (Op("第三部分第(六)条", "建议将肉羊产业列为重点发展产业,增加牧区肉羊标准化养殖的内容。", P, "已增加肉羊产业和牧区肉羊标准化养殖的表述;各旗县重点产业布局在全市产业发展规划中明确。"),)),
            ),
            closed=d23(1, 30),
        ),
        Draft(d23(2, 8), "送审稿", RURAL_V2, "吸收第一轮征求意见:衔接自治区粮食生产任务,高标准农田调整为42.6万亩,明确衔接资金用于产业的比例,增加设施农业、肉羊产业、重大项目储备和户厕“先建后补”的内容,删除专项资金的具体金额。", upload=False),
        # The party group meeting of 16 February approves it in principle (MEETINGS_2023).
        Draft(d23(2, 22), "提请审议稿", RURAL_V3, "根据局党组会议意见修改:表述为“现代化农牧业强市”,考核结果作为干部选拔任用的重要参考,增加对旗县市区制定落实措施的要求。"),
        Submit(d23(2, 23), "提请市委常委会审议。"),
        Approve(d23(3, 3), "市委常委会2023年第4次会议"),
        Issue(d23(3, 10), "乌党发〔2023〕3号"),
    ),
)

# --- 《乌兰察布市建设国家重要农畜产品生产基地实施方案》 ---------------------------------------

BASE_TITLE = "乌兰察布市建设国家重要农畜产品生产基地实施方案"
BASE_V1 = (
    BASE_TITLE,
    "为贯彻落实自治区关于建设国家重要农畜产品生产基地的部署要求,发挥我市马铃薯、冷凉蔬菜、肉牛肉羊和奶业资源优势,制定本方案。",
    "一、总体要求",
    "坚持稳面积、提单产、强加工、创品牌,到2025年把我市建成国家重要的马铃薯种薯和商品薯生产基地、冷凉蔬菜生产基地和优质肉牛肉羊奶源基地。",
    "二、主要目标",
    "(一)马铃薯种植面积稳定在350万亩,脱毒种薯繁育能力达到30亿粒。",
    "(二)冷凉蔬菜种植面积稳定在100万亩以上,外调蔬菜280万吨以上。",
    "(三)肉牛存栏达到100万头,奶牛存栏达到20万头,生鲜乳产量达到80万吨。",
    "三、重点任务",
    "(一)建设马铃薯种薯繁育基地。在察右后旗、四子王旗、察右中旗建设脱毒种薯繁育基地。",
    "(二)建设冷凉蔬菜和净菜进京供应基地。",
    "(三)建设优质肉牛肉羊养殖基地。推进规模养殖场建设和粪污资源化利用。",
    "(四)建设优质奶源基地。推进奶牛规模养殖场改扩建,提高单产水平。",
    "(五)推进高标准农田建设。",
    "(六)发展农畜产品精深加工。",
    "四、保障措施",
    "(一)加强组织领导。成立由市政府分管副市长任组长的基地建设工作领导小组,办公室设在市农牧局。",
    "(二)加大资金支持。市财政每年安排基地建设资金2亿元。",
    "(三)强化督导考核。基地建设重点任务纳入旗县市区年度实绩考核。",
)
BASE_V2 = revise(
    BASE_V1,
    replace={
        "(一)马铃薯种植面积": "(一)马铃薯种植面积稳定在300万亩左右,脱毒种薯繁育能力达到30亿粒。",
        "(一)建设马铃薯": "(一)建设马铃薯种薯繁育基地。在察右后旗、四子王旗、察右中旗建设脱毒种薯繁育基地,将察右后旗种薯繁育基地列为重点建设任务。",
        "(二)建设冷凉蔬菜": "(二)建设冷凉蔬菜和净菜进京供应基地。推进设施农业和冷凉蔬菜生产全程机械化。",
        "(三)建设优质": "(三)建设优质肉牛肉羊养殖基地。落实基础母牛扩群和“见犊补母”政策,推进规模养殖场建设和粪污资源化利用。",
        "(二)加大资金": "(二)加大资金支持。统筹整合涉农资金支持基地建设。",
        "(三)强化督导": "(四)强化督导考核。基地建设重点任务纳入旗县市区年度实绩考核。",
    },
    after={"(二)加大资金": ("(三)强化要素保障。优先保障基地建设项目用地、用电和用水。",)},
)
BASE_V3 = revise(
    BASE_V2,
    replace={
        "(二)建设冷凉蔬菜": "(二)建设冷凉蔬菜和净菜进京供应基地。推进设施农业和冷凉蔬菜生产全程机械化,加强京蒙协作产销对接。",
        "(二)加大资金": "(二)加大资金支持。由市财政局牵头统筹整合涉农资金支持基地建设。",
    },
    after={"(六)发展": ("(七)建立任务清单推进机制。将基地建设重点任务分解为具体落实措施,形成年度重点任务单,按月调度、按季通报。",)},
)

BASE = Doc(
    "base", BASE_TITLE, Kind.PLAN, "office-base", "base-dir", "base-m1",
    authority="乌兰察布市人民政府办公室",
    key_work="国家重要农畜产品生产基地建设",
    summary="明确马铃薯、冷凉蔬菜、肉牛肉羊和奶源基地建设的目标、重点任务和保障措施,重点任务分解为年度重点任务单。",
    steps=(
        Draft(d23(1, 30), "初稿", BASE_V1),
        Consult(
            d23(2, 1), d23(2, 10),
            ("ldr-zhao", "ldr-zhou", "mu-ndrc", "mu-finance", "150928", "150923", "150981", "150926"),
            (
                Answer("ldr-zhao", d23(2, 6), (Op("第二部分第(一)条", "建议马铃薯种植面积目标与全市产业发展规划一致,调整为“稳定在300万亩左右”。"),)),
                Answer("ldr-zhou", d23(2, 7), (Op("第三部分第(三)条", "建议在肉牛基地建设任务中增加基础母牛扩群和“见犊补母”政策的内容。"),)),
                Answer("mu-ndrc", d23(2, 9), (Op("第四部分", "建议在保障措施中增加用地、用电、用水等要素保障的内容。"),)),
                Answer("mu-finance", d23(2, 10), (Op("第四部分第(二)条", "建议将“市财政每年安排基地建设资金2亿元”修改为“统筹整合涉农资金支持基地建设”。"),)),
                Answer("150928", d23(2, 8), (Op("第三部分第(一)条", "建议将察右后旗脱毒种薯繁育基地纳入全市重点建设项目,在资金上给予支持。", P, "已将察右后旗种薯繁育基地列为重点建设任务;具体项目和资金在年度重点任务单中安排。"),)),
                Answer("150923", d23(2, 9), (Op("第三部分第(二)条", "建议增加设施农业和冷凉蔬菜生产全程机械化的内容。"),)),
                Answer("150981", d23(2, 10), (Op("第二部分第(三)条", "奶源基地建设目标偏高,建议结合当前生鲜乳收购形势适当调整。", N, "目标依据自治区下达的任务确定,保持不变;奶业纾困措施在《乌兰察布市奶业振兴支持政策》中统筹考虑。"),)),
                Answer("150926", d23(2, 13), (Op("第三部分第(四)条", "建议对奶牛规模养殖场改扩建项目明确建设标准。", P, "建设标准按自治区奶牛规模养殖场建设规范执行,方案中不再单列。"),)),
            ),
            closed=d23(2, 14),
        ),
        Draft(d23(2, 20), "征求意见修改稿", BASE_V2, "吸收第一轮征求意见:马铃薯面积调整为300万亩左右,增加种薯核心基地、全程机械化、基础母牛扩群和要素保障的内容,资金支持改为统筹整合涉农资金。", upload=False),
        Consult(
            d23(2, 22), d23(3, 1),
            ("ldr-zhao", "mu-ndrc", "mu-finance", "mu-commerce"),
            (
                Answer("ldr-zhao", d23(2, 27)),
                Answer("mu-ndrc", d23(2, 28)),
                Answer("mu-finance", d23(3, 1), (Op("第四部分第(二)条", "建议明确涉农资金统筹整合的牵头部门。"),)),
                Answer("mu-commerce", d23(3, 1), (Op("第三部分第(二)条", "建议将净菜进京与京蒙协作产销对接结合,增加在北京设立销售窗口的内容。", P, "已增加京蒙协作产销对接的表述;北京销售窗口建设由市商务局另行研究。"),)),
            ),
            closed=d23(3, 2),
        ),
        Draft(d23(3, 8), "送审稿", BASE_V3, "吸收第二轮征求意见:明确由市财政局牵头统筹整合涉农资金,增加京蒙协作产销对接和年度重点任务单推进机制。"),
        Submit(d23(3, 9), "提请市人民政府常务会议审议。"),
        Approve(d23(3, 24), "市人民政府2023年第3次常务会议", by="ldr-zhao"),
        Issue(d23(3, 31), "乌政办发〔2023〕5号"),
    ),
)

# --- 《马铃薯产业发展示范区建设方案》 ---------------------------------------------------------

POTATO_TITLE = "马铃薯产业发展示范区建设方案"
POTATO_V1 = (
    POTATO_TITLE,
    "为加快推进马铃薯产业高质量发展,建设国家级马铃薯产业发展示范区,打造“中国薯都”升级版,制定本方案。",
    "一、总体要求",
    "以马铃薯全产业链发展为主线,坚持良种化、标准化、机械化、品牌化,建设种薯繁育、标准化种植、仓储物流、精深加工、品牌营销全链条发展的国家级马铃薯产业发展示范区。",
    "二、建设目标",
    "到2025年,全市马铃薯种植面积稳定在300万亩,建设标准化种植基地100万亩,脱毒种薯自给率达到100%,加工转化率达到50%以上。",
    "三、重点任务",
    "(一)完善种薯繁育体系。在察右后旗、四子王旗、察右中旗建设脱毒种薯繁育基地,支持种薯企业建设智能化网棚。",
    "(二)建设标准化种植基地。推广水肥一体化、全程机械化和绿色防控技术。",
    "(三)提升仓储和加工能力。新建和改造马铃薯贮藏窖,培育精深加工龙头企业。",
    "(四)打造马铃薯品牌。统一使用“原味乌兰察布”区域公用品牌,开展产销对接。",
    "(五)强化科技支撑。组建马铃薯全产业链专家组,筹建马铃薯产业联合会。",
    "四、保障措施",
    "(一)加强组织领导。成立示范区建设领导小组,办公室设在市农牧局马铃薯产业办。",
    "(二)加大政策支持。设立马铃薯产业发展基金。",
    "(三)强化督导考核。将示范区建设任务纳入旗县市区年度考核。",
)
POTATO_V2 = revise(POTATO_V1, replace={
    "到2025年": "到2025年,全市马铃薯种植面积稳定在300万亩,建设标准化种植基地120万亩,脱毒种薯自给率达到100%,加工转化率达到50%以上。",
    "(一)完善": "(一)完善种薯繁育体系。明确察右后旗为全市脱毒种薯繁育核心区,在四子王旗、察右中旗建设脱毒种薯繁育基地,原种扩繁基地推行“企业+合作社+农户”订单生产。",
    "(三)提升": "(三)提升仓储和加工能力。新建和改造马铃薯贮藏窖,将仓储物流设施建设纳入示范区重点项目,培育精深加工龙头企业。",
    "(二)加大政策": "(二)加大政策支持。用好马铃薯国家优势特色产业集群项目资金。",
    "(三)强化督导": "(三)强化督导考核。建立示范区建设月调度、季通报制度,将示范区建设任务纳入旗县市区年度考核。",
})
POTATO_V3 = revise(
    POTATO_V2,
    replace={"到2025年": "到2025年,全市马铃薯种植面积稳定在300万亩,建设标准化种植基地120万亩,脱毒种薯自给率达到100%,加工转化率达到55%以上。"},
    after={"(五)强化科技": ("(六)办好中国马铃薯大会。积极申办第25届中国马铃薯大会,集中展示示范区建设成果。",)},
)

POTATO = Doc(
    "potato", POTATO_TITLE, Kind.PLAN, "office-potato", "potato-dir", "office", chain="potato",
    authority="乌兰察布市人民政府办公室",
    key_work="马铃薯产业发展示范区建设",
    summary="建设种薯繁育、标准化种植、仓储加工、品牌营销全链条的国家级马铃薯产业发展示范区。",
    steps=(
        Draft(d23(2, 6), "初稿", POTATO_V1),
        Consult(
            d23(2, 8), d23(2, 17),
            ("leader", "mu-ndrc", "mu-finance", "150928", "150929", "150922", "150921", "150926"),
            (
                Answer("leader", d23(2, 13), (Op("第二部分", "标准化种植基地目标建议提高到120万亩,与示范区创建要求相衔接。"),)),
                Answer("mu-ndrc", d23(2, 15)),
                Answer("mu-finance", d23(2, 16), (Op("第四部分第(二)条", "建议将“设立马铃薯产业发展基金”修改为“用好马铃薯国家优势特色产业集群项目资金”。"),)),
                Answer("150928", d23(2, 14), (Op("第三部分第(一)条", "建议明确察右后旗为全市脱毒种薯繁育核心区,对网棚建设给予补助。", P, "已明确核心区布局;网棚补助标准在年度项目实施方案中确定。"),)),
                Answer("150929", d23(2, 15), (Op("第三部分第(一)条", "建议增加原种扩繁基地推行“企业+合作社+农户”订单生产的内容。"),)),
                Answer("150922", d23(2, 16), (Op("第三部分第(二)条", "建议对标准化种植基地的水肥一体化设施给予补贴。", N, "补贴按马铃薯国家优势特色产业集群项目实施方案执行,本方案不另设补贴。"),)),
                Answer("150921", d23(2, 20), (Op("第三部分第(三)条", "建议将卓资县马铃薯仓储物流项目纳入示范区建设重点项目。", P, "仓储物流设施建设已纳入示范区重点项目;具体项目经评审后列入年度项目库。"),)),
                Answer("150926", d23(2, 17), (Op("第四部分第(三)条", "建议建立示范区建设月调度、季通报制度。"),)),
            ),
            closed=d23(2, 21),
        ),
        Draft(d23(3, 3), "送审稿", POTATO_V2, "吸收征求意见:标准化种植基地提高到120万亩,明确察右后旗种薯繁育核心区和订单生产,仓储物流纳入重点项目,资金改为用好产业集群项目资金,建立月调度、季通报制度。", upload=False),
        # The director's meeting of 9 March approves it in principle (MEETINGS_2023).
        Draft(d23(3, 20), "提请审议稿", POTATO_V3, "根据局长办公会议意见修改:加工转化率目标提高到55%,增加申办第25届中国马铃薯大会的任务。"),
        Submit(d23(3, 21), "提请市人民政府常务会议审议。"),
        Approve(d23(4, 12), "市人民政府2023年第5次常务会议"),
        Issue(d23(4, 18), "乌政办发〔2023〕8号"),
    ),
)

# --- 《乌兰察布市奶业振兴支持政策》 ------------------------------------------------------------

DAIRY_TITLE = "乌兰察布市奶业振兴支持政策"
DAIRY_V1 = (
    DAIRY_TITLE,
    "为稳定奶牛养殖规模,提升生鲜乳质量和奶业竞争力,加快推进奶业振兴,结合我市实际,制定以下支持政策。",
    "一、支持奶牛规模养殖场建设。对新建、改扩建存栏300头以上的奶牛规模养殖场,按每头奶牛1000元的标准给予一次性补贴。",
    "二、支持良种繁育。对使用性控冻精的奶牛养殖场(户),按每支冻精100元给予补贴。",
    "三、支持优质饲草料种植。对种植青贮玉米、苜蓿等优质饲草料的,按每亩100元给予补贴。",
    "四、支持乳制品加工。对新建乳制品加工项目,按照“一事一议”给予支持。",
    "五、支持奶农稳定生产。鼓励乳企与养殖场签订长期收购合同。",
    "六、加强金融保险支持。对奶牛养殖贷款给予贴息,开展奶牛政策性保险。",
    "七、本政策自印发之日起施行,有效期至2025年12月31日,由市农牧局负责解释。",
)
DAIRY_V2 = revise(DAIRY_V1, replace={
    "一、": "一、支持奶牛规模养殖场建设。对新建、改扩建存栏200头以上的奶牛规模养殖场,按每头奶牛1000元的标准给予一次性补贴;补贴资金按“先建后补”方式兑付,经旗县农牧部门验收合格后拨付。",
    "五、": "五、支持奶农稳定生产。引导乳企与养殖场签订年度收购合同,建立生鲜乳收购价格协商机制;生鲜乳收购价格低于养殖成本时,启动纾困措施。",
    "六、": "六、加强金融保险支持。对奶牛养殖场新增贷款按贷款市场报价利率(LPR)的50%给予贴息,期限不超过2年;开展奶牛政策性保险。",
    "七、": "七、政策资金由市财政统筹安排。本政策自印发之日起施行,有效期至2025年12月31日,由市农牧局负责解释。",
})
DAIRY_V3 = revise(
    DAIRY_V2,
    replace={
        "四、": "五、支持乳制品加工。对新建乳制品加工项目,按照“一事一议”给予支持。",
        "五、": "六、支持奶农稳定生产。引导乳企与养殖场签订年度收购合同,建立生鲜乳收购价格协商机制;生鲜乳收购价格低于养殖成本时,启动纾困措施。",
        "六、": "七、加强金融保险支持。对奶牛养殖场新增贷款按贷款市场报价利率(LPR)的50%给予贴息,期限不超过2年;开展奶牛政策性保险。",
        "七、": "八、政策资金由市财政统筹安排。本政策自印发之日起施行,有效期至2025年12月31日,由市农牧局负责解释。",
    },
    after={"三、": ("四、支持饲喂技术推广。对推行TMR全混合日粮饲喂的规模养殖场,按设备购置费用的30%给予补贴。",)},
)

DAIRY = Doc(
    "dairy", DAIRY_TITLE, Kind.SUPPORT, "office-cattle", "cattle-dir", "cattle-dep", chain="dairy",
    authority="乌兰察布市人民政府办公室",
    key_work="奶业振兴",
    summary="支持奶牛规模养殖场建设、良种繁育、饲草料种植、乳制品加工和奶农稳定生产。",
    steps=(
        Draft(d23(3, 27), "征求意见稿", DAIRY_V1),
        Consult(
            d23(3, 29), d23(4, 7),
            ("ldr-zheng", "mu-finance", "mu-ndrc", "150926", "150925", "150981", "150924"),
            (
                Answer("ldr-zheng", d23(4, 3), (Op("第五条", "当前生鲜乳收购价格下行,建议增加乳企与养殖场签订收购合同、建立价格协商机制和纾困的内容。"),)),
                Answer("mu-finance", d23(4, 6), (
                    Op("第一条", "建议补贴资金按“先建后补”方式兑付,并明确验收程序。"),
                    Op("第七条", "建议明确政策资金由市财政统筹安排。"),
                )),
                Answer("mu-ndrc", d23(4, 7)),
                Answer("150926", d23(4, 4), (Op("第一条", "建议将规模养殖场补贴门槛由存栏300头调整为100头,覆盖更多家庭牧场。", P, "门槛调整为存栏200头以上;家庭牧场按自治区政策予以支持。"),)),
                Answer("150925", d23(4, 6), (Op("第三条", "建议将苜蓿种植补贴标准提高到每亩150元。", N, "补贴标准与自治区政策衔接,市级资金规模有限,维持每亩100元。"),)),
                Answer("150981", d23(4, 7), (Op("第六条", "建议明确贷款贴息的标准和期限。"),)),
                Answer("150924", d23(4, 11)),
            ),
            closed=d23(4, 11),
        ),
        Draft(d23(4, 14), "送审稿", DAIRY_V2, "吸收征求意见:补贴门槛调整为存栏200头,补贴“先建后补”,增加收购合同、价格协商和纾困措施,明确贷款贴息标准和资金来源。", upload=False),
        # The party group meeting of 20 April approves it in principle (MEETINGS_2023).
        Draft(d23(5, 8), "提请审议稿", DAIRY_V3, "根据局党组会议意见修改:增加支持TMR全混合日粮饲喂技术推广一条,其后各条顺延。"),
        Submit(d23(5, 9), "提请市人民政府常务会议审议。"),
        Approve(d23(5, 19), "市人民政府2023年第7次常务会议", by="ldr-zheng"),
        Issue(d23(5, 26), "乌政办发〔2023〕12号"),
    ),
)

# --- 《乌兰察布市肉牛优质冻精补贴方案》 --------------------------------------------------------

SEMEN_TITLE = "乌兰察布市肉牛优质冻精补贴方案"
SEMEN_V1 = (
    SEMEN_TITLE,
    "为加快肉牛品种改良,提高肉牛个体生产性能,推进肉牛产业高质量发展,制定本方案。",
    "一、补贴对象。全市从事肉牛养殖的养殖场(户)和合作社。",
    "二、补贴范围。使用西门塔尔、安格斯、和牛等优质肉牛冻精开展人工授精的能繁母牛。",
    "三、补贴标准。每支优质冻精补贴30元,每头能繁母牛每年补贴不超过3支。",
    "四、资金来源。从市级肉牛产业发展资金中安排。",
    "五、实施程序。养殖户申报、苏木乡镇核实、旗县农牧部门审核公示、市农牧局备案,资金由旗县财政兑付到户。",
    "六、工作要求。各旗县市区要建立冻精使用和配种登记台账,确保补贴资金精准兑付。",
)
SEMEN_V2 = revise(SEMEN_V1, replace={
    "三、": "三、补贴标准。每支优质冻精补贴40元,每头能繁母牛每年补贴不超过3支。",
    "四、": "四、资金来源和拨付。从市级肉牛产业发展资金中安排,年初按各旗县市区能繁母牛存栏数预拨,年底据实清算;资金使用纳入绩效评价。",
    "五、": "五、实施程序。养殖户申报(可由村级配种员协助申报,经养殖户签字确认)、苏木乡镇核实、旗县农牧部门审核公示、市农牧局备案,资金由旗县财政兑付到户。",
    "六、": "六、工作要求。各旗县市区要按市农牧局统一格式建立冻精使用和配种登记台账,确保补贴资金精准兑付。",
})

SEMEN = Doc(
    "semen", SEMEN_TITLE, Kind.SUBSIDY, "office-cattle", "cattle-dir", "cattle-m1", chain="beef-cattle",
    authority="乌兰察布市农牧局",
    key_work="肉牛扩群提质",
    summary="对使用优质肉牛冻精开展人工授精的能繁母牛给予补贴,加快肉牛品种改良。",
    steps=(
        Draft(d23(2, 13), "征求意见稿", SEMEN_V1),
        Consult(
            d23(2, 15), d23(2, 24),
            ("ldr-zhou", "mu-finance", "150927", "150928", "150929", "150923", "150925"),
            (
                Answer("ldr-zhou", d23(2, 20), (Op("第三条", "建议将补贴标准提高到每支40元,提高养殖户使用优质冻精的积极性。"),)),
                Answer("mu-finance", d23(2, 23), (Op("第四条", "建议明确资金拨付方式和绩效目标。"),)),
                Answer("150927", d23(2, 21), (Op("第五条", "建议简化申报程序,由配种员统一代为申报。", P, "允许村级配种员协助申报,但须经养殖户签字确认。"),)),
                Answer("150928", d23(2, 22)),
                Answer("150929", d23(2, 23), (Op("第二条", "建议将肉羊冻精纳入补贴范围。", N, "本方案针对肉牛品种改良;肉羊良种补贴按自治区政策执行。"),)),
                Answer("150923", d23(2, 24)),
                Answer("150925", d23(2, 27), (Op("第六条", "建议配种登记台账统一格式,由市农牧局下发模板。"),)),
            ),
            closed=d23(2, 27),
        ),
        Draft(d23(3, 3), "送审稿", SEMEN_V2, "吸收征求意见:补贴标准提高到每支40元,明确资金预拨清算和绩效评价,允许配种员协助申报,统一登记台账格式。"),
        # Approved by the director's meeting of 9 March (MEETINGS_2023).
        Issue(d23(3, 17), "乌农牧发〔2023〕11号"),
    ),
)

# --- 《原味乌兰察布用标支持政策》 --------------------------------------------------------------

LOGO_POLICY_TITLE = "原味乌兰察布用标支持政策"
LOGO_POLICY_V1 = (
    LOGO_POLICY_TITLE,
    "为加快“原味乌兰察布”区域公用品牌推广使用,鼓励企业规范用标,提升农畜产品品牌价值,制定本政策。",
    "一、对首次获得“原味乌兰察布”品牌授权的企业,给予一次性奖励2万元。",
    "二、对在产品包装上规范使用品牌标识的授权企业,按包装设计印制费用的50%给予补贴,每家企业最高不超过5万元。",
    "三、对授权企业参加市级以上农产品展销会、博览会的,按展位费的50%给予补贴。",
    "四、对授权企业通过电商平台、直播带货销售授权产品的,按年销售额给予奖励。",
    "五、授权企业有违规用标行为的,取消其享受本政策的资格,已兑付资金予以追回。",
    "六、本政策由市农牧局负责解释,自印发之日起施行。",
)
LOGO_POLICY_V2 = revise(LOGO_POLICY_V1, replace={
    "二、": "二、对在产品包装上规范使用品牌标识的授权企业,按包装设计印制费用的50%给予补贴,每家企业最高不超过5万元,可一次性申报;补贴与年度复审结果挂钩,复审不合格的不予补贴。",
    "三、": "三、对授权企业参加市级以上农产品展销会、博览会和京蒙协作消费帮扶展销活动的,按展位费的50%给予补贴。",
    "四、": "四、对授权企业通过电商平台、直播带货销售授权产品,年销售额达到100万元以上的,按销售额的1%给予奖励,每家企业最高不超过10万元。",
})

LOGO_POLICY = Doc(
    "logo-policy", LOGO_POLICY_TITLE, Kind.SUPPORT, "office-brand", "brand-dir", "brand-m1",
    authority="乌兰察布市农牧局",
    key_work="“原味乌兰察布”区域公用品牌建设",
    summary="对品牌授权、规范用标、参展和电商销售给予奖补,推动授权企业规范使用区域公用品牌。",
    steps=(
        Draft(d23(3, 20), "征求意见稿", LOGO_POLICY_V1),
        Consult(
            d23(3, 22), d23(3, 31),
            ("ldr-sun", "mu-commerce", "mu-finance", "150924", "150926", "150902", "150981"),
            (
                Answer("ldr-sun", d23(3, 27), (Op("第四条", "建议明确电商销售奖励的起点、比例和上限。"),)),
                Answer("mu-commerce", d23(3, 30), (Op("第三条", "建议把参加京蒙协作消费帮扶展销活动纳入展会补贴范围。"),)),
                Answer("mu-finance", d23(4, 3), (Op("第二条", "建议包装补贴与企业用标评估结果挂钩。", P, "补贴与年度复审结果挂钩,复审不合格的不予补贴;不另行开展用标评估。"),)),
                Answer("150924", d23(3, 29), (Op("第一条", "建议将首次授权的一次性奖励提高到5万元。", N, "奖励标准综合考虑资金规模和授权企业数量确定,维持2万元。"),)),
                Answer("150926", d23(3, 30)),
                Answer("150902", d23(3, 31)),
                Answer("150981", d23(3, 31), (Op("第二条", "建议包装补贴允许企业一次性申报,简化程序。"),)),
            ),
            closed=d23(4, 4),
        ),
        Draft(d23(4, 12), "送审稿", LOGO_POLICY_V2, "吸收征求意见:包装补贴可一次性申报并与年度复审挂钩,京蒙协作展销活动纳入展会补贴,明确电商销售奖励标准。"),
        # Approved by the party group meeting of 20 April (MEETINGS_2023).
        Issue(d23(4, 28), "乌农牧发〔2023〕19号"),
    ),
)

# --- the brand office's rules (living documents) -----------------------------------------

LICENCE_TITLE = "原味乌兰察布授权管理规则"
LICENCE_V1 = (
    LICENCE_TITLE,
    "第一章 总则",
    "第一条 为规范“原味乌兰察布”区域公用品牌授权使用和管理,维护品牌形象和信誉,制定本规则。",
    "第二条 “原味乌兰察布”区域公用品牌由乌兰察布市农牧局所有,委托乌兰察布市农牧业品牌协会负责日常运营。",
    "第二章 授权条件",
    "第三条 申请授权的企业应在我市依法注册,主要产品原料产自我市,近三年未发生农畜产品质量安全事故。",
    "第四条 申请授权的产品应取得绿色食品、有机农产品、地理标志农产品认证或者达到相应标准。",
    "第三章 授权程序",
    "第五条 企业提出申请,旗县市区农牧部门初审,市品牌办组织专家评审,评审通过的予以公示,公示无异议的签订授权协议。",
    "第六条 授权有效期为2年。有效期满需继续使用的,应在期满前3个月提出续期申请。",
    "第四章 监督管理",
    "第七条 市品牌办对授权企业用标情况进行监督检查,发现违规用标的责令限期整改。",
    "第八条 授权企业发生农畜产品质量安全事故或者拒不整改的,取消授权。",
    "第五章 附则",
    "第九条 本规则由市农牧局负责解释,自印发之日起施行。",
)
LICENCE_V2 = revise(LICENCE_V1, replace={
    "第三条": "第三条 申请授权的企业应在我市依法注册,主要产品原料产自我市,信用记录良好,近三年未发生农畜产品质量安全事故。",
    "第五条": "第五条 企业提出申请,旗县市区农牧部门初审,市品牌办组织专家评审,评审通过的予以公示,公示期为7个工作日,公示无异议的签订授权协议。",
    "第六条": "第六条 授权有效期为3年。有效期满需继续使用的,应在期满前3个月提出续期申请。",
})
LICENCE_V3 = revise(
    LICENCE_V2,
    replace={
        "第八条": "第八条 授权企业每年接受一次复审。复审不合格的限期整改;整改不到位或者发生农畜产品质量安全事故的,予以清退,收回授权证书。",
        "第九条": "第十条 本规则由市农牧局负责解释,自印发之日起施行。",
    },
    after={"第八条": ("第九条 被清退的企业,两年内不得再次申请授权。",)},
)
LICENCE_V4 = revise(
    LICENCE_V3,
    replace={"第五条": "第五条 企业通过市农牧局专办平台在线提出申请,旗县市区农牧部门初审,市品牌办组织专家评审,评审通过的予以公示,公示期为7个工作日,公示无异议的签订授权协议。"},
    after={"第七条": ("第七条之一 授权证书载明授权编号和有效期,社会公众可以通过市农牧局网站核验。",)},
)

LICENCE = Doc(
    "licence", LICENCE_TITLE, Kind.RULES, "office-brand", "brand-dir", "brand-dep", living=True,
    authority="乌兰察布市农牧局",
    key_work="“原味乌兰察布”区域公用品牌建设",
    summary="规定区域公用品牌的授权条件、程序、有效期、复审和清退。",
    steps=(
        Draft(d23(2, 6), "征求意见稿", LICENCE_V1),
        Consult(
            d23(2, 8), d23(2, 16),
            ("ldr-sun", "mu-commerce", "150924", "150926", "150923"),
            (
                Answer("ldr-sun", d23(2, 13)),
                Answer("mu-commerce", d23(2, 14), (Op("第三条", "建议将企业信用记录良好列为授权条件。"),)),
                Answer("150924", d23(2, 15), (Op("第五条", "建议明确公示期限。"),)),
                Answer("150926", d23(2, 16), (Op("第六条", "授权有效期2年偏短,建议延长为5年,减轻企业续期负担。", P, "有效期调整为3年;为保证品牌质量,同时实行年度复审。"),)),
                Answer("150923", d23(2, 17)),
            ),
            closed=d23(2, 20),
        ),
        Draft(d23(2, 22), "送审稿", LICENCE_V2, "吸收征求意见:授权条件增加信用记录良好,明确公示期7个工作日,授权有效期调整为3年。"),
        # Approved by the bureau meeting of 2 March (MEETINGS_2023).
        Issue(d23(3, 10), "乌农牧发〔2023〕7号"),
        Draft(d23(8, 15), "2023年8月修订", LICENCE_V3, "增加年度复审和清退条款:授权企业每年接受一次复审,整改不到位的予以清退(第八条),被清退的企业两年内不得再次申请(新增第九条),原第九条改为第十条。", upload=False),
        Draft(100, "平台上线修订", LICENCE_V4, "授权申请改为通过专办平台在线提出(第五条),增加授权证书在线核验的规定(新增第七条之一)。", upload=False),
    ),
)

TRADEMARK_TITLE = "原味乌兰察布商标使用管理规则"
TRADEMARK_V1 = (
    TRADEMARK_TITLE,
    "第一条 为规范“原味乌兰察布”集体商标的使用,保护商标专用权,根据《中华人民共和国商标法》及其实施条例,制定本规则。",
    "第二条 “原味乌兰察布”集体商标的注册人为乌兰察布市农牧业品牌协会,核定使用商品为第29类、第30类、第31类。",
    "第三条 经授权的企业方可在授权产品及其包装、广告宣传中使用“原味乌兰察布”商标。",
    "第四条 商标使用人不得转让、许可他人使用商标,不得改变商标图样。",
    "第五条 商标使用人应当保证使用商标的商品质量,接受商标注册人的监督检查。",
    "第六条 违反本规则的,由商标注册人责令改正;情节严重的,取消其商标使用资格。",
    "第七条 本规则自印发之日起施行。",
)
TRADEMARK_V2 = revise(TRADEMARK_V1, replace={
    "第四条": "第四条 商标使用人不得转让或者许可他人使用商标,不得擅自改变商标图样、颜色和比例。",
    "第六条": "第六条 违反本规则的,由商标注册人责令限期改正;情节严重的,取消其商标使用资格,并依法追究责任。",
})
TRADEMARK_V3 = revise(TRADEMARK_V2, replace={
    "第二条": "第二条 “原味乌兰察布”集体商标的注册人为乌兰察布市农牧业品牌协会,核定使用商品为第29类、第30类、第31类、第32类。",
    "第三条": "第三条 经授权的企业方可在授权产品及其包装、广告宣传中使用“原味乌兰察布”商标,使用时应当同时标注授权编号。",
})

TRADEMARK = Doc(
    "trademark", TRADEMARK_TITLE, Kind.RULES, "office-brand", "brand-dir", "brand-m2", living=True,
    authority="乌兰察布市农牧局",
    key_work="“原味乌兰察布”区域公用品牌建设",
    summary="规范“原味乌兰察布”集体商标的使用和监督。",
    steps=(
        Draft(d23(2, 15), "初稿", TRADEMARK_V1, upload=False),
        Draft(d23(2, 22), "送审稿", TRADEMARK_V2, "根据法律顾问审核意见修改第四条、第六条。", upload=False),
        # Approved by the bureau meeting of 2 March (MEETINGS_2023).
        Issue(d23(3, 10), "乌农牧发〔2023〕8号"),
        Draft(75, "商标续展后修订", TRADEMARK_V3, "商标续展后核定使用商品增加第32类(第二条);使用商标须同时标注授权编号(第三条)。", upload=False),
    ),
)

LOGO_RULES_TITLE = "原味乌兰察布LOGO使用规则"
LOGO_RULES_V1 = (
    LOGO_RULES_TITLE,
    "一、“原味乌兰察布”LOGO由图形和中文字样组成,图形以阴山、草原和马铃薯花为元素,标准色为草原绿和土地黄。",
    "二、授权企业在产品包装、宣传品上使用LOGO,应当按照标准图样等比例缩放,不得变形、拆分或者改变颜色。",
    "三、LOGO应当置于包装主展示面的显著位置,与企业自有商标同时使用时,不得小于企业自有商标。",
    "四、未经授权,任何单位和个人不得使用LOGO。",
    "五、本规则由市品牌办负责解释,自印发之日起施行。",
)
LOGO_RULES_V2 = revise(
    LOGO_RULES_V1,
    replace={
        "四、": "五、未经授权,任何单位和个人不得使用LOGO。",
        "五、": "六、本规则由市品牌办负责解释,自印发之日起施行。",
    },
    after={"三、": ("四、LOGO最小使用宽度为15毫米;在深色背景上可以使用反白稿,单色印刷时可以使用墨稿。",)},
)

LOGO_RULES = Doc(
    "logo-rules", LOGO_RULES_TITLE, Kind.RULES, "office-brand", "brand-dir", "brand-m1", living=True,
    authority="乌兰察布市农牧局",
    key_work="“原味乌兰察布”区域公用品牌建设",
    summary="规定“原味乌兰察布”LOGO的组成、标准色、使用位置和尺寸。",
    steps=(
        Draft(d23(2, 16), "送审稿", LOGO_RULES_V1),
        # Approved by the bureau meeting of 2 March (MEETINGS_2023).
        Issue(d23(3, 10), "乌农牧发〔2023〕9号"),
        Draft(d23(9, 12), "2023年9月修订", LOGO_RULES_V2, "新增LOGO最小使用尺寸和反白、墨稿使用规范(新增第四条),其后各条顺延。", upload=False),
    ),
)

# --- 《乌兰察布市农牧业招商引资手册》 (living, revised in place) ---------------------------------

HANDBOOK_TITLE = "乌兰察布市农牧业招商引资手册"
HANDBOOK_V1 = (
    HANDBOOK_TITLE,
    "(2023年版)",
    "一、市情概况",
    "乌兰察布市位于内蒙古自治区中部,距北京340公里,是“中国马铃薯之都”“中国草原酸奶之都”,辖11个旗县市区,总面积5.5万平方公里。",
    "二、农牧业资源禀赋",
    "全市耕地面积1200万亩,草原面积3000万亩,马铃薯种植面积稳定在300万亩左右,是全国重要的马铃薯种薯和商品薯生产基地。",
    "三、重点产业链招商方向",
    "(一)马铃薯产业:种薯繁育、主食化加工、全粉和淀粉精深加工。",
    "(二)燕麦产业:燕麦米、燕麦片和功能食品加工。",
    "(三)冷凉蔬菜产业:设施农业、净菜加工和冷链物流。",
    "(四)肉牛肉羊产业:规模养殖、屠宰分割和熟食加工。",
    "(五)奶业:奶源基地建设和乳制品加工。",
    "四、招商引资优惠政策",
    "落实国家西部大开发和自治区、我市支持农牧业产业化发展的各项优惠政策,对重大项目实行“一事一议”。",
    "五、重点招商项目",
    "本手册收录2023年农牧业招商引资重点项目76个,总投资约320亿元,详见项目清单。",
    "六、投资服务",
    "市农牧局农牧领域招商办为投资者提供“一站式”服务,联系方式见市农牧局网站。",
)
HANDBOOK_V2 = revise(HANDBOOK_V1, replace={
    "落实国家": "落实国家西部大开发和自治区、我市支持农牧业产业化发展的各项优惠政策,对重大项目实行“一事一议”;奶业、肉牛项目落实《乌兰察布市奶业振兴支持政策》《乌兰察布市肉牛优质冻精补贴方案》。",
    "本手册收录": "本手册收录2023年农牧业招商引资重点项目76个,其中已签约项目28个,总投资约320亿元,详见项目清单。",
})
HANDBOOK_V3 = revise(HANDBOOK_V2, replace={
    "(一)马铃薯": "(一)马铃薯产业:种薯繁育、主食化加工、全粉和淀粉精深加工,依托马铃薯国家优势特色产业集群项目和第25届中国马铃薯大会开展专题招商。",
})


def handbook(today: datetime.date) -> Doc:
    """The handbook, whose latest edition came out 40 days ago (that year's edition)."""
    year = (today - datetime.timedelta(days=40)).year
    latest = revise(
        HANDBOOK_V3,
        replace={
            "(2023年版)": f"({year}年版)",
            "本手册收录": f"本手册收录{year}年农牧业招商引资重点项目,按产业链分类列示,项目清单每季度更新一次。",
            "市农牧局农牧领域": "市农牧局农牧领域招商办为投资者提供“一站式”服务,重点项目实行“一个项目、一名领导、一个专班”包联服务。",
        },
        after={"(五)奶业": ("(六)品牌农业:与“原味乌兰察布”授权企业合作开展产品开发、精深加工和市场营销。",)},
    )
    return Doc(
        "handbook", HANDBOOK_TITLE, Kind.HANDBOOK, "office-investment", "invest-dir", "invest-m1", living=True,
        authority="乌兰察布市农牧局",
        key_work="农牧业招商引资",
        summary="介绍市情、资源禀赋、六大产业链招商方向、优惠政策、重点项目和投资服务,动态更新。",
        steps=(
            Draft(d23(2, 20), "2023年版", HANDBOOK_V1),
            # Approved by the bureau meeting of 2 March (MEETINGS_2023).
            Issue(d23(3, 8), "乌农牧发〔2023〕6号"),
            Draft(d23(6, 16), "2023年6月更新", HANDBOOK_V2, "更新重点招商项目清单,标注已签约项目28个;补充奶业、肉牛项目适用的支持政策。", upload=False),
            Draft(d23(10, 20), "2023年10月更新", HANDBOOK_V3, "马铃薯国家优势特色产业集群项目获批、第25届中国马铃薯大会申办成功,更新马铃薯产业招商方向。", upload=False),
            Draft(40, f"{year}年版", latest, f"更新为{year}年版:重点招商项目清单改为按季度更新,新增品牌农业招商方向,投资服务增加重点项目包联服务。", upload=False),
        ),
    )


# --- 《乌兰察布市学习推广浙江“千万工程”经验具体措施(讨论稿)》: in opinion-seeking now --------------

VILLAGES_TITLE = "乌兰察布市学习推广浙江“千万工程”经验具体措施(讨论稿)"
VILLAGES_PREAMBLE = "为深入学习贯彻习近平总书记关于“千万工程”的重要指示批示精神,学习推广浙江“千村示范、万村整治”工程经验,因地制宜推进宜居宜业和美乡村建设,结合我市实际,制定以下具体措施。"


@dataclass(frozen=True)
class Measure:
    text: str
    first: str = ""  # its wording in version 1, when it changed
    new: bool = False  # added in version 2


M = Measure
# Version 2: six parts, 37 measures. Version 1 had five parts (no 乡村治理) and 28 measures.
VILLAGES = [
    ("一、坚持规划引领,分类推进村庄建设", [
        M("科学编制村庄规划。按照集聚提升、城郊融合、特色保护、搬迁撤并等类型分类编制村庄规划,2025年底前有条件、有需求的村庄实现规划应编尽编。"),
        M("开展示范村创建。每年在每个旗县市区选择2至3个基础较好的嘎查村,打造一批宜居宜业和美乡村示范村。"),
        M("推进重点村整治。对基础设施薄弱、人居环境较差的嘎查村实施整治提升,逐年压减整治村数量。"),
        M("加强乡村风貌管控。编制农村牧区住房设计图集,引导农牧民建设体现地域特色的宜居农房。"),
        M("推进农村牧区危房改造。落实农村牧区低收入群体住房安全保障,做到应改尽改。"),
        M("盘活闲置农房和宅基地。稳妥开展闲置农房、宅基地盘活利用试点,发展乡村民宿、康养等新业态。", new=True),
    ]),
    ("二、深化人居环境整治,建设美丽宜居乡村", [
        M("推进农村牧区户厕改造。坚持“先建后补、以奖代补”,因地制宜推广水冲式、双瓮漏斗式等改厕模式,每年新改造户厕2万户。", "推进农村牧区户厕改造。因地制宜推广水冲式、双瓮漏斗式等改厕模式,每年新改造户厕1.5万户。"),
        M("加强改厕后续管护。建立户厕问题摸排整改常态化机制,健全粪污收集、转运和资源化利用体系。"),
        M("推进生活垃圾收运处置。健全“户分类、村收集、镇转运、县处理”体系,2025年底前生活垃圾收运处置体系覆盖全部行政村。"),
        M("开展生活垃圾分类试点。在集宁区、丰镇市等城郊村开展农村生活垃圾分类和资源化利用试点。"),
        M("梯次推进生活污水治理。坚持因地制宜、分类施策,优先治理人口集中的村庄和水源保护区村庄,生活污水治理率逐年提高。", "梯次推进生活污水治理。优先治理人口集中的村庄和水源保护区村庄,生活污水治理率逐年提高。"),
        M("开展村庄清洁行动。常态化开展“三清一改”村庄清洁行动,清理残垣断壁和乱堆乱放。"),
        M("推进畜禽粪污资源化利用。规模养殖场粪污处理设施装备配套率保持在95%以上,推行种养结合、就近还田。"),
        M("推进村庄绿化美化。实施庭院和村庄绿化,建设一批森林乡村和美丽庭院示范户。", new=True),
    ]),
    ("三、培育乡村特色产业,促进农牧民增收", [
        M("做强马铃薯、燕麦、冷凉蔬菜产业。建设标准化种植基地,延伸加工链条,带动农牧民稳定增收。"),
        M("做大肉牛、肉羊、奶业产业。推进规模化标准化养殖,落实基础母牛扩群和奶业振兴支持政策。"),
        M("打响“原味乌兰察布”品牌。扩大区域公用品牌授权,提升农畜产品品牌溢价。"),
        M("发展乡村休闲旅游。依托草原、火山、温泉等资源,培育一批休闲农牧业和乡村旅游重点村。"),
        M("发展农村牧区电商。完善县乡村三级物流配送体系,支持农牧民通过电商平台销售特色农畜产品。", new=True),
        M("壮大新型农村牧区集体经济。因村施策发展物业经济、服务经济,到2025年每个嘎查村集体经济年收入达到10万元以上。"),
        M("培育新型经营主体。培育家庭农牧场、农民合作社和农牧业产业化龙头企业,健全联农带农利益联结机制。"),
    ]),
    ("四、完善基础设施和公共服务,推动城乡融合发展", [
        M("推进“四好农村路”建设。实施自然村通硬化路工程,完善农村公路管护机制。"),
        M("提升农村牧区供水保障。实施农村牧区供水工程改造提升,农村牧区自来水普及率达到90%以上。"),
        M("加强农村电网和数字乡村建设。推进农村电网巩固提升和5G网络向行政村延伸。"),
        M("提升乡村教育医疗水平。办好乡村小规模学校和寄宿制学校,推进紧密型县域医共体建设。"),
        M("完善农村牧区养老服务。建设农村牧区互助养老服务设施,提高留守老年人关爱服务水平。"),
        M("推进县域城乡融合。以县城为重要载体推进新型城镇化,促进县乡村功能衔接互补。", new=True),
    ]),
    ("五、加强乡村治理,培育文明乡风", [
        M("健全乡村治理体系。健全党组织领导的自治、法治、德治相结合的乡村治理体系,学习运用“枫桥经验”。", new=True),
        M("推广积分制、清单制治理方式。在嘎查村推行积分制管理和小微权力清单制度。", new=True),
        M("推进移风易俗。治理高价彩礼、大操大办等陈规陋习,发挥村规民约和红白理事会作用。", new=True),
        M("加强农村牧区精神文明建设。深化文明村镇创建,开展“最美家庭”“好媳妇好婆婆”等评选活动。", new=True),
        M("建设平安乡村。常态化开展扫黑除恶,健全矛盾纠纷多元化解机制。", new=True),
    ]),
    ("六、强化组织保障,确保各项措施落地见效", [
        M("加强党的全面领导。落实五级书记抓乡村振兴责任,旗县市区党委书记当好“一线总指挥”。"),
        M("建强基层党组织。选优配强嘎查村“两委”班子,持续整顿软弱涣散基层党组织。"),
        M("健全投入保障机制。统筹整合涉农资金,引导金融和社会资本投入乡村建设。", "健全投入保障机制。市财政每年安排1亿元专项资金,引导金融和社会资本投入乡村建设。"),
        M("建立工作推进机制。市委农牧办牵头建立月调度、季通报工作机制,及时协调解决重点难点问题。"),
        M("强化督导考核。将学习推广“千万工程”经验工作纳入旗县市区推进乡村振兴实绩考核。"),
    ]),
]
PART_NUMBERS = "一二三四五六"
# fmt: on


def villages_text(version: int) -> tuple[str, ...]:
    """The measures as version 1 or 2 had them: parts numbered 一、二、…, measures 1., 2., …
    continuously across the parts (version 1's last part, without 乡村治理, was its 五)."""
    lines = [VILLAGES_TITLE, VILLAGES_PREAMBLE]
    number = 0
    parts = [
        (heading, measures)
        for heading, measures in VILLAGES
        if version == 2 or not all(m.new for m in measures)
    ]
    for index, (heading, measures) in enumerate(parts):
        lines.append(PART_NUMBERS[index] + heading[1:])
        for measure in measures:
            if version == 1 and measure.new:
                continue
            number += 1
            text = measure.first if version == 1 and measure.first else measure.text
            lines.append(f"{number}.{text}")
    return tuple(lines)


# fmt: off
def villages(today: datetime.date) -> Doc:
    """Round 1 on version 1 (closed), round 2 on version 2, open until a few days ahead.
    Opinion clauses cite the version consulted on."""
    counties = tuple(code for code, _name, _short in org_data.COUNTIES)
    return Doc(
        "villages", VILLAGES_TITLE, Kind.OPINIONS, "office-rural", "rural-dir", "rural-m1",
        authority="中共乌兰察布市委农村牧区工作领导小组",
        key_work="学习运用“千万工程”经验,建设宜居宜业和美乡村",
        summary="学习推广浙江“千万工程”经验,从规划、人居环境、产业、基础设施和公共服务、乡村治理、组织保障6个方面提出37条具体措施。",
        steps=(
            Draft(50, "讨论稿", villages_text(1)),
            Consult(
                48, 38,
                ("ldr-wu", "ldr-zhao", "mu-ndrc", "mu-finance", "150902", "150925", "150929"),
                (
                    Answer("ldr-wu", 43, (Op("整体", "建议单列“加强乡村治理”部分,学习运用浙江“枫桥经验”和积分制、清单制做法。"),)),
                    Answer("ldr-zhao", 42, (Op("第一部分", "建议增加盘活闲置农房和宅基地、发展乡村民宿的措施。"),)),
                    Answer("mu-ndrc", 40, (Op("第四部分", "建议增加以县城为重要载体推进城乡融合发展的内容。"),)),
                    Answer("mu-finance", 39, (Op("第五部分第26条", "建议删除“市财政每年安排1亿元专项资金”的表述,改为统筹整合涉农资金。", P, "删除具体金额,表述为“统筹整合涉农资金,引导金融和社会资本投入乡村建设”。"),)),
                    Answer("150902", 41, (Op("第二部分第6条", "户厕改造年度任务建议由1.5万户调整为2万户,并明确“先建后补、以奖代补”,与自治区下达任务衔接。"),)),
                    Answer("150925", 39, (
                        Op("第三部分", "建议增加发展农村牧区电商和县乡村三级物流配送的内容。"),
                        Op("第二部分", "建议增加村庄绿化美化和美丽庭院创建的内容。"),
                    )),
                    Answer("150929", 36, (Op("第二部分第10条", "牧区居住分散,生活污水治理建议不搞“一刀切”,因地制宜选择治理模式。", P, "已增加“因地制宜、分类施策”的表述;治理率目标仍按全市统一要求。"),)),
                ),
                closed=35,
            ),
            Pen(20, "rural-dep"),
            Draft(14, "讨论稿(第二稿)", villages_text(2), "吸收第一轮征求意见:单列“加强乡村治理,培育文明乡风”部分(5条),增加盘活闲置农房、村庄绿化、农村电商、县域城乡融合4条,措施由5个方面28条调整为6个方面37条;户厕改造任务调整为每年2万户,资金保障改为统筹整合涉农资金。"),
            Consult(
                10, today + datetime.timedelta(days=5),
                ("leader", "ldr-wu", "mu-ndrc", "mu-finance", "mu-commerce", "sec-coop", *counties),
                (
                    Answer("150902", 8, (Op("第二部分第10条", "集宁区城郊村已开展生活垃圾分类,建议将试点范围扩大到察右前旗等城郊旗县。", P, "试点范围增加察右前旗;其他旗县市区根据条件逐步推开。"),)),
                    Answer("150981", 8),
                    Answer("ldr-wu", 7),
                    Answer("150927", 7),
                    Answer("leader", 6, (Op("第三部分第20条", "嘎查村集体经济年收入10万元以上的目标建议分年度提出,明确2025年、2027年的阶段目标。"),)),
                    Answer("150926", 6, (Op("第六部分第36条", "建议月调度与乡村振兴重点任务月调度合并进行,减轻基层报表负担。"),)),
                    Answer("150924", 5, (Op("第四部分第23条", "建议明确农村牧区供水工程改造提升的年度任务。", ""),)),
                    Answer("150925", 5, (Op("第三部分第18条", "建议将岱海周边乡村旅游纳入重点培育名单。", ""),)),
                    Answer("150928", 4, (Op("第三部分第18条", "建议增加火山草原旅游与马铃薯种薯基地联动发展的内容。", ""),)),
                    Answer("150929", 4, (Op("第五部分第30条", "建议结合牧区实际,增加治理高额彩礼的具体措施。", ""),)),
                    Answer("mu-ndrc", 4, (Op("第四部分第27条", "建议与全市新型城镇化实施方案相衔接。", ""),)),
                    Answer("mu-finance", 3, (Op("第六部分第35条", "建议明确涉农资金统筹整合的范围和比例。", ""),)),
                    Answer("sec-coop", 3, (Op("第三部分第20条", "建议增加规范农村牧区集体资产管理、防范集体经济“空壳化”的内容。", ""),)),
                    # Urged the day before, with 卓资县, 化德县 and 市商务局 (who have not answered).
                    Answer("150923", 1, (Op("第二部分第8条", "户厕改造任务较重,建议市级对改厕后续管护给予资金支持。", ""),)),
                ),
                urged=2,
                handled=1,
            ),
        ),
    )
# fmt: on


def documents(today: datetime.date) -> list[Doc]:
    return [
        RURAL,
        BASE,
        POTATO,
        DAIRY,
        SEMEN,
        LOGO_POLICY,
        LICENCE,
        TRADEMARK,
        LOGO_RULES,
        handbook(today),
        villages(today),
    ]


# The six documents the seed names (its section 二), all issued, and the living ones.
SEED_DOCUMENTS = {
    RURAL_TITLE: Kind.OPINIONS,
    BASE_TITLE: Kind.PLAN,
    POTATO_TITLE: Kind.PLAN,
    DAIRY_TITLE: Kind.SUPPORT,
    SEMEN_TITLE: Kind.SUBSIDY,
    LOGO_POLICY_TITLE: Kind.SUPPORT,
}
LIVING_TITLES = (HANDBOOK_TITLE, LICENCE_TITLE, TRADEMARK_TITLE, LOGO_RULES_TITLE)

# --- meetings -------------------------------------------------------------------------


@dataclass(frozen=True)
class Follow:
    """A task decided at a meeting; `plan` says where it stands (as in tasks_data): C closed
    on `closed`, G in progress and on time, Y lagging its time, A assigned and not yet
    accepted, R overdue and urged by the office."""

    lead: str  # county division code
    content: str
    due: When
    plan: str
    leader: str  # the responsible leader's username
    pct: int = 0
    closed: When | None = None
    note: str = ""  # the last progress report


@dataclass(frozen=True)
class Item:
    """An agenda topic. `defer`: deferred when the agenda was set (to the meeting `to`, or
    for now); `moved`: the topic deferred here from an earlier meeting (`key` names it)."""

    office: str
    title: str
    summary: str = ""
    request: str = ""
    outcome: str = ""
    decision: str = ""
    document: str = ""  # the key of the document it puts before the meeting
    follow: tuple[Follow, ...] = ()
    defer: str = ""
    to: str = ""
    key: str = ""
    moved: bool = False
    material: str = ""  # the title of a .docx material
    agenda: bool = True  # (a meeting still collecting topics) put on the agenda already


@dataclass(frozen=True)
class Sitting:
    key: str
    kind: str
    on: When
    hour: int
    title: str  # {year} and {n}: the meeting's number among the year's of its kind
    place: str
    convener: str
    manager: str  # who plans it, sets its agenda and records its minutes
    chair: str
    attendees: tuple[str, ...]
    guests: str
    items: tuple[Item, ...]
    minutes: str = ""
    held: bool = True


LEADERS = tuple(username for username, _name, _title in org_data.LEADERS)
ROOM = "市农牧局四楼会议室"
SMALL_ROOM = "市农牧局三楼会议室"
OC = Outcome
MK = MeetingKind

# fmt: off
MEETINGS_2023 = [
    Sitting(
        "pg-23-1", MK.PARTY_GROUP, d23(2, 16), 9, "市农牧局党组{year}年第{n}次会议", ROOM, "bureau", "leader", "leader",
        LEADERS, "农牧办、国家重要农畜产品基地办负责同志列席",
        (
            Item("office-rural", "关于研究《乌兰察布市关于做好2023年全面推进乡村振兴重点工作的实施意见(送审稿)》的议题",
                 "送审稿已征求相关市领导、3个旗县市区和市发展改革委、市财政局等部门意见,共收到意见9条,采纳5条、部分采纳3条、未采纳1条。",
                 "请审议送审稿,同意后按程序提请市委常委会审议。",
                 OC.APPROVED_WITH_CHANGES, "原则通过。请农牧办根据会议意见进一步修改完善,突出“现代化农牧业强市”定位,强化考核结果运用,按程序提请市委常委会审议。",
                 document="rural"),
            Item("office-rural", "关于《2023年全市农村牧区重点工作任务清单》的议题",
                 "对照中央、自治区和市委、市政府部署,梳理形成2023年全市农村牧区重点工作任务清单,逐项明确牵头单位、配合单位和完成时限。",
                 "请审定任务清单。", OC.APPROVED, "原则同意。由农牧办按程序下达各旗县市区党委、政府和市直各有关单位,纳入月调度、季通报。"),
            Item("office-base", "关于研究《乌兰察布市建设重要农畜产品生产加工基地2023年重点任务单》的议题",
                 "将基地建设实施方案的重点任务分解为76项具体落实措施,明确责任单位和完成时限。",
                 "请审定重点任务单。", OC.APPROVED, "原则同意。由基地办下达各旗县市区和市直有关单位,建立任务分解台账,按月调度。"),
        ),
        minutes="党组会议纪要〔{year}〕{n}号",
    ),
    Sitting(
        "bm-23-1", MK.BUREAU, d23(3, 2), 9, "市农牧局{year}年第{n}次局务会议", ROOM, "bureau", "leader", "leader",
        (*LEADERS, "brand-dir", "invest-dir"), "品牌办、招商办全体人员,市农牧业品牌协会负责同志列席",
        (
            Item("office-brand", "关于研究《原味乌兰察布授权管理规则(送审稿)》的议题",
                 "规则已征求分管局领导、市商务局和3个旗县意见,采纳2条、部分采纳1条。", "请审议。",
                 OC.APPROVED, "审议通过。由品牌办以市农牧局文件印发,与商标使用管理规则、LOGO使用规则同步实施。", document="licence"),
            Item("office-brand", "关于研究《原味乌兰察布商标使用管理规则(送审稿)》的议题",
                 "规则经法律顾问审核修改。", "请审议。", OC.APPROVED, "审议通过。由品牌办以市农牧局文件印发。", document="trademark"),
            Item("office-brand", "关于研究《原味乌兰察布LOGO使用规则(送审稿)》的议题",
                 "规则明确LOGO的组成、标准色和使用要求。", "请审议。",
                 OC.APPROVED, "审议通过。由品牌办以市农牧局文件印发,并制作LOGO使用手册发放授权企业。", document="logo-rules"),
            Item("office-investment", "关于研究《乌兰察布市农牧业招商引资手册(2023年版)》的议题",
                 "手册收录六大产业链招商方向、优惠政策和76个重点招商项目。", "请审定后印发。",
                 OC.APPROVED, "审议通过。由招商办印发,并根据项目进展动态更新。", document="handbook"),
        ),
        minutes="局务会议纪要〔{year}〕{n}号",
    ),
    Sitting(
        "dm-23-1", MK.DIRECTOR, d23(3, 9), 15, "市农牧局{year}年第{n}次局长办公会议", SMALL_ROOM, "bureau", "leader", "leader",
        ("leader", "ldr-zhou", "ldr-zheng", "potato-dir", "cattle-dir", "alliance-dir"), "马铃薯产业办、肉(奶)牛办、马铃薯联盟秘书处负责同志",
        (
            Item("office-potato", "关于研究《马铃薯产业发展示范区建设方案(送审稿)》的议题",
                 "方案已征求王振华局长、5个旗县和市发展改革委、市财政局意见,共收到意见7条,采纳4条、部分采纳2条、未采纳1条。",
                 "请审议,同意后提请市人民政府常务会议审议。",
                 OC.APPROVED_WITH_CHANGES, "原则通过。请马铃薯产业办提高加工转化率目标,增加申办中国马铃薯大会的内容,修改后提请市人民政府常务会议审议。",
                 document="potato"),
            Item("office-cattle", "关于研究《乌兰察布市肉牛优质冻精补贴方案(送审稿)》的议题",
                 "方案已征求分管局领导、5个旗县和市财政局意见,补贴标准拟定为每支40元。", "请审议。",
                 OC.APPROVED, "审议通过。由肉(奶)牛办以市农牧局文件印发,抓紧做好年度补贴资金测算。", document="semen"),
            Item("office-alliance", "马铃薯产业联合会筹建工作进展情况汇报",
                 "已与各会员单位沟通拟定联合会章程和工作计划,正在准备注册登记材料。", "",
                 OC.NOTED, "会议听取了汇报。要求6月底前完成联合会注册、开户和印章办理等手续,工作计划待第一届理事会审议后实施。"),
        ),
        minutes="局长办公会议纪要〔{year}〕{n}号",
    ),
    Sitting(
        "pm-23-1", MK.PROMOTION, d23(3, 23), 9, "全市马铃薯产业发展示范区建设专项推进会", "察右后旗人民政府会议室", "office-potato", "potato-dir", "leader",
        ("leader", "potato-dir", "potato-dep", "office", "alliance-dir"), "有关旗县市区分管负责同志、农牧局局长,种薯企业代表",
        (
            Item("office-potato", "马铃薯产业发展示范区建设推进情况汇报",
                 "示范区建设方案已提请市政府审议;察右后旗、四子王旗种薯基地地块流转和订单签订正在推进。",
                 "请明确种薯基地建设的时间节点。",
                 OC.NOTED, "会议听取了汇报,明确了种薯基地建设的时间节点,由马铃薯产业办跟踪调度。",
                 follow=(
                     Follow("150928", "4月底前完成脱毒种薯繁育基地2万亩地块落实和订单签订", d23(4, 30), "C", "leader", closed=d23(4, 27), note="2万亩地块全部落实,种薯企业与合作社签订订单协议,佐证材料已上传。"),
                     Follow("150929", "5月中旬前完成原种扩繁基地网棚建设并完成原种定植", d23(5, 15), "C", "leader", closed=d23(5, 12), note="网棚全部完工,原种已定植,完工照片和验收单已上传。"),
                 )),
            Item("office-alliance", "关于申办2024年第25届中国马铃薯大会的议题",
                 "中国作物学会马铃薯专业委员会正在征集第25届中国马铃薯大会承办城市。", "请同意我市申办。",
                 OC.APPROVED, "同意申办。由马铃薯联盟秘书处会同马铃薯产业办准备申办材料,报市政府同意后提交。"),
        ),
        minutes="专项推进会议纪要〔{year}〕{n}号",
    ),
    Sitting(
        "dp-23-1", MK.DISPATCH, d23(4, 6), 15, "全市春耕春播暨重要农畜产品生产基地建设调度会", ROOM, "office-base", "base-dir", "ldr-zhao",
        ("ldr-zhao", "base-dir", "base-dep", "basket-dir"), "各旗县市区农牧局分管负责同志(视频参会)",
        (
            Item("office-base", "国家重要农畜产品生产基地建设重点任务推进情况汇报",
                 "76项落实措施已全部下达,一季度完成8项,春耕备耕物资到位率92%。", "",
                 OC.NOTED, "会议听取了汇报。要求各旗县市区抓住春播关键期,每月5日前报送重点任务进展。"),
            Item("office-basket", "设施农业新建项目开工和“菜篮子”产品保供情况汇报",
                 "新建设施农业项目已开工1200亩,蔬菜育苗基本完成。", "",
                 OC.NOTED, "会议听取了汇报。要求加快设施农业项目招标和开工,做好“菜篮子”市长负责制考核准备。"),
        ),
        minutes="调度会议纪要〔{year}〕{n}号",
    ),
    Sitting(
        "pg-23-2", MK.PARTY_GROUP, d23(4, 20), 9, "市农牧局党组{year}年第{n}次会议", ROOM, "bureau", "leader", "leader",
        LEADERS, "肉(奶)牛办、品牌办负责同志列席",
        (
            Item("office-cattle", "关于研究《乌兰察布市奶业振兴支持政策(送审稿)》的议题",
                 "政策已征求分管局领导、4个旗县市区和市财政局、市发展改革委意见,采纳5条、部分采纳1条、未采纳1条。",
                 "请审议,同意后提请市人民政府常务会议审议。",
                 OC.APPROVED_WITH_CHANGES, "原则通过。请肉(奶)牛办增加支持TMR全混合日粮饲喂技术推广的内容,修改后提请市人民政府常务会议审议。",
                 document="dairy"),
            Item("office-brand", "关于研究《原味乌兰察布用标支持政策(送审稿)》的议题",
                 "政策已征求分管局领导、市商务局、市财政局和4个旗县市区意见。", "请审议。",
                 OC.APPROVED, "审议通过。由品牌办以市农牧局文件印发,政策资金纳入年度预算。", document="logo-policy"),
        ),
        minutes="党组会议纪要〔{year}〕{n}号",
    ),
    Sitting(
        "dm-23-2", MK.DIRECTOR, d23(5, 11), 15, "市农牧局{year}年第{n}次局长办公会议", SMALL_ROOM, "bureau", "leader", "leader",
        ("leader", "ldr-zhou", "ldr-sun", "cattle-dir", "invest-dir", "cleanveg-dir"), "肉(奶)牛办、招商办、净菜进京办负责同志",
        (
            Item("office-cattle", "关于2023年度肉牛冻精补贴资金分配的请示",
                 "按各旗县能繁母牛存栏数测算,拟预拨冻精补贴资金860万元。", "请审定分配方案。",
                 OC.APPROVED, "同意分配方案。由肉(奶)牛办通知各旗县市区,6月底前将补贴资金兑付到户并报送兑付清单。",
                 material="2023年度肉牛冻精补贴资金分配测算说明",
                 follow=(
                     Follow("150927", "6月底前完成2023年度肉牛优质冻精补贴资金兑付,报送兑付清单", d23(6, 30), "C", "ldr-zhou", closed=d23(6, 26), note="补贴资金已全部兑付到户并在各村公示,兑付清单已上传。"),
                     Follow("150929", "6月底前完成2023年度肉牛优质冻精补贴资金兑付,报送兑付清单", d23(6, 30), "C", "ldr-zhou", closed=d23(7, 5), note="补贴资金已兑付到户,因牧区配种登记核实延后5天完成,兑付清单已上传。"),
                 )),
            Item("office-investment", "农牧业招商引资签约项目落地情况汇报",
                 "今年以来开展招商活动42次,签约项目28个,已开工16个。", "",
                 OC.NOTED, "会议听取了汇报。要求对未开工项目逐一落实包联领导,协调解决用地、环评等前期手续。"),
            Item("office-clean-veg", "关于2023年净菜进京供应基地建设的议题",
                 "拟在察右前旗、商都县、兴和县建设净菜进京供应基地,配套产地预冷库。", "请研究基地布局和支持政策。",
                 defer="供应基地布局需与市商务局进一步对接,提交下次局务会议研究。", to="bm-23-2", key="cleanveg-23"),
        ),
        minutes="局长办公会议纪要〔{year}〕{n}号",
    ),
    Sitting(
        "bm-23-2", MK.BUREAU, d23(5, 25), 9, "市农牧局{year}年第{n}次局务会议", ROOM, "bureau", "leader", "leader",
        (*LEADERS, "cleanveg-dir", "basket-dir", "rural-dir"), "净菜进京办、菜篮子办、农牧办负责同志,市商务局有关同志列席",
        (
            Item("office-clean-veg", "关于2023年净菜进京供应基地建设的议题", key="cleanveg-23", moved=True,
                 outcome=OC.APPROVED_WITH_CHANGES,
                 decision="原则同意在察右前旗、商都县、兴和县建设净菜进京供应基地。请净菜进京办会同市商务局细化产销对接措施,支持政策纳入年度项目统筹安排。"),
            Item("office-basket", "关于《乌兰察布市“菜篮子”市长负责制考核任务清单(征求意见稿)》修订情况的汇报",
                 "根据自治区考核办法实施细则(征求意见稿),在征求相关部门意见的基础上修订了考核任务清单。", "",
                 OC.NOTED, "会议听取了汇报。请菜篮子办待自治区实施细则正式印发后完善任务清单,分解到各旗县市区和成员单位。"),
            Item("office-rural", "《乌兰察布市关于做好2023年全面推进乡村振兴重点工作的实施意见》落实情况汇报",
                 "13项重点工作已分解到各牵头单位,一季度情况已上报。", "",
                 OC.NOTED, "会议听取了汇报。要求农牧办按季度调度实施意见落实情况,形成情况报告上报市委、市政府。"),
        ),
        minutes="局务会议纪要〔{year}〕{n}号",
    ),
    Sitting(
        "site-23-1", MK.SITE, d23(6, 8), 9, "全市春耕春播现场观摩会", "察右前旗玫瑰营镇马铃薯标准化种植基地", "office-rural", "rural-dir", "leader",
        ("leader", "ldr-zhao", "rural-dir", "potato-dir", "base-dir"), "各旗县市区分管负责同志、农牧局局长,市直有关部门负责同志",
        (
            Item("office-potato", "马铃薯标准化种植和水肥一体化技术推广情况",
                 "察右前旗马铃薯标准化种植基地推广水肥一体化和全程机械化,亩均增产一成以上。", "",
                 OC.NOTED, "会议观摩了种植基地,要求各旗县市区学习推广察右前旗的经验做法。"),
        ),
        minutes="现场观摩会议纪要〔{year}〕{n}号",
    ),
]


def meetings_now() -> list[Sitting]:
    """This year's meetings, days before today (the next one: after)."""
    return [
        Sitting(
            "bm-1", MK.BUREAU, 165, 9, "市农牧局{year}年第{n}次局务会议", ROOM, "bureau", "leader", "leader",
            (*LEADERS, "potato-dir"), "马铃薯产业办负责同志",
            (
                Item("office-potato", "马铃薯产业发展示范区建设推进情况汇报",
                     "示范区建设任务总体按计划推进,卓资县绿色高质高效示范区、化德县原种繁育网棚建设进度偏慢。",
                     "请明确两县重点项目的完成时限。",
                     OC.NOTED, "会议听取了汇报。要求卓资县加快绿色高质高效示范区建设,化德县完成原种繁育网棚建设,由马铃薯产业办跟踪督办。",
                     material="马铃薯产业发展示范区建设推进情况汇报",
                     follow=(
                         Follow("150921", "加快复兴乡马铃薯绿色高质高效示范区建设,完成核心区2000亩标准化种植和水肥一体化配套", -32, "Y", "leader", pct=30, note="收到督办通报后已启动核心区建设,完成土地整理1200亩,水肥一体化设备正在招标。"),
                         Follow("150922", "完成公腊胡洞乡原种繁育网棚建设并投入使用", -40, "A", "leader"),
                     )),
            ),
            minutes="局务会议纪要〔{year}〕{n}号",
        ),
        Sitting(
            "site-1", MK.SITE, 135, 9, "全市现代农业现场观摩会", "凉城县现代农业示范园区", "office-rural", "rural-dir", "leader",
            ("leader", "ldr-sun", "rural-dir", "basket-dir", "base-dir"), "各旗县市区分管负责同志、农牧局局长,市直有关部门负责同志",
            (
                Item("office-basket", "全市设施农业和现代农业园区建设情况汇报",
                     "凉城县现代农业示范园区实行“统一规划、统一建设、统一管理”,带动周边农户发展冷凉蔬菜。", "",
                     OC.NOTED, "会议观摩了凉城县现代农业示范园区,要求凉城县总结经验形成典型材料,在全市推广。",
                     follow=(Follow("150925", "总结现代农业示范园区“统一规划、统一建设、统一管理”经验,形成典型材料报市委农牧办", 115, "C", "ldr-sun", closed=118, note="典型材料已形成并报送市委农牧办。"),)),
            ),
            minutes="现场观摩会议纪要〔{year}〕{n}号",
        ),
        Sitting(
            "dm-1", MK.DIRECTOR, 120, 15, "市农牧局{year}年第{n}次局长办公会议", SMALL_ROOM, "bureau", "leader", "leader",
            ("leader", "ldr-zhou", "ldr-zheng", "invest-dir", "cattle-dir"), "招商办、肉(奶)牛办负责同志",
            (
                Item("office-investment", "农牧业招商引资签约项目落地情况汇报",
                     "今年签约的农牧业项目中,四子王旗尚有3个项目未开工,用地、环评手续办理缓慢。", "",
                     OC.NOTED, "会议听取了汇报。要求四子王旗逐项落实包联领导,推动未开工项目开工建设。",
                     follow=(Follow("150929", "推动3个未开工签约项目办理用地、环评手续并开工建设", 40, "C", "ldr-zheng", closed=43, note="3个项目均已取得用地手续并开工建设,开工照片已上传。"),)),
                Item("office-cattle", "关于肉牛冻精补贴资金分配的请示",
                     "按各旗县能繁母牛存栏数测算本年度冻精补贴资金。", "请审定分配方案。",
                     OC.APPROVED, "同意分配方案。请各旗县市区按期将补贴资金兑付到户并报送兑付清单。",
                     follow=(Follow("150928", "完成本年度肉牛优质冻精补贴资金兑付,报送兑付清单", 75, "C", "ldr-zhou", closed=78, note="补贴资金已全部兑付到户,兑付清单已上传。"),)),
            ),
            minutes="局长办公会议纪要〔{year}〕{n}号",
        ),
        Sitting(
            "pm-1", MK.PROMOTION, 90, 9, "全市奶业纾困专项推进会", ROOM, "office-cattle", "cattle-dir", "ldr-zheng",
            ("ldr-zheng", "cattle-dir", "cattle-dep", "cattle-m1"), "有关旗县市区农牧局负责同志,伊利、蒙牛等乳企和奶牛养殖场代表",
            (
                Item("office-cattle", "奶业生产经营形势和纾困措施落实情况汇报",
                     "生鲜乳收购价格较年初下降约一成,部分养殖场出现压栏和淘汰母牛的现象。", "请研究纾困措施。",
                     OC.NOTED, "会议听取了汇报。要求察右中旗抓紧兑付饲草料补贴,丰镇市协调乳企与养殖场签订年度收购合同。",
                     follow=(
                         Follow("150927", "兑付奶牛养殖场饲草料补贴资金", 10, "R", "ldr-zheng", pct=60, note="已完成补贴对象核实和公示,正在办理资金拨付手续。"),
                         Follow("150981", "协调乳企与养殖场签订年度收购合同,合同签订率达到八成以上", -25, "G", "ldr-zheng", pct=65, note="已协调乳企与12家养殖场签订年度收购合同,签订率达到六成五。"),
                     )),
            ),
            minutes="专项推进会议纪要〔{year}〕{n}号",
        ),
        Sitting(
            "dm-2", MK.DIRECTOR, 60, 15, "市农牧局{year}年第{n}次局长办公会议", SMALL_ROOM, "bureau", "leader", "leader",
            ("leader", "ldr-sun", "cleanveg-dir"), "净菜进京办负责同志,市商务局有关同志列席",
            (
                Item("office-clean-veg", "关于净菜进京供应基地冷链设施建设的议题",
                     "督导调研发现察右前旗、兴和县净菜进京供应基地产地预冷设施不足,采后损耗率偏高。", "请研究预冷库建设支持措施。",
                     OC.APPROVED_WITH_CHANGES, "原则同意。请察右前旗新建产地预冷库2座,净菜进京办会同市商务局完善冷链运输方案后组织实施。",
                     follow=(Follow("150926", "新建产地预冷库2座,完善净菜冷链运输", -45, "G", "ldr-sun", pct=50, note="2座预冷库主体完工,正在安装制冷设备。"),)),
            ),
            minutes="局长办公会议纪要〔{year}〕{n}号",
        ),
        Sitting(
            "dp-1", MK.DISPATCH, 45, 15, "国家重要农畜产品生产基地建设调度会", ROOM, "office-base", "base-dir", "ldr-zhao",
            ("ldr-zhao", "base-dir", "base-dep"), "各旗县市区农牧局分管负责同志(视频参会)",
            (
                Item("office-base", "基地建设重点任务推进情况和存在问题",
                     "商都县设施农业新建项目开工面积仅完成年度任务的五成。", "",
                     OC.NOTED, "会议听取了汇报。要求商都县加快设施农业新建项目建设,年底前完成年度任务。",
                     follow=(Follow("150923", "加快设施农业新建项目建设,年底前完成新建日光温室86栋", -20, "G", "ldr-zhao", pct=65, note="新建日光温室已完工56栋,其余正在建设。"),)),
            ),
            minutes="调度会议纪要〔{year}〕{n}号",
        ),
        Sitting(
            "pg-1", MK.PARTY_GROUP, 30, 9, "市农牧局党组{year}年第{n}次会议", ROOM, "bureau", "leader", "leader",
            LEADERS, "农牧办、马铃薯联盟秘书处负责同志列席",
            (
                Item("office-rural", "关于学习推广浙江“千万工程”经验具体措施起草情况的汇报",
                     "具体措施讨论稿已完成第一轮征求意见,共收到意见8条,拟单列乡村治理部分,调整为6个方面37条。", "请审议起草思路。",
                     OC.NOTED, "原则同意起草思路。请农牧办修改完善后再次征求相关市领导、各旗县市区和部门意见,按程序提请市委审议。"),
                Item("office-alliance", "关于马铃薯产业联合会第一届理事会换届的议题",
                     "联合会第一届理事会任期将满,拟启动换届。", "请研究换届方案。",
                     defer="联合会章程修订尚未完成,待章程修订后再提交会议研究。"),
            ),
            minutes="党组会议纪要〔{year}〕{n}号",
        ),
        # The next bureau meeting, still collecting topics.
        Sitting(
            "bm-2", MK.BUREAU, -6, 9, "市农牧局{year}年第{n}次局务会议", ROOM, "bureau", "leader", "leader",
            (*LEADERS, "brand-dir", "invest-dir"), "品牌办、招商办负责同志列席",
            (
                Item("office-brand", "关于“原味乌兰察布”授权企业年度复审结果的议题",
                     "完成全部授权企业年度复审,复审合格78家,限期整改4家,拟清退1家。", "请审定复审结果。"),
                Item("office-investment", "关于修订《乌兰察布市农牧业招商引资手册》的议题",
                     "根据本年度重点招商项目库更新情况,拟修订招商引资手册。", "请审议修订内容。", agenda=False),
            ),
            held=False,
        ),
    ]
# fmt: on

# --- loading ---------------------------------------------------------------------------


class _Clock(SupervisionClock):
    """Supervision's clock, for what this app's services stamp with the time they run."""

    FIELDS = {Notification: "created_at", DocumentEvent: "at", TaskEvent: "at"}


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone()
    )


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@functools.cache
def _blank_docx() -> dict[str, bytes]:
    """The parts of python-docx's blank document."""
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with zipfile.ZipFile(buffer) as package:
        return {name: package.read(name) for name in package.namelist()}


def _paragraph(text: str, *, title: bool = False) -> str:
    style = '<w:pPr><w:jc w:val="center"/></w:pPr>' if title else ""
    bold = "<w:rPr><w:b/></w:rPr>" if title else ""
    return f'<w:p>{style}<w:r>{bold}<w:t xml:space="preserve">{escape(text, quote=False)}</w:t></w:r></w:p>'


def docx_upload(title: str, label: str, lines: tuple[str, ...]) -> SimpleUploadedFile:
    """A real .docx of `lines`, the first (the title) centred and bold: python-docx's
    blank document with these paragraphs in its body, written straight into the package
    (a third of the time python-docx's object model takes: the demo makes twenty of them
    on every load)."""
    parts = _blank_docx()
    body = "".join(_paragraph(line, title=index == 0) for index, line in enumerate(lines))
    document = parts["word/document.xml"].decode().replace("<w:body>", f"<w:body>{body}", 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, document if name == "word/document.xml" else data)
    return SimpleUploadedFile(f"{title}({label}).docx", buffer.getvalue(), content_type=DOCX)


class _Loader:
    def __init__(self, today: datetime.date):
        self.today = today
        self.units = OrgUnit.objects.in_bulk(field_name="code")
        self.users = get_user_model().objects.in_bulk(field_name="username")
        self.by_pk = {user.pk: user for user in self.users.values()}
        self.chains = Chain.objects.in_bulk(field_name="code")
        self.clock = _Clock()
        # What the loader moves back afterwards: model -> pk -> {field: value}.
        self.stamps: dict[type, dict[int, dict]] = defaultdict(dict)
        self.steps: list[tuple[datetime.datetime, int, Callable[[], object]]] = []
        self.documents: dict[str, Document] = {}
        self.meetings: dict[str, Meeting] = {}
        self.topics: dict[str, Topic] = {}
        self.tasks: list[Task] = []
        self.answerers: dict[tuple[str, str], object] = {}

    # --- the story's days

    def day(self, when: When) -> datetime.date:
        return when if isinstance(when, datetime.date) else self.today - _days(when)

    def at(self, when: When, hour: int, minute: int = 0) -> datetime.datetime:
        return _at(self.day(when), hour, minute)

    def plan(self, moment: datetime.datetime, step: Callable[[], object]) -> None:
        """Run `step` at the story's `moment`; what it returns: the recipients who have
        not read its notifications (see _Clock.at)."""
        self.steps.append((moment, len(self.steps), step))

    def run(self) -> None:
        for moment, _order, step in sorted(self.steps, key=lambda s: s[:2]):
            unread = step()
            self.clock.at(moment, unread=unread or ())

    def stamp(self, instance, **values) -> None:
        self.stamps[type(instance)].setdefault(instance.pk, {}).update(values)

    def staff(self, office_code: str, position: int = 0):
        """An office's director (0) or executive deputy (1)."""
        director, deputy, _members = org_data.OFFICE_STAFF[office_code]
        return self.users[(director, deputy)[position][0]]

    def answerer(self, unit_code: str, office_code: str):
        """Who answers for a consulted unit: its liaison, or someone of its own staff who
        is not on the drafting office's staff."""
        key = (unit_code, office_code)
        if key not in self.answerers:
            director, deputy, members = org_data.OFFICE_STAFF[office_code]
            drafting = {username for username, *_rest in (director, deputy, *members)}
            people = [self.by_pk[user.pk] for user in people_acting_for(self.units[unit_code].pk)]
            found = [p for p in people if p.username not in drafting]
            if not found:
                raise ValueError(f"nobody answers for {unit_code}")
            self.answerers[key] = sorted(found, key=lambda p: p.username)[0]
        return self.answerers[key]

    # --- documents

    def plan_document(self, spec: Doc) -> None:
        first = spec.steps[0]
        self.plan(self.at(first.on, 9), lambda: self.create_document(spec))
        for step in spec.steps:
            if isinstance(step, Draft):
                self.plan(self.at(step.on, 10), lambda s=step: self.add_version(spec, s))
            elif isinstance(step, Consult):
                self.plan_round(spec, step)
            elif isinstance(step, Submit):
                self.plan(self.at(step.on, 10, 30), lambda s=step: self.act(spec, s))
            elif isinstance(step, Approve):
                self.plan(self.at(step.on, 11), lambda s=step: self.act(spec, s))
            elif isinstance(step, Issue):
                self.plan(self.at(step.on, 9, 30), lambda s=step: self.issue(spec, s))
            elif isinstance(step, Pen):
                self.plan(self.at(step.on, 9, 15), lambda s=step: self.pass_pen(spec, s))

    def create_document(self, spec: Doc) -> None:
        lead = self.users[spec.lead]
        document = services.document_save(
            actor=lead,
            office=self.units[spec.office],
            data={
                "title": spec.title,
                "kind": spec.kind,
                "lead_author": lead,
                "pen_holder": self.users[spec.pen],
                "chain": self.chains[spec.chain] if spec.chain else None,
                "key_work": spec.key_work,
                "summary": spec.summary,
                "is_living": spec.living,
                "issuing_authority": spec.authority,
            },
        )
        self.documents[spec.key] = document
        self.stamp(document, created_at=self.clock.past(self.at(spec.steps[0].on, 9)))

    def pen(self, spec: Doc):
        document = self.documents[spec.key]
        return self.by_pk[document.pen_holder_id]

    def add_version(self, spec: Doc, step: Draft) -> None:
        document = self.documents[spec.key]
        kwargs = {"text": "\n".join(step.lines)}
        if step.upload:
            kwargs = {"upload": docx_upload(spec.title, step.label, step.lines)}
        version = services.version_add(
            actor=self.pen(spec),
            document=document,
            label=step.label,
            change_note=step.note,
            **kwargs,
        )
        moment = self.clock.past(self.at(step.on, 10))
        self.stamp(version, created_at=moment)
        if version.issued_at:  # a living document's revision takes effect at once
            self.stamp(version, issued_at=moment)
            self.stamp(document, revised_on=self.day(step.on))
        if version.file_id:
            self.stamps[StoredFile][version.file_id] = {"uploaded_at": moment}
        self.touch(spec, step.on)

    def touch(self, spec: Doc, when: When) -> None:
        """The document last changed on `when` (the list of documents is ordered by it)."""
        self.stamp(self.documents[spec.key], updated_at=self.clock.past(self.at(when, 18)))

    def act(self, spec: Doc, step: Submit | Approve) -> None:
        document = self.documents[spec.key]
        day = self.day(step.on)
        if isinstance(step, Submit):
            services.document_act(
                actor=self.pen(spec),
                document=document,
                action=DocAction.SUBMIT,
                comment=step.comment,
                today=day,
            )
        else:
            services.document_act(
                actor=self.users[step.by],
                document=document,
                action=DocAction.APPROVE,
                deliberation=step.deliberation,
                approved_on=day,
                today=day,
            )
        self.touch(spec, step.on)

    def issue(self, spec: Doc, step: Issue) -> None:
        document = self.documents[spec.key]
        day = self.day(step.on)
        services.document_act(
            actor=self.users[spec.lead],
            document=document,
            action=DocAction.ISSUE,
            issue_number=step.number,
            issued_on=day,
            today=day,
        )
        latest = document.versions.order_by("-number").first()
        self.stamp(latest, issued_at=self.clock.past(self.at(step.on, 9, 30)))
        self.touch(spec, step.on)

    def pass_pen(self, spec: Doc, step: Pen) -> None:
        document = self.documents[spec.key]
        services.document_save(
            actor=self.users[spec.lead],
            document=document,
            data={"pen_holder": self.users[step.to]},
        )
        document.refresh_from_db()
        self.documents[spec.key] = document
        self.touch(spec, step.on)

    # --- opinion rounds

    def plan_round(self, spec: Doc, step: Consult) -> None:
        state: dict = {}
        waiting = set(step.consulted) - {a.who for a in step.answers}
        self.plan(self.at(step.opened, 9, 30), lambda: self.open_round(spec, step, state, waiting))
        for index, answer in enumerate(step.answers):
            moment = self.at(answer.on, 9 + index % 8, 10 * (index % 5))
            self.plan(moment, lambda a=answer, m=moment: self.answer(spec, step, state, a, m))
        if step.urged is not None:
            self.plan(self.at(step.urged, 9), lambda: self.urge(spec, step, state, waiting))
        if step.closed is not None:
            self.plan(self.at(step.closed, 17), lambda: self.close_round(spec, step, state))
        handled = step.handled if step.handled is not None else step.closed
        self.plan(self.at(handled, 17, 30), lambda: self.handle(spec, step, state, handled))

    def people_waiting(self, spec: Doc, waiting: set[str]) -> list[int]:
        """Who still has to answer for `waiting` (their notifications stay unread)."""
        ids = []
        for who in waiting:
            if who in self.units:
                ids += [user.pk for user in people_acting_for(self.units[who].pk)]
            else:
                ids.append(self.users[who].pk)
        return ids

    def open_round(self, spec: Doc, step: Consult, state: dict, waiting: set[str]):
        document = self.documents[spec.key]
        opened = self.day(step.opened)
        deadline = self.day(step.deadline)
        version = document.versions.order_by("-number").first()
        round = services.round_open(
            actor=self.pen(spec),
            document=document,
            deadline=deadline,
            units=[self.units[who] for who in step.consulted if who in self.units],
            people=[self.users[who] for who in step.consulted if who not in self.units],
            letter=(
                f"现将《{spec.title}》({version.label})送你单位征求意见,请认真研究,"
                f"于{deadline.month}月{deadline.day}日前将修改意见反馈"
                f"{self.units[spec.office].name}。"
            ),
            today=opened,
        )
        state["round"] = round
        state["requests"] = {
            (r.unit.code if r.unit_id else self.by_pk[r.person_id].username): r
            for r in round.requests.select_related("unit")
        }
        self.stamp(round, opened_at=self.clock.past(self.at(step.opened, 9, 30)))
        self.touch(spec, step.opened)
        return self.people_waiting(spec, waiting) if step.closed is None else ()

    def answer(
        self, spec: Doc, step: Consult, state: dict, answer: Answer, moment: datetime.datetime
    ):
        request = state["requests"][answer.who]
        if answer.who in self.units:
            actor = self.answerer(answer.who, spec.office)
        else:
            actor = self.users[answer.who]
        services.answer_submit(
            actor=actor,
            request=request,
            opinions=[{"location": o.location, "text": o.text} for o in answer.opinions],
            no_opinion=not answer.opinions,
        )
        late = self.day(answer.on) > self.day(step.deadline)
        self.stamp(request, answered_at=self.clock.past(moment), is_late=late)
        # The pen holder has yet to read the answers of the last few days.
        recent = step.closed is None and self.day(answer.on) >= self.today - _days(3)
        return True if recent else ()

    def urge(self, spec: Doc, step: Consult, state: dict, waiting: set[str]):
        round = state["round"]
        services.round_urge(actor=self.pen(spec), round=round, today=self.day(step.urged))
        moment = self.clock.past(self.at(step.urged, 9))
        for request in round.requests.filter(answered_at__isnull=True):
            self.stamp(request, last_urged_at=moment)
        return self.people_waiting(spec, waiting)

    def close_round(self, spec: Doc, step: Consult, state: dict) -> None:
        round = services.round_close(actor=self.pen(spec), round=state["round"])
        self.stamp(round, closed_at=self.clock.past(self.at(step.closed, 17)))
        self.touch(spec, step.closed)

    def handle(self, spec: Doc, step: Consult, state: dict, when: When) -> None:
        """The office records what it did with each opinion (those it has handled)."""
        decisions = {
            (answer.who, position): op
            for answer in step.answers
            for position, op in enumerate(answer.opinions, start=1)
            if op.disposition
        }
        handled = self.clock.past(self.at(when, 17, 30))
        for who, request in state["requests"].items():
            for opinion in request.opinions.order_by("position"):
                op = decisions.get((who, opinion.position))
                if op is None:
                    continue
                services.opinion_decide(
                    actor=self.pen(spec),
                    opinion=opinion,
                    disposition=op.disposition,
                    reason=op.reason,
                )
                self.stamp(opinion, decided_at=handled)

    # --- meetings

    def plan_meetings(self, sittings: list[Sitting]) -> None:
        numbers: dict[tuple[str, int], int] = defaultdict(int)
        for sitting in sorted(sittings, key=lambda s: self.day(s.on)):
            year = self.day(sitting.on).year
            numbers[(sitting.kind, year)] += 1
            self.plan_meeting(sitting, numbers[(sitting.kind, year)])

    def plan_meeting(self, sitting: Sitting, number: int) -> None:
        day = self.day(sitting.on)
        # A meeting not yet held collected its topics in the last few days.
        submit_day = min(day - _days(6), self.today - _days(3))
        agenda_day = min(day - _days(2), self.today - _days(1))
        self.plan(self.at(day - _days(20), 15), lambda: self.create_meeting(sitting, number))
        for index, item in enumerate(sitting.items):
            if not item.moved:
                moment = self.at(submit_day + _days(index % 2), 14, 20 * index % 60)
                self.plan(moment, lambda i=item, m=moment: self.submit_topic(sitting, i, m))
        self.plan(self.at(agenda_day, 16), lambda: self.set_agenda(sitting))
        if not sitting.held:
            return
        self.plan(self.at(day - _days(1), 9), lambda: self.meeting_act(sitting, "fix_agenda"))
        self.plan(self.at(day, sitting.hour + 2), lambda: self.hold(sitting))
        self.plan(self.at(day + _days(3), 10), lambda: self.close_meeting(sitting))
        for item in sitting.items:
            for follow in item.follow:
                self.plan_follow(sitting, item, follow)

    def create_meeting(self, sitting: Sitting, number: int) -> None:
        day = self.day(sitting.on)
        meeting = services.meeting_save(
            actor=self.users[sitting.manager],
            convener=self.units[sitting.convener],
            data={
                "kind": sitting.kind,
                "title": sitting.title.format(year=day.year, n=number),
                "starts_at": _at(day, sitting.hour),
                "place": sitting.place,
                "chair": self.users[sitting.chair],
                "attendees_text": sitting.guests,
                "topic_deadline": day - _days(4),
            },
            attendees=[self.users[username] for username in sitting.attendees],
        )
        if meeting.sequence != number:
            raise ValueError(f"{meeting.title} is no. {meeting.sequence} of its kind, not {number}")
        self.meetings[sitting.key] = meeting
        self.stamp(meeting, created_at=self.clock.past(self.at(day - _days(20), 15)))

    def submit_topic(self, sitting: Sitting, item: Item, moment: datetime.datetime):
        office = self.units[item.office]
        presenter = self.staff(item.office)
        materials = []
        if item.material:
            lines = (item.material, item.summary, item.request or item.title)
            materials.append(docx_upload(item.material, "汇报材料", lines))
        topic = services.topic_submit(
            actor=presenter,
            meeting=self.meetings[sitting.key],
            office=office,
            data={
                "title": item.title,
                "summary": item.summary,
                "request": item.request,
                "presenter": presenter,
            },
            materials=materials,
            document=self.documents[item.document] if item.document else None,
        )
        self.topics[self.topic_key(sitting, item)] = topic
        moment = self.clock.past(moment)
        self.stamp(topic, submitted_at=moment)
        for material in topic.materials.all():
            self.stamps[StoredFile][material.pk] = {"uploaded_at": moment}
        if item.document:
            self.stamp(self.documents[item.document], updated_at=moment)
        # The managers of a meeting still collecting topics have yet to read about them.
        return () if sitting.held else True

    @staticmethod
    def topic_key(sitting: Sitting, item: Item) -> str:
        """A topic moved to a later meeting is the same topic there (its key says so)."""
        return item.key or f"{sitting.key}:{item.title}"

    def topic(self, sitting: Sitting, item: Item) -> Topic:
        return self.topics[self.topic_key(sitting, item)]

    def set_agenda(self, sitting: Sitting) -> None:
        manager = self.users[sitting.manager]
        for item in sitting.items:
            topic = self.topic(sitting, item)
            if item.defer and not item.moved:
                services.topic_act(
                    actor=manager,
                    topic=topic,
                    action="defer",
                    reason=item.defer,
                    to_meeting=self.meetings[item.to] if item.to else None,
                )
            elif item.agenda:
                services.topic_act(actor=manager, topic=topic, action="approve")

    def meeting_act(self, sitting: Sitting, action: str) -> None:
        services.meeting_act(
            actor=self.users[sitting.manager], meeting=self.meetings[sitting.key], action=action
        )

    def hold(self, sitting: Sitting) -> None:
        """The meeting is held and its decisions are recorded (its minutes)."""
        self.meeting_act(sitting, MeetingAction.HOLD)
        manager = self.users[sitting.manager]
        moment = self.clock.past(self.at(sitting.on, sitting.hour + 2))
        for item in sitting.items:
            if item.defer and not item.moved:
                continue
            topic = services.topic_decide(
                actor=manager,
                topic=self.topic(sitting, item),
                outcome=item.outcome,
                decision=item.decision,
            )
            self.topics[self.topic_key(sitting, item)] = topic
            self.stamp(topic, decided_at=moment)
            if item.document:
                self.stamp(self.documents[item.document], updated_at=moment)

    def close_meeting(self, sitting: Sitting) -> None:
        meeting = self.meetings[sitting.key]
        chair = self.users[sitting.chair].get_full_name()
        decided = [item for item in sitting.items if not (item.defer and not item.moved)]
        lines = [f"会议由{chair}同志主持,研究了{len(decided)}个议题,议定事项如下:"]
        lines += [
            f"{index}. {item.title}。{item.decision}" for index, item in enumerate(decided, start=1)
        ]
        services.meeting_save(
            actor=self.users[sitting.manager],
            meeting=meeting,
            data={
                "minutes_number": sitting.minutes.format(year=meeting.year, n=meeting.sequence),
                "minutes_summary": "\n".join(lines),
            },
        )
        self.meeting_act(sitting, MeetingAction.CLOSE)

    # --- tasks from decisions

    def plan_follow(self, sitting: Sitting, item: Item, follow: Follow) -> None:
        start = self.day(sitting.on) + _days(4)
        state: dict = {}
        self.plan(self.at(start, 10), lambda: self.create_task(sitting, item, follow, state))
        if follow.plan == "A":
            return
        self.plan(self.at(start + _days(1), 9, 30), lambda: self.task_accept(state))
        if follow.plan == "C":
            closed = self.day(follow.closed)
            middle = start + (closed - start) / 2
            self.plan(self.at(middle, 15), lambda: self.task_report(follow, state, 50))
            self.plan(self.at(closed - _days(1), 16), lambda: self.task_report(follow, state, 100))
            self.plan(self.at(closed - _days(1), 16, 10), lambda: self.task_request_close(state))
            self.plan(self.at(closed, 10), lambda: self.task_close(item, state))
        elif follow.plan in ("G", "Y"):
            middle = start + (self.today - _days(8) - start) / 2
            self.plan(self.at(middle, 15), lambda: self.task_report(follow, state, follow.pct // 2))
            self.plan(self.at(8, 15), lambda: self.task_report(follow, state, follow.pct))
        elif follow.plan == "R":
            self.plan(
                self.at(self.day(follow.due) - _days(20), 15),
                lambda: self.task_report(follow, state, follow.pct),
            )
            self.plan(self.at(5, 9), lambda: self.task_urge(item, state))

    def create_task(self, sitting: Sitting, item: Item, follow: Follow, state: dict):
        actor = self.staff(item.office)
        task = services.decision_task_create(
            actor=actor,
            topic=self.topic(sitting, item),
            content=follow.content,
            lead_unit=self.units[follow.lead],
            due_date=self.day(follow.due),
            responsible_leader=self.users[follow.leader].get_full_name(),
        )
        state["task"] = task
        state["lead"] = self.answerer(follow.lead, item.office)
        self.tasks.append(task)
        moment = self.clock.past(self.at(self.day(sitting.on) + _days(4), 10))
        self.stamp(task, created_at=moment, assigned_at=moment)
        self.stamp(task.meeting_link, created_at=moment)
        # The office's list of the year's decisions was made with its first task.
        self.stamps[TaskList].setdefault(task.task_list_id, {"created_at": moment})
        # A county that has not accepted its task has yet to read about it.
        return True if follow.plan == "A" else ()

    def task_accept(self, state: dict) -> None:
        state["task"] = task_services.task_act(
            actor=state["lead"], task=state["task"], action=TaskAction.ACCEPT
        )

    def task_report(self, follow: Follow, state: dict, progress: int) -> None:
        final = progress == 100 or progress == follow.pct
        text = follow.note if final and follow.note else "正在按会议要求推进,完成情况将按时报送。"
        task_services.task_report(
            actor=state["lead"], task=state["task"], text=text, progress=progress
        )

    def task_request_close(self, state: dict) -> None:
        state["task"] = task_services.task_act(
            actor=state["lead"], task=state["task"], action=TaskAction.REQUEST_CLOSE
        )

    def task_close(self, item: Item, state: dict) -> None:
        state["task"] = task_services.task_act(
            actor=self.staff(item.office, 1),
            task=state["task"],
            action=TaskAction.CLOSE,
            comment="经核查,已按会议要求完成,同意办结。",
        )

    def task_urge(self, item: Item, state: dict):
        state["task"] = task_services.task_act(
            actor=self.staff(item.office),
            task=state["task"],
            action=TaskAction.URGE,
            comment="该项会议议定事项已逾期,请抓紧办理并报送进展情况。",
        )
        return True

    # --- the story's dates

    def apply(self) -> None:
        self.clock.apply()
        self.stamp_tasks()
        write_stamps(self.stamps)
        self.refresh_lights()

    def stamp_tasks(self) -> None:
        """A task's reports and its closing at the moments of the steps that made them:
        its timeline (TaskEvent, moved by the clock) says when each happened."""
        events = defaultdict(list)
        for task_id, action, at in (
            TaskEvent.objects.filter(task__in=self.tasks)
            .order_by("pk")
            .values_list("task_id", "action", "at")
        ):
            events[task_id].append((action, at))
        reports = defaultdict(list)
        for report in ProgressReport.objects.filter(task__in=self.tasks).order_by("pk"):
            reports[report.task_id].append(report)
        for task in self.tasks:
            moments = [at for action, at in events[task.pk] if action == "report"]
            for report, moment in zip(reports[task.pk], moments, strict=False):
                self.stamp(report, reported_at=moment)
            closed = [at for action, at in events[task.pk] if action == "close"]
            if closed:
                self.stamp(task, closed_at=closed[-1])

    def refresh_lights(self) -> None:
        """The light's inputs from the story's dates (assigned, last report)."""
        tasks = list(Task.objects.filter(pk__in=[t.pk for t in self.tasks]))
        for task in tasks:
            task_services.refresh_light_inputs(task)
        Task.objects.bulk_update(tasks, ["lag_date", "last_activity_on"])

    def load(self) -> None:
        for spec in documents(self.today):
            self.plan_document(spec)
        self.plan_meetings(MEETINGS_2023 + meetings_now())
        self.run()
        self.apply()


def load_documents(today: datetime.date | None = None) -> None:
    """Load the documents and meetings demo; the organisation and the task lists must be
    loaded."""
    with translation.override(settings.LANGUAGE_CODE):  # notifications and lists in Chinese
        _Loader(today or timezone.localdate()).load()
