"""The demo's dispatch (调度): indicators with targets, the four statistical tables the seed
names, half a year of monthly rounds and the rounds open today, loaded through the
dispatch services as the offices and counties would have worked them.

THE STORY. The seed describes the bureau at the end of June 2023, so the history is real
2023: the rounds of January to June with their own dates, filled by the eleven counties,
approved and locked. Its figures are the seed's, from data:

* 肉牛存栏增量 (cumulative, "latest"): the city's June total is 7.80 万头 against the
  region's city target of 11.5 万头 (67.8%, 三分之二以上); the counties' targets add up
  to the 12 万头 the task list names. 商都县 and 察右中旗 lag more than 20 points behind
  the time elapsed (50% at 30 June), so the ranking shows them yellow;
* 奶牛存栏增量: 0.75 万头 against 1.45 (51.7%, 一半以上);
* 设施农业开工面积: 2221 亩; 招引项目数: 104 (the investment table's June list); the
  brand table's June list has the 83 authorised enterprises;
* 四子王旗 never sent the June livestock table (its May figures count as its latest);
  a few tables came in late; 兴和县's May livestock table was returned once (it reported
  the month's increase instead of the cumulative one) and corrected.

Counties and offices act through the services, so the data is checked, versioned and
audited as any other. Dates are the exception: a service stamps what it does with the time
it runs, so the loader moves each step's timestamps back to the story's day (see
_Backdater).

TODAY. The schedules keep sending the tables every month, so today's rounds are open
with pending submissions (卓资县 and 化德县, the browser tests' counties, have not started).
The task lists are dated in the current year (see tasks_data), so the current year
carries 2023's cattle targets, and the cattle task measured by the indicator takes its
progress from this year's approved livestock tables.

Unit names are real; the seed's enterprises (阴山优麦, 兰格格, 薯都凯达) are named as the
seed names them; the other enterprises, projects and figures are illustrative.
"""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone, translation
from stdnum.cn import uscc

from zhuanban.core.models import Notification
from zhuanban.demo import org_data
from zhuanban.dispatch import services
from zhuanban.dispatch.models import (
    Aggregation,
    Cadence,
    DispatchRound,
    Indicator,
    RoundSnapshot,
    RowMode,
    Schedule,
    Submission,
    SubmissionEvent,
    SubmissionRevision,
    SubmissionStatus,
    TableTemplate,
    TemplateVersion,
    UnitGroup,
)
from zhuanban.dispatch.periods import Period, PeriodKind
from zhuanban.org import services as org
from zhuanban.org.models import OrgUnit
from zhuanban.tasks import services as task_services
from zhuanban.tasks.models import Task

YEAR = 2023
MONTHS = range(1, 7)
D = Decimal

# --- unit groups, indicators and targets --------------------------------------------------

FRONT = ("150902", "150981", "150921", "150925", "150924", "150926")
BACK = ("150922", "150923", "150929", "150927", "150928")
UNIT_GROUPS = [("前山地区", FRONT), ("后山地区", BACK)]

BEEF, DAIRY, FACILITY, PROJECTS = (
    "beef_increase",
    "dairy_increase",
    "facility_area",
    "investment_projects",
)

INDICATORS = [
    {
        "code": BEEF,
        "name": "肉牛存栏增量",
        "unit_of_measure": "万头",
        "aggregation": Aggregation.LATEST,
        "decimals": 2,
        "office": "office-cattle",
        "description": "肉牛存栏较上年末增加数。旗县市区每月按年初至月末累计数报送(规模养殖场建设情况统计表)。",
    },
    {
        "code": DAIRY,
        "name": "奶牛存栏增量",
        "unit_of_measure": "万头",
        "aggregation": Aggregation.LATEST,
        "decimals": 2,
        "office": "office-cattle",
        "description": "奶牛存栏较上年末增加数,按年初至月末累计数报送。",
    },
    {
        "code": FACILITY,
        "name": "设施农业开工面积",
        "unit_of_measure": "亩",
        "aggregation": Aggregation.LATEST,
        "decimals": 0,
        "office": "office-basket",
        "description": "本年新建设施农业开工面积,累计数,计入“菜篮子”市长负责制考核。",
    },
    {
        "code": PROJECTS,
        "name": "招引项目数",
        "unit_of_measure": "个",
        "aggregation": Aggregation.SUM,
        "decimals": 0,
        "office": "office-investment",
        "description": "当月新签约农牧业招商引资项目数,按签约落地项目情况表汇总。",
    },
]

# 2023 annual targets: (the city's, as the region set it; each county's, as the city
# broke it down). The counties' add up to more than the city's, on purpose.
TARGETS = {
    BEEF: (
        "11.5",
        {
            "150902": "0.30",
            "150981": "1.00",
            "150921": "0.90",
            "150922": "0.80",
            "150923": "1.20",
            "150924": "1.00",
            "150925": "2.00",
            "150926": "1.30",
            "150927": "1.00",
            "150928": "1.10",
            "150929": "1.40",
        },
    ),
    DAIRY: (
        "1.45",
        {
            "150902": "0.10",
            "150981": "0.25",
            "150921": "0.10",
            "150922": "0.05",
            "150923": "0.08",
            "150924": "0.10",
            "150925": "0.20",
            "150926": "0.35",
            "150927": "0.07",
            "150928": "0.10",
            "150929": "0.10",
        },
    ),
    FACILITY: (
        "4000",
        {
            "150902": "300",
            "150981": "500",
            "150921": "350",
            "150922": "250",
            "150923": "450",
            "150924": "400",
            "150925": "500",
            "150926": "600",
            "150927": "250",
            "150928": "300",
            "150929": "250",
        },
    ),
    PROJECTS: (
        "170",
        {
            "150902": "25",
            "150981": "18",
            "150921": "15",
            "150922": "12",
            "150923": "15",
            "150924": "15",
            "150925": "18",
            "150926": "20",
            "150927": "12",
            "150928": "15",
            "150929": "15",
        },
    ),
}
# The current year's task list measures the cattle indicators against these targets too.
CURRENT_YEAR_TARGETS = (BEEF, DAIRY)

# Cumulative increase since the end of 2022, January to June (万头). None: not reported.
BEEF_INCREASE = {
    "150902": ("0.02", "0.05", "0.09", "0.13", "0.17", "0.23"),
    "150981": ("0.08", "0.17", "0.29", "0.42", "0.58", "0.76"),
    "150921": ("0.07", "0.15", "0.25", "0.36", "0.50", "0.66"),
    "150922": ("0.06", "0.13", "0.22", "0.32", "0.45", "0.59"),
    "150923": ("0.03", "0.07", "0.11", "0.17", "0.23", "0.30"),
    "150924": ("0.07", "0.16", "0.27", "0.40", "0.55", "0.72"),
    "150925": ("0.15", "0.33", "0.57", "0.83", "1.14", "1.50"),
    "150926": ("0.10", "0.22", "0.39", "0.56", "0.78", "1.02"),
    "150927": ("0.03", "0.06", "0.10", "0.14", "0.19", "0.25"),
    "150928": ("0.09", "0.19", "0.32", "0.47", "0.65", "0.85"),
    "150929": ("0.12", "0.27", "0.46", "0.67", "0.92", None),
}
DAIRY_INCREASE = {
    "150902": ("0.01", "0.01", "0.02", "0.03", "0.04", "0.05"),
    "150981": ("0.01", "0.03", "0.05", "0.07", "0.10", "0.13"),
    "150921": ("0.01", "0.01", "0.02", "0.03", "0.04", "0.05"),
    "150922": ("0.00", "0.00", "0.01", "0.01", "0.02", "0.02"),
    "150923": ("0.00", "0.00", "0.01", "0.01", "0.02", "0.02"),
    "150924": ("0.01", "0.01", "0.02", "0.03", "0.04", "0.05"),
    "150925": ("0.01", "0.02", "0.04", "0.06", "0.08", "0.10"),
    "150926": ("0.02", "0.04", "0.07", "0.10", "0.14", "0.19"),
    "150927": ("0.00", "0.01", "0.01", "0.02", "0.02", "0.03"),
    "150928": ("0.01", "0.01", "0.02", "0.03", "0.04", "0.05"),
    "150929": ("0.01", "0.02", "0.03", "0.04", "0.06", None),
}
# Facility farming started (亩, cumulative), March to June, entered by the 菜篮子办.
FACILITY_AREA = {
    "150902": (18, 63, 126, 180),
    "150981": (29, 102, 203, 290),
    "150921": (19, 67, 133, 190),
    "150922": (12, 42, 84, 120),
    "150923": (23, 81, 161, 230),
    "150924": (22, 75, 151, 215),
    "150925": (30, 105, 210, 300),
    "150926": (38, 133, 266, 380),
    "150927": (10, 34, 67, 96),
    "150928": (13, 46, 91, 130),
    "150929": (9, 32, 63, 90),
}

# This year's open livestock round: who has already answered, and how (None: a draft).
# Their cumulative increase keeps pace with the year at this rate (1 = on time).
CURRENT_LIVESTOCK = {
    "150925": ("approved", D("1.00")),
    "150926": ("approved", D("1.05")),
    "150981": ("submitted", D("0.95")),
    "150902": (None, D("0.90")),
}
# The measure whose progress comes from the cattle indicator: led by 凉城县, whose target
# is the measure's 2 万头.
CATTLE_TASK = "在凉城县建设肉牛育肥基地"

