"""The demo's task lists, loaded through the task services as the offices would work them.

THE DEMO'S "TODAY". The seed text describes mid-2023 ("76 measures, 25 completed"), but
the app runs on the real date and computes every warning light against today. With the
measures' deadlines in 2023, every open measure would be red years after the fact, and
the ledger would tell nothing. So the lists keep the titles the seed gives them (the
documents are named "2023年…"), but their dates are built relative to the day the demo
is loaded:

* `TaskList.year` is the current year, so that deadline texts ("6月底前", "年底前")
  read the way the task-list importer reads them for that list;
* a measure's start is N days before today (most on the list's issue day, 240 days ago);
  its deadline is M days from today (negative: already past). Far deadlines are moved
  to the end of their month, as the bureau writes them ("9月底前"); near ones keep the
  exact day ("12月3日前"); the deadline text is derived from the date, so the two agree;
* each measure has a plan letter saying where it stands and so which light it shows:
  C closed (grey); G in progress and on time, A assigned and not yet accepted, Q closing
  requested, O ongoing (长期坚持), X extension approved, B closing sent back and resumed
  (all green); Y behind its time or due within a week, E due within a week with an
  extension pending (yellow); R overdue, urged by the office (red); only in the potato
  list: D draft (not yet assigned), T returned by the lead unit.

Progress percentages are chosen with a margin against the light rules (settings
TASK_DUE_SOON_DAYS, TASK_LAG_POINTS), so the mix is the same whatever day it is loaded.
Unit names are real; the figures are illustrative, except those the seed text gives
(肉牛存栏增加7.8万头, 奶牛0.75万头, 设施农业2221亩, 品牌授权企业83家).
"""

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from zhuanban.org.models import OrgUnit
from zhuanban.org.scoping import scope_for
from zhuanban.tasks import services
from zhuanban.tasks.lifecycle import Action, Party, Status
from zhuanban.tasks.models import Level, Light, ProgressReport, Task, TaskEvent, TaskList
from zhuanban.tasks.scoping import parties

# The day most measures started: the list was issued this many days before today.
LIST_AGE_DAYS = 240


@dataclass(frozen=True)
class Measure:
    content: str
    lead: str  # org unit code
    coop: tuple[str, ...] = ()
    plan: str = "G"  # see the module docstring
    due: int | None = 60  # days from today; None: ongoing
    pct: int = 70  # progress reported (C and Q: 100)
    target: str | None = None  # "2" with unit "万亩"
    unit: str = ""
    assess: bool = True
    started: int = LIST_AGE_DAYS  # days before today
    leader: str | None = None  # username; defaults to the key task's leader
    note: str = ""  # the last report's text, instead of the key task's stage text
    figures: str = ""  # the last report's figures, instead of "已完成 target×pct"
    comment: tuple[str, str] | None = None  # (leader username, comment)
    reason: str = ""  # T: why it was returned; E/X: why more time is needed


@dataclass(frozen=True)
class KeyTask:
    content: str
    leader: str
    # Report texts for an early, middle, late and finished measure of this key task.
    stages: tuple[str, str, str, str]
    measures: list[Measure] = field(default_factory=list)


M = Measure

# --- 《乌兰察布市建设重要农畜产品生产加工基地2023年重点任务单》 ------------------------------------

BASE_LIST = {
    "title": "乌兰察布市建设重要农畜产品生产加工基地2023年重点任务单",
    "office": "office-base",
    "level": Level.CITY,
    "source_document": "《乌兰察布市建设国家重要农畜产品生产基地实施方案》",
    "assigner": "base-dir",
    "verifier": "base-dep",
}

