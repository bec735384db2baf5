"""The demo's investment pipeline (招商引资) and upward applications (向上争取), loaded through
the investment services as the investment office, the counties, the other offices and the
bureau's leaders would have worked them.

THE STORY is the seed's: "针对六大产业规划了农牧业招商引资重点项目76个", "农牧领域共开展招商
引资活动120次,招引项目104个", "马铃薯国家优势特色产业集群项目成功获批、马铃薯产业发展支持资金同比
增加25%".

* The 104 attracted projects are the dispatch demo's 签约落地项目情况表 (`PROJECT_LIST`): the
  same names, investors, origins, planned investment (万元), counties and key flags. Each
  county's liaison entered its projects at 洽谈 after the activity that produced them, a
  few weeks before their signing; moved them to 签约 on the signing day with the signed
  agreement (a tiny PDF each), and on to 落地 (the 5th), 开工 (the 10th, the table's
  开工日期) and 投产 (the 20th) of the months their pace gives (months per stage; 0:
  stalled at 签约 with `STALLED_NOTE` as progress). Only projects of at most
  `PRODUCING_AT_MOST` 万元 produce within the half year, as the table reasons. So at the
  story's day each project is at the stage of the table's June list, and the funds in
  place (the sum of its progress reports) are the table's (`RECEIVED_SHARE` of the
  planned investment by stage). Every live project reported at the end of June, except
  two (`REPORT_OVERDUE`), which are yellow today.
* The industry maps to the chain (麦类 → wheat-oats …); the table's 其他 is mapped by what
  each project is (`OTHER_CHAIN`).
* The 76 key projects of the year's plan: the table's 40 key projects and 36 more
  (`KEY_PROJECTS`) entered at 谋划 by the investment office, most of them taken to 洽谈 by
  their county since, some recently added to the plan, three dropped (终止) with their
  reasons. Every chain has at least 8 (`key_counts()`). Each key project has its chain's
  leader as responsible leader and the chain's lead office (or section) as responsible
  unit.
* 120 promotion activities (`activities()`): the city's promotion events, visits out and
  online meetings held by the offices and led by the bureau's leaders, and the counties'
  own visits out, delegations received and meetings with local enterprises. Each
  attracted project is linked to the activity that produced it (the latest city event of
  its investor's region before its negotiations, else its county's), the largest ones
  also to the investor's site visit; the rest of the 120 produced leads still being
  followed. Planned-only key projects came from the plan, not from an activity.
* The stage clocks keep the bureau's defaults; the investment office's director wrote the
  service commitments (`CLOCK_COMMITMENTS`).
* 22 upward applications of last year and this year (`UPWARD`) by the potato, base,
  cattle, basket, clean-vegetable and investment offices and the potato alliance's
  secretariat: the potato chain was granted 4,000 万元 last year and 5,000 this year (the
  马铃薯国家优势特色产业集群项目 among them), all chains 12,000 and 15,000: +25% both.
* Today the two projects stalled at 签约 since February and March are red, and so are a
  key project negotiating past its 60 days and one still planned past its 30; the chains'
  leaders urged the two stalled ones; the office urged a yellow one.

DATES. The dispatch table is dated January to June 2023 (its story's day is 30 June
2023). Here the pipeline is live: every story date is moved by a fixed number of days so
that 30 June 2023 falls `STORY_LAG_DAYS` before today. Nothing is in the future, the
projects' ages are the table's, and the clocks show a realistic mix. All projects belong
to this year's plan (`year = today.year`). Upward applications are dated by the calendar
year (last year's by their month and day, this year's spread over the part of the year
gone by). The services stamp what they do with the time they run: the loader moves the
timelines, notifications, reports, files and records' own dates back to the story's
moments afterwards (as brand_data does); the audit trail keeps the real time.

Investors other than the table's, the projects' content and the figures are illustrative.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from zhuanban.core.models import Notification, StoredFile
from zhuanban.demo import org_data
from zhuanban.demo.brand_data import pdf_bytes
from zhuanban.demo.dispatch_data import (
    HOME,
    I_BEEF,
    I_DAIRY,
    I_OATS,
    I_OTHER,
    I_POTATO,
    I_SHEEP,
    I_VEG,
    PRODUCING_AT_MOST,
    PROJECT_LIST,
    RECEIVED_SHARE,
    STALLED_NOTE,
)
from zhuanban.demo.dispatch_data import YEAR as SEED_YEAR
from zhuanban.demo.supervision_data import _Clock as SupervisionClock
from zhuanban.demo.supervision_data import write_stamps
from zhuanban.investment import services
from zhuanban.investment.lifecycle import LIVE_STAGES, Stage, UpwardAction
from zhuanban.investment.models import (
    ActivityKind,
    Project,
    ProjectEvent,
    StageClock,
    UpwardKind,
)
from zhuanban.org.models import Chain, OrgUnit

D = Decimal

# 30 June 2023, the table's day, falls this many days before today.
STORY_DAY = datetime.date(SEED_YEAR, 6, 30)
STORY_LAG_DAYS = 10
# Nothing of the story happens before this day (the first activities' day).
STORY_START = datetime.date(SEED_YEAR, 1, 3)

OATS, VEG, POTATO, BEEF, SHEEP, DAIRY = (
    "wheat-oats",
    "vegetables",
    "potato",
    "beef-cattle",
    "sheep",
    "dairy",
)
CHAIN_OF_INDUSTRY = {
    I_OATS: OATS,
    I_VEG: VEG,
    I_POTATO: POTATO,
    I_BEEF: BEEF,
    I_SHEEP: SHEEP,
    I_DAIRY: DAIRY,
}
# The table's 其他 by what each project is: feed and silage feed the cattle (or the dairy
# herds, or the sheep of the steppe banners), meat cold chains serve beef and mutton,
# e-commerce and showrooms sell the potato first, mushrooms, honey, fertiliser and
# produce cold stores go with the vegetables, mooncakes and linseed oil with the grains.
OTHER_CHAIN = {
    "农畜产品冷链物流集散中心项目": BEEF,
    "农产品电商直播基地项目": POTATO,
    "农牧业科技创新孵化园项目": POTATO,
    "饲草料加工配送中心项目": BEEF,
    "丰镇月饼产业园项目": OATS,
    "生物有机肥加工项目": VEG,
    "卓资山熏鸡产业化项目": SHEEP,  # the meat-processing chain nearest to it
    "农产品展销中心项目": POTATO,
    "青贮饲料加工项目": DAIRY,
    "农产品电商直播销售中心项目": POTATO,
    "牛羊肉冷链仓储项目": SHEEP,
    "食用菌种植基地项目": VEG,
    "农畜产品检验检测中心项目": VEG,
    "蜂产品加工项目": VEG,
    "饲草种植加工项目": BEEF,
    "休闲农业观光园项目": VEG,
    "农畜产品加工园区标准化厂房项目": OATS,  # 察右前旗's oat processing park
    "胡麻油精炼项目": OATS,
    "农产品冷链仓储项目": VEG,
    "牧草种植加工项目": SHEEP,
    "牛羊肉冷链仓储设施项目": SHEEP,
    "饲草料储备库项目": SHEEP,
}

# Who works the register: the office's member enters the plan and the city's activities,
# its director keeps the clocks and drops projects; the counties' liaisons do the rest.
OFFICE_MEMBER = "invest-m1"
OFFICE_MEMBER_2 = "invest-m2"
OFFICE_DIRECTOR = "invest-dir"

CLOCK_COMMITMENTS = {
    Stage.PLANNED: "项目线索1个工作日内响应、3日内完成研判",
    Stage.NEGOTIATING: "投资方诉求7日内反馈，每2周报告洽谈进展",
    Stage.SIGNED: "签约后90日内落地，须上传投资协议",
    Stage.LANDED: "落地后90日内开工",
    Stage.STARTED: "开工后每2周报告建设进展",
}

# Live projects whose June report is missing (their report clock is yellow today).
REPORT_OVERDUE = {("150922", "燕麦米加工项目"), ("150928", "牛羊肉分割加工项目")}

STAGE_OF_INDEX = (Stage.SIGNED, Stage.LANDED, Stage.STARTED, Stage.PRODUCING)
REPORT_TEXT = {
    Stage.SIGNED: "投资协议已签订,正在办理项目备案、用地和环评手续。",
    Stage.LANDED: "项目已落地,用地手续办结,正在开展施工图设计和场地平整。",
    Stage.STARTED: "项目已开工建设,主体工程按计划推进。",
    Stage.PRODUCING: "项目已建成投产,生产运行正常。",
}
JUNE_TEXT = {
    Stage.SIGNED: "已签约,正在办理项目备案和用地手续,计划下月落地。",
    Stage.LANDED: "已落地,施工准备基本就绪,正在办理施工许可。",
    Stage.STARTED: "主体工程建设中,设备采购同步推进,本月无新增到位资金。",
}


# --- the 104 attracted projects -----------------------------------------------------------


@dataclass(frozen=True)
class Attracted:
    """A row of the dispatch table's project list, with what the pipeline needs."""

    county: str
    index: int
    name: str
    investor: str
    origin: str
    industry: str
    signed: datetime.date  # the story's calendar (2023)
    planned: int  # 万元
    key: bool
    pace: int  # months per stage after signing; 0: stalled at 签约

    @property
    def chain(self) -> str:
        if self.industry == I_OTHER:
            return OTHER_CHAIN[self.name]
        return CHAIN_OF_INDUSTRY[self.industry]

    @property
    def region(self) -> str:
        return region_of(self.origin)

    @property
    def stage_index(self) -> int:
        """The stage at the end of June, as the table computes it (0 签约 … 3 投产)."""
        if not self.pace:
            return 0
        index = min(3, (6 - self.signed.month) // self.pace)
        if index == 3 and self.planned > PRODUCING_AT_MOST:
            index = 2
        return index

    @property
    def stage(self) -> str:
        return STAGE_OF_INDEX[self.stage_index]

    def stage_dates(self) -> list[tuple[str, datetime.date]]:
        """Each stage the project reached after its signing, with its day (story)."""
        days = (5, 10, 20)
        return [
            (
                STAGE_OF_INDEX[k],
                datetime.date(SEED_YEAR, self.signed.month + k * self.pace, days[k - 1]),
            )
            for k in range(1, self.stage_index + 1)
        ]


def attracted_projects() -> list[Attracted]:
    return [
        Attracted(
            county,
            index,
            name,
            investor,
            origin,
            industry,
            datetime.date.fromisoformat(f"{SEED_YEAR}-{signed}"),
            planned,
            key,
            pace,
        )
        for county, rows in PROJECT_LIST.items()
        for index, (name, investor, origin, industry, signed, planned, key, pace) in enumerate(rows)
    ]


# Where the investors come from, as the office groups its promotion work.
REGIONS = ("北京", "天津", "河北", "山东", "浙江", "上海", "广东", "山西", "宁夏")
LOCAL, IN_REGION = "本地", "区内"


def region_of(origin: str) -> str:
    """The investor's region, as the office groups its promotion work."""
    if origin == HOME:
        return LOCAL
    for region in REGIONS:
        if origin.startswith(region):
            return region
    return IN_REGION  # the autonomous region's other cities


# --- the 36 further key projects of the plan -------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """A key project of the year's plan not (yet) signed: at 谋划, at 洽谈 or dropped. Days
    are the story's (2023)."""

    name: str
    chain: str
    county: str
    planned: int  # 万元
    investor: str = ""
    origin: str = ""
    planned_on: str = "01-06"  # the plan's day, or the day it was added to the plan
    negotiating_on: str = ""
    dropped_on: str = ""
    reason: str = ""

    @property
    def stage(self) -> str:
        if self.dropped_on:
            return Stage.DROPPED
        return Stage.NEGOTIATING if self.negotiating_on else Stage.PLANNED


CASH = "投资方资金链紧张,暂停对外投资,项目终止。"
# fmt: off
KEY_PROJECTS = [
    # 麦类(燕麦)
    Planned("燕麦β-葡聚糖提取项目", OATS, "150926", 18000, "内蒙古阴山优麦食品有限公司", HOME, negotiating_on="06-02"),
    Planned("燕麦麸皮膳食纤维加工项目", OATS, "150902", 6500, "北京燕京谷物科技有限公司", "北京市", negotiating_on="05-26"),
    Planned("有机燕麦种植基地建设项目", OATS, "150929", 4200, planned_on="06-20"),
    Planned("燕麦饮品生产线项目", OATS, "150928", 8800, "上海谷物源饮品有限公司", "上海市", negotiating_on="06-09"),
    Planned("燕麦良种繁育基地项目", OATS, "150923", 3000, planned_on="06-12"),
    Planned("莜面食品产业园项目", OATS, "150921", 5600, "山西晋味食品有限公司", "山西省大同市", negotiating_on="05-15"),
    Planned("燕麦秸秆饲料化利用项目", OATS, "150922", 2400, planned_on="06-21"),
    Planned("杂粮杂豆精深加工项目", OATS, "150924", 3600, "河北燕赵粮油有限公司", "河北省张家口市", negotiating_on="06-14"),
    Planned("燕麦挂面生产线项目", OATS, "150981", 2800, "山东鲁麦食品有限公司", "山东省济南市", negotiating_on="03-20", dropped_on="05-18", reason=CASH),
    Planned("燕麦精酿啤酒项目", OATS, "150925", 7500, "浙江禾醇酒业有限公司", "浙江省杭州市", negotiating_on="06-19"),
    # 蔬菜
    Planned("京蒙协作净菜供应基地项目", VEG, "150928", 9000, "北京京北绿农科技有限公司", "北京市", negotiating_on="05-30"),
    Planned("智能温室蔬菜产业园项目", VEG, "150902", 15000, "山东寿光禾丰农业有限公司", "山东省潍坊市", negotiating_on="06-06"),
    Planned("冷凉蔬菜种子种苗研发中心项目", VEG, "150923", 3500, planned_on="06-22"),
    Planned("蔬菜产地冷链集配中心项目", VEG, "150927", 6000, "深圳鹏菜供应链有限公司", "广东省深圳市", negotiating_on="06-16"),
    Planned("脱水蔬菜加工项目", VEG, "150922", 4000, "浙江丰禾农业发展有限公司", "浙江省宁波市", negotiating_on="06-12"),
    Planned("西兰花出口加工项目", VEG, "150929", 5000, "上海沪农供应链管理有限公司", "上海市", negotiating_on="03-08", dropped_on="06-09", reason="出口订单大幅减少,投资方调整投资计划,项目终止。"),
    # 马铃薯
    Planned("马铃薯主食化产品加工项目", POTATO, "150923", 12000, "北京薯香园食品有限公司", "北京市", negotiating_on="04-20"),
    Planned("马铃薯原原种智能化繁育中心项目", POTATO, "150928", 8000, planned_on="06-18"),
    Planned("马铃薯冷链仓储物流园项目", POTATO, "150902", 20000, "天津津北冷链物流有限公司", "天津市", negotiating_on="06-01"),
    Planned("马铃薯休闲食品生产线项目", POTATO, "150926", 6800, "广东粤膳食品有限公司", "广东省广州市", negotiating_on="06-13"),
    Planned("马铃薯种薯质量检测中心项目", POTATO, "150929", 2500, planned_on="06-05"),
    # 肉牛
    Planned("肉牛良种繁育中心项目", BEEF, "150927", 9000, "内蒙古阴山牧歌牧业有限公司", "内蒙古呼和浩特市", negotiating_on="06-08"),
    Planned("肉牛精深加工及冷链配送项目", BEEF, "150981", 25000, planned_on="06-19"),
    # 肉羊
    Planned("肉羊全产业链示范园项目", SHEEP, "150929", 16000, "山东鲁源食品集团有限公司", "山东省临沂市", negotiating_on="05-24"),
    Planned("湖羊规模化养殖场项目", SHEEP, "150928", 5000, "浙江湖羊牧业有限公司", "浙江省湖州市", negotiating_on="06-15"),
    Planned("肉羊屠宰冷链项目", SHEEP, "150923", 9000, planned_on="06-23"),
    Planned("羊肉预制菜加工项目", SHEEP, "150902", 6000, "广东粤膳食品有限公司", "广东省广州市", negotiating_on="06-20"),
    Planned("肉羊良种繁育基地项目", SHEEP, "150927", 3800, "察右中旗乌素图牧业有限公司", HOME, planned_on="06-24"),
    Planned("羊绒羊毛初加工项目", SHEEP, "150922", 4500, "河北清河绒毛制品有限公司", "河北省邢台市", negotiating_on="02-22", dropped_on="04-28", reason=CASH),
    Planned("肉羊育肥示范场项目", SHEEP, "150924", 3200, "兴和县店子镇肉业有限公司", HOME, negotiating_on="06-05"),
    # 奶业
    Planned("万头奶牛养殖示范牧场项目", DAIRY, "150926", 40000, "内蒙古乳都牧业有限公司", "内蒙古呼和浩特市", negotiating_on="05-28"),
    Planned("低温乳制品加工项目", DAIRY, "150902", 15000, "上海沪乳食品有限公司", "上海市", negotiating_on="06-10"),
    Planned("奶牛良种繁育中心项目", DAIRY, "150925", 6000, planned_on="06-21"),
    Planned("有机奶源基地项目", DAIRY, "150981", 12000, "河北冀丰牧业有限公司", "河北省张家口市", negotiating_on="06-07"),
    Planned("奶酪及乳清粉加工项目", DAIRY, "150921", 9500, "北京京蒙乳业科技有限公司", "北京市", negotiating_on="05-31"),
    Planned("青贮玉米种植加工一体化项目", DAIRY, "150928", 3000, "内蒙古绿野草业有限公司", "内蒙古赤峰市", planned_on="06-26"),
]
# fmt: on
NEGOTIATION_NOTE = "与投资方就用地、水电配套和扶持政策进行洽谈,投资方诉求已按期反馈。"


def key_counts() -> Counter:
    """The plan's 76 key projects per chain."""
    counts = Counter(p.chain for p in attracted_projects() if p.key)
    counts.update(p.chain for p in KEY_PROJECTS)
    return counts


# --- the 120 activities --------------------------------------------------------------------


ANY = "*"  # an online meeting: investors from anywhere outside the city


@dataclass
class ActivitySpec:
    kind: str
    day: datetime.date  # story
    title: str
    place: str
    organiser: str  # unit code (an office, or the county)
    county: str | None  # the county that held it
    leader: str  # who led it, as written
    participants: str
    summary: str = ""
    regions: tuple = ()
    chains: tuple = ()
    projects: list = field(default_factory=list)  # (county, name) of the projects produced


def _d(month_day: str) -> datetime.date:
    return datetime.date.fromisoformat(f"{SEED_YEAR}-{month_day}")


# The city's events: (day, kind, title, place, organising office, leader (username),
# regions of the investors it reached, chains it was about (empty: all)).
PROMOTION, VISIT, DELEGATION, ONLINE = (
    ActivityKind.PROMOTION,
    ActivityKind.VISIT_OUT,
    ActivityKind.DELEGATION,
    ActivityKind.ONLINE,
)
# fmt: off
CITY_EVENTS = [
    ("01-03", ONLINE, "乌兰察布市农牧业招商引资“云推介”暨重点项目线上洽谈会", "线上(市农牧局视频会议室)", "office-investment", "leader", (ANY,), ()),
    ("01-05", VISIT, "市农牧局赴天津开展农畜产品冷链物流招商", "天津市", "office-investment", "ldr-zhou", ("天津",), ()),
    ("01-06", VISIT, "赴河北张家口、山西大同考察对接奶业和肉牛项目", "河北省张家口市、山西省大同市", "office-cattle", "ldr-zheng", ("河北", "山西"), (DAIRY, BEEF)),
    ("01-10", PROMOTION, "乌兰察布马铃薯产业招商推介会（北京）", "北京市", "office-potato", "leader", ("北京", "山东"), (POTATO,)),
    ("01-16", DELEGATION, "接待山西晋北地区畜牧企业考察团", "乌兰察布市集宁区", "office-cattle", "ldr-zhou", ("山西",), (BEEF,)),
    ("02-14", VISIT, "赴山东寿光开展设施蔬菜招商", "山东省潍坊市", "office-basket", "ldr-sun", ("山东",), (VEG,)),
    ("02-20", PROMOTION, "京蒙协作农牧业招商对接会（北京）", "北京市", "office-investment", "ldr-zhao", ("北京",), ()),
    ("02-23", VISIT, "赴浙江杭州、宁波开展农产品电商和冷凉蔬菜招商", "浙江省杭州市、宁波市", "office-investment", "ldr-sun", ("浙江",), ()),
    ("03-02", PROMOTION, "乌兰察布农牧业招商推介会（石家庄）", "河北省石家庄市", "office-investment", "ldr-wu", ("河北",), ()),
    ("03-10", ONLINE, "京津农畜产品供应链企业线上对接会", "线上", "office-clean-veg", "ldr-sun", ("北京", "天津"), ()),
    ("03-18", PROMOTION, "“原味乌兰察布”农畜产品推介暨招商会（上海）", "上海市", "office-brand", "leader", ("上海",), ()),
    ("03-28", VISIT, "赴山东临沂开展肉羊屠宰加工招商", "山东省临沂市", "office-base", "ldr-wu", ("山东",), (SHEEP,)),
    ("04-08", PROMOTION, "乌兰察布冷凉蔬菜产销对接暨招商推介会（深圳）", "广东省深圳市", "office-basket", "ldr-sun", ("广东",), ()),
    ("04-15", VISIT, "赴北京开展净菜进京产销对接和招商", "北京市", "office-clean-veg", "ldr-sun", ("北京",), ()),
    ("04-20", DELEGATION, "接待河北农牧企业来乌考察团", "乌兰察布市集宁区", "office-investment", "ldr-zhou", ("河北",), ()),
    ("04-26", PROMOTION, "乌兰察布乳业招商推介会（上海）", "上海市", "office-cattle", "ldr-zheng", ("上海",), ()),
    ("05-08", VISIT, "赴宁夏固原考察马铃薯种薯产业并开展招商", "宁夏回族自治区固原市", "office-potato", "leader", ("宁夏",), ()),
    ("05-12", PROMOTION, "乌兰察布肉牛产业招商推介会（天津）", "天津市", "office-cattle", "ldr-zhou", ("天津",), ()),
    ("05-16", ONLINE, "长三角农业企业“云招商”视频洽谈会", "线上", "office-investment", "ldr-zhao", ("上海", "浙江"), ()),
    ("05-20", PROMOTION, "农业科技成果转化暨招商对接会（北京）", "北京市", "office-investment", "ldr-zhao", ("北京",), ()),
    ("05-25", DELEGATION, "接待粤港澳大湾区农产品采购商考察团", "乌兰察布市集宁区", "office-basket", "ldr-sun", ("广东",), ()),
    ("06-01", VISIT, "赴河北承德开展肉羊种业和养殖招商", "河北省承德市", "office-base", "ldr-wu", ("河北",), ()),
    ("06-06", PROMOTION, "乌兰察布农牧业招商引资推介会（天津）", "天津市", "office-investment", "ldr-zhou", ("天津",), ()),
    # Leads still followed: no project signed from these yet.
    ("02-08", ONLINE, "全国马铃薯加工企业线上招商对接会", "线上", "office-alliance", "leader", (), ()),
    ("03-24", DELEGATION, "接待中国农业科学院专家团队来乌对接马铃薯科技成果转化项目", "乌兰察布市集宁区", "office-potato", "leader", (), ()),
    ("04-12", VISIT, "赴江苏南京考察预制菜产业并开展招商", "江苏省南京市", "office-investment", "ldr-sun", (), ()),
    ("05-04", PROMOTION, "第二十七届中国（廊坊）农产品交易会乌兰察布专场推介", "河北省廊坊市", "office-brand", "ldr-sun", (), ()),
    ("05-30", VISIT, "赴黑龙江考察奶业振兴项目并开展招商", "黑龙江省齐齐哈尔市", "office-cattle", "ldr-zheng", (), ()),
    ("06-10", PROMOTION, "乌兰察布马铃薯产业高质量发展大会招商推介", "乌兰察布市集宁区", "office-alliance", "leader", (), ()),
    ("06-16", ONLINE, "京蒙协作燕麦产业线上招商对接会", "线上", "office-investment", "ldr-zhao", (), ()),
    ("06-26", DELEGATION, "接待新疆畜牧企业来乌考察肉羊产业", "乌兰察布市集宁区", "office-investment", "ldr-wu", (), ()),
    ("01-17", VISIT, "赴上海对接长三角农产品流通企业", "上海市", "office-clean-veg", "ldr-sun", (), ()),
    ("02-16", ONLINE, "肉牛产业链企业线上招商对接会", "线上", "office-cattle", "ldr-zhou", (), ()),
    ("02-28", DELEGATION, "接待北京农业企业家考察团", "乌兰察布市集宁区", "office-investment", "ldr-zhao", (), ()),
    ("03-15", VISIT, "赴河南郑州考察马铃薯加工装备企业并开展招商", "河南省郑州市", "office-potato", "leader", (), ()),
    ("03-22", ONLINE, "奶业产业链企业线上招商对接会", "线上", "office-cattle", "ldr-zheng", (), ()),
    ("04-03", DELEGATION, "接待中国农业大学专家团队对接燕麦科技成果转化", "乌兰察布市集宁区", "office-base", "ldr-zhao", (), ()),
    ("04-22", VISIT, "赴呼和浩特对接自治区农牧业产业化龙头企业投资意向", "内蒙古呼和浩特市", "office-investment", "ldr-zhou", (), ()),
    ("05-10", ONLINE, "蔬菜产业链企业线上招商对接会", "线上", "office-basket", "ldr-sun", (), ()),
    ("05-18", DELEGATION, "接待辽宁肉羊加工企业考察团", "乌兰察布市集宁区", "office-base", "ldr-wu", (), ()),
    ("06-03", PROMOTION, "杨凌农高会乌兰察布农牧业招商推介", "陕西省杨凌示范区", "office-investment", "ldr-zhao", (), ()),
    ("06-14", PROMOTION, "“原味乌兰察布”农畜产品推介招商会（呼和浩特）", "内蒙古呼和浩特市", "office-brand", "leader", (), ()),
    ("06-21", ONLINE, "马铃薯种薯企业线上招商对接会", "线上", "office-alliance", "leader", (), ()),
]
# The counties' leads still followed (no project signed from them yet): (county, day,
# kind, what, where). The title names the county.
COUNTY_LEADS = [
    ("150902", "02-27", ONLINE, "农畜产品加工企业线上招商对接会", "线上"),
    ("150902", "05-11", DELEGATION, "接待呼和浩特市乳品企业考察团", "集宁区"),
    ("150981", "03-16", VISIT, "赴河北张家口考察乳品加工项目", "河北省张家口市"),
    ("150981", "05-24", ONLINE, "月饼及烘焙食品企业线上招商对接会", "线上"),
    ("150921", "03-30", DELEGATION, "接待北京农业企业考察团", "卓资县"),
    ("150921", "06-08", VISIT, "赴山西大同考察燕麦食品加工项目", "山西省大同市"),
    ("150922", "04-14", DELEGATION, "接待河北张家口蔬菜企业考察团", "化德县"),
    ("150922", "06-02", ONLINE, "冷凉蔬菜企业线上招商对接会", "线上"),
    ("150923", "03-03", VISIT, "赴北京开展马铃薯主食化项目招商", "北京市"),
    ("150923", "06-06", DELEGATION, "接待山东食品企业考察团", "商都县"),
    ("150924", "04-04", ONLINE, "杂粮加工企业线上招商对接会", "线上"),
    ("150924", "06-13", VISIT, "赴河北张家口考察杂粮加工项目", "河北省张家口市"),
    ("150925", "04-07", VISIT, "赴北京开展岱海文旅农业招商", "北京市"),
    ("150925", "06-15", DELEGATION, "接待宁夏奶业企业考察团", "凉城县"),
    ("150926", "03-09", DELEGATION, "接待北京燕麦食品企业考察团", "察右前旗"),
    ("150926", "06-19", ONLINE, "乳品加工企业线上招商对接会", "线上"),
    ("150927", "04-21", VISIT, "赴河北开展肉牛良种繁育项目招商", "河北省张家口市"),
    ("150927", "06-09", ONLINE, "草原畜牧业企业线上招商对接会", "线上"),
    ("150928", "04-18", DELEGATION, "接待山东马铃薯加工企业考察团", "察右后旗"),
    ("150928", "06-12", ONLINE, "马铃薯种薯企业线上招商对接会", "线上"),
    ("150929", "04-11", VISIT, "赴宁夏考察肉羊产业并开展招商", "宁夏回族自治区银川市"),
    ("150929", "06-14", DELEGATION, "接待新疆肉羊养殖企业考察团", "四子王旗"),
    ("150902", "06-22", VISIT, "赴上海开展农产品冷链物流招商", "上海市"),
    ("150981", "06-23", DELEGATION, "接待天津冷链物流企业考察团", "丰镇市"),
    ("150921", "04-27", ONLINE, "乡村旅游和休闲农业线上招商对接会", "线上"),
    ("150922", "02-17", VISIT, "赴河北张北考察燕麦加工项目", "河北省张家口市"),
    ("150923", "04-25", ONLINE, "马铃薯淀粉加工企业线上招商对接会", "线上"),
    ("150924", "02-24", DELEGATION, "接待北京蔬菜企业考察团", "兴和县"),
    ("150925", "05-19", ONLINE, "肉牛育肥企业线上招商对接会", "线上"),
    ("150926", "04-24", VISIT, "赴上海开展乳品加工项目招商", "上海市"),
    ("150927", "03-06", DELEGATION, "接待呼和浩特市肉牛养殖企业考察团", "察右中旗"),
    ("150928", "05-26", VISIT, "赴山东滕州考察马铃薯加工项目", "山东省滕州市"),
    ("150929", "03-21", ONLINE, "戈壁羊肉加工企业线上招商对接会", "线上"),
    ("150981", "04-19", DELEGATION, "接待山西大同奶业企业考察团", "丰镇市"),
    ("150921", "05-23", ONLINE, "马铃薯种薯企业线上招商对接会", "线上"),
    ("150902", "04-13", VISIT, "赴天津开展冷链物流项目招商", "天津市"),
    ("150922", "05-05", DELEGATION, "接待包头市肉羊加工企业考察团", "化德县"),
    ("150924", "05-29", VISIT, "赴北京开展农畜产品检测项目招商", "北京市"),
]
# fmt: on
# Projects this big were also visited on site by their investors (a second activity).
SITE_VISIT_FROM = 30000
# How many days before its signing a project's negotiations begin: 21 to 42.
NEGOTIATION_DAYS = (21, 28, 35, 42)
# The city event that produced a project is at most this many days before its signing.
EVENT_REACH_DAYS = 110


def _leader_text(username: str) -> str:
    for login, name, title in org_data.LEADERS:
        if login == username:
            return f"{name}（{title}）"
    raise KeyError(username)


def _short(code: str) -> str:
    return next(short for c, _name, short in org_data.COUNTIES if c == code)


def _county_leader(code: str) -> str:
    name = next(name for c, name, _short in org_data.COUNTIES if c == code)
    return f"{_short(code)}人民政府分管副{name[-1]}长"


def activities() -> tuple[list[ActivitySpec], dict[tuple[str, str], datetime.date]]:
    """The 120 activities and the day each attracted project's negotiations began
    (story's calendar). Deterministic: the same data gives the same story."""
    office_names = {code: name for code, name, _duties in org_data.OFFICES}
    city = []
    for day, kind, title, place, office, leader, regions, chains in CITY_EVENTS:
        city.append(
            ActivitySpec(
                kind=kind,
                day=_d(day),
                title=title,
                place=place,
                organiser=office,
                county=None,
                leader=_leader_text(leader),
                participants=f"市农牧局、{office_names[office]}、相关旗县市区农牧和招商部门、企业代表",
                regions=regions,
                chains=chains,
            )
        )
    county_held: dict[tuple, ActivitySpec] = {}
    negotiating: dict[tuple[str, str], datetime.date] = {}
    site_visits = []
    for p in sorted(attracted_projects(), key=lambda p: (p.signed, p.county, p.index)):
        key = (p.county, p.name)
        latest = p.signed - datetime.timedelta(days=7)
        found = [
            a
            for a in city
            if (p.region in a.regions or (ANY in a.regions and p.region not in (LOCAL, IN_REGION)))
            and (not a.chains or p.chain in a.chains)
            and p.signed - datetime.timedelta(days=EVENT_REACH_DAYS) <= a.day <= latest
        ]
        # The latest city event that reached the investor, else the county's own work.
        activity = max(found, key=lambda a: a.day) if found else _county_activity(county_held, p)
        activity.projects.append(key)
        gap = NEGOTIATION_DAYS[(p.index + int(p.county[-2:])) % len(NEGOTIATION_DAYS)]
        began = min(
            max(p.signed - datetime.timedelta(days=gap), activity.day + datetime.timedelta(days=1)),
            p.signed - datetime.timedelta(days=1),
        )
        negotiating[key] = began
        if p.planned >= SITE_VISIT_FROM and p.region != LOCAL:
            site_visits.append(
                ActivitySpec(
                    kind=ActivityKind.DELEGATION,
                    day=began,
                    title=f"接待{p.investor}来{_short(p.county)}实地考察",
                    place=_short(p.county),
                    organiser=p.county,
                    county=p.county,
                    leader=_county_leader(p.county),
                    participants=f"{_short(p.county)}农牧局、招商服务中心,{p.investor}考察组",
                    summary=f"考察{p.name.removesuffix('项目')}选址,商定投资协议主要条款。",
                    projects=[key],
                )
            )
    leads = [
        ActivitySpec(
            kind=kind,
            day=_d(day),
            title=f"{_short(county)}{what}",
            place=place,
            organiser=county,
            county=county,
            leader=_county_leader(county),
            participants=f"{_short(county)}农牧局、招商服务中心、企业代表",
        )
        for county, day, kind, what, place in COUNTY_LEADS
    ]
    every = city + list(county_held.values()) + site_visits + leads
    for activity in every:
        if not activity.summary:
            activity.summary = _summary(activity)
    every.sort(key=lambda a: (a.day, a.county or "", a.title))
    return every, negotiating


def _county_activity(held: dict, p: Attracted) -> ActivitySpec:
    """The county's own activity that produced `p`: its meeting with local enterprises of
    the quarter, the delegation of an investor from the autonomous region, or its visit
    out to the investor's region in that month."""
    short = _short(p.county)
    # The counties' own work starts on different days of the first weeks.
    order = next(i for i, (code, _n, _s) in enumerate(org_data.COUNTIES) if code == p.county)
    day = max(STORY_START + datetime.timedelta(days=order), p.signed - datetime.timedelta(days=30))
    day = min(day, p.signed - datetime.timedelta(days=3))
    if p.region == LOCAL:
        # The county meets its own enterprises once a quarter.
        first = day.month <= 3
        group = (p.county, LOCAL, first)
        spec = {
            "kind": ActivityKind.OTHER,
            "title": f"{short}农牧业重点企业扩大投资政企座谈会"
            if first
            else f"{short}农牧业招商引资重点项目对接会",
            "place": short,
            "participants": f"{short}农牧局、发改委、自然资源局、金融机构和本地农牧业企业",
        }
    elif p.region == IN_REGION:
        group = (p.county, p.investor)
        spec = {
            "kind": ActivityKind.DELEGATION,
            "title": f"接待{p.investor}来{short}考察洽谈",
            "place": short,
            "participants": f"{short}农牧局、招商服务中心,{p.investor}考察组",
        }
    else:
        group = (p.county, p.region, day.month)
        spec = {
            "kind": ActivityKind.VISIT_OUT,
            "title": f"{short}赴{p.region}开展农牧业招商",
            "place": p.origin,
            "participants": f"{short}人民政府、农牧局、招商服务中心",
        }
    if group not in held:
        held[group] = ActivitySpec(
            day=day, organiser=p.county, county=p.county, leader=_county_leader(p.county), **spec
        )
    activity = held[group]
    activity.day = min(activity.day, day)
    return activity


def _summary(activity: ActivitySpec) -> str:
    count = len(activity.projects)
    if count:
        return f"推介乌兰察布农牧业资源禀赋和招商政策,促成{count}个项目进入洽谈并签约。"
    return "推介乌兰察布农牧业资源禀赋和招商政策,收集项目线索,正在跟踪洽谈。"


# --- upward applications ------------------------------------------------------------------


@dataclass(frozen=True)
class Upward:
    """An application to a higher authority. `last_year`: of last year, dated by its
    month-days; else of this year, dated at fractions of the year gone by."""

    title: str
    kind: str
    authority: str
    chain: str
    office: str
    actor: str
    led_by: str
    last_year: bool
    requested: int | None
    status: str  # preparing, submitted, approved, rejected
    granted: int | None = None
    submitted: str | float = ""
    decided: str | float = ""
    reason: str = ""
    progress: str = ""


PREP, SUB, OK, NO = "preparing", "submitted", "approved", "rejected"
FUNDS, PROJ, POLICY = UpwardKind.FUNDS, UpwardKind.PROJECT, UpwardKind.POLICY
# fmt: off
UPWARD = [
    # last year: 12,000 万元 granted, 4,000 of it for the potato
    Upward("自治区马铃薯产业发展支持资金", FUNDS, "自治区农牧厅", POTATO, "office-potato", "potato-dir", "王振华", True, 3000, OK, 2500, "03-10", "06-20"),
    Upward("马铃薯良种繁育基地建设项目", PROJ, "农业农村部", POTATO, "office-potato", "potato-dep", "王振华", True, 2000, OK, 1500, "04-15", "09-12"),
    Upward("肉牛产业高质量发展资金", FUNDS, "自治区农牧厅", BEEF, "office-cattle", "cattle-dir", "周明远", True, 4000, OK, 3000, "03-20", "07-05"),
    Upward("奶业生产能力提升整县推进项目", PROJ, "农业农村部", DAIRY, "office-cattle", "cattle-dep", "郑晓燕", True, 3000, OK, 2500, "02-28", "06-30"),
    Upward("设施农业建设补助资金", FUNDS, "自治区发展改革委", VEG, "office-basket", "basket-dir", "孙丽萍", True, 1500, OK, 1000, "04-08", "08-18"),
    Upward("燕麦产业技术体系综合试验站建设", PROJ, "中国农业科学院", OATS, "office-base", "base-dir", "赵志刚", True, 800, OK, 500, "05-06", "10-10"),
    Upward("肉羊良种补贴资金", FUNDS, "自治区农牧厅", SHEEP, "office-base", "base-dep", "吴海峰", True, 1200, OK, 1000, "03-15", "06-28"),
    Upward("国家现代农业产业园（燕麦）创建", PROJ, "农业农村部", OATS, "office-base", "base-dir", "赵志刚", True, 10000, NO, None, "04-20", "11-15",
           reason="当年创建名额已满,建议完善创建方案、补齐联农带农机制后次年再申报。"),
    # this year: 15,000 万元 granted (+25%), 5,000 of it for the potato (+25%)
    Upward("马铃薯国家优势特色产业集群项目", PROJ, "农业农村部、财政部", POTATO, "office-potato", "potato-dir", "王振华", False, 5000, OK, 3000, 0.1, 0.6,
           progress="集群项目成功获批,中央财政资金首批3000万元已下达,覆盖6个旗县市区。"),
    Upward("自治区马铃薯产业发展支持资金", FUNDS, "自治区农牧厅", POTATO, "office-potato", "potato-dep", "王振华", False, 2500, OK, 2000, 0.15, 0.5),
    Upward("申办中国马铃薯大会", POLICY, "中国作物学会马铃薯专业委员会", POTATO, "office-alliance", "alliance-dir", "王振华", False, None, OK, None, 0.2, 0.7,
           progress="乌兰察布成功申办下一届中国马铃薯大会。"),
    Upward("国家马铃薯种质资源库乌兰察布分库建设", PROJ, "中国农业科学院", POTATO, "office-potato", "potato-m2", "王振华", False, 1500, PREP,
           progress="正在编制可行性研究报告。"),
    Upward("肉牛产业高质量发展资金", FUNDS, "自治区农牧厅", BEEF, "office-cattle", "cattle-dir", "周明远", False, 4500, OK, 3500, 0.2, 0.65),
    Upward("国家肉牛核心育种场建设", PROJ, "农业农村部", BEEF, "office-cattle", "cattle-m1", "周明远", False, 2000, PREP,
           progress="已完成申报材料初稿,待自治区农牧厅预审。"),
    Upward("奶业振兴行动项目", PROJ, "农业农村部", DAIRY, "office-cattle", "cattle-dep", "郑晓燕", False, 3500, OK, 3000, 0.12, 0.55),
    Upward("奶牛养殖贷款贴息政策", POLICY, "自治区农牧厅", DAIRY, "office-cattle", "cattle-dep", "郑晓燕", False, None, SUB, None, 0.7),
    Upward("设施农业建设补助资金", FUNDS, "自治区发展改革委", VEG, "office-basket", "basket-dir", "孙丽萍", False, 2000, OK, 1500, 0.25, 0.75),
    Upward("净菜进京供应基地冷链设施建设项目", PROJ, "国家发展改革委", VEG, "office-clean-veg", "cleanveg-dir", "孙丽萍", False, 3000, SUB, None, 0.6),
    Upward("燕麦产业技术体系综合试验站建设", PROJ, "中国农业科学院", OATS, "office-base", "base-dir", "赵志刚", False, 1000, OK, 800, 0.18, 0.62),
    Upward("燕麦全产业链标准化基地建设资金", FUNDS, "财政部", OATS, "office-base", "base-m1", "赵志刚", False, 1500, NO, None, 0.3, 0.68,
           reason="资金已按因素法切块下达自治区,不再单独安排地市项目。"),
    Upward("肉羊良种补贴资金", FUNDS, "自治区农牧厅", SHEEP, "office-base", "base-dep", "吴海峰", False, 1500, OK, 1200, 0.22, 0.58),
    Upward("农牧业招商引资重点项目用地指标支持", POLICY, "自治区发展改革委", BEEF, "office-investment", "invest-dir", "周明远", False, None, SUB, None, 0.8,
           progress="已报送12个重点项目的用地需求。"),
]
# fmt: on

# Today's urges: (county, project, who, days ago, what is expected).
URGES = [
    (
        "150924",
        "肉牛活畜交易市场项目",
        "ldr-zhou",
        6,
        "项目签约已超过90日仍未落地。请兴和县会同投资方加快办理用地手续,7日内报告进展。",
    ),
    (
        "150923",
        "年屠宰50万只肉羊精深加工项目",
        "ldr-wu",
        4,
        "项目签约已超过90日仍未落地。请商都县逐项梳理用地、环评手续,明确责任人和完成时限,7日内报告进展。",
    ),
    (
        "150902",
        "乳酸菌饮品生产线项目",
        OFFICE_DIRECTOR,
        2,
        "项目即将超过签约后90日的落地时限,请集宁区加快推进,及时报告进展。",
    ),
]

# --- loading ----------------------------------------------------------------------------


class _Clock(SupervisionClock):
    """Supervision's clock, for what the investment services stamp with the time they
    run."""

    FIELDS = {Notification: "created_at", ProjectEvent: "at"}


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone()
    )


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def agreement(p: Attracted, day: datetime.date) -> SimpleUploadedFile:
    """The signed agreement: a tiny one-page PDF."""
    return SimpleUploadedFile(
        "投资协议.pdf",
        pdf_bytes(
            [
                "Investment agreement",
                f"Project {p.county}-{p.index + 1:02d}, planned investment {p.planned} (10k yuan)",
                f"Signed on {day.isoformat()}",
            ]
        ),
        content_type="application/pdf",
    )