# --- the four tables ------------------------------------------------------------------------

POTATO_SCHEMA = {
    "columns": [
        {
            "key": "plant_area",
            "label": "马铃薯种植面积",
            "type": "decimal",
            "decimals": 2,
            "unit": "万亩",
            "required": True,
            "min": 0,
            "help": "播种结束前填报计划面积,结束后填报实际播种面积。",
        },
        {
            "key": "seed_area",
            "label": "其中:种薯",
            "type": "decimal",
            "decimals": 2,
            "unit": "万亩",
            "required": True,
            "min": 0,
        },
        {
            "key": "table_area",
            "label": "其中:鲜食商品薯",
            "type": "decimal",
            "decimals": 2,
            "unit": "万亩",
            "required": True,
            "min": 0,
        },
        {
            "key": "processing_area",
            "label": "其中:加工专用薯",
            "type": "decimal",
            "decimals": 2,
            "unit": "万亩",
            "required": True,
            "min": 0,
        },
        {
            "key": "stage",
            "label": "当前生产环节",
            "type": "choice",
            "choices": ["备耕", "播种", "田间管理", "收获", "贮藏销售"],
            "required": True,
        },
        {
            "key": "sown_area",
            "label": "已播种面积",
            "type": "decimal",
            "decimals": 2,
            "unit": "万亩",
            "min": 0,
        },
        {
            "key": "sowing_done_on",
            "label": "播种结束日期",
            "type": "date",
            "help": "全部播种结束后填写。",
        },
        {
            "key": "minitubers",
            "label": "原原种年生产能力",
            "type": "integer",
            "unit": "万粒",
            "min": 0,
        },
        {
            "key": "storage",
            "label": "贮藏窖(库)容量",
            "type": "decimal",
            "decimals": 2,
            "unit": "万吨",
            "min": 0,
        },
        {
            "key": "firms",
            "label": "马铃薯加工企业",
            "type": "integer",
            "unit": "家",
            "required": True,
            "min": 0,
        },
        {"key": "firms_large", "label": "其中:规模以上", "type": "integer", "unit": "家", "min": 0},
        {
            "key": "processed",
            "label": "本年累计加工鲜薯",
            "type": "decimal",
            "decimals": 2,
            "unit": "万吨",
            "min": 0,
            "help": "年初至报告期末累计数。",
        },
        {"key": "demo_zone", "label": "纳入马铃薯产业发展示范区", "type": "boolean"},
        {"key": "note", "label": "备注", "type": "text"},
    ],
    "rules": [
        {
            "kind": "sum",
            "total": "plant_area",
            "parts": ["seed_area", "table_area", "processing_area"],
        },
        {"kind": "compare", "left": "sown_area", "op": "<=", "right": "plant_area"},
        {"kind": "compare", "left": "firms", "op": ">=", "right": "firms_large"},
    ],
}

LIVESTOCK_SCHEMA = {
    "columns": [
        {
            "key": "farms",
            "label": "规模养殖场",
            "type": "integer",
            "unit": "个",
            "required": True,
            "min": 0,
            "help": "肉牛、奶牛存栏100头以上,肉羊存栏500只以上的养殖场。",
        },
        {
            "key": "farms_beef",
            "label": "其中:肉牛",
            "type": "integer",
            "unit": "个",
            "required": True,
            "min": 0,
        },
        {
            "key": "farms_dairy",
            "label": "其中:奶牛",
            "type": "integer",
            "unit": "个",
            "required": True,
            "min": 0,
        },
        {
            "key": "farms_sheep",
            "label": "其中:肉羊",
            "type": "integer",
            "unit": "个",
            "required": True,
            "min": 0,
        },
        {"key": "started", "label": "本年新建开工", "type": "integer", "unit": "个", "min": 0},
        {"key": "completed", "label": "本年建成投产", "type": "integer", "unit": "个", "min": 0},
        {
            "key": "beef_stock",
            "label": "肉牛存栏",
            "type": "decimal",
            "decimals": 2,
            "unit": "万头",
            "required": True,
            "min": 0,
        },
        {
            "key": "beef_increase",
            "label": "肉牛存栏较上年末增加",
            "type": "decimal",
            "decimals": 2,
            "unit": "万头",
            "required": True,
            "indicator": BEEF,
            "help": "年初至报告期末累计数:报告期末存栏减上年末存栏。",
        },
        {
            "key": "dairy_stock",
            "label": "奶牛存栏",
            "type": "decimal",
            "decimals": 2,
            "unit": "万头",
            "required": True,
            "min": 0,
        },
        {
            "key": "dairy_increase",
            "label": "奶牛存栏较上年末增加",
            "type": "decimal",
            "decimals": 2,
            "unit": "万头",
            "required": True,
            "indicator": DAIRY,
            "help": "年初至报告期末累计数。",
        },
        {
            "key": "investment",
            "label": "本年完成投资",
            "type": "decimal",
            "decimals": 2,
            "unit": "万元",
            "min": 0,
        },
        {"key": "manure", "label": "粪污处理设施全部配套", "type": "boolean"},
        {"key": "note", "label": "备注", "type": "text"},
    ],
    "rules": [
        {"kind": "sum", "total": "farms", "parts": ["farms_beef", "farms_dairy", "farms_sheep"]},
        {"kind": "compare", "left": "started", "op": ">=", "right": "completed"},
        {"kind": "compare", "left": "beef_stock", "op": ">=", "right": "beef_increase"},
        {"kind": "compare", "left": "dairy_stock", "op": ">=", "right": "dairy_increase"},
    ],
}

BRAND_CATEGORIES = ["马铃薯及制品", "燕麦及杂粮", "肉类及制品", "乳及乳制品", "蔬菜", "其他"]
REVIEW_RESULTS = ["未复审", "合格", "限期整改", "拟清退"]
BRAND_SCHEMA = {
    "columns": [
        {"key": "name", "label": "企业名称", "type": "text", "required": True, "width": 30},
        {
            "key": "credit_code",
            "label": "统一社会信用代码",
            "type": "text",
            "required": True,
            "width": 20,
        },
        {
            "key": "category",
            "label": "产品类别",
            "type": "choice",
            "choices": BRAND_CATEGORIES,
            "required": True,
        },
        {"key": "products", "label": "授权产品", "type": "text", "required": True},
        {"key": "authorised_on", "label": "授权日期", "type": "date", "required": True},
        {
            "key": "sales_last",
            "label": "上年同期累计销售额",
            "type": "decimal",
            "decimals": 2,
            "unit": "万元",
            "min": 0,
        },
        {
            "key": "sales_ytd",
            "label": "本年累计销售额",
            "type": "decimal",
            "decimals": 2,
            "unit": "万元",
            "required": True,
            "min": 0,
            "help": "年初至报告期末累计数。",
        },
        {
            "key": "logo_ok",
            "label": "规范使用“原味乌兰察布”标识",
            "type": "boolean",
            "required": True,
        },
        {
            "key": "review",
            "label": "复审结论",
            "type": "choice",
            "choices": REVIEW_RESULTS,
            "required": True,
            "help": "按《原味乌兰察布授权管理规则》对运营、用标情况复审的结论。",
        },
        {"key": "review_on", "label": "复审日期", "type": "date"},
        {"key": "note", "label": "备注", "type": "text"},
    ],
    "rules": [{"kind": "compare", "left": "review_on", "op": ">=", "right": "authorised_on"}],
}

INDUSTRIES = ["麦类", "蔬菜", "马铃薯", "肉牛", "肉羊", "奶业", "其他"]
STAGES = ["已签约", "已落地", "已开工", "已投产"]
INVESTMENT_SCHEMA = {
    "columns": [
        {"key": "name", "label": "项目名称", "type": "text", "required": True, "width": 30},
        {"key": "investor", "label": "投资主体", "type": "text", "required": True, "width": 24},
        {"key": "origin", "label": "投资方所在地", "type": "text"},
        {
            "key": "industry",
            "label": "所属产业",
            "type": "choice",
            "choices": INDUSTRIES,
            "required": True,
        },
        {
            "key": "key_project",
            "label": "列入招商引资重点项目",
            "type": "boolean",
            "required": True,
            "help": "是否列入全市农牧业招商引资重点项目(76个)。",
        },
        {"key": "signed_on", "label": "签约日期", "type": "date", "required": True},
        {
            "key": "planned",
            "label": "计划投资",
            "type": "decimal",
            "decimals": 2,
            "unit": "万元",
            "required": True,
            "min": 0,
        },
        {
            "key": "received",
            "label": "累计到位资金",
            "type": "decimal",
            "decimals": 2,
            "unit": "万元",
            "min": 0,
        },
        {
            "key": "stage",
            "label": "进展情况",
            "type": "choice",
            "choices": STAGES,
            "required": True,
        },
        {"key": "started_on", "label": "开工日期", "type": "date"},
        {"key": "note", "label": "备注", "type": "text"},
    ],
    "rules": [
        {"kind": "compare", "left": "received", "op": "<=", "right": "planned"},
        {"kind": "compare", "left": "started_on", "op": ">=", "right": "signed_on"},
    ],
}