BASE_TASKS = [
    KeyTask(
        "马铃薯种薯繁育基地建设",
        "leader",
        (
            "已完成基地选址和地块流转,种薯企业与合作社签订订单协议,正在组织网棚建设招标。",
            "网棚主体完工,原种已全部播种,田间管理和病虫害监测正常开展。",
            "已进入收获期,正在组织种薯质量田间检验和入窖储藏。",
            "已全部完成,经市农牧业技术推广中心现场验收,佐证材料已上传。",
        ),
        [
            M(
                "在察右后旗新建脱毒种薯繁育基地2万亩,配套建设智能化网棚500亩",
                "150928",
                ("sta-extension",),
                "C",
                -95,
                target="2",
                unit="万亩",
                comment=("leader", "察右后旗种薯基地建得快、标准高,要总结经验在全市推广。"),
            ),
            M(
                "在四子王旗建设马铃薯原种扩繁基地1.5万亩,推行“企业+合作社+农户”订单生产",
                "150929",
                ("sta-extension",),
                "G",
                32,
                85,
                target="1.5",
                unit="万亩",
            ),
            M(
                "在察右中旗建设高标准种薯繁育基地1万亩,推广水肥一体化技术",
                "150927",
                (),
                "C",
                -66,
                target="1",
                unit="万亩",
            ),
            M(
                "在商都县建设马铃薯微型薯(原原种)生产温网室200栋,年产微型薯2亿粒",
                "150923",
                ("sec-science",),
                "Y",
                75,
                35,
                target="2",
                unit="亿粒",
            ),
            M(
                "全市马铃薯脱毒种薯繁育面积稳定在50万亩以上,种薯质量抽检合格率达到95%以上",
                "sta-extension",
                ("sta-quality",),
                "O",
                None,
                80,
            ),
            M(
                "支持民丰、希森等种薯企业开展品种选育和联合攻关,年内选育登记马铃薯新品种2个",
                "sec-science",
                ("sta-extension",),
                "G",
                32,
                90,
                target="2",
                unit="个",
            ),
            M(
                "开展种薯质量监督检验,对全市种薯生产经营企业抽检全覆盖",
                "sta-quality",
                ("sta-enforcement",),
                "C",
                -35,
            ),
            M(
                "在丰镇市、兴和县建设马铃薯种薯储藏窖,新增种薯储藏能力10万吨",
                "150981",
                ("150924",),
                "R",
                -12,
                70,
                target="10",
                unit="万吨",
            ),
        ],
    ),
    KeyTask(
        "肉牛养殖基地建设",
        "ldr-zhou",
        (
            "已完成项目备案和用地手续,养殖场主体工程开工建设。",
            "圈舍和饲草料库主体完工,正在组织基础母牛引进和防疫。",
            "牛只已陆续入栏,正在完善粪污处理设施并开展验收准备。",
            "已全部完成,经旗县农牧部门验收合格,存栏数据已纳入统计月报。",
        ),
        [
            M(
                "全市肉牛存栏新增12万头,达到90万头以上",
                "sec-livestock",
                ("150928", "150929"),
                "Y",
                32,
                65,
                target="12",
                unit="万头",
                note="全市肉牛存栏新增7.8万头,完成年度任务的三分之二以上;秋季补栏进度偏慢,正在调度各旗县市区落实补栏计划。",
                figures="肉牛存栏新增7.8万头",
                comment=("ldr-zhou", "要抓住秋季补栏窗口期,各旗县逐月对账,确保完成全年存栏任务。"),
            ),
            M(
                "在察右前旗新建千头以上规模化肉牛养殖场3处",
                "150926",
                (),
                "C",
                -130,
                target="3",
                unit="处",
            ),
            M(
                "在四子王旗建设肉牛标准化养殖示范小区10个,带动农牧户发展适度规模养殖",
                "150929",
                (),
                "C",
                -40,
                target="10",
                unit="个",
            ),
            M(
                "在凉城县建设肉牛育肥基地,新增育肥能力2万头",
                "150925",
                (),
                "E",
                5,
                60,
                target="2",
                unit="万头",
                reason="育肥牛舍钢结构受原材料到货延迟影响,需顺延工期。",
            ),
            M(
                "落实肉牛优质冻精补贴政策,全年完成冷配改良母牛20万头",
                "sec-livestock",
                ("mu-finance",),
                "G",
                32,
                88,
                target="20",
                unit="万头",
            ),
            M(
                "在化德县实施肉牛基础母牛扩群项目,新增基础母牛5000头",
                "150922",
                (),
                "C",
                -48,
                target="0.5",
                unit="万头",
            ),
            M(
                "推广青贮玉米种植和全株青贮技术,全市青贮玉米种植面积达到100万亩",
                "sta-extension",
                ("sta-grassland",),
                "C",
                -100,
                target="100",
                unit="万亩",
            ),
            M(
                "做好口蹄疫、布病等重大动物疫病强制免疫,应免畜禽免疫密度保持在90%以上",
                "sta-animal-health",
                (),
                "O",
                None,
                75,
            ),
            M(
                "在兴和县建设肉牛活畜交易市场1处,完善交易和检疫服务",
                "150924",
                ("mu-commerce",),
                "R",
                -40,
                60,
                target="1",
                unit="处",
            ),
        ],
    ),
    KeyTask(
        "奶业振兴",
        "ldr-zheng",
        (
            "已完成牧场规划设计和环评手续,主体工程开工建设。",
            "牛舍、挤奶厅主体完工,正在安装挤奶和粪污处理设备。",
            "设备调试完成,首批奶牛已入场,正在办理生鲜乳收购许可。",
            "已全部完成并投产运营,佐证材料已上传。",
        ),
        [
            M(
                "全市奶牛存栏新增1.5万头",
                "sec-livestock",
                ("150926", "150981"),
                "Y",
                32,
                50,
                target="1.5",
                unit="万头",
                note="奶牛存栏新增0.75万头,完成年度任务的一半以上;受奶业市场低迷影响,部分牧场补栏意愿不强。",
                figures="奶牛存栏新增0.75万头",
                comment=(
                    "ldr-zheng",
                    "针对奶业市场低迷,要组织奶企和牧场座谈,稳定收购订单,防止出现倒奶杀牛。",
                ),
            ),
            M(
                "落实《乌兰察布市奶业振兴支持政策》,兑现奶牛养殖和生鲜乳收购补贴资金",
                "mu-finance",
                ("sec-livestock",),
                "C",
                -70,
            ),
            M(
                "在察右前旗新建存栏3000头以上现代化奶牛牧场1处",
                "150926",
                ("mu-ndrc",),
                "X",
                6,
                70,
                target="1",
                unit="处",
                reason="挤奶设备为进口设备,海关通关延迟,安装调试需顺延。",
            ),
            M(
                "在集宁区建设乳制品加工项目,新增日处理鲜奶能力500吨",
                "150902",
                ("mu-ndrc",),
                "G",
                120,
                60,
                target="500",
                unit="吨",
            ),
            M(
                "在丰镇市推进家庭牧场和奶农合作社提档升级,改造标准化挤奶厅20个",
                "150981",
                (),
                "C",
                -25,
                target="20",
                unit="个",
            ),
            M(
                "开展生鲜乳质量安全监测,全年抽检生鲜乳样品300批次以上",
                "sta-quality",
                (),
                "Q",
                32,
                target="300",
                unit="批次",
            ),
            M(
                "组织奶企和奶牛养殖场开展产销对接,稳定生鲜乳收购价格和订单",
                "sec-livestock",
                ("mu-commerce",),
                "O",
                None,
                60,
                assess=False,
            ),
            M(
                "推广奶牛性控冻精和胚胎移植技术,提高良种母牛比例",
                "sec-science",
                ("sec-livestock",),
                "O",
                None,
                60,
                assess=False,
            ),
        ],
    ),
    KeyTask(
        "设施农业建设",
        "ldr-sun",
        (
            "已完成项目选址和设计,温室大棚建设主体已开工。",
            "温室墙体和骨架安装过半,正在同步建设水电路等配套设施。",
            "主体完工,正在安装保温被、卷帘和水肥一体化设备。",
            "已全部建成并投入生产,经旗县验收合格。",
        ),
        [
            M(
                "全市新建改造设施农业5000亩,其中新建日光温室2000亩",
                "sta-extension",
                ("mu-finance", "mu-natural-resources"),
                "Y",
                32,
                44,
                target="5000",
                unit="亩",
                note="全市已开工建设设施农业2221亩,部分项目受设施农业用地审批影响进度滞后,正在协调自然资源部门加快办理。",
                figures="已开工建设设施农业2221亩",
            ),
            M("在集宁区新建高标准日光温室1000亩", "150902", (), "C", -80, target="1000", unit="亩"),
            M(
                "在察右前旗建设设施农业产业园,新建日光温室和春秋大棚1200亩",
                "150926",
                ("mu-natural-resources",),
                "R",
                -20,
                55,
                target="1200",
                unit="亩",
            ),
            M(
                "在凉城县建设设施蔬菜基地800亩,配套建设集约化育苗中心1处",
                "150925",
                (),
                "G",
                60,
                80,
                target="800",
                unit="亩",
            ),
            M(
                "在丰镇市改造提升老旧温室大棚600亩",
                "150981",
                (),
                "C",
                -110,
                target="600",
                unit="亩",
            ),
            M(
                "推广设施农业物联网和水肥一体化技术,建设智慧温室示范点5个",
                "sec-science",
                (),
                "A",
                90,
                0,
                target="5",
                unit="个",
                started=7,
            ),
            M(
                "落实“菜篮子”市长负责制考核任务,做好设施蔬菜在田面积和产量统计",
                "sec-industry",
                ("mu-market-regulation",),
                "C",
                -130,
            ),
        ],
    ),
    KeyTask(
        "冷凉蔬菜基地建设",
        "ldr-sun",
        (
            "已完成种植面积落实和品种布局,育苗和整地工作全面展开。",
            "定植全部完成,田间管理、水肥管理和病虫害绿色防控有序推进。",
            "已进入采收期,正在组织产销对接和净菜加工发运。",
            "已全部完成,种植面积和产量已纳入统计,佐证材料已上传。",
        ),
        [
            M(
                "全市冷凉蔬菜种植面积稳定在100万亩以上",
                "sta-extension",
                (),
                "C",
                -120,
                target="100",
                unit="万亩",
            ),
            M(
                "在商都县建设西芹、甘蓝等净菜进京供应基地5万亩",
                "150923",
                ("mu-commerce",),
                "C",
                -60,
                target="5",
                unit="万亩",
            ),
            M(
                "在察右后旗建设错季蔬菜标准化种植基地3万亩",
                "150928",
                (),
                "C",
                -90,
                target="3",
                unit="万亩",
            ),
            M(
                "在化德县建设蔬菜集约化育苗中心2处,年育苗能力5000万株",
                "150922",
                (),
                "Y",
                4,
                80,
                target="2",
                unit="处",
            ),
            M(
                "在兴和县建设胡萝卜、甜菜标准化生产基地2万亩",
                "150924",
                (),
                "G",
                32,
                90,
                target="2",
                unit="万亩",
            ),
            M(
                "在四子王旗建设冷凉蔬菜绿色高质高效示范区1万亩",
                "150929",
                (),
                "Q",
                45,
                target="1",
                unit="万亩",
            ),
            M(
                "开展蔬菜农药残留监测,全年抽检蔬菜样品2000批次以上,合格率稳定在98%以上",
                "sta-quality",
                ("sta-enforcement",),
                "G",
                32,
                85,
                target="2000",
                unit="批次",
            ),
            M(
                "组织蔬菜企业与北京新发地等批发市场开展产销对接,净菜进京供应量达到10万吨",
                "mu-commerce",
                ("sec-industry",),
                "B",
                45,
                92,
                target="10",
                unit="万吨",
            ),
        ],
    ),
    KeyTask(
        "燕麦杂粮基地建设",
        "ldr-zhao",
        (
            "已落实种植面积和良种,完成播种前技术培训。",
            "播种全部完成,苗情长势良好,正在开展田间管理和示范田观摩。",
            "已进入收获期,正在组织测产和订单收购。",
            "已全部完成,经测产验收,佐证材料已上传。",
        ),
        [
            M(
                "全市燕麦种植面积稳定在120万亩以上",
                "sta-extension",
                (),
                "C",
                -105,
                target="120",
                unit="万亩",
            ),
            M(
                "在察右中旗建设燕麦绿色高质高效示范区5万亩",
                "150927",
                (),
                "C",
                -75,
                target="5",
                unit="万亩",
            ),
            M(
                "在四子王旗建设有机燕麦基地3万亩,开展有机产品认证",
                "150929",
                ("sta-quality",),
                "G",
                90,
                70,
                target="3",
                unit="万亩",
            ),
            M(
                "在卓资县建设杂粮杂豆标准化种植基地2万亩",
                "150921",
                (),
                "G",
                32,
                82,
                target="2",
                unit="万亩",
            ),
            M(
                "在商都县建设燕麦良种繁育基地5000亩",
                "150923",
                (),
                "C",
                -45,
                target="5000",
                unit="亩",
            ),
            M(
                "支持阴山优麦等企业开发燕麦米、燕麦片等精深加工产品",
                "sec-industry",
                ("sec-science",),
                "O",
                None,
                65,
                assess=False,
            ),
            M(
                "开展燕麦、荞麦等杂粮新品种引进和示范推广,建设品种展示田10处",
                "sec-science",
                ("sta-extension",),
                "R",
                -8,
                75,
                target="10",
                unit="处",
                comment=(
                    "ldr-zhao",
                    "进度滞后,请基地办会同科技教育科专题调度,本周内报送整改措施。",
                ),
            ),
        ],
    ),
    KeyTask(
        "农畜产品加工园区建设",
        "leader",
        (
            "已完成项目招商签约和前期手续办理,正在开展场地平整。",
            "厂房主体工程建设过半,设备采购合同已签订。",
            "主体工程完工,正在安装调试生产设备。",
            "已建成投产,经验收合格,佐证材料已上传。",
        ),
        [
            M(
                "推进察右前旗农畜产品加工园区建设,引进培育加工企业5家",
                "150926",
                ("mu-ndrc",),
                "G",
                60,
                75,
                target="5",
                unit="家",
            ),
            M(
                "在察右后旗建设马铃薯精深加工产业园,新增淀粉及制品加工能力5万吨",
                "150928",
                ("mu-ndrc",),
                "Y",
                90,
                40,
                target="5",
                unit="万吨",
                comment=(
                    "leader",
                    "马铃薯精深加工是全产业链的关键环节,要倒排工期,年底前实现主体完工。",
                ),
            ),
            M(
                "在集宁区建设肉牛屠宰加工项目,年屠宰能力10万头",
                "150902",
                ("mu-ndrc", "sec-livestock"),
                "G",
                150,
                55,
                target="10",
                unit="万头",
            ),
            M(
                "在商都县建设肉羊屠宰精深加工项目,年屠宰肉羊50万只",
                "150923",
                (),
                "R",
                -35,
                65,
                target="50",
                unit="万只",
            ),
            M(
                "培育农牧业产业化龙头企业,新增市级以上龙头企业10家",
                "sec-industry",
                ("sec-coop",),
                "C",
                -30,
                target="10",
                unit="家",
            ),
            M(
                "争取中央和自治区农产品产地初加工和农业产业融合发展项目资金",
                "mu-ndrc",
                ("mu-finance",),
                "A",
                60,
                0,
                started=5,
            ),
            M("全市农畜产品加工转化率达到68%以上", "sec-industry", (), "Q", 32, assess=True),
        ],
    ),
    KeyTask(
        "冷链物流体系建设",
        "ldr-wu",
        (
            "已完成项目选址和可研编制,正在办理用地和规划许可。",
            "冷库主体结构施工过半,制冷设备已完成采购。",
            "主体完工,正在安装制冷设备和信息化追溯系统。",
            "已建成投运,经验收合格,佐证材料已上传。",
        ),
        [
            M(
                "在集宁区建设农产品冷链物流集散中心1处,新增冷库库容5万吨",
                "150902",
                ("mu-commerce",),
                "G",
                150,
                50,
                target="5",
                unit="万吨",
            ),
            M(
                "在察右前旗建设蔬菜产地预冷和分拣包装中心3处",
                "150926",
                (),
                "C",
                -55,
                target="3",
                unit="处",
            ),
            M(
                "在四子王旗建设牛羊肉冷链仓储设施,新增冷库库容1万吨",
                "150929",
                (),
                "Y",
                6,
                85,
                target="1",
                unit="万吨",
            ),
            M(
                "建设县乡村三级农产品冷链物流网络,新增产地冷藏保鲜设施50个",
                "mu-commerce",
                ("mu-supply-coop",),
                "G",
                32,
                86,
                target="50",
                unit="个",
            ),
            M(
                "在化德县建设农产品产地冷藏保鲜设施10个",
                "150922",
                ("mu-supply-coop",),
                "G",
                60,
                75,
                target="10",
                unit="个",
            ),
            M(
                "完善冷链运输车辆备案和进口冷链食品追溯管理",
                "mu-commerce",
                ("mu-market-regulation",),
                "A",
                90,
                0,
                started=10,
                assess=False,
            ),
        ],
    ),
    KeyTask(
        "“原味乌兰察布”区域公用品牌建设",
        "ldr-zhao",
        (
            "已制定工作方案,完成企业申报材料征集。",
            "已组织专家评审和现场核查,正在公示拟授权企业名单。",
            "授权和宣传推介工作基本完成,正在整理总结材料。",
            "已全部完成,相关文件和名单已印发,佐证材料已上传。",
        ),
        [
            M(
                "新增“原味乌兰察布”授权企业20家,授权企业总数达到80家以上",
                "sta-quality",
                ("assoc-brand",),
                "C",
                -50,
                target="80",
                unit="家",
                note="授权企业达到83家,阴山优麦、兰格格、薯都凯达等重点授权企业销售额较去年同期增长10%~50%。",
                figures="授权企业83家",
            ),
            M(
                "制定《原味乌兰察布授权管理规则》《原味乌兰察布商标使用管理规则》《原味乌兰察布LOGO使用规则》",
                "sec-policy",
                ("sta-quality",),
                "C",
                -140,
            ),
            M(
                "对品牌授权企业运营和用标情况开展复审,对不符合要求的企业进行整改和清退",
                "sta-quality",
                ("mu-market-regulation",),
                "Y",
                4,
                70,
            ),
            M(
                "组织授权企业参加中国国际农产品交易会等展会5次以上",
                "mu-commerce",
                ("assoc-brand",),
                "C",
                -20,
                target="5",
                unit="次",
            ),
            M(
                "新增绿色、有机和地理标志农产品认证20个",
                "sta-quality",
                (),
                "G",
                32,
                80,
                target="20",
                unit="个",
            ),
            M(
                "通过内蒙古日报、乌兰察布融媒体等媒体宣传推介区域公用品牌",
                "sec-industry",
                ("assoc-brand",),
                "O",
                None,
                70,
                assess=False,
            ),
            M("支持卓资县、凉城县授权企业开发区域公用品牌系列产品", "150921", ("150925",), "Q", 32),
        ],
    ),
    KeyTask(
        "高标准农田建设",
        "ldr-zhao",
        (
            "已完成项目初步设计批复和招投标,施工队伍已进场。",
            "田间道路、灌排设施主体工程完成过半,正在进行土地平整。",
            "主体工程基本完工,正在开展县级初验和上图入库。",
            "已通过县级验收并完成上图入库,佐证材料已上传。",
        ),
        [
            M(
                "在察右后旗新建高标准农田4万亩",
                "150928",
                ("sec-farmland",),
                "C",
                -35,
                target="4",
                unit="万亩",
            ),
            M(
                "在四子王旗新建高标准农田5万亩",
                "150929",
                ("sec-farmland",),
                "G",
                32,
                78,
                target="5",
                unit="万亩",
            ),
            M(
                "在商都县新建高标准农田4万亩,配套建设高效节水灌溉设施",
                "150923",
                ("mu-water",),
                "R",
                -15,
                80,
                target="4",
                unit="万亩",
            ),
            M("在察右中旗新建高标准农田3万亩", "150927", (), "C", -40, target="3", unit="万亩"),
            M("在兴和县新建高标准农田3万亩", "150924", (), "G", 60, 70, target="3", unit="万亩"),
            M("在凉城县新建高标准农田2万亩", "150925", (), "G", 60, 72, target="2", unit="万亩"),
            M(
                "在化德县新建高标准农田2万亩",
                "150922",
                ("sec-farmland",),
                "Y",
                60,
                40,
                target="2",
                unit="万亩",
            ),
            M(
                "落实高标准农田建设地方配套资金,按时足额拨付项目资金",
                "mu-finance",
                ("sec-farmland",),
                "G",
                32,
                90,
            ),
            M(
                "在丰镇市开展高标准农田建后管护试点,落实管护主体和责任",
                "150981",
                ("sec-farmland",),
                "O",
                None,
                55,
                assess=False,
            ),
        ],
    ),
]