class _Loader:
    def __init__(self, today: datetime.date):
        self.today = today
        self.shift = (today - _days(STORY_LAG_DAYS)) - STORY_DAY
        self.year = today.year
        self.units = OrgUnit.objects.in_bulk(field_name="code")
        self.users = get_user_model().objects.in_bulk(field_name="username")
        self.chains = Chain.objects.select_related("leader").in_bulk(field_name="code")
        self.liaisons = {code: self.users[name] for name, _n, code in org_data.COUNTY_LIAISONS}
        self.clock = _Clock()
        self.stamps: dict[type, dict[int, dict]] = defaultdict(dict)
        self.projects: dict[tuple[str, str], Project] = {}

    def day(self, story: datetime.date) -> datetime.date:
        return story + self.shift

    def tick(self, moment: datetime.datetime, *, unread=()) -> datetime.datetime:
        self.clock.at(moment, unread=unread)
        return self.clock.past(moment)

    def stamp(self, instance, **values) -> None:
        self.stamps[type(instance)].setdefault(instance.pk, {}).update(values)

    def unread(self, day: datetime.date):
        """The last fortnight's notices are still unread."""
        return True if day >= self.today - _days(14) else ()

    # --- clocks

    def clocks(self) -> None:
        services.clocks_ensure()
        existing = {c.stage: c for c in StageClock.objects.all()}
        set_on = self.day(datetime.date(SEED_YEAR, 1, 4))
        for stage in LIVE_STAGES:
            clock = existing[stage]
            clock = services.clock_save(
                actor=self.users[OFFICE_DIRECTOR],
                stage=stage,
                limit_days=clock.limit_days,
                warn_days=clock.warn_days,
                report_days=clock.report_days,
                evidence_required=clock.evidence_required,
                commitment=CLOCK_COMMITMENTS[stage],
            )
            self.stamp(clock, updated_at=_at(set_on, 9, 30))

    # --- projects

    def responsible(self, chain: Chain) -> dict:
        return {
            "leader": chain.leader,
            "responsible_unit": chain.lead_office or chain.lead_section,
        }

    def attract(self, p: Attracted, began: datetime.date) -> None:
        liaison = self.liaisons[p.county]
        chain = self.chains[p.chain]
        began = self.day(began)
        project = services.project_create(
            actor=liaison,
            name=p.name,
            year=self.year,
            chain=chain,
            county=self.units[p.county],
            planned_investment=D(p.planned),
            stage=Stage.NEGOTIATING,
            stage_on=began,
            investor=p.investor,
            investor_origin=p.origin,
            is_key=p.key,
            content=f"{p.investor}投资建设{p.name.removesuffix('项目')},计划投资{p.planned}万元。",
            today=began,
            **(self.responsible(chain) if p.key else {}),
        )
        self.stamp(project, created_at=self.tick(_at(began, 9, 30)))
        signed = self.day(p.signed)
        project = services.project_move(
            actor=liaison,
            project=project,
            to_stage=Stage.SIGNED,
            on=signed,
            evidence=[agreement(p, signed)],
            today=signed,
        )
        self.tick(_at(signed, 11), unread=self.unread(signed))
        in_place = D(0)
        for stage, story_day in p.stage_dates():
            on = self.day(story_day)
            project = services.project_move(
                actor=liaison, project=project, to_stage=stage, on=on, today=on
            )
            self.tick(_at(on, 10), unread=self.unread(on))
            total = (p.planned * D(RECEIVED_SHARE[STAGE_OF_INDEX.index(stage)])).quantize(D("0.01"))
            self.report(project, liaison, on, REPORT_TEXT[stage], total - in_place)
            in_place = total
        # The end of June's report (the dispatch table's), unless it is overdue.
        if p.stage != Stage.PRODUCING and (p.county, p.name) not in REPORT_OVERDUE:
            stalled = not p.pace and (6 - p.signed.month) >= 2
            text = STALLED_NOTE if stalled else JUNE_TEXT[p.stage]
            self.report(project, liaison, self.day(_d("06-28")), text, D(0))
        self.projects[(p.county, p.name)] = project

    def report(self, project, actor, on: datetime.date, text: str, received) -> None:
        report = services.project_report(
            actor=actor, project=project, on=on, text=text, received=received, today=on
        )
        self.stamp(report, created_at=self.tick(_at(on, 17)))

    def plan(self, k: Planned) -> None:
        """A key project of the plan entered by the office at 谋划, taken to 洽谈 by the
        county (or the office), perhaps dropped."""
        chain = self.chains[k.chain]
        planned_on = self.day(_d(k.planned_on))
        project = services.project_create(
            actor=self.users[OFFICE_MEMBER],
            name=k.name,
            year=self.year,
            chain=chain,
            county=self.units[k.county],
            planned_investment=D(k.planned),
            stage=Stage.PLANNED,
            stage_on=planned_on,
            investor=k.investor,
            investor_origin=k.origin,
            is_key=True,
            content=f"建设{k.name.removesuffix('项目')},计划投资{k.planned}万元。",
            today=planned_on,
            **self.responsible(chain),
        )
        self.stamp(project, created_at=self.tick(_at(planned_on, 9)))
        liaison = self.liaisons[k.county]
        if k.negotiating_on:
            on = self.day(_d(k.negotiating_on))
            project = services.project_move(
                actor=liaison, project=project, to_stage=Stage.NEGOTIATING, on=on, today=on
            )
            self.tick(_at(on, 10), unread=self.unread(on))
            if not k.dropped_on:
                reported = max(on, self.day(_d("06-27")))
                self.report(project, liaison, reported, NEGOTIATION_NOTE, D(0))
        if k.dropped_on:
            on = self.day(_d(k.dropped_on))
            project = services.project_move(
                actor=self.users[OFFICE_DIRECTOR],
                project=project,
                to_stage=Stage.DROPPED,
                on=on,
                reason=k.reason,
                today=on,
            )
            self.tick(_at(on, 15))
        self.projects[(k.county, k.name)] = project

    # --- activities

    def activities(self, specs: list[ActivitySpec]) -> None:
        for position, spec in enumerate(specs):
            day = self.day(spec.day)
            if spec.county:
                actor = self.liaisons[spec.county]
            else:
                actor = self.users[OFFICE_MEMBER if position % 2 else OFFICE_MEMBER_2]
            entered = min(day + _days(1), self.today)
            activity = services.activity_save(
                actor=actor,
                projects=[self.projects[key] for key in spec.projects],
                kind=spec.kind,
                title=spec.title,
                date=day,
                place=spec.place,
                organiser=self.units[spec.organiser],
                county=self.units[spec.county] if spec.county else None,
                leader=spec.leader,
                participants=spec.participants,
                summary=spec.summary,
                today=entered,
            )
            self.stamp(activity, created_at=self.clock.past(_at(entered, 16)))

    # --- upward applications

    def upward_day(self, u: Upward, when) -> datetime.date:
        if u.last_year:
            return datetime.date.fromisoformat(f"{self.year - 1}-{when}")
        start = datetime.date(self.year, 1, 1)
        return start + _days(int((self.today - start).days * when))

    def upward(self, u: Upward) -> None:
        actor = self.users[u.actor]
        year = self.year - 1 if u.last_year else self.year
        first = self.upward_day(u, u.submitted) if u.submitted else None
        # Entered some weeks before its submission, within its year.
        entered = (first - _days(20)) if first else self.today - _days(12)
        entered = min(max(entered, datetime.date(year, 1, 1)), first or self.today, self.today)
        application = services.upward_save(
            actor=actor,
            title=u.title,
            kind=u.kind,
            authority=u.authority,
            chain=self.chains[u.chain],
            office=self.units[u.office],
            year=year,
            led_by=u.led_by,
            amount_requested=D(u.requested) if u.requested is not None else None,
            progress=u.progress,
            today=entered,
        )
        self.stamp(application, created_at=self.clock.past(_at(entered, 10)))
        if u.status == PREP:
            return
        application = services.upward_act(
            actor=actor, application=application, action=UpwardAction.SUBMIT, on=first, today=first
        )
        if u.status == SUB:
            return
        decided = max(self.upward_day(u, u.decided), first)
        if u.status == OK:
            services.upward_act(
                actor=actor,
                application=application,
                action=UpwardAction.APPROVE,
                on=decided,
                granted=D(u.granted) if u.granted is not None else None,
                today=decided,
            )
        else:
            services.upward_act(
                actor=actor,
                application=application,
                action=UpwardAction.REJECT,
                on=decided,
                reason=u.reason,
                today=decided,
            )

    # --- today

    def urges(self) -> None:
        """The chains' leaders press the two projects stalled past their clock; the office
        presses one nearing it."""
        for county, name, username, days_ago, text in URGES:
            on = self.today - _days(days_ago)
            services.project_urge(
                actor=self.users[username],
                project=self.projects[(county, name)],
                text=text,
                today=on,
            )
            self.tick(_at(on, 9, 15), unread=True)

    def evidence_dates(self) -> None:
        """The agreements were uploaded when the projects were signed."""
        through = ProjectEvent.evidence.through
        rows = through.objects.filter(
            projectevent__project__in=[p.pk for p in self.projects.values()]
        ).values_list("storedfile_id", "projectevent__on")
        for stored_id, on in rows:
            self.stamp(StoredFile(pk=stored_id), uploaded_at=self.clock.past(_at(on, 11)))

    def load(self) -> None:
        self.clocks()
        specs, began = activities()
        for p in sorted(attracted_projects(), key=lambda p: (began[(p.county, p.name)], p.county)):
            self.attract(p, began[(p.county, p.name)])
        for k in KEY_PROJECTS:
            self.plan(k)
        self.activities(specs)
        for u in UPWARD:
            self.upward(u)
        self.urges()
        self.evidence_dates()
        self.clock.apply()
        write_stamps(self.stamps)


def load_investment(today: datetime.date | None = None) -> None:
    """Load the investment demo; the organisation with its chains must be loaded."""
    with translation.override(settings.LANGUAGE_CODE):  # notifications in Chinese
        _Loader(today or timezone.localdate()).load()