@dataclass(frozen=True)
class Table:
    key: str  # how this module refers to it
    code: str
    title: str
    office: str
    row_mode: str
    schema: dict
    instructions: str
    creator: str  # username: sets the table up
    reviewer: str  # username: approves or returns the counties' tables


TABLES = [
    Table(
        "potato",
        "potato-chain",
        "马铃薯全产业链建设情况统计表",
        "office-potato",
        RowMode.PER_UNIT,
        POTATO_SCHEMA,
        "各旗县市区每月5日前报送上月末情况。种植面积为种薯、鲜食商品薯、加工专用薯之和;加工量为年初至月末累计数。",
        "potato-dir",
        "potato-dep",
    ),
    Table(
        "brand",
        "brand-enterprises",
        "原味乌兰察布授权企业名单表",
        "office-brand",
        RowMode.RECORDS,
        BRAND_SCHEMA,
        "每家授权企业一行,列报本地区全部“原味乌兰察布”授权企业;销售额为年初至月末累计数。已复审的企业填写复审结论和日期。",
        "brand-dir",
        "brand-dep",
    ),
    Table(
        "investment",
        "investment-projects",
        "农牧业招商引资签约落地项目情况表",
        "office-investment",
        RowMode.RECORDS,
        INVESTMENT_SCHEMA,
        "每个签约项目一行,列报本年签约的全部农牧业招商引资项目,逐月更新进展和到位资金。到位资金不得超过计划投资。",
        "invest-dir",
        "invest-dep",
    ),
    Table(
        "livestock",
        "livestock-farms",
        "规模养殖场建设情况统计表",
        "office-cattle",
        RowMode.PER_UNIT,
        LIVESTOCK_SCHEMA,
        "各旗县市区每月5日前报送上月末情况。存栏增量按年初至月末累计数填报,审核通过后计入肉牛、奶牛存栏增量指标。",
        "cattle-dir",
        "cattle-dep",
    ),
]

# Monthly: opens 25 days before the month ends (so some round is always open), due 5
# days after it, locked 10 days after.
SCHEDULE = {"opens_before_end": 25, "due_after_end": 5, "locks_after_end": 10}

# (table, month): {county: days late}
LATE = {
    ("potato", 2): {"150927": 2},
    ("potato", 4): {"150928": 1},
    ("brand", 1): {"150922": 3},
    ("investment", 2): {"150924": 2},
    ("investment", 5): {"150902": 1},
    ("livestock", 3): {"150923": 2},
    ("livestock", 5): {"150929": 3},
    ("livestock", 6): {"150923": 4, "150927": 1},
}
MISSING = {("livestock", 6): {"150929"}}


@dataclass(frozen=True)
class Returned:
    table: str
    month: int
    county: str
    wrong: dict  # the first version's mistaken cells
    comment: str
    row_comment: str

    def concerns(self, table: str, month: int, county: str) -> bool:
        return (table, month, county) == (self.table, self.month, self.county)


RETURNED = Returned(
    "livestock",
    5,
    "150924",
    {"beef_increase": "0.11", "beef_stock": "6.91"},
    "肉牛存栏较上年末增加0.11万头,小于上月累计数0.40万头。本表按年初至报告期末累计数填报,请核实后重新报送。",
    "肉牛存栏、肉牛存栏较上年末增加两项请按5月末累计数更正。",
)

# --- the counties' figures --------------------------------------------------------------------


@dataclass(frozen=True)
class PotatoProfile:
    seed: str  # 万亩
    table: str
    processing: str
    minitubers: int  # 万粒
    storage: str  # 万吨
    firms: int
    firms_large: int
    processed_h1: str  # 万吨, January to June
    demo_zone: bool


POTATO = {
    "150902": PotatoProfile("0.50", "2.00", "0.50", 0, "6.00", 4, 2, "8.50", False),
    "150981": PotatoProfile("2.00", "9.00", "3.00", 500, "5.50", 3, 1, "2.30", False),
    "150921": PotatoProfile("4.00", "14.00", "4.00", 1200, "8.00", 3, 1, "3.10", True),
    "150922": PotatoProfile("3.00", "12.00", "5.00", 800, "7.20", 4, 2, "5.60", False),
    "150923": PotatoProfile("8.00", "22.00", "10.00", 3000, "18.50", 7, 3, "12.40", True),
    "150924": PotatoProfile("3.50", "15.50", "5.00", 900, "9.00", 3, 1, "3.80", False),
    "150925": PotatoProfile("2.00", "11.00", "3.00", 400, "5.00", 2, 1, "1.60", False),
    "150926": PotatoProfile("6.00", "14.00", "8.00", 2500, "15.00", 8, 4, "16.20", True),
    "150927": PotatoProfile("10.00", "16.00", "8.00", 5000, "12.50", 4, 2, "6.90", True),
    "150928": PotatoProfile("9.00", "15.00", "12.00", 4500, "16.00", 6, 3, "14.80", True),
    "150929": PotatoProfile("12.00", "18.00", "8.00", 6000, "13.00", 3, 1, "4.20", True),
}


@dataclass(frozen=True)
class LivestockProfile:
    beef_base: str  # stock at the end of the previous year, 万头
    dairy_base: str
    farms_beef: int
    farms_dairy: int
    farms_sheep: int
    started_h1: int  # new farms started, January to June
    completed_h1: int
    investment_h1: str  # 万元
    manure: bool


LIVESTOCK = {
    "150902": LivestockProfile("1.20", "0.80", 3, 5, 2, 1, 0, "850", True),
    "150981": LivestockProfile("6.50", "2.60", 18, 22, 12, 4, 2, "5600", True),
    "150921": LivestockProfile("5.80", "0.60", 15, 4, 10, 3, 1, "3200", True),
    "150922": LivestockProfile("5.00", "0.30", 12, 2, 9, 3, 1, "2800", False),
    "150923": LivestockProfile("7.50", "0.50", 20, 3, 15, 2, 0, "1500", False),
    "150924": LivestockProfile("6.80", "0.70", 16, 4, 11, 3, 1, "3600", True),
    "150925": LivestockProfile("9.20", "1.90", 28, 15, 9, 6, 3, "9800", True),
    "150926": LivestockProfile("8.00", "3.40", 22, 26, 8, 5, 2, "12500", True),
    "150927": LivestockProfile("7.00", "0.40", 14, 2, 18, 1, 0, "900", False),
    "150928": LivestockProfile("7.60", "0.70", 17, 3, 16, 4, 2, "4100", True),
    "150929": LivestockProfile("13.40", "0.60", 30, 2, 35, 5, 2, "6200", True),
}

# Shares of the half-year figure reached by the end of each month (then beyond June, for
# this year's rounds).
STARTED_SHARE = ("0", "0", "0.2", "0.5", "0.8", "1", "1.2", "1.3", "1.4", "1.5", "1.5", "1.6")
COMPLETED_SHARE = ("0", "0", "0", "0.34", "0.67", "1", "1.2", "1.4", "1.6", "1.8", "2", "2")
INVESTMENT_SHARE = (
    "0.03",
    "0.08",
    "0.2",
    "0.42",
    "0.7",
    "1",
    "1.3",
    "1.55",
    "1.8",
    "2",
    "2.1",
    "2.2",
)
PROCESSED_SHARE = ("0.22", "0.4", "0.58", "0.74", "0.88", "1")
SALES_SHARE = ("0.15", "0.3", "0.46", "0.63", "0.81", "1")