# --- 《2023年马铃薯产业重点工作任务清单》 ------------------------------------------------------

POTATO_LIST = {
    "title": "2023年马铃薯产业重点工作任务清单",
    "office": "office-potato",
    "level": Level.CITY,
    "source_document": "《马铃薯产业发展示范区建设方案》",
    "assigner": "potato-dir",
    "verifier": "potato-dep",
}

POTATO_TASKS = [
    KeyTask(
        "种薯繁育与良种推广",
        "leader",
        (
            "已完成地块落实和种薯调运,正在开展播前技术培训。",
            "播种全部完成,网棚和田间管理有序推进,病虫害监测正常。",
            "已进入收获期,正在组织种薯分级、检验和入窖。",
            "已全部完成,佐证材料已上传。",
        ),
        [
            M(
                "在卓资县建设马铃薯脱毒种薯扩繁基地5000亩",
                "150921",
                ("sta-extension",),
                "G",
                60,
                75,
                target="5000",
                unit="亩",
            ),
            M(
                "在化德县建设马铃薯原种繁育网棚100亩",
                "150922",
                ("sta-extension",),
                "A",
                90,
                0,
                target="100",
                unit="亩",
                started=6,
            ),
            M(
                "推广“希森6号”“冀张薯12号”等优良品种,全市马铃薯良种覆盖率达到95%以上",
                "sec-science",
                ("sta-extension",),
                "G",
                32,
                88,
            ),
            M(
                "在察右后旗建设马铃薯种质资源圃1处",
                "150928",
                ("sec-science",),
                "E",
                5,
                65,
                target="1",
                unit="处",
                reason="种质资源圃配套冷藏库设备尚未到货,需顺延验收时间。",
            ),
        ],
    ),
    KeyTask(
        "标准化基地建设",
        "leader",
        (
            "已完成基地规划和农机具调配,正在落实订单农户。",
            "播种和中耕完成,水肥一体化设施运行正常。",
            "机械化收获基本完成,正在测产和总结技术模式。",
            "已全部完成,经验收合格,佐证材料已上传。",
        ),
        [
            M(
                "在卓资县建设马铃薯绿色高质高效示范区1万亩,推广水肥一体化和机械化收获",
                "150921",
                (),
                "A",
                120,
                0,
                target="1",
                unit="万亩",
                started=4,
            ),
            M(
                "在化德县建设马铃薯标准化种植基地2万亩",
                "150922",
                (),
                "G",
                60,
                72,
                target="2",
                unit="万亩",
            ),
            M(
                "在商都县建设马铃薯全程机械化示范基地1万亩",
                "150923",
                ("sta-extension",),
                "T",
                120,
                0,
                target="1",
                unit="万亩",
                started=8,
                reason="我县今年未安排马铃薯全程机械化示范项目,该示范基地位于察右后旗,请重新核定牵头单位。",
            ),
            M(
                "在四子王旗建设马铃薯晚疫病监测预警点20个",
                "150929",
                ("sta-extension",),
                "Q",
                45,
                target="20",
                unit="个",
            ),
        ],
    ),
    KeyTask(
        "加工流通与产业推介",
        "leader",
        (
            "已完成项目选址和方案编制。",
            "主体工程和主要工作完成过半。",
            "主要工作基本完成,正在整理总结材料。",
            "已全部完成,佐证材料已上传。",
        ),
        [
            M(
                "在卓资县建设马铃薯产地初加工和分级包装中心1处",
                "150921",
                ("mu-commerce",),
                "D",
                150,
                0,
                target="1",
                unit="处",
                started=0,
            ),
            M(
                "做好第25届中国马铃薯大会申办工作,完成申办方案和会议场馆对接",
                "sec-industry",
                ("mu-commerce",),
                "C",
                -120,
            ),
            M("在化德县建设马铃薯仓储保鲜窖和电商直播销售点", "150922", ("mu-commerce",), "C", -60),
        ],
    ),
]

