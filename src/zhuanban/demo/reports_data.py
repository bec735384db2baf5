"""The demo's bulletins (简报) and reports for superiors (汇报材料), composed and published
through the reports services as the bureau's leaders and the offices would have done it.

THE STORY follows the seed's section 四(一): "已上报《重点任务清单落实情况台账》3期、《重要
农畜产品生产基地信息动态》4期…农牧业招商引资动态专报2期;…起草《马铃薯产业发展示范区建设
进展情况》…等汇报材料".

* 信息动态 (the bureau's, composed by the leaders): three issues published this year, the
  fourth being composed now. They quote the seed's paragraphs (the special offices, the
  policy work, the potato demonstration zone, publicity, supervision) and carry sections
  drafted from data: the base's task list, the brand register, the work summary of the
  bureau and the investment pipeline.
* 专报 (the bureau's): two issues of the investment news (农牧业招商引资动态专报), drafted
  from the pipeline.
* 工作台账 (国家重要农畜产品基地办): three monthly issues of the ledger of the base's task
  list (重点任务清单落实情况台账), each drafted from the list as of its day.
* 调度通报 (国家重要农畜产品基地办, which coordinates the base's dispatch): two issues of
  2023 on the May and June rounds of the 规模养殖场建设情况统计表 (the cattle office's
  livestock table), drafted from the rounds.
* 马铃薯工作动态 (马铃薯产业办): two issues on the demonstration zone and the potato list.
* Two report templates: 马铃薯产业发展示范区建设进展情况 (马铃薯产业办) and 肉牛奶牛产业发展
  情况 (肉(奶)牛办), each a mix of fixed text and sections drafted from data.

A section drafted from data uses the generator the reports app registers for its source
(`generators.GENERATORS`); where none is registered, the section is written by hand from
`fallback`, as staff would.

DATES. Like the task lists and the pipeline, this year's issues are dated relative to
today (the latest a few days before it: the seed's "截至目前"), and drafted as of their
day; the 调度通报 keep the 2023 rounds' own dates. The services stamp what they do with
the time they run: afterwards the loader moves the issues' creation, publication and
drafting times back to their days; the audit trail keeps the real time.

PDFs. Publishing queues a background job that converts the issue to PDF when LibreOffice
is installed (settings BULLETIN_PDF, reports.pdf_jobs). A conversion takes two to five
seconds, more than the rest of this loader for a handful: the demo makes the PDF of the
latest 信息动态 alone (`PDF_SERIES`), and the other issues keep their .docx, the document
of record, as supervision_data does with its notices. It publishes with BULLETIN_PDF off
(an override local to this loader: no job is queued, none waits for a worker that a
fresh demo may not have) and makes that one PDF inline, as the job would
(`pdf_jobs.make_pdf`).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test.utils import override_settings
from django.utils import timezone, translation

from zhuanban.dispatch.models import DispatchRound
from zhuanban.org.models import OrgUnit
from zhuanban.reports import generators, pdf_jobs, services
from zhuanban.reports.models import Bulletin, ReportTemplate, Section, Series, SeriesKind
from zhuanban.tasks.models import TaskList

BASE_LIST = "乌兰察布市建设重要农畜产品生产加工基地2023年重点任务单"
POTATO_LIST = "2023年马铃薯产业重点工作任务清单"
LIVESTOCK_TABLE = "livestock-farms"
ROUND_YEAR = 2023

DISTRIBUTION = "报：自治区农牧厅，市委、市政府有关领导。送：市委农牧办各成员单位。发：各旗县市区农牧局，局属各科站。"


@dataclass(frozen=True)
class SeriesSpec:
    key: str
    name: str
    kind: str
    issuer: str  # org unit code
    composer: str  # username: composes the issues
    publisher: str  # username: signs them off
    compiled_by: str


SERIES = [
    SeriesSpec(
        "news", "信息动态", SeriesKind.NEWS, "bureau", "ldr-zheng", "leader", "市农牧局办公室"
    ),
    SeriesSpec(
        "special", "专报", SeriesKind.SPECIAL, "bureau", "ldr-wu", "leader", "市农牧局办公室"
    ),
    SeriesSpec(
        "ledger",
        "工作台账",
        SeriesKind.LEDGER,
        "office-base",
        "base-m1",
        "base-dir",
        "国家重要农畜产品基地办",
    ),
    SeriesSpec(
        "dispatch",
        "调度通报",
        SeriesKind.DISPATCH,
        "office-base",
        "base-m2",
        "base-dir",
        "国家重要农畜产品基地办",
    ),
    SeriesSpec(
        "potato",
        "马铃薯工作动态",
        SeriesKind.NEWS,
        "office-potato",
        "office",
        "potato-dir",
        "马铃薯产业办",
    ),
]


# The series whose latest issue gets its PDF on publishing (see the module's docstring).
PDF_SERIES = frozenset({"news"})


@dataclass(frozen=True)
class Hand:
    """A section written by hand."""

    heading: str
    body: str


@dataclass(frozen=True)
class Drafted:
    """A section drafted from data: `params` names what it is about (resolved by the
    loader: "base_list", "potato_list", "round:<month>", an org unit code)."""

    source: str
    params: dict = field(default_factory=dict)
    fallback: Hand | None = None  # written by hand when no generator is registered


@dataclass(frozen=True)
class Issue:
    series: str
    title: str
    sections: tuple
    days_ago: int | None = None  # this year's: dated relative to today
    day: datetime.date | None = None  # the 2023 rounds': their own date
    published: bool = True


# --- the seed's paragraphs ----------------------------------------------------------------------

OFFICES_TEXT = (
    "今年以来，市农牧局按照市委、市政府相关决策部署，立足职能职责，农牧办、马铃薯产业办、国家重要"
    "农畜产品基地办、肉(奶)牛办、菜篮子办、“原味乌兰察布”品牌办、净菜进京办、农牧领域招商办、"
    "马铃薯联盟秘书处共9个专办(处)，充分发挥“调、统、督”作用，积极推动专项重点工作紧密衔接扎实开展。"
    "\n\n"
    "各专办(处)配备主任、常务副主任及成员，抽调相关业务科站的精干力量组成；局领导牵头抓总、各专办(处)"
    "具体负责、相关部门和旗县(市)区各负其责，形成了“上下联动、左右贯通、层层落实、合力推进”的工作格局。"
    "构建了“一条产业链、一位局领导、一个牵头科站、一支专家团队、一个工作方案、一个工作推进组”工作模式，"
    "组建成立了“麦菜薯、牛羊乳”全产业链专家组，全力推进六大产业高质量发展。"
)
POLICY_TEXT = (
    "牵头起草了《乌兰察布市关于做好2023年全面推进乡村振兴重点工作的实施意见》《乌兰察布市建设国家重要"
    "农畜产品生产基地实施方案》《马铃薯产业发展示范区建设方案》《乌兰察布市奶业振兴支持政策》《乌兰察布市"
    "肉牛优质冻精补贴方案》《原味乌兰察布用标支持政策》等文件，积极征求相关市领导和各相关旗县、部门意见，"
    "多次修改完善，推动文件印发实施。"
    "\n\n"
    "动态更新《乌兰察布市农牧业招商引资手册》，制定《原味乌兰察布授权管理规则》《原味乌兰察布商标使用管理"
    "规则》《原味乌兰察布LOGO使用规则》等文件，完善了管理体系。"
)
ZONE_TEXT = (
    "市委、市政府主要领导和分管领导带队、市局主要领导分别带领各专办负责人多次赴农业农村部、中国农科院、"
    "自治区农牧厅等争取政策、项目、资金支持，取得显著成效。马铃薯国家优势特色产业集群项目成功获批、"
    "马铃薯产业发展支持资金同比增加25%、乌兰察布成功申办2024年第25届中国马铃薯大会，为我市马铃薯产业"
    "发展注入新的“强心剂”。"
    "\n\n"
    "马铃薯产业发展示范区建设成效显著，多次被人民日报、新华社、内蒙古日报、乌兰察布融媒等争相报道。"
)
PUBLICITY_TEXT = (
    "加强宣传载体建设，总结专办工作的好经验和好做法，推选出一批成功典型事例，通过内蒙古日报、内蒙古"
    "电视台、乌兰察布融媒体、乌兰察布现代农牧微信公众号、市农牧局网站以及农牧动态等各种媒介推送出去，"
    "开展宣传交流学习，提升工作成效。"
)
SUPERVISION_TEXT = (
    "紧盯不落实的人和事，组成由局领导班子成员带队的6个督导检查组，抽调专办9人参与，对11个旗县市区国家"
    "重要农畜产品生产基地建设、“原味乌兰察布”区域公用品牌推广使用、农牧业招商引资等重点工作开展督导检查。"
    "\n\n"
    "用好通报这把“利剑”，以市委农牧办名义，对重点工作进展滞后、项目推进缓慢以及被自治区点名通报的旗县"
    "下发督办通报，将压力传导下去，推动工作快速推进、圆满完成。"
)
INVESTMENT_WAYS_TEXT = (
    "严格落实“麦菜薯、牛羊乳”六大行动工作举措，细化年度建设目标，针对六大产业规划了农牧业招商引资重点"
    "项目76个。动态更新《乌兰察布市农牧业招商引资手册》，市局主要领导带领招商办多次赴京津冀、长三角、"
    "珠三角开展招商推介，各旗县市区同步开展走出去、请进来招商活动。"
)
NEXT_INVESTMENT_TEXT = (
    "一是紧盯已签约项目，逐个明确包联领导和责任单位，推动签约项目尽快落地、开工、投产。二是对签约后"
    "长期未落地的项目开展专项督导，必要时下发督办通报。三是继续围绕六大产业链谋划储备一批重点项目。"
)
NEXT_DISPATCH_TEXT = (
    "请各旗县市区于每月5日前按时报送上月末情况，严格审核存栏增量数据，确保数出有据；进度滞后的"
    "旗县市区要认真分析原因，制定针对性措施，确保完成全年目标任务。"
)
NEXT_WORK_TEXT = (
    "下一步，各专办(处)将继续发挥“调、统、督”作用，坚持月调度、月汇总、季报告工作机制，紧盯重点任务、"
    "重点项目和重点指标，对进展滞后的旗县市区和责任单位及时督办，确保全年目标任务圆满完成。"
)
POTATO_TASKS_TEXT = (
    "对照《2023年马铃薯产业重点工作任务清单》，马铃薯产业办按月调度各项任务进展，建立任务台账，"
    "逐项跟踪落实。"
)
CATTLE_BASE_TEXT = (
    "围绕“牛羊乳”产业链，落实《乌兰察布市奶业振兴支持政策》《乌兰察布市肉牛优质冻精补贴方案》，"
    "推进规模养殖场建设。针对近几个月国内奶业市场低迷的现象，多次深入基层调研、组织奶企和奶牛养殖场"
    "负责人召开座谈会，研讨解决办法，形成调研报告上报自治区。"
)
ZONE_BASE_TEXT = (
    "按照《马铃薯产业发展示范区建设方案》，我市以种薯繁育、标准化种植、精深加工和品牌营销为重点，"
    "全力推进马铃薯产业发展示范区建设。马铃薯国家优势特色产业集群项目成功获批，马铃薯产业发展支持"
    "资金同比增加25%，乌兰察布成功申办2024年第25届中国马铃薯大会。"
)
ZONE_NEXT_TEXT = (
    "一是办好第25届中国马铃薯大会筹备工作。二是加快马铃薯国家优势特色产业集群项目建设。三是推动"
    "马铃薯产业联合会完成注册，发挥联合会作用。"
)


ISSUES = [
    # --- 信息动态: the bureau's
    Issue(
        "news",
        "市农牧局充分发挥专办作用推动专项重点工作",
        (
            Hand("一、配强专办力量，凝聚工作合力", OFFICES_TEXT),
            Hand("二、加强统筹谋划，强化政策引导", POLICY_TEXT),
            Drafted(
                "task_progress",
                {"task_list": "base_list"},
                Hand(
                    "三、科学规划分解，落实目标责任",
                    "全市建设国家重要农畜产品生产基地重点任务已逐项分解到各责任单位。",
                ),
            ),
        ),
        days_ago=100,
    ),
    Issue(
        "news",
        "马铃薯产业发展示范区和区域公用品牌建设取得新进展",
        (
            Hand("一、马铃薯产业发展示范区建设成效显著", ZONE_TEXT),
            Drafted(
                "brand",
                {},
                Hand(
                    "二、“原味乌兰察布”区域公用品牌建设",
                    "品牌授权企业持续增加，重点授权企业销售额较去年同期均有较大涨幅。",
                ),
            ),
            Hand("三、加强宣传载体建设", PUBLICITY_TEXT),
        ),
        days_ago=55,
    ),
    Issue(
        "news",
        "各专办（处）切实发挥职能职责 专项工作取得实效",
        (
            Drafted(
                "work_summary",
                {},
                Hand("一、总体情况", "各专办(处)切实发挥职能职责，各专项工作取得实效。"),
            ),
            Drafted(
                "investment",
                {},
                Hand("二、农牧业招商引资", "农牧领域招商引资工作有序推进。"),
            ),
            Hand("三、强化督导检查，压实工作责任", SUPERVISION_TEXT),
        ),
        # Today: the demo's measures were assigned when it was loaded, so a summary drafted
        # as of an earlier day would count none of them.
        days_ago=0,
    ),
    # being composed now: the fourth issue
    Issue(
        "news",
        "全市农村牧区重点工作推进情况",
        (
            Drafted(
                "task_progress",
                {"task_list": "base_list"},
                Hand("一、重点任务推进情况", "重点任务有序推进。"),
            ),
            Hand("二、下一步工作", NEXT_WORK_TEXT),
        ),
        days_ago=1,
        published=False,
    ),
    # --- 专报: the investment news
    Issue(
        "special",
        "农牧领域招商引资工作进展情况",
        (
            Drafted("investment", {}, Hand("一、总体情况", "农牧领域招商引资工作有序推进。")),
            Hand("二、主要做法", INVESTMENT_WAYS_TEXT),
        ),
        days_ago=40,
    ),
    Issue(
        "special",
        "农牧业招商引资签约落地项目推进情况",
        (
            Drafted("investment", {}, Hand("一、总体情况", "签约项目加快落地。")),
            Hand("二、下一步工作", NEXT_INVESTMENT_TEXT),
        ),
        days_ago=12,
    ),
    # --- 工作台账: the base office's monthly ledger of its task list
    *[
        Issue(
            "ledger",
            "重点任务清单落实情况台账",
            (
                Drafted(
                    "task_progress",
                    {"task_list": "base_list"},
                    Hand("一、重点任务落实情况", "各项重点任务按计划推进。"),
                ),
                Drafted(
                    "lagging",
                    {"office": "office-base"},
                    Hand("二、进展滞后的任务", "个别任务进展滞后，已督促责任单位加快推进。"),
                ),
            ),
            days_ago=days,
        )
        for days in (70, 40, 10)
    ],
    # --- 调度通报: the 2023 livestock rounds
    Issue(
        "dispatch",
        "2023年5月规模养殖场建设情况调度通报",
        (
            Drafted(
                "dispatch_round",
                {"round": "round:5"},
                Hand("一、调度情况", "各旗县市区按时报送了5月规模养殖场建设情况统计表。"),
            ),
            Hand("二、有关要求", NEXT_DISPATCH_TEXT),
        ),
        day=datetime.date(ROUND_YEAR, 6, 14),
    ),
    Issue(
        "dispatch",
        "2023年6月规模养殖场建设情况调度通报",
        (
            Drafted(
                "dispatch_round",
                {"round": "round:6"},
                Hand("一、调度情况", "全市肉牛存栏增加7.8万头、完成年度任务的三分之二以上。"),
            ),
            Hand("二、有关要求", NEXT_DISPATCH_TEXT),
        ),
        day=datetime.date(ROUND_YEAR, 7, 12),
    ),
    # --- 马铃薯工作动态: the potato office's
    Issue(
        "potato",
        "马铃薯产业发展示范区建设稳步推进",
        (
            Hand("一、示范区建设情况", ZONE_TEXT),
            Drafted(
                "task_progress",
                {"task_list": "potato_list"},
                Hand("二、重点任务进展", POTATO_TASKS_TEXT),
            ),
        ),
        days_ago=60,
    ),
    Issue(
        "potato",
        "马铃薯产业重点工作任务进展情况",
        (
            Drafted(
                "task_progress",
                {"task_list": "potato_list"},
                Hand("一、重点任务进展", POTATO_TASKS_TEXT),
            ),
            Hand("二、下一步工作", ZONE_NEXT_TEXT),
        ),
        days_ago=20,
    ),
]


@dataclass(frozen=True)
class TemplateSpec:
    title: str
    office: str
    opening: str
    sections: tuple


TEMPLATES = [
    TemplateSpec(
        "马铃薯产业发展示范区建设进展情况",
        "office-potato",
        "按照市委、市政府关于建设马铃薯产业发展示范区的决策部署，现将我市马铃薯产业发展示范区建设进展情况汇报如下：",
        (
            Hand("一、基本情况", ZONE_BASE_TEXT),
            Drafted("task_progress", {"task_list": "potato_list"}, Hand("二、重点任务进展", "")),
            Drafted("work_summary", {"unit": "office-potato"}, Hand("三、指标完成情况", "")),
            Drafted("investment", {}, Hand("四、招商引资", "")),
            Hand("五、下一步工作", ZONE_NEXT_TEXT),
        ),
    ),
    TemplateSpec(
        "肉牛奶牛产业发展情况",
        "office-cattle",
        "现将我市肉牛、奶牛产业发展情况汇报如下：",
        (
            Hand("一、基本情况", CATTLE_BASE_TEXT),
            Drafted("dispatch_round", {"round": "round:6"}, Hand("二、规模养殖场调度情况", "")),
            Drafted("work_summary", {"unit": "office-cattle"}, Hand("三、指标完成情况", "")),
            Drafted("lagging", {"office": "office-cattle"}, Hand("四、进展滞后的任务", "")),
            Hand(
                "五、下一步工作",
                "一是落实奶业振兴和肉牛冻精补贴政策。二是加快规模养殖场建设。三是做好奶业市场监测和"
                "产销对接。",
            ),
        ),
    ),
]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class _Loader:
    def __init__(self, today: datetime.date):
        self.today = today
        users = get_user_model().objects.filter(
            username__in={u for s in SERIES for u in (s.composer, s.publisher)}
        )
        self.users = {user.username: user for user in users}
        self.units = {
            unit.code: unit
            for unit in OrgUnit.objects.filter(
                code__in={s.issuer for s in SERIES}
                | {t.office for t in TEMPLATES}
                | {"office-base", "office-potato", "office-cattle"}
            )
        }
        self.series: dict[str, Series] = {}
        self.hand_written: set[str] = set()  # the sources drafted by hand (no generator)
        self.stamps: list[tuple[Bulletin, datetime.date]] = []

    # --- what a parameter names

    def param(self, value):
        if value == "base_list":
            return TaskList.objects.values_list("pk", flat=True).get(title=BASE_LIST)
        if value == "potato_list":
            return TaskList.objects.values_list("pk", flat=True).get(title=POTATO_LIST)
        if isinstance(value, str) and value.startswith("round:"):
            return (
                DispatchRound.objects.filter(
                    template__code=LIVESTOCK_TABLE,
                    year=ROUND_YEAR,
                    period_number=int(value.removeprefix("round:")),
                )
                .values_list("pk", flat=True)
                .get()
            )
        if isinstance(value, str) and value.startswith("office-"):
            return self.units[value].pk
        return value

    def params(self, drafted: Drafted) -> dict:
        return {name: self.param(value) for name, value in drafted.params.items()}

    # --- the series and their issues

    def load_series(self) -> None:
        for order, spec in enumerate(SERIES, start=1):
            series = Series(
                name=spec.name, kind=spec.kind, issuer=self.units[spec.issuer], sort_order=order
            )
            series.full_clean()
            series.save()
            self.series[spec.key] = series

    def compose(self, issue: Issue, day: datetime.date) -> Bulletin:
        spec = next(s for s in SERIES if s.key == issue.series)
        author = self.users[spec.composer]
        bulletin = services.bulletin_create(
            actor=author,
            series=self.series[spec.key],
            title=issue.title,
            compiled_by=spec.compiled_by,
            signed_by=self.users[spec.publisher].get_full_name() or spec.publisher,
            distribution=DISTRIBUTION,
        )
        for section in issue.sections:
            if isinstance(section, Drafted) and section.source in generators.GENERATORS:
                try:
                    services.section_generate(
                        actor=author,
                        bulletin=bulletin,
                        expected_version=None,
                        source=section.source,
                        params=self.params(section),
                        as_of=day,
                    )
                    continue
                except ValidationError:
                    self.hand_written.add(section.source)
            elif isinstance(section, Drafted):
                self.hand_written.add(section.source)
            hand = section.fallback if isinstance(section, Drafted) else section
            services.section_save(
                actor=author,
                bulletin=bulletin,
                expected_version=None,
                heading=hand.heading,
                body=hand.body,
            )
        return bulletin

    def load_issues(self) -> None:
        dated = []
        for issue in ISSUES:
            day = issue.day or self.today - datetime.timedelta(days=issue.days_ago)
            dated.append((min(day, self.today), issue))
        latest = {}
        for day, issue in dated:
            if issue.published:
                latest[issue.series] = max(latest.get(issue.series, day), day)
        # In date order: each series numbers its issues of a year as they were published.
        for day, issue in sorted(dated, key=lambda pair: pair[0]):
            bulletin = self.compose(issue, day)
            if issue.published:
                spec = next(s for s in SERIES if s.key == issue.series)
                with_pdf = issue.series in PDF_SERIES and day == latest[issue.series]
                publisher = self.users[spec.publisher]
                with override_settings(BULLETIN_PDF=False):
                    bulletin.refresh_from_db()
                    bulletin = services.bulletin_publish(
                        actor=publisher,
                        bulletin=bulletin,
                        expected_version=bulletin.version,
                        issue_date=day,
                    )
                if settings.BULLETIN_PDF and with_pdf:
                    pdf_jobs.make_pdf(bulletin.pk, actor=publisher)
            self.stamps.append((bulletin, day))

    def backdate(self) -> None:
        """The issues' own times moved back to their days (the services stamped now)."""
        for bulletin, day in self.stamps:
            created = _at(day - datetime.timedelta(days=2), 9, 30)
            Bulletin.objects.filter(pk=bulletin.pk).update(
                created_at=created,
                published_at=_at(day, 16) if bulletin.is_published else None,
            )
            Section.objects.filter(bulletin=bulletin, generated_at__isnull=False).update(
                generated_at=_at(day - datetime.timedelta(days=1), 10)
            )

    # --- the report templates

    def load_templates(self) -> None:
        for spec in TEMPLATES:
            sections = []
            for section in spec.sections:
                if isinstance(section, Drafted):
                    sections.append(
                        {
                            "heading": section.fallback.heading,
                            "source": section.source,
                            "params": self.params(section),
                            "text": section.fallback.body,
                        }
                    )
                else:
                    sections.append(
                        {
                            "heading": section.heading,
                            "source": "",
                            "params": {},
                            "text": section.body,
                        }
                    )
            template = ReportTemplate(
                title=spec.title,
                office=self.units[spec.office],
                opening=spec.opening,
                sections=sections,
            )
            template.full_clean()
            template.save()

    def load(self) -> set[str]:
        self.load_series()
        self.load_issues()
        self.backdate()
        self.load_templates()
        return self.hand_written


def load_reports(today: datetime.date | None = None) -> set[str]:
    """Load the bulletins and report templates; every other part of the demo must be
    loaded (the sections are drafted from its data). Answers the sources that were
    written by hand for want of a generator."""
    with translation.override(settings.LANGUAGE_CODE):
        return _Loader(today or timezone.localdate()).load()