# Authorised enterprises by county: (name, category, products, authorised on, sales in
# the first half of 2022 (万元), growth % this year, re-review conclusion).
C_POTATO, C_OATS, C_MEAT, C_DAIRY, C_VEG, C_OTHER = BRAND_CATEGORIES
OK, FIX, REMOVE = "合格", "限期整改", "拟清退"
# fmt: off
BRAND = {
    "150902": [
        ("内蒙古兰格格乳业有限公司", C_DAIRY, "草原酸奶、奶酪", "2021-09-16", 18600, 32, OK),
        ("乌兰察布市薯都凯达食品有限公司", C_POTATO, "冷冻薯条、薯饼", "2021-09-16", 9800, 26, OK),
        ("内蒙古察哈尔牧歌肉业有限公司", C_MEAT, "冷鲜牛羊肉", "2021-12-08", 4300, 15, OK),
        ("乌兰察布市老虎山食品有限公司", C_MEAT, "风干牛肉", "2021-12-08", 2100, 12, OK),
        ("乌兰察布市集宁区草原晨曦乳制品有限公司", C_DAIRY, "奶皮子、奶豆腐", "2022-03-22", 1250, 8, OK),
        ("乌兰察布市集宁区丰泽园粮油有限公司", C_OATS, "燕麦米、莜面", "2022-05-18", 860, 5, OK),
        ("乌兰察布市霸王河蔬菜专业合作社", C_VEG, "冷凉蔬菜", "2022-06-15", 420, -6, OK),
        ("内蒙古薯乡源电子商务有限公司", C_POTATO, "鲜食马铃薯礼盒", "2022-08-30", 640, 18, OK),
        ("乌兰察布市集宁区白泉山食品有限公司", C_OTHER, "胡麻油", "2022-10-12", 530, 9, OK),
        ("乌兰察布市集宁区康源蜂业有限公司", C_OTHER, "蜂蜜", "2022-11-25", 150, -12, FIX),
        ("乌兰察布市集宁区金麦穗烘焙食品有限公司", C_OTHER, "月饼、糕点", "2023-02-20", 380, 11, OK),
        ("乌兰察布市天骄绿源农业科技有限公司", C_VEG, "净菜、鲜切蔬菜", "2023-04-18", 290, 22, OK),
    ],
    "150981": [
        ("丰镇市丰川月饼食品有限公司", C_OTHER, "丰镇月饼", "2021-09-16", 3600, 14, OK),
        ("丰镇市薛刚山牧业有限公司", C_DAIRY, "生鲜乳、巴氏杀菌乳", "2021-12-08", 5200, -4, OK),
        ("丰镇市红砂坝肉类加工有限公司", C_MEAT, "冷鲜牛肉", "2022-03-22", 2600, 18, OK),
        ("丰镇市隆盛庄粮油加工有限公司", C_OATS, "莜面、燕麦粉", "2022-04-12", 720, 6, OK),
        ("丰镇市饮马河蔬菜种植专业合作社", C_VEG, "西兰花、甘蓝", "2022-06-15", 680, 10, OK),
        ("丰镇市金穗源食品有限公司", C_OTHER, "胡麻油", "2022-08-30", 450, 3, OK),
        ("丰镇市元山子乳业有限公司", C_DAIRY, "奶片、奶酪", "2022-10-12", 980, -8, FIX),
        ("丰镇市浑源窑薯业有限公司", C_POTATO, "脱毒种薯", "2023-03-15", 410, 12, OK),
    ],
    "150921": [
        ("卓资县福生源熏鸡食品有限公司", C_MEAT, "卓资山熏鸡", "2021-09-16", 2900, 20, OK),
        ("卓资县旗下营薯业有限公司", C_POTATO, "马铃薯种薯", "2022-03-22", 1100, 9, OK),
        ("卓资县十八台粮油有限公司", C_OATS, "燕麦片、莜面", "2022-05-18", 560, 4, OK),
        ("卓资县梨花镇蔬菜专业合作社", C_VEG, "芹菜、胡萝卜", "2022-06-15", 480, 7, OK),
        ("卓资县大榆树牧业有限公司", C_MEAT, "冷鲜羊肉", "2022-08-30", 1350, 11, OK),
        ("卓资县巴音锡勒农业科技有限公司", C_OTHER, "胡麻油、杂粮礼盒", "2022-11-25", 260, -5, OK),
        ("卓资县红召绿源蔬菜有限公司", C_VEG, "冷凉蔬菜", "2023-05-16", 220, 15, OK),
    ],
    "150922": [
        ("化德县长顺农业科技有限公司", C_POTATO, "鲜食马铃薯", "2021-12-08", 950, 13, OK),
        ("化德县朝阳镇肉业有限公司", C_MEAT, "冷鲜牛羊肉", "2022-03-22", 1800, 16, OK),
        ("化德县七号镇燕麦食品有限公司", C_OATS, "燕麦米", "2022-05-18", 420, 6, OK),
        ("化德县德包图乳业有限公司", C_DAIRY, "奶豆腐、奶皮子", "2022-08-30", 380, -9, OK),
        ("化德县白音特拉蔬菜专业合作社", C_VEG, "甘蓝、大白菜", "2022-10-12", 310, 4, OK),
        ("化德县公腊胡洞绿色食品有限公司", C_OATS, "荞麦挂面", "2023-06-08", 160, 10, OK),
    ],
    "150923": [
        ("商都县七台薯业有限公司", C_POTATO, "马铃薯淀粉", "2021-09-16", 4200, 21, OK),
        ("商都县大黑沙土西芹专业合作社", C_VEG, "商都西芹", "2021-12-08", 1600, 17, OK),
        ("商都县小海子种薯有限公司", C_POTATO, "脱毒种薯", "2022-03-22", 2300, 12, OK),
        ("商都县屯垦队粮油有限公司", C_OATS, "燕麦、荞麦", "2022-05-18", 390, 3, OK),
        ("商都县玻璃忽镜牧业有限公司", C_MEAT, "冷鲜牛肉", "2022-06-15", 1500, 9, OK),
        ("商都县西井子蔬菜有限公司", C_VEG, "胡萝卜、甘蓝", "2022-10-12", 720, 6, OK),
        ("商都县卯都胡麻油有限公司", C_OTHER, "冷榨胡麻油", "2022-11-25", 240, -15, REMOVE),
        ("商都县十八顷农业科技有限公司", C_POTATO, "马铃薯全粉", "2023-01-12", 880, 24, OK),
    ],
    "150924": [
        ("兴和县苏木山食品有限公司", C_OTHER, "杂粮礼盒、野生蘑菇", "2021-12-08", 680, 8, OK),
        ("兴和县张皋薯业有限公司", C_POTATO, "鲜食马铃薯", "2022-03-22", 1200, 10, OK),
        ("兴和县鄂尔栋蔬菜专业合作社", C_VEG, "冷凉蔬菜", "2022-05-18", 560, 12, OK),
        ("兴和县店子镇肉业有限公司", C_MEAT, "冷鲜羊肉", "2022-06-15", 1450, 7, OK),
        ("兴和县赛乌素粮油有限公司", C_OATS, "燕麦片、小米", "2022-08-30", 480, 5, OK),
        ("兴和县民族团结乳业有限公司", C_DAIRY, "酸奶、奶酪", "2022-11-25", 320, -11, OK),
        ("兴和县大库联农业科技有限公司", C_VEG, "净菜", "2023-04-18", 180, 20, OK),
    ],
    "150925": [
        ("凉城县岱海绿源食品有限公司", C_OATS, "燕麦炒米、杂粮", "2021-09-16", 860, 9, OK),
        ("凉城县永兴牧业有限公司", C_DAIRY, "生鲜乳", "2021-12-08", 3800, -6, OK),
        ("凉城县天成肉业有限公司", C_MEAT, "冷鲜牛肉", "2022-03-22", 3100, 19, OK),
        ("凉城县麦胡图蔬菜专业合作社", C_VEG, "冷凉蔬菜", "2022-05-18", 620, 8, OK),
        ("凉城县六苏木薯业有限公司", C_POTATO, "鲜食马铃薯", "2022-06-15", 540, 6, OK),
        ("凉城县蛮汉山粮油有限公司", C_OATS, "莜面、燕麦米", "2022-08-30", 350, 4, OK),
        ("凉城县厂汉营肉类食品有限公司", C_MEAT, "酱卤牛肉", "2022-10-12", 720, 11, OK),
        ("凉城县曹碾蜂业有限公司", C_OTHER, "蜂蜜", "2023-02-20", 190, 10, OK),
    ],
    "150926": [
        ("内蒙古阴山优麦食品有限公司", C_OATS, "燕麦片、燕麦米", "2021-09-16", 6800, 38, OK),
        ("察右前旗土贵乌拉乳业有限公司", C_DAIRY, "巴氏杀菌乳、酸奶", "2021-12-08", 4600, 3, OK),
        ("察右前旗平地泉薯业有限公司", C_POTATO, "马铃薯淀粉、粉条", "2022-03-22", 3300, 14, OK),
        ("察右前旗黄旗海蔬菜专业合作社", C_VEG, "冷凉蔬菜", "2022-05-18", 950, 9, OK),
        ("察右前旗玫瑰营肉业有限公司", C_MEAT, "冷鲜牛肉", "2022-06-15", 2700, 22, OK),
        ("察右前旗三岔口粮油有限公司", C_OTHER, "胡麻油", "2022-08-30", 580, 6, OK),
        ("察右前旗巴音塔拉牧业有限公司", C_DAIRY, "奶酪、奶片", "2022-10-12", 820, -7, FIX),
        ("察右前旗乌拉哈绿色食品有限公司", C_OATS, "莜面", "2022-11-25", 310, 5, OK),
        ("察右前旗三义泉农业科技有限公司", C_POTATO, "马铃薯全粉", "2023-03-15", 720, 16, OK),
    ],
    "150927": [
        ("察右中旗辉腾锡勒食品有限公司", C_MEAT, "风干牛肉", "2021-09-16", 1600, 15, OK),
        ("察右中旗科布尔薯业有限公司", C_POTATO, "脱毒种薯", "2021-12-08", 2100, 10, OK),
        ("察右中旗铁沙盖燕麦食品有限公司", C_OATS, "燕麦米、燕麦粉", "2022-03-22", 880, 12, OK),
        ("察右中旗宏盘蔬菜专业合作社", C_VEG, "冷凉蔬菜", "2022-06-15", 410, 3, OK),
        ("察右中旗乌素图牧业有限公司", C_MEAT, "冷鲜羊肉", "2022-08-30", 1100, 7, OK),
        ("察右中旗土城子乳业有限公司", C_DAIRY, "奶豆腐", "2022-11-25", 260, -10, OK),
    ],
    "150928": [
        ("察右后旗白音察干薯业有限公司", C_POTATO, "马铃薯淀粉、精淀粉", "2021-09-16", 5200, 18, OK),
        ("察右后旗土牧尔台食品有限公司", C_MEAT, "冷鲜牛羊肉", "2021-12-08", 2400, 13, OK),
        ("察右后旗红格尔图种薯有限公司", C_POTATO, "脱毒种薯", "2022-03-22", 1900, 9, OK),
        ("察右后旗贲红粮油有限公司", C_OATS, "燕麦、荞麦", "2022-05-18", 430, 4, OK),
        ("察右后旗当郎忽洞蔬菜专业合作社", C_VEG, "冷凉蔬菜", "2022-08-30", 360, 6, OK),
        ("察右后旗乌兰哈达牧业有限公司", C_DAIRY, "奶皮子、奶酪", "2022-11-25", 290, -8, OK),
        ("察右后旗锡勒农业科技有限公司", C_POTATO, "鲜食马铃薯", "2023-05-16", 460, 12, OK),
    ],
    "150929": [
        ("四子王旗格日勒图食品有限公司", C_MEAT, "戈壁羊肉", "2021-09-16", 3900, 16, OK),
        ("四子王旗乌兰花薯业有限公司", C_POTATO, "种薯、鲜食马铃薯", "2021-12-08", 2800, 11, OK),
        ("四子王旗吉生太燕麦食品有限公司", C_OATS, "燕麦米、莜面", "2022-03-22", 640, 7, OK),
        ("四子王旗红格尔牧业有限公司", C_DAIRY, "奶豆腐、奶皮子", "2022-06-15", 520, -5, OK),
        ("四子王旗忽鸡图蔬菜专业合作社", C_VEG, "冷凉蔬菜", "2022-10-12", 300, 8, OK),
    ],
}
# fmt: on
REVIEW_NOTES = {
    FIX: "包装用标不规范,已下达整改通知,限期至2023年8月底整改到位。",
    REMOVE: "连续两年未使用授权标识、经营异常,拟按授权管理规则清退。",
}