LISTS = [(BASE_LIST, BASE_TASKS), (POTATO_LIST, POTATO_TASKS)]

# The light each plan shows once loaded (checked by the demo tests).
EXPECTED_LIGHT = {
    "C": Light.GREY,
    "G": Light.GREEN,
    "A": Light.GREEN,
    "Q": Light.GREEN,
    "O": Light.GREEN,
    "X": Light.GREEN,
    "B": Light.GREEN,
    "T": Light.GREEN,
    "Y": Light.YELLOW,
    "E": Light.YELLOW,
    "R": Light.RED,
    "D": Light.NONE,
}

ONGOING_TEXTS = ["长期坚持", "持续推进", "常态化开展"]

# --- dates -------------------------------------------------------------------------------


def _month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def due_date_for(today: datetime.date, days: int, snap: bool = True) -> datetime.date:
    """Today + days; far deadlines (more than 10 days ahead or a month past) are moved to
    the end of their month, which keeps overdue ones overdue and far ones far. A measure
    that lags its time (Y) keeps the exact day: moving it later could turn it green."""
    day = today + datetime.timedelta(days=days)
    return _month_end(day) if snap and (days > 10 or days < -31) else day


def due_text_for(day: datetime.date, year: int) -> str:
    """The deadline as a task list words it, in a list of `year` ("6月底前", "年底前")."""
    prefix = "" if day.year == year else f"{day.year}年"
    if day == _month_end(day):
        if day.month == 12:
            return f"{day.year}年底前" if prefix else "年底前"
        return f"{prefix}{day.month}月底前"
    return f"{prefix}{day.month}月{day.day}日前"