# Signed projects by county: (name, investor, investor's home, industry, signed on (2023
# month-day), planned investment (万元), a key project, pace: months per stage from signed
# to landed, started and producing; 0: stalled since signing).
I_OATS, I_VEG, I_POTATO, I_BEEF, I_SHEEP, I_DAIRY, I_OTHER = INDUSTRIES
HOME = "内蒙古乌兰察布市"
# fmt: off
PROJECT_LIST = {
    "150902": [
        ("年产10万吨冷冻薯条生产线扩建项目", "乌兰察布市薯都凯达食品有限公司", HOME, I_POTATO, "01-12", 32000, True, 1),
        ("农畜产品冷链物流集散中心项目", "天津津北冷链物流有限公司", "天津市", I_OTHER, "01-18", 45000, True, 2),
        ("乳制品智能化生产线技改项目", "内蒙古兰格格乳业有限公司", HOME, I_DAIRY, "02-09", 18000, True, 1),
        ("年屠宰10万头肉牛屠宰加工项目", "北京京蒙优牛食品有限公司", "北京市", I_BEEF, "02-22", 60000, True, 2),
        ("净菜加工配送中心项目", "北京京北绿农科技有限公司", "北京市", I_VEG, "03-08", 8500, True, 1),
        ("农产品电商直播基地项目", "杭州禾谷网络科技有限公司", "浙江省杭州市", I_OTHER, "03-15", 2600, False, 1),
        ("燕麦休闲食品加工项目", "内蒙古麦香源食品有限公司", "内蒙古呼和浩特市", I_OATS, "03-28", 6800, False, 2),
        ("马铃薯全粉及制品加工项目", "山东鲁薯食品有限公司", "山东省滕州市", I_POTATO, "04-11", 15000, True, 2),
        ("乳酸菌饮品生产线项目", "河北冀润乳业有限公司", "河北省石家庄市", I_DAIRY, "04-20", 9000, False, 0),
        ("牛羊肉熟食加工项目", "内蒙古塞北红食品有限公司", "内蒙古包头市", I_SHEEP, "05-06", 5200, False, 1),
        ("农牧业科技创新孵化园项目", "北京中农创科技发展有限公司", "北京市", I_OTHER, "05-17", 12000, True, 2),
        ("生鲜农产品分拣包装中心项目", "上海沪农供应链管理有限公司", "上海市", I_VEG, "05-25", 4300, False, 1),
        ("饲草料加工配送中心项目", "内蒙古绿野草业有限公司", "内蒙古赤峰市", I_OTHER, "06-07", 3500, False, 1),
        ("马铃薯种薯储藏窖群项目", "内蒙古薯乡源电子商务有限公司", HOME, I_POTATO, "06-14", 2800, False, 1),
        ("预制菜中央厨房项目", "广东粤膳食品有限公司", "广东省广州市", I_VEG, "06-21", 7600, True, 2),
    ],
    "150981": [
        ("万头奶牛牧场建设项目", "河北冀丰牧业有限公司", "河北省张家口市", I_DAIRY, "01-10", 38000, True, 2),
        ("丰镇月饼产业园项目", "丰镇市丰川月饼食品有限公司", HOME, I_OTHER, "01-26", 8000, False, 1),
        ("肉牛育肥场建设项目", "山西晋北牧业有限公司", "山西省大同市", I_BEEF, "02-15", 9500, True, 1),
        ("设施蔬菜种植基地项目", "山东寿光禾丰农业有限公司", "山东省潍坊市", I_VEG, "03-06", 6200, True, 2),
        ("燕麦精深加工项目", "北京燕京谷物科技有限公司", "北京市", I_OATS, "03-21", 11000, False, 2),
        ("生鲜乳收购站及冷链运输项目", "内蒙古乳源物流有限公司", "内蒙古呼和浩特市", I_DAIRY, "04-12", 2400, False, 1),
        ("生物有机肥加工项目", "河北绿壤生物科技有限公司", "河北省保定市", I_OTHER, "04-26", 3200, False, 0),
        ("肉羊标准化养殖园区项目", "丰镇市红砂坝肉类加工有限公司", HOME, I_SHEEP, "05-15", 4500, False, 1),
        ("马铃薯种薯繁育基地项目", "宁夏宁薯农业科技有限公司", "宁夏回族自治区固原市", I_POTATO, "06-02", 3600, False, 1),
        ("奶酪加工项目", "上海沪乳食品有限公司", "上海市", I_DAIRY, "06-19", 16000, True, 2),
    ],
    "150921": [
        ("卓资山熏鸡产业化项目", "卓资县福生源熏鸡食品有限公司", HOME, I_OTHER, "01-16", 5600, True, 1),
        ("肉牛养殖小区建设项目", "内蒙古阴山牧歌牧业有限公司", "内蒙古呼和浩特市", I_BEEF, "02-08", 7200, True, 1),
        ("马铃薯种薯扩繁基地项目", "卓资县旗下营薯业有限公司", HOME, I_POTATO, "02-27", 4100, False, 2),
        ("冷凉蔬菜产地仓项目", "北京新绿源果蔬有限公司", "北京市", I_VEG, "03-14", 3800, False, 1),
        ("肉羊屠宰分割项目", "河北冀北肉业有限公司", "河北省承德市", I_SHEEP, "04-06", 8800, True, 2),
        ("燕麦种植加工一体化项目", "卓资县十八台粮油有限公司", HOME, I_OATS, "04-25", 2300, False, 1),
        ("农产品展销中心项目", "呼和浩特市青城文旅发展有限公司", "内蒙古呼和浩特市", I_OTHER, "05-18", 3000, False, 0),
        ("青贮饲料加工项目", "内蒙古绿野草业有限公司", "内蒙古赤峰市", I_OTHER, "06-05", 1800, False, 1),
        ("基础母牛扩繁场项目", "天津津垦牧业有限公司", "天津市", I_BEEF, "06-20", 6500, True, 2),
    ],
    "150922": [
        ("基础母牛扩群项目", "化德县朝阳镇肉业有限公司", HOME, I_BEEF, "01-20", 7500, True, 1),
        ("马铃薯仓储保鲜窖项目", "化德县长顺农业科技有限公司", HOME, I_POTATO, "02-14", 2600, False, 1),
        ("农产品电商直播销售中心项目", "杭州禾谷网络科技有限公司", "浙江省杭州市", I_OTHER, "03-09", 1200, False, 1),
        ("肉羊育肥及屠宰项目", "河北冀北肉业有限公司", "河北省承德市", I_SHEEP, "03-30", 9600, True, 2),
        ("燕麦米加工项目", "化德县七号镇燕麦食品有限公司", HOME, I_OATS, "04-21", 1500, False, 2),
        ("冷凉蔬菜种植基地项目", "北京京北绿农科技有限公司", "北京市", I_VEG, "05-23", 2800, False, 1),
        ("牛羊肉冷链仓储项目", "天津津北冷链物流有限公司", "天津市", I_OTHER, "06-16", 4200, False, 2),
    ],
    "150923": [
        ("马铃薯淀粉生产线技改项目", "商都县七台薯业有限公司", HOME, I_POTATO, "01-13", 12000, True, 1),
        ("西芹标准化种植及加工项目", "深圳鹏菜供应链有限公司", "广东省深圳市", I_VEG, "02-10", 5500, True, 1),
        ("马铃薯全粉加工项目", "商都县十八顷农业科技有限公司", HOME, I_POTATO, "02-28", 9800, True, 2),
        ("年屠宰50万只肉羊精深加工项目", "山东鲁源食品集团有限公司", "山东省临沂市", I_SHEEP, "03-17", 26000, True, 0),
        ("脱毒种薯繁育中心项目", "商都县小海子种薯有限公司", HOME, I_POTATO, "04-14", 6000, False, 2),
        ("肉牛养殖合作示范园项目", "内蒙古阴山牧歌牧业有限公司", "内蒙古呼和浩特市", I_BEEF, "05-09", 4800, False, 1),
        ("蔬菜产地预冷库项目", "上海沪农供应链管理有限公司", "上海市", I_VEG, "05-26", 2200, False, 1),
        ("荞麦燕麦杂粮加工项目", "商都县屯垦队粮油有限公司", HOME, I_OATS, "06-13", 1600, False, 1),
    ],
    "150924": [
        ("杂粮精深加工项目", "兴和县赛乌素粮油有限公司", HOME, I_OATS, "01-17", 3800, False, 1),
        ("肉牛活畜交易市场项目", "河北冀中畜牧交易有限公司", "河北省张家口市", I_BEEF, "02-16", 6800, True, 0),
        ("马铃薯种薯基地项目", "兴和县张皋薯业有限公司", HOME, I_POTATO, "03-07", 2900, False, 1),
        ("冷凉蔬菜净菜加工项目", "北京新绿源果蔬有限公司", "北京市", I_VEG, "03-24", 4400, True, 1),
        ("肉羊标准化养殖场项目", "兴和县店子镇肉业有限公司", HOME, I_SHEEP, "04-18", 3100, False, 2),
        ("奶牛家庭牧场提升项目", "兴和县民族团结乳业有限公司", HOME, I_DAIRY, "05-08", 1900, False, 2),
        ("食用菌种植基地项目", "河北冀康菌业有限公司", "河北省承德市", I_OTHER, "05-22", 2500, False, 1),
        ("蔬菜种苗繁育中心项目", "山东寿光禾丰农业有限公司", "山东省潍坊市", I_VEG, "06-09", 1800, False, 1),
        ("农畜产品检验检测中心项目", "北京中农创科技发展有限公司", "北京市", I_OTHER, "06-26", 1200, False, 1),
    ],
    "150925": [
        ("肉牛育肥基地项目", "凉城县天成肉业有限公司", HOME, I_BEEF, "01-11", 22000, True, 2),
        ("现代化奶牛牧场项目", "内蒙古乳都牧业有限公司", "内蒙古呼和浩特市", I_DAIRY, "01-25", 35000, True, 2),
        ("岱海设施蔬菜产业园项目", "浙江丰禾农业发展有限公司", "浙江省宁波市", I_VEG, "02-13", 9000, True, 1),
        ("燕麦炒米加工项目", "凉城县岱海绿源食品有限公司", HOME, I_OATS, "03-02", 1800, False, 1),
        ("肉牛屠宰分割项目", "北京京蒙优牛食品有限公司", "北京市", I_BEEF, "03-20", 16000, True, 2),
        ("生鲜乳加工项目", "凉城县永兴牧业有限公司", HOME, I_DAIRY, "04-10", 7800, False, 2),
        ("蜂产品加工项目", "凉城县曹碾蜂业有限公司", HOME, I_OTHER, "04-27", 800, False, 1),
        ("马铃薯鲜薯分级包装项目", "凉城县六苏木薯业有限公司", HOME, I_POTATO, "05-11", 1500, False, 1),
        ("饲草种植加工项目", "内蒙古绿野草业有限公司", "内蒙古赤峰市", I_OTHER, "05-29", 3600, False, 1),
        ("酱卤牛肉加工项目", "凉城县厂汉营肉类食品有限公司", HOME, I_BEEF, "06-12", 2400, False, 1),
        ("休闲农业观光园项目", "呼和浩特市青城文旅发展有限公司", "内蒙古呼和浩特市", I_OTHER, "06-27", 5000, False, 0),
    ],
    "150926": [
        ("燕麦全产业链加工项目", "内蒙古阴山优麦食品有限公司", HOME, I_OATS, "01-09", 28000, True, 1),
        ("存栏3000头现代化奶牛牧场项目", "内蒙古乳都牧业有限公司", "内蒙古呼和浩特市", I_DAIRY, "01-19", 24000, True, 2),
        ("千头规模化肉牛养殖场项目", "山西晋北牧业有限公司", "山西省大同市", I_BEEF, "02-06", 12000, True, 1),
        ("农畜产品加工园区标准化厂房项目", "内蒙古察哈尔产业园开发有限公司", HOME, I_OTHER, "02-24", 30000, True, 2),
        ("马铃薯粉条加工项目", "察右前旗平地泉薯业有限公司", HOME, I_POTATO, "03-13", 4600, False, 1),
        ("冷凉蔬菜出口基地项目", "浙江丰禾农业发展有限公司", "浙江省宁波市", I_VEG, "03-29", 6400, False, 1),
        ("乳制品精深加工项目", "上海沪乳食品有限公司", "上海市", I_DAIRY, "04-13", 21000, True, 2),
        ("牛肉精深加工项目", "察右前旗玫瑰营肉业有限公司", HOME, I_BEEF, "04-28", 5800, False, 1),
        ("马铃薯全粉项目", "察右前旗三义泉农业科技有限公司", HOME, I_POTATO, "05-12", 7000, False, 2),
        ("胡麻油精炼项目", "察右前旗三岔口粮油有限公司", HOME, I_OTHER, "05-30", 1300, False, 1),
        ("肉羊种羊繁育场项目", "河北冀北肉业有限公司", "河北省承德市", I_SHEEP, "06-08", 3900, False, 1),
        ("农产品冷链仓储项目", "天津津北冷链物流有限公司", "天津市", I_OTHER, "06-23", 5200, False, 2),
    ],
    "150927": [
        ("高标准种薯繁育基地项目", "察右中旗科布尔薯业有限公司", HOME, I_POTATO, "01-24", 8600, True, 1),
        ("燕麦米及燕麦粉加工项目", "察右中旗铁沙盖燕麦食品有限公司", HOME, I_OATS, "02-21", 3200, False, 1),
        ("肉羊养殖示范园项目", "察右中旗乌素图牧业有限公司", HOME, I_SHEEP, "03-23", 4100, False, 2),
        ("风干牛肉加工项目", "察右中旗辉腾锡勒食品有限公司", HOME, I_BEEF, "04-19", 2100, False, 1),
        ("冷凉蔬菜基地项目", "北京京北绿农科技有限公司", "北京市", I_VEG, "05-16", 2700, False, 0),
        ("牧草种植加工项目", "内蒙古绿野草业有限公司", "内蒙古赤峰市", I_OTHER, "06-15", 2000, False, 1),
    ],
    "150928": [
        ("马铃薯精深加工产业园项目", "察右后旗白音察干薯业有限公司", HOME, I_POTATO, "01-16", 42000, True, 2),
        ("脱毒种薯组培中心项目", "察右后旗红格尔图种薯有限公司", HOME, I_POTATO, "02-07", 5200, False, 1),
        ("肉牛养殖基地项目", "内蒙古阴山牧歌牧业有限公司", "内蒙古呼和浩特市", I_BEEF, "02-27", 8300, True, 1),
        ("牛羊肉分割加工项目", "察右后旗土牧尔台食品有限公司", HOME, I_SHEEP, "03-16", 3600, False, 2),
        ("火山草原乳制品加工项目", "察右后旗乌兰哈达牧业有限公司", HOME, I_DAIRY, "04-07", 1900, False, 1),
        ("马铃薯变性淀粉项目", "山东鲁薯食品有限公司", "山东省滕州市", I_POTATO, "04-24", 13500, True, 2),
        ("燕麦荞麦种植加工项目", "察右后旗贲红粮油有限公司", HOME, I_OATS, "05-19", 1400, False, 1),
        ("蔬菜产地仓储项目", "深圳鹏菜供应链有限公司", "广东省深圳市", I_VEG, "06-06", 2600, False, 1),
        ("马铃薯鲜薯交易市场项目", "察右后旗锡勒农业科技有限公司", HOME, I_POTATO, "06-22", 3000, False, 0),
    ],
    "150929": [
        ("戈壁羊肉精深加工项目", "四子王旗格日勒图食品有限公司", HOME, I_SHEEP, "01-13", 14000, True, 1),
        ("肉牛标准化养殖示范小区项目", "山西晋北牧业有限公司", "山西省大同市", I_BEEF, "02-03", 9000, True, 1),
        ("种薯繁育及仓储项目", "四子王旗乌兰花薯业有限公司", HOME, I_POTATO, "02-20", 6500, False, 1),
        ("牛羊肉冷链仓储设施项目", "天津津北冷链物流有限公司", "天津市", I_OTHER, "03-27", 8000, True, 2),
        ("燕麦米加工项目", "四子王旗吉生太燕麦食品有限公司", HOME, I_OATS, "04-17", 1700, False, 1),
        ("奶食品加工项目", "四子王旗红格尔牧业有限公司", HOME, I_DAIRY, "05-10", 1200, False, 2),
        ("饲草料储备库项目", "内蒙古绿野草业有限公司", "内蒙古赤峰市", I_OTHER, "05-31", 2600, False, 1),
        ("肉羊种羊场项目", "河北冀北肉业有限公司", "河北省承德市", I_SHEEP, "06-18", 4400, False, 1),
    ],
}
# fmt: on
# Share of the planned investment received by each stage; only projects this small are
# producing within half a year.
RECEIVED_SHARE = ("0", "0.1", "0.35", "0.8")
PRODUCING_AT_MOST = 5000
STALLED_NOTE = "已签约,项目用地手续尚在办理中,暂未落地。"

# --- rows ---------------------------------------------------------------------------------


def _money(value) -> str:
    return str(D(value).quantize(D("0.01"), ROUND_HALF_UP))


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def potato_row(county: str, month: int) -> dict:
    p = POTATO[county]
    front = county in FRONT
    sowing = {4: 20 if front else 5, 5: 95 if front else 80, 6: 100}.get(month, 0)
    done_on = None
    if month == 6:
        done_on = (
            datetime.date(YEAR, 6, 1 + FRONT.index(county))
            if front
            else datetime.date(YEAR, 6, 6 + BACK.index(county))
        )
    note = ""
    if month == 4 and not front:
        note = "后山地区地温回升慢,计划5月上旬大面积播种。"
    elif month == 5 and not front:
        note = "受5月中旬低温影响,播种较去年同期推迟5天左右。"
    area = D(p.seed) + D(p.table) + D(p.processing)
    return {
        "plant_area": _money(area),
        "seed_area": p.seed,
        "table_area": p.table,
        "processing_area": p.processing,
        "stage": "备耕" if month <= 3 else "播种" if month <= 5 else "田间管理",
        "sown_area": _money(area * sowing / 100),
        "sowing_done_on": done_on,
        "minitubers": p.minitubers,
        "storage": p.storage,
        "firms": p.firms,
        "firms_large": p.firms_large,
        "processed": _money(D(p.processed_h1) * D(PROCESSED_SHARE[month - 1])),
        "demo_zone": p.demo_zone,
        "note": note,
    }