def _figures(measure: Measure, pct: int) -> str:
    if not measure.target:
        return ""
    done = (Decimal(measure.target) * pct / 100).quantize(Decimal("0.01")).normalize()
    return f"已完成{done:f}{measure.unit}"


def _stage(key: KeyTask, pct: int) -> str:
    early, middle, late, done = key.stages
    if pct >= 100:
        return done
    return late if pct >= 75 else middle if pct >= 35 else early


# --- loading -----------------------------------------------------------------------------


class _Loader:
    def __init__(self, today: datetime.date):
        self.today = today
        self.units = OrgUnit.objects.in_bulk(field_name="code")
        self.users = get_user_model().objects.in_bulk(field_name="username")
        self.ongoing = 0
        self.closed = 0
        self.lead_actors: dict[tuple[int, int], object] = {}

    def lead_actor(self, task, office_staff_ids: set[int]):
        """Who acts for the lead unit: its liaison, or a member of the section who is not
        on the owning office's staff (nor an administrator)."""
        key = (task.task_list.office_id, task.lead_unit_id)
        if key not in self.lead_actors:
            for user in services.lead_people(task):
                scope = scope_for(user)
                if user.pk in office_staff_ids or not scope.sees_business_data:
                    continue
                if Party.LEAD in parties(user, task):
                    self.lead_actors[key] = user
                    break
            else:
                raise ValueError(f"nobody can act for {task.lead_unit} on {task.content}")
        return self.lead_actors[key]

    def load_list(self, spec: dict, key_tasks: list[KeyTask]) -> TaskList:
        office = self.units[spec["office"]]
        assigner, verifier = self.users[spec["assigner"]], self.users[spec["verifier"]]
        office_staff_ids = {u.pk for u in services.office_staff(office.pk)}
        task_list = services.tasklist_create(
            actor=assigner,
            office=office,
            title=spec["title"],
            year=self.today.year,
            level=spec["level"],
            source_document=spec["source_document"],
        )
        for key in key_tasks:
            heading = services.task_create(
                actor=assigner,
                task_list=task_list,
                content=key.content,
                responsible_leader=self.users[key.leader].get_full_name(),
            )
            for measure in key.measures:
                task = self.create_measure(task_list, heading, key, measure, assigner)
                if measure.plan != "D":
                    lead = self.lead_actor(task, office_staff_ids)
                    self.work(task, key, measure, assigner, verifier, lead)
        return task_list

    def create_measure(self, task_list, heading, key: KeyTask, measure: Measure, assigner):
        start = self.today - datetime.timedelta(days=measure.started)
        if measure.due is None:
            due, text = None, ONGOING_TEXTS[self.ongoing % len(ONGOING_TEXTS)]
            self.ongoing += 1
        else:
            due = due_date_for(self.today, measure.due, snap=measure.plan != "Y")
            text = due_text_for(due, task_list.year)
        leader = self.users[measure.leader or key.leader]
        return services.task_create(
            actor=assigner,
            task_list=task_list,
            parent=heading,
            content=measure.content,
            lead_unit=self.units[measure.lead],
            cooperating_units=[self.units[code] for code in measure.coop],
            responsible_leader=leader.get_full_name(),
            start_date=min(start, due) if due else start,
            due_date=due,
            due_text=text,
            is_ongoing=due is None,
            counts_in_assessment=measure.assess,
            target_value=Decimal(measure.target) if measure.target else None,
            target_unit=measure.unit,
        )

    def report(self, task, key: KeyTask, measure: Measure, lead, pct: int, last: bool):
        text = measure.note if last and measure.note else _stage(key, pct)
        figures = measure.figures if last and measure.figures else _figures(measure, pct)
        services.task_report(actor=lead, task=task, text=text, progress=pct, figures=figures)

    def work(self, task, key: KeyTask, measure: Measure, assigner, verifier, lead):
        """Take a measure from draft to where its plan letter says it stands."""
        plan = measure.plan
        act = services.task_act
        task = act(actor=assigner, task=task, action=Action.ASSIGN)
        if plan == "T":
            act(actor=lead, task=task, action=Action.RETURN, comment=measure.reason)
            return
        if plan == "A":
            return
        task = act(actor=lead, task=task, action=Action.ACCEPT)
        final = 100 if plan in ("C", "Q") else measure.pct
        if measure.note or measure.comment:  # the measures the demo tells a story with
            self.report(task, key, measure, lead, final // 2 + 5, last=False)
        if plan == "B":
            self.report(task, key, measure, lead, 90, last=False)
            task = act(actor=lead, task=task, action=Action.REQUEST_CLOSE)
            task = act(
                actor=verifier,
                task=task,
                action=Action.REJECT_CLOSE,
                comment="佐证材料不全:请补充北京新发地等市场的供货合同和发运台账后再申请办结。",
            )
        self.report(task, key, measure, lead, final, last=True)
        if plan in ("E", "X"):
            request = services.extension_request(
                actor=lead,
                task=task,
                reason=measure.reason,
                new_due_date=due_date_for(self.today, 75),
                progress_so_far=_stage(key, measure.pct),
            )
            if plan == "X":
                services.extension_decide(
                    actor=verifier,
                    request=request,
                    approve=True,
                    comment="同意延期,请按新时限完成。",
                )
        if plan in ("C", "Q"):
            task = act(actor=lead, task=task, action=Action.REQUEST_CLOSE)
        if plan == "C":
            act(
                actor=verifier,
                task=task,
                action=Action.CLOSE,
                comment="经核查,佐证材料齐全,同意办结。",
            )
            self.backdate_closing(task)
        if plan == "R":
            act(
                actor=verifier,
                task=task,
                action=Action.URGE,
                comment="该项措施已逾期,请于本周内报送进展情况和整改措施。",
            )
        if measure.comment:
            username, text = measure.comment
            services.task_comment(actor=self.users[username], task=task, text=text)

    def backdate_closing(self, task) -> None:
        """A measure whose deadline has passed was closed around it, not on the day the
        demo loads: most a few days before (on time), every fifth a few days after (late),
        so that "closed on time" (assessment) has both kinds to count."""
        if task.due_date is None or task.due_date >= self.today:
            return
        self.closed += 1
        days = 4 if self.closed % 5 == 0 else -3
        day = min(task.due_date + datetime.timedelta(days=days), self.today)
        closed_at = datetime.datetime.combine(
            day, datetime.time(16, 30), tzinfo=timezone.get_current_timezone()
        )
        Task.objects.filter(pk=task.pk).update(closed_at=closed_at)
        # The timeline keeps its order: each step an hour before the next, the last one
        # (closing) at closed_at; reports before the request to close.
        events = list(TaskEvent.objects.filter(task=task).order_by("pk"))
        for back, event in enumerate(reversed(events)):
            event.at = min(event.at, closed_at - datetime.timedelta(hours=back))
        TaskEvent.objects.bulk_update(events, ["at"])
        reports = list(ProgressReport.objects.filter(task=task).order_by("pk"))
        for back, report in enumerate(reversed(reports), start=2):
            report.reported_at = min(report.reported_at, closed_at - datetime.timedelta(hours=back))
        ProgressReport.objects.bulk_update(reports, ["reported_at"])


def load_tasks(today: datetime.date | None = None) -> list[TaskList]:
    """Load both task lists and raise the day's reminders; the org must be loaded."""
    with translation.override(settings.LANGUAGE_CODE):  # notifications in Chinese
        loader = _Loader(today or timezone.localdate())
        lists = [loader.load_list(spec, key_tasks) for spec, key_tasks in LISTS]
        services.remind(loader.today)
    return lists


def base_measure_count() -> tuple[int, int]:
    """(measures, closed) in the base list: the seed's 76 and 25."""
    measures = [m for key in BASE_TASKS for m in key.measures]
    return len(measures), sum(m.plan == "C" for m in measures)


def leaf_status(plan: str) -> str:
    """The status a measure with this plan letter ends in."""
    return {
        "C": Status.CLOSED,
        "A": Status.ASSIGNED,
        "Q": Status.CLOSE_REQUESTED,
        "T": Status.RETURNED,
        "D": Status.DRAFT,
    }.get(plan, Status.IN_PROGRESS)