def livestock_row(county: str, month: int, beef, dairy) -> dict:
    """The county's table at the end of `month`, with cumulative increases `beef` and
    `dairy` (万头)."""
    p = LIVESTOCK[county]
    started = int((p.started_h1 * D(STARTED_SHARE[month - 1])).quantize(D(1), ROUND_HALF_UP))
    completed = min(started, int(p.completed_h1 * D(COMPLETED_SHARE[month - 1])))
    farms_beef = p.farms_beef + completed
    note = ""
    if county in ("150923", "150927") and month >= 4:
        note = "受饲草料价格上涨影响,农户补栏意愿不强,正在落实基础母牛扩群补贴。"
    return {
        "farms": farms_beef + p.farms_dairy + p.farms_sheep,
        "farms_beef": farms_beef,
        "farms_dairy": p.farms_dairy,
        "farms_sheep": p.farms_sheep,
        "started": started,
        "completed": completed,
        "beef_stock": _money(D(p.beef_base) + D(beef)),
        "beef_increase": str(beef),
        "dairy_stock": _money(D(p.dairy_base) + D(dairy)),
        "dairy_increase": str(dairy),
        "investment": _money(D(p.investment_h1) * D(INVESTMENT_SHARE[month - 1])),
        "manure": p.manure,
        "note": note,
    }


def credit_code(county: str, index: int, *, name: str | None = None) -> str:
    """An illustrative unified social credit code that passes the GB 32100-2015 check:
    the organisation type from the name (93 a farmers' cooperative, 92 a family farm, 91 a
    company), the county's division code, a sequence, and the computed check character.
    `name` defaults to the enterprise's of BRAND[county][index]; the brand register
    (brand_data) uses the same codes."""
    if name is None:
        name = BRAND[county][index][0]
    kind = "93" if "合作社" in name else "92" if "家庭农场" in name else "91"
    body = f"{kind}{county}MA00{index + 1:03d}{county[-2:]}"
    return body + uscc.calc_check_digit(body)


def brand_rows(county: str, month: int) -> list[dict]:
    end = _month_end(YEAR, month)
    county_index = list(BRAND).index(county)
    rows = []
    for index, (name, category, products, authorised, sales, growth, review) in enumerate(
        BRAND[county]
    ):
        authorised_on = datetime.date.fromisoformat(authorised)
        if authorised_on > end:
            continue
        # The re-review of the enterprises authorised before 2023 ran from April to May.
        review_on = datetime.date(YEAR, 4, 6) + datetime.timedelta(
            days=(index * 7 + county_index * 3) % 45
        )
        reviewed = authorised_on.year < YEAR and review_on <= end
        conclusion = review if reviewed else REVIEW_RESULTS[0]
        last = D(sales) * D(SALES_SHARE[month - 1])
        rows.append(
            {
                "name": name,
                "credit_code": credit_code(county, index),
                "category": category,
                "products": products,
                "authorised_on": authorised_on,
                "sales_last": _money(last),
                "sales_ytd": _money(last * (100 + growth) / 100),
                "logo_ok": conclusion not in (FIX, REMOVE),
                "review": conclusion,
                "review_on": review_on if reviewed else None,
                "note": REVIEW_NOTES.get(conclusion, ""),
            }
        )
    return rows


def _signed_on(month_day: str) -> datetime.date:
    return datetime.date.fromisoformat(f"{YEAR}-{month_day}")


def project_rows(county: str, month: int) -> list[dict]:
    rows = []
    for name, investor, home, industry, signed, planned, key, pace in PROJECT_LIST[county]:
        signed_on = _signed_on(signed)
        if signed_on.month > month:
            continue
        elapsed = month - signed_on.month
        stage = min(3, elapsed // pace) if pace else 0
        if stage == 3 and planned > PRODUCING_AT_MOST:
            stage = 2
        started_on = None
        if stage >= 2:
            started_on = datetime.date(YEAR, signed_on.month + 2 * pace, 10)
        rows.append(
            {
                "name": name,
                "investor": investor,
                "origin": home,
                "industry": industry,
                "key_project": key,
                "signed_on": signed_on,
                "planned": _money(planned),
                "received": _money(planned * D(RECEIVED_SHARE[stage])),
                "stage": STAGES[stage],
                "started_on": started_on,
                "note": STALLED_NOTE if not pace and elapsed >= 2 else "",
            }
        )
    return rows


def projects_signed(county: str, month: int) -> int:
    return sum(1 for p in PROJECT_LIST[county] if _signed_on(p[4]).month == month)


def history_rows(table: str, county: str, month: int) -> list[dict]:
    if table == "potato":
        return [potato_row(county, month)]
    if table == "livestock":
        beef, dairy = BEEF_INCREASE[county][month - 1], DAIRY_INCREASE[county][month - 1]
        return [livestock_row(county, month, beef, dairy)]
    if table == "brand":
        return brand_rows(county, month)
    return project_rows(county, month)


def current_increase(target, month: int, pace: Decimal) -> Decimal:
    """A cumulative increase keeping pace with the year (capped short of the target)."""
    share = min(D("0.95"), D(month) / 12 * pace)
    return (D(target) * share).quantize(D("0.01"), ROUND_HALF_UP)


# --- loading --------------------------------------------------------------------------------


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone()
    )


class _Backdater:
    """Demo only: the services stamp what they do with the time they run, which would
    make every 2023 table "submitted" (and late) today. The loader tells this the story's
    moment of each step of a submission's timeline; once the history is loaded, `apply()`
    moves what those steps created (the timeline, the submitted versions, the
    notifications, the submission's own dates) back to those moments, one update per
    moment. Notifications of the past are marked read. The audit trail keeps the real
    time: it records when the demo was loaded."""

    def __init__(self):
        self.marks = {
            model: model.objects.aggregate(last=Max("pk"))["last"] or 0
            for model in (SubmissionEvent, SubmissionRevision, Notification)
        }
        self.steps: dict[int, list[tuple[str, datetime.datetime]]] = {}
        self.urls: dict[str, int] = {}

    def story(self, submission: Submission, steps: list[tuple[str, datetime.datetime]]) -> None:
        """The (action, moment) of each step the services took for `submission`."""
        self.steps[submission.pk] = steps
        self.urls[services.submission_url(submission)] = submission.pk

    def apply(self) -> None:
        moments: dict[type, dict[datetime.datetime, list[int]]] = defaultdict(
            lambda: defaultdict(list)
        )
        events = SubmissionEvent.objects.filter(pk__gt=self.marks[SubmissionEvent])
        steps = {pk: iter(m for _action, m in steps) for pk, steps in self.steps.items()}
        for pk, submission_id in events.order_by("pk").values_list("pk", "submission_id"):
            moments[SubmissionEvent][next(steps[submission_id])].append(pk)

        revisions = SubmissionRevision.objects.filter(pk__gt=self.marks[SubmissionRevision])
        submits = {
            pk: iter(m for action, m in steps if action == "submit")
            for pk, steps in self.steps.items()
        }
        for pk, submission_id in revisions.order_by("pk").values_list("pk", "submission_id"):
            moments[SubmissionRevision][next(submits[submission_id])].append(pk)

        # Each step notified someone, so a submission's notices in order fall into one run
        # per step (consecutive steps differ in kind).
        notices = Notification.objects.filter(pk__gt=self.marks[Notification])
        runs: dict[int, tuple[str, int]] = {}
        for pk, url, kind in notices.order_by("pk").values_list("pk", "url", "kind"):
            submission_id = self.urls[url]
            last_kind, step = runs.get(submission_id, (kind, 0))
            step += kind != last_kind
            runs[submission_id] = (kind, step)
            moments[Notification][self.steps[submission_id][step][1]].append(pk)

        fields = {
            SubmissionEvent: ("at",),
            SubmissionRevision: ("created_at",),
            Notification: ("created_at", "read_at"),
        }
        for model, by_moment in moments.items():
            for moment, pks in by_moment.items():
                model.objects.filter(pk__in=pks).update(**dict.fromkeys(fields[model], moment))

        for pk, steps in self.steps.items():
            submitted = [m for action, m in steps if action == "submit"]
            Submission.objects.filter(pk=pk).update(
                first_submitted_at=submitted[0],
                submitted_at=submitted[-1],
                approved_at=max(m for action, m in steps if action == "approve"),
            )


class _Loader:
    def __init__(self, today: datetime.date):
        self.today = today
        self.units = OrgUnit.objects.in_bulk(field_name="code")
        self.users = get_user_model().objects.in_bulk(field_name="username")
        self.counties = [self.units[code] for code, _name, _short in org_data.COUNTIES]
        self.liaisons = {code: self.users[name] for name, _n, code in org_data.COUNTY_LIAISONS}
        self.indicators: dict[str, Indicator] = {}
        self.templates: dict[str, TableTemplate] = {}
        self.schedules: dict[str, Schedule] = {}
        self.backdater = _Backdater()

    def user_of_office(self, office_code: str):
        director, _deputy, _members = org_data.OFFICE_STAFF[office_code]
        return self.users[director[0]]

    # --- setup

    def groups(self) -> None:
        for order, (name, codes) in enumerate(UNIT_GROUPS, start=1):
            group = org.record_save(actor=None, instance=UnitGroup(name=name, sort_order=order))
            group.units.set([self.units[code] for code in codes])

    def indicators_and_targets(self) -> None:
        city = self.units[org_data.CITY["code"]]
        for order, spec in enumerate(INDICATORS, start=1):
            office = self.units[spec["office"]]
            actor = self.user_of_office(spec["office"])
            indicator = services.indicator_save(
                actor=actor, sort_order=order, **(spec | {"office": office})
            )
            self.indicators[indicator.code] = indicator
            city_target, county_targets = TARGETS[indicator.code]
            years = [YEAR]
            if indicator.code in CURRENT_YEAR_TARGETS and self.today.year != YEAR:
                years.append(self.today.year)
            for year in years:
                services.target_set(
                    actor=actor, indicator=indicator, unit=city, year=year, value=city_target
                )
                for code, value in county_targets.items():
                    services.target_set(
                        actor=actor,
                        indicator=indicator,
                        unit=self.units[code],
                        year=year,
                        value=value,
                    )

    def tables(self) -> None:
        set_up = _at(datetime.date(YEAR, 1, 3), 9)
        for table in TABLES:
            template = services.template_create(
                actor=self.users[table.creator],
                office=self.units[table.office],
                code=table.code,
                title=table.title,
                schema=table.schema,
                units=self.counties,
                row_mode=table.row_mode,
                instructions=table.instructions,
            )
            self.templates[table.key] = template
            schedule = services.schedule_save(
                actor=self.users[table.creator],
                template=template,
                cadence=Cadence.MONTHLY_DISPATCH,
                **SCHEDULE,
            )
            self.schedules[table.key] = schedule
            # Demo only: the tables were set up at the start of 2023.
            TableTemplate.objects.filter(pk=template.pk).update(created_at=set_up)
            TemplateVersion.objects.filter(template=template).update(created_at=set_up)

    # --- the first half of 2023

    def history(self) -> None:
        for month in MONTHS:
            for table_index, table in enumerate(TABLES):
                self.history_round(table, table_index, month)
            self.facility_values(month)
        self.backdater.apply()

    def history_round(self, table: Table, table_index: int, month: int) -> None:
        period = Period(YEAR, PeriodKind.MONTH, month)
        schedule = self.schedules[table.key]
        opens_on, due_on, locks_on = schedule.dates(period)
        round_ = services.round_open(
            actor=None,  # the schedule opened it
            template=self.templates[table.key],
            cadence=schedule.cadence,
            period=period,
            opens_on=opens_on,
            due_on=due_on,
            locks_on=locks_on,
            schedule=schedule,
        )
        submissions = {s.unit_id: s for s in round_.submissions.all()}
        late = LATE.get((table.key, month), {})
        for index, county in enumerate(self.counties):
            if county.code in MISSING.get((table.key, month), ()):
                continue
            if county.code in late:
                submitted = _at(due_on + datetime.timedelta(days=late[county.code]), 16, 20)
            else:
                days_early = (index * 3 + month * 2 + table_index) % 6
                minutes = (index * 37 + month * 53 + table_index * 71) % 420
                submitted = _at(
                    due_on - datetime.timedelta(days=days_early), 9
                ) + datetime.timedelta(minutes=minutes)
            approved = min(submitted + datetime.timedelta(days=1, hours=1), _at(locks_on, 17))
            rows = history_rows(table.key, county.code, month)
            self.work_submission(
                table, submissions[county.pk], county, rows, submitted, approved, period
            )
        services.round_lock(actor=None, round_=round_)
        # Demo only: the schedule opened the round on its day and locked it the night
        # after its lock date.
        locked = _at(locks_on + datetime.timedelta(days=1), 0, 30)
        DispatchRound.objects.filter(pk=round_.pk).update(
            created_at=_at(opens_on, 0, 10), locked_at=locked
        )
        RoundSnapshot.objects.filter(round=round_).update(taken_at=locked)

    def work_submission(self, table, submission, county, rows, submitted, approved, period):
        liaison, reviewer = self.liaisons[county.code], self.users[table.reviewer]
        steps = []
        if RETURNED.concerns(table.key, period.number, county.code):
            first = submitted - datetime.timedelta(days=3)
            submission = services.submission_submit(
                actor=liaison,
                submission=submission,
                rows=[rows[0] | RETURNED.wrong],
                expected_version=None,
            )
            submission = services.submission_return(
                actor=reviewer,
                submission=submission,
                comment=RETURNED.comment,
                row_comments={"0": RETURNED.row_comment},
            )
            steps += [("submit", first), ("return", first + datetime.timedelta(days=1))]
        submission = services.submission_submit(
            actor=liaison, submission=submission, rows=rows, expected_version=None
        )
        services.submission_approve(actor=reviewer, submission=submission)
        self.backdater.story(submission, [*steps, ("submit", submitted), ("approve", approved)])
        if table.key == "investment":
            # The office counts the month's newly signed projects into the indicator.
            services.indicator_value_set(
                actor=reviewer,
                indicator=self.indicators[PROJECTS],
                unit=county,
                period=period,
                value=projects_signed(county.code, period.number),
                source_round=submission.round,
                sync_tasks=False,
            )

    def facility_values(self, month: int) -> None:
        if month < 3:
            return  # nothing is built in the frozen months
        actor = self.users["basket-dep"]
        period = Period(YEAR, PeriodKind.MONTH, month)
        for county in self.counties:
            services.indicator_value_set(
                actor=actor,
                indicator=self.indicators[FACILITY],
                unit=county,
                period=period,
                value=FACILITY_AREA[county.code][month - 3],
                sync_tasks=False,
            )

    # --- today

    def cattle_task(self) -> Task:
        task = Task.objects.select_related("task_list", "lead_unit").get(
            content__startswith=CATTLE_TASK
        )
        target = D(TARGETS[BEEF][1][task.lead_unit.code]).quantize(D("0.01"))
        return task_services.task_update(
            actor=self.user_of_office(task.task_list.office.code),
            task=task,
            expected_version=task.version,
            indicator_code=BEEF,
            target_value=target,
        )

    def current_livestock(self) -> None:
        """Some counties have answered this month's livestock table already."""
        round_ = (
            DispatchRound.objects.filter(
                template=self.templates["livestock"],
                locked_at__isnull=True,
                opens_on__lte=self.today,
            )
            .order_by("-year", "-period_number")
            .first()
        )
        if round_ is None:
            return
        reviewer = self.users[next(t for t in TABLES if t.key == "livestock").reviewer]
        beef_targets, dairy_targets = TARGETS[BEEF][1], TARGETS[DAIRY][1]
        for code, (outcome, pace) in CURRENT_LIVESTOCK.items():
            submission = round_.submissions.get(unit__code=code)
            month = round_.period_number
            row = livestock_row(
                code,
                month,
                current_increase(beef_targets[code], month, pace),
                current_increase(dairy_targets[code], month, pace),
            )
            liaison = self.liaisons[code]
            if outcome is None:
                services.submission_save(
                    actor=liaison, submission=submission, rows=[row], expected_version=None
                )
                continue
            submission = services.submission_submit(
                actor=liaison, submission=submission, rows=[row], expected_version=None
            )
            if outcome == SubmissionStatus.APPROVED:
                services.submission_approve(actor=reviewer, submission=submission)

    def load(self) -> None:
        self.groups()
        self.indicators_and_targets()
        self.tables()
        self.history()
        task = self.cattle_task()
        services.open_scheduled_rounds(self.today)
        self.current_livestock()
        services.sync_task_progress([self.indicators[BEEF]], task.task_list.year, actor=None)


def load_dispatch(today: datetime.date | None = None) -> None:
    """Load the dispatch demo; the organisation and the task lists must be loaded."""
    with translation.override(settings.LANGUAGE_CODE):  # titles and notices in Chinese
        _Loader(today or timezone.localdate()).load()
