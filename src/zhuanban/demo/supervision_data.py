"""The demo's supervision (督): six inspection groups, 64 visits with their findings, the
rectification items they opened in every state, and the eleven supervision notices of
the year, loaded through the supervision and rectification services.

THE STORY follows the seed's section 六、强化督导检查: the bureau's leaders lead six
inspection groups with nine people drawn from the special offices (抽调专办9人参与), which
cover the eleven counties for the national production base, the “原味乌兰察布” brand and
investment promotion; the offices went to the field more than sixty times (督导调研60多次),
held the city's two on-site observation meetings (现场观摩会) and forums with the dairy
firms, and wrote research reports (调研报告). In the name of 市委农牧办 they issued eleven
supervision notices (下发督办通报11份) on lagging key work, slow projects and counties named
by the region (被自治区点名通报), one of them a commendation.

TODAY. Like the task lists (see tasks_data), the story is dated relative to the day the
demo is loaded, so the warning lights are live: the visits fall in the six months before
today (a few planned ones in the coming weeks), the notices in the current year. The
problems found were rectified as a bureau's would be: about half verified and closed,
some waiting for the office's verification, some sent back for rework, some still open
within their deadline and some overdue (red). 卓资县 and 化德县, the browser tests'
counties, each have open items, 卓资县's due within days (yellow).

DATES. The services stamp what they do with the time they run; the loader notes the
story's moment of every step (`_Clock`) and, once loaded, moves what the steps created
(timelines, responses, notifications, the items' and notices' own dates) back to those
moments with a few bulk updates. Notifications of the past are marked read, except the
ones someone still has to act on. The audit trail keeps the real time: it records when
the demo was loaded.

Group visits dated before 1 January (the first months of a year, when six months reach
back into the last one) are recorded as their office's own visits: a group belongs to
one year. Unit and place names are real; enterprises, people and figures are
illustrative. No photos: the demo stores no binary images.
"""

import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Case, DateTimeField, Value, When
from django.test.utils import override_settings
from django.utils import timezone, translation

from zhuanban.core.models import Notification
from zhuanban.demo import org_data
from zhuanban.org import services as org
from zhuanban.org.models import OrgUnit
from zhuanban.rectification import services as rectification
from zhuanban.rectification.lifecycle import Action as ItemAction
from zhuanban.rectification.models import Rectification, RectificationEvent, RectificationResponse
from zhuanban.supervision import notice_services, services
from zhuanban.supervision.lifecycle import NoticeAction
from zhuanban.supervision.models import (
    FindingKind,
    InspectionGroup,
    IssuingAuthority,
    Notice,
    NoticeEvent,
    NoticeKind,
    ReasonKind,
    Visit,
    VisitKind,
    VisitStatus,
)
from zhuanban.tasks.lifecycle import Status as TaskStatus
from zhuanban.tasks.models import Task, TaskList

K = VisitKind

# --- issuing authorities -------------------------------------------------------------------

# (name, header (发文机关标志), number prefix (机关代字)). The first issues the notices.
RURAL_WORK_OFFICE = ("市委农牧办", "中共乌兰察布市委农村牧区工作办公室", "乌农牧督")
AUTHORITIES = [RURAL_WORK_OFFICE, ("乌兰察布市农牧局", "乌兰察布市农牧局", "乌农牧发")]

# --- the topics of the groups and visits ---------------------------------------------------

TOPICS = {
    "base": "国家重要农畜产品生产基地建设",
    "brand": "“原味乌兰察布”区域公用品牌推广使用",
    "invest": "农牧业招商引资",
    "potato": "马铃薯全产业链建设",
    "cattle": "肉牛扩群增量和规模养殖场建设",
    "dairy": "奶业生产经营形势",
    "veg": "设施农业和“菜篮子”工程建设",
    "cleanveg": "净菜进京供应基地建设",
    "spring": "春耕春播和农资保障",
}
GROUP_TOPICS = ("base", "brand", "invest")

# --- the six groups --------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    name: str
    office: str
    leader: str
    members: tuple[str, ...]
    counties: tuple[str, ...]
    focus: str  # a topic key, the group's emphasis besides the three key works


# Led by the bureau's leaders; the nine office members drawn (抽调专办9人) and the
# inspector. Every county is covered; 集宁区, the city's own district, by two groups.
GROUPS = [
    Group("第一督导检查组", "office-rural", "ldr-wu", ("rural-m1", "inspector"), ("150902", "150921"), "base"),
    Group("第二督导检查组", "office-base", "ldr-zhao", ("base-m1", "basket-m1"), ("150981", "150925"), "veg"),
    Group("第三督导检查组", "office-brand", "ldr-sun", ("brand-m1", "cleanveg-m1"), ("150924", "150926"), "brand"),
    Group("第四督导检查组", "office-cattle", "ldr-zhou", ("cattle-m1",), ("150927", "150928"), "cattle"),
    Group("第五督导检查组", "office-potato", "leader", ("office", "potato-m2"), ("150922", "150923"), "potato"),
    Group("第六督导检查组", "office-investment", "ldr-zheng", ("invest-m1",), ("150929", "150902"), "invest"),
]  # fmt: skip

# --- what the visits found -------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """A kind of problem: as found, what the office required, what the unit reported
    back, and (when a report was sent back) why."""

    text: str
    requirement: str
    response: str
    rework: str = "整改佐证材料不全,请补充整改前后对比照片和相关验收资料后重新报送。"


PROBLEMS = {
    "net": Issue(
        "{place}种薯繁育网棚建设进度滞后:网棚钢架已完工,覆膜和防虫网尚未安装,影响原种扩繁进度。",
        "倒排工期,加快网棚覆膜和防虫网安装,按期完成原种扩繁任务,报送完工照片和验收单。",
        "已组织施工队加班作业,网棚覆膜和防虫网全部安装完毕,原种已定植,完工照片和验收单已上传。",
        "验收单缺少监理单位签字,请补充后重新报送。",
    ),
    "ledger": Issue(
        "重点任务台账更新不及时,部分措施进展仍停留在上月,土地流转合同、施工合同等佐证材料不全。",
        "明确专人负责重点任务台账,每周更新一次进展,补齐缺失的佐证材料。",
        "已明确县农牧局项目股专人负责台账,建立周更新制度,土地流转合同、施工合同等佐证材料已补齐。",
        "台账仍有2项措施未更新本月进展,请全部更新后重新报送。",
    ),
    "logo": Issue(
        "{place}部分“原味乌兰察布”授权产品外包装未规范使用区域公用品牌标识,标识比例和颜色不符合使用规范。",
        "督促授权企业对照《“原味乌兰察布”区域公用品牌标识使用规范》整改包装,报送整改后的包装样张。",
        "已约谈相关企业,新版包装已按规范印制,旧包装已停止使用,整改前后包装样张已上传。",
    ),
    "brand-expired": Issue(
        "{place}个别授权企业授权期满未申请复审,仍在产品上使用区域公用品牌标识。",
        "责令企业暂停用标,限期提交复审申请;逾期不申请的,按品牌管理规则予以清退。",
        "企业已暂停用标并提交复审申请材料,已转市品牌办审核。",
    ),
    "invest-landing": Issue(
        "签约招商项目落地率偏低,今年签约的农牧业项目中尚有3个未开工,用地、环评等前期手续办理缓慢。",
        "逐项明确包联领导和开工时限,协调解决用地、环评等前期手续,按月报送项目进展。",
        "已对未开工项目逐一落实包联领导,2个项目取得用地手续并开工建设,1个项目环评已受理,进展按月报送。",
        "仍有1个项目未开工且没有明确的开工时间,请进一步落实后重新报送。",
    ),
    "invest-ledger": Issue(
        "招商引资项目台账与签约落地项目统计表数据不一致,部分项目到位资金未及时更新。",
        "逐项核对项目台账和统计表,统一口径,到位资金按月更新,报送核对后的台账。",
        "已逐项核对台账和统计表,修正了4个项目的到位资金数据,核对后的台账已上传。",
    ),
    "manure": Issue(
        "{place}部分规模养殖场粪污处理设施配套不到位,储粪场未做防渗防雨处理。",
        "限期完成储粪场防渗防雨改造,配齐粪污处理设施,报送改造前后对比照片。",
        "涉及的养殖场已完成储粪场防渗防雨改造,粪污处理设施全部配套,对比照片已上传。",
    ),
    "cattle-stock": Issue(
        "肉牛存栏增量进度滞后,完成年度目标任务不足序时进度,基础母牛扩群措施落实不到位。",
        "制定肉牛扩群增量专项方案,落实基础母牛扩群补贴,按月报送存栏变化情况。",
        "已制定肉牛扩群增量专项方案,兑现基础母牛扩群补贴,新增基础母牛1200头,存栏情况按月报送。",
        "专项方案未明确分月目标和责任乡镇,请完善后重新报送。",
    ),
    "dairy-price": Issue(
        "{place}生鲜乳收购价格持续下滑,部分养殖场出现亏损,存在压栏、淘汰母牛的现象。",
        "协调乳企与养殖场签订收购合同,建立收购价格协商机制,落实奶业纾困政策,每半月报送奶价和存栏情况。",
        "已协调乳企与12家养殖场签订年度收购合同,落实饲草料补贴和贷款贴息,奶价和存栏情况每半月报送。",
    ),
    "facility": Issue(
        "设施农业新建项目开工面积未达到序时进度,部分日光温室尚未完成招标。",
        "加快项目招标和开工建设,按周报送开工面积,确保完成年度设施农业建设任务。",
        "项目招标已全部完成,新开工日光温室86栋,开工面积已按周报送。",
        "报送的开工面积与实地核查不符,请核实后重新报送。",
    ),
    "stats-mismatch": Issue(
        "统计报表中规模养殖场存栏数据与实地核查不一致,存在数据偏高的情况。",
        "对规模养殖场存栏进行逐场核实,修正统计数据并书面说明原因。",
        "已对全部规模养殖场逐场核实存栏,修正了统计数据,书面说明已上传。",
    ),
    "farmland": Issue(
        "{place}高标准农田建设项目进度滞后,部分地块灌溉设施尚未安装到位。",
        "倒排工期,加快灌溉设施安装,按期完成项目建设并组织验收。",
        "灌溉设施已全部安装并试水运行,项目已申请县级初验。",
    ),
    "cold-storage": Issue(
        "{place}马铃薯贮藏窖建成后未及时组织验收,部分窖体通风设施运行不正常。",
        "组织项目验收,维修通风设施,验收合格后投入使用。",
        "已维修更换通风设施,项目已通过县级验收,验收报告已上传。",
    ),
    "seed-quality": Issue(
        "种薯质量检测覆盖面不足,部分种薯未经检测即调运销售。",
        "开展种薯质量专项检查,未经检测的种薯一律不得调运销售,报送检查情况。",
        "已开展种薯质量专项检查,抽检种薯批次全部合格,建立了种薯调运检测登记制度。",
    ),
    "clean-veg": Issue(
        "{place}净菜进京供应基地冷链预冷设施不足,蔬菜采后损耗率偏高。",
        "加快建设产地预冷库,完善冷链运输,报送预冷设施建设进展。",
        "新建产地预冷库2座已投入使用,与冷链物流企业签订了运输协议。",
    ),
    "forage": Issue(
        "{place}青贮饲料收储进度滞后,部分养殖场青贮窖容量不足。",
        "加快青贮收储进度,新建或扩建青贮窖,确保越冬饲草料储备充足。",
        "已完成青贮收储任务,新建青贮窖3座,越冬饲草料储备充足。",
    ),
    "subsidy": Issue(
        "马铃薯良种补贴资金拨付进度缓慢,部分补贴资金未按时兑付到户。",
        "限期完成补贴资金兑付,在村务公开栏公示兑付情况,报送兑付清单。",
        "补贴资金已全部兑付到户并在各村公示,兑付清单已上传。",
    ),
    "training": Issue(
        "基层农技人员技术培训覆盖面不足,新品种、新技术推广到户率不高。",
        "制定农技人员培训计划,开展田间课堂,提高新品种新技术推广到户率。",
        "已制定培训计划,开展田间课堂6期,培训农技人员和种植户320人次。",
    ),
}

PRACTICES = {
    "order": "推行“企业+合作社+农户”订单生产模式,订单覆盖种植面积的六成以上,带动农户稳定增收。",
    "weekly": "建立重点任务“周调度、月通报”机制,台账清晰、责任到人,经验值得推广。",
    "fund": "整合涉农资金集中投向种薯繁育基地,网棚、喷灌配套完善,标准化程度高。",
    "calf": "肉牛“见犊补母”政策落实到位,基础母牛存栏稳步增加。",
    "ecommerce": "授权企业统一使用“原味乌兰察布”标识并开设电商直播销售,品牌溢价明显。",
    "tmr": "奶牛养殖场推行TMR全混合日粮和性控冻精,单产水平提升明显。",
    "park": "设施农业园区实行“统一规划、统一建设、统一管理”,带动周边农户发展冷凉蔬菜。",
    "one-project": "招商项目实行“一个项目、一名领导、一个专班”包联服务,项目落地开工快。",
    "manure-reuse": "粪污资源化利用推行“种养结合”模式,就近消纳还田,运行良好。",
    "xinfadi": "净菜加工企业与北京新发地等市场签订长期供货协议,产销对接顺畅。",
    "standard": "马铃薯标准化种植推广水肥一体化和全程机械化,亩均增产一成以上。",
}

# --- the visits ----------------------------------------------------------------------------

# How a problem's rectification went (the finding's plan letter):
#   C closed: reported and verified; K closed after one report was sent back;
#   R reported, waiting for the office's verification; W sent back for rework, deadline
#   moved; O open within its deadline; Y open, due in 3 days (yellow); L open past its
#   deadline, urged by the office (red); N noted only (put right on the spot).
RECTIFIED = "CKRWOYL"


@dataclass(frozen=True)
class V:
    ago: int  # days before today
    kind: str
    county: str | None  # division code
    place: str
    by: int | str  # group number (1..6) or office code
    topics: tuple[str, ...]
    findings: tuple[str, ...] = ()  # "C:net" (plan:problem) or "+order" (good practice)
    title: str = ""  # meetings: their name
    report: str = ""  # key of REPORTS


VISITS = [
    V(178, K.SITE_MEETING, "150926", "察右前旗玫瑰营镇马铃薯标准化种植基地", "office-rural", ("spring", "potato"), ("+standard",), "全市春耕春播现场观摩会"),
    V(174, K.INSPECTION, "150902", "集宁区白海子镇现代农业产业园", 1, ("base", "brand", "invest"), ("C:ledger", "+weekly")),
    V(171, K.RESEARCH, "150928", "察右后旗白音察干镇脱毒种薯繁育基地", "office-potato", ("potato",), ("+fund",), report="seed"),
    V(168, K.INSPECTION, "150981", "丰镇市隆盛庄镇设施农业园区", 2, ("base", "veg"), ("C:facility",)),
    V(165, K.INSPECTION, "150924", "兴和县城关镇“原味乌兰察布”授权企业", 3, ("brand",), ("C:logo", "+ecommerce")),
    V(162, K.INSPECTION, "150927", "察右中旗科布尔镇肉牛规模养殖场", 4, ("cattle", "base"), ("N:manure", "+calf")),
    V(159, K.INSPECTION, "150922", "化德县长顺镇马铃薯标准化种植基地", 5, ("potato", "base"), ("C:net", "+order")),
    V(156, K.INSPECTION, "150929", "四子王旗乌兰花镇农牧业招商引资项目现场", 6, ("invest",), ("K:invest-landing",)),
    V(153, K.RESEARCH, "150925", "凉城县岱海镇肉牛育肥基地", "office-cattle", ("cattle",), ("+calf",), report="beef"),
    V(150, K.OPEN, "150921", "卓资县十八台镇马铃薯种薯基地", 1, ("potato", "base"), ("C:seed-quality",)),
    V(147, K.INSPECTION, "150923", "商都县七台镇设施农业项目", 5, ("veg", "base"), ("C:facility", "N:training")),
    V(144, K.FORUM, None, "乌兰察布市农牧局会议室", "office-cattle", ("dairy",), (), "全市奶企和奶牛养殖场负责人座谈会"),
    V(141, K.INSPECTION, "150926", "察右前旗土贵乌拉镇“原味乌兰察布”授权企业", 3, ("brand",), ("C:brand-expired",)),
    V(138, K.INSPECTION, "150928", "察右后旗土牧尔台镇肉牛养殖合作社", 4, ("cattle",), ("C:cattle-stock", "+manure-reuse")),
    V(135, K.SITE_MEETING, "150925", "凉城县现代农业示范园区", "office-rural", ("base", "veg"), ("+park",), "全市现代农业现场观摩会"),
    V(132, K.INSPECTION, "150981", "丰镇市黑土台镇高标准农田建设项目区", 2, ("base",), ("N:farmland",)),
    V(129, K.RESEARCH, "150927", "察右中旗铁沙盖镇奶牛养殖场", "office-cattle", ("dairy",), ("C:dairy-price",), report="dairy"),
    V(126, K.UNANNOUNCED, "150923", "商都县十八顷镇马铃薯贮藏窖", 5, ("potato",), ("C:cold-storage",)),
    V(123, K.INSPECTION, "150902", "集宁区马莲渠乡招商引资签约项目", 6, ("invest",), ("N:invest-ledger", "+one-project")),
    V(120, K.INSPECTION, "150924", "兴和县张皋镇冷凉蔬菜基地", 3, ("veg", "cleanveg"), ("C:clean-veg",)),
    V(117, K.RESEARCH, "150926", "察右前旗黄旗海镇净菜加工企业", "office-clean-veg", ("cleanveg",), ("+xinfadi",)),
    V(114, K.INSPECTION, "150921", "卓资县旗下营镇农牧业招商引资项目", 1, ("invest", "base"), ("K:invest-landing",)),
    V(111, K.INSPECTION, "150925", "凉城县鸿茅镇肉牛规模养殖场", 2, ("cattle", "base"), ("C:manure",)),
    V(108, K.OPEN, "150922", "化德县七号镇规模养殖场", 5, ("cattle",), ("N:stats-mismatch",)),
    V(105, K.INSPECTION, "150929", "四子王旗吉生太镇马铃薯原种扩繁基地", 6, ("potato", "base"), ("C:net", "+order")),
    V(102, K.RESEARCH, "150924", "兴和县店子镇马铃薯加工企业", "office-alliance", ("potato",), ("+standard",)),
    V(99, K.INSPECTION, "150927", "察右中旗广益隆镇青贮收储现场", 4, ("cattle",), ("C:forage",)),
    V(96, K.INSPECTION, "150981", "丰镇市三义泉镇“原味乌兰察布”授权企业", 2, ("brand",), ("N:logo", "+ecommerce")),
    V(93, K.FORUM, "150921", "卓资县人民政府会议室", "office-potato", ("potato",), ("+order",), "卓资县马铃薯产业发展座谈会"),
    V(90, K.INSPECTION, "150923", "商都县大拉子乡高标准农田项目区", 5, ("base",), ("C:farmland",)),
    V(87, K.UNANNOUNCED, "150928", "察右后旗红格尔图镇种薯调运现场", 4, ("potato",), ("C:seed-quality",)),
    V(84, K.INSPECTION, "150902", "集宁区白海子镇肉牛育肥场", 1, ("cattle", "base"), ("N:stats-mismatch", "+calf")),
    V(81, K.RESEARCH, "150925", "凉城县六苏木镇奶牛养殖场", "office-cattle", ("dairy",), ("+tmr",)),
    V(78, K.INSPECTION, "150926", "察右前旗平地泉镇设施农业园区", 3, ("veg",), ("N:facility", "+park")),
    V(75, K.INSPECTION, "150929", "四子王旗供济堂镇农牧业招商引资项目", 6, ("invest", "cattle"), ("L:invest-landing",)),
    V(72, K.OPEN, "150981", "丰镇市红砂坝镇马铃薯种植基地", 2, ("potato",), ("L:subsidy",)),
    V(69, K.INSPECTION, "150922", "化德县朝阳镇“原味乌兰察布”授权企业", 5, ("brand",), ("C:logo", "+ecommerce")),
    V(66, K.RESEARCH, "150927", "察右中旗科布尔镇设施农业基地", "office-basket", ("veg",), ("L:facility",)),
    V(63, K.INSPECTION, "150924", "兴和县赛乌素镇肉牛养殖场", 3, ("cattle", "base"), ("N:manure", "+manure-reuse")),
    V(60, K.INSPECTION, "150902", "集宁区农牧业招商引资项目集中签约区", 6, ("invest",), ("C:invest-ledger",)),
    V(57, K.FORUM, "150925", "凉城县农牧局会议室", "office-clean-veg", ("cleanveg",), ("+xinfadi",), "净菜进京产销对接座谈会"),
    V(54, K.INSPECTION, "150921", "卓资县梨花镇高标准农田项目区", 1, ("base",), ("L:farmland",)),
    V(51, K.INSPECTION, "150928", "察右后旗贲红镇马铃薯贮藏窖", 4, ("potato",), ("N:cold-storage", "+fund")),
    V(48, K.RESEARCH, "150923", "商都县西井子镇冷凉蔬菜基地", "office-basket", ("veg", "cleanveg"), ("C:clean-veg",), report="veg"),
    V(45, K.UNANNOUNCED, "150926", "察右前旗巴音塔拉镇规模养殖场", 3, ("cattle",), ("C:stats-mismatch",)),
    V(42, K.INSPECTION, "150929", "四子王旗东八号乡高标准农田项目区", 6, ("base",), ("C:farmland", "+weekly")),
    V(39, K.INSPECTION, "150925", "凉城县永兴镇马铃薯标准化种植基地", 2, ("potato", "base"), ("W:ledger", "+standard")),
    V(36, K.OPEN, "150922", "化德县德包图乡设施农业项目", 5, ("veg",), ("W:facility",)),
    V(33, K.RESEARCH, "150981", "丰镇市巨宝庄镇奶牛养殖场", "office-cattle", ("dairy",), ("R:dairy-price", "+tmr")),
    V(30, K.INSPECTION, "150927", "察右中旗乌素图镇肉牛扩群项目", 4, ("cattle",), ("W:cattle-stock",)),
    V(28, K.INSPECTION, "150924", "兴和县鄂尔栋镇农牧业招商引资项目", 3, ("invest",), ("W:invest-landing",)),
    V(26, K.INSPECTION, "150902", "集宁区白海子镇马铃薯仓储物流项目", 1, ("potato", "invest"), ("R:cold-storage",)),
    V(24, K.UNANNOUNCED, "150923", "商都县卯都乡“原味乌兰察布”授权企业", 5, ("brand",), ("R:brand-expired",)),
    V(22, K.FORUM, "150929", "四子王旗农牧局会议室", "office-cattle", ("cattle",), ("+calf",), "肉羊肉牛产业发展座谈会"),
    V(20, K.INSPECTION, "150928", "察右后旗乌兰哈达苏木种薯繁育基地", 4, ("potato", "base"), ("R:net", "+fund")),
    V(18, K.RESEARCH, "150921", "卓资县复兴乡马铃薯绿色高质高效示范区", "office-potato", ("potato",), ("Y:net", "+standard")),
    V(16, K.INSPECTION, "150981", "丰镇市官屯堡乡肉牛养殖场", 2, ("cattle",), ("R:manure",)),
    V(14, K.INSPECTION, "150926", "察右前旗乌拉哈乡“原味乌兰察布”授权企业", 3, ("brand",), ("R:logo",)),
    V(12, K.INSPECTION, "150922", "化德县公腊胡洞乡马铃薯原种网棚", 5, ("potato", "base"), ("O:net", "+order")),
    V(10, K.OPEN, "150925", "凉城县麦胡图镇青贮收储现场", 2, ("cattle",), ("O:forage",)),
    V(8, K.INSPECTION, "150929", "四子王旗库伦图镇种薯繁育基地", 6, ("potato",), ("O:seed-quality",)),
    V(6, K.RESEARCH, "150924", "兴和县五股泉乡冷凉蔬菜基地", "office-basket", ("veg", "cleanveg"), ("O:clean-veg", "+park")),
    V(4, K.INSPECTION, "150921", "卓资县卓资山镇重点任务现场", 1, ("base",), ("O:ledger",)),
    V(2, K.INSPECTION, "150927", "察右中旗大滩乡规模养殖场", 4, ("cattle",), ("+calf",)),
]  # fmt: skip

# Visits planned in the coming weeks (days from today).
PLANNED = [
    V(-5, K.INSPECTION, "150921", "卓资县巴音锡勒镇肉牛养殖场", 1, ("cattle", "base")),
    V(-9, K.UNANNOUNCED, "150922", "化德县白音特拉乡授权企业", 5, ("brand",)),
    V(-12, K.INSPECTION, "150924", "兴和县大同夭乡招商引资项目", 3, ("invest",)),
    V(-16, K.INSPECTION, "150925", "凉城县天成乡马铃薯贮藏窖", 2, ("potato",)),
]  # fmt: skip

REPORTS = {
    "seed": (
        "关于察右后旗脱毒种薯繁育基地建设情况的调研报告\n\n"
        "一、基本情况。察右后旗今年新建脱毒种薯繁育基地2万亩,配套智能化网棚500亩,整合涉农资金集中投向"
        "网棚和喷灌设施,基地实行“企业+合作社+农户”订单生产,订单价格高于市场价一成左右。\n\n"
        "二、存在的问题。一是原原种生产能力不足,仍需从区外调入;二是种薯质量检测力量薄弱,检测设备不全;"
        "三是贮藏窖容量不足,部分种薯露天存放。\n\n"
        "三、建议。一是支持建设原原种扩繁中心,提高自给率;二是在旗级建立种薯质量检测站,实行调运检测"
        "登记制度;三是把种薯贮藏窖建设纳入明年基地建设项目,优先安排资金。"
    ),
    "beef": (
        "关于凉城县肉牛育肥基地建设和扩群增量情况的调研报告\n\n"
        "一、基本情况。凉城县承担全市肉牛育肥基地建设任务,今年肉牛存栏增量目标2万头,截至调研时已完成"
        "序时进度,“见犊补母”政策兑现及时,基础母牛存栏稳步增加。\n\n"
        "二、存在的问题。一是架子牛主要从区外购进,运输和防疫成本高;二是部分养殖场粪污处理设施配套"
        "不到位;三是育肥牛出栏价格下行,养殖户补栏意愿减弱。\n\n"
        "三、建议。一是扩大基础母牛扩群补贴范围,提高自繁自育比例;二是将粪污处理设施配套纳入规模养殖场"
        "验收条件;三是引导屠宰加工企业与养殖场签订保底收购协议,稳定养殖预期。"
    ),
    "dairy": (
        "关于当前奶业生产经营形势的调研报告\n\n"
        "针对近几个月国内奶业市场低迷的情况,市农牧局肉(奶)牛办深入察右中旗、凉城县、丰镇市的奶牛养殖场"
        "调研,并组织奶企和奶牛养殖场负责人召开座谈会,研讨解决办法。\n\n"
        "一、基本情况。全市生鲜乳收购价格较年初下降约一成,中小规模养殖场普遍处于盈亏平衡线附近,个别"
        "养殖场出现压栏和淘汰低产母牛的现象。\n\n"
        "二、主要原因。一是乳制品消费需求增长放缓,乳企库存偏高;二是饲草料价格处于高位,养殖成本上升;"
        "三是部分养殖场与乳企没有签订长期收购合同,议价能力弱。\n\n"
        "三、对策建议。一是协调乳企与养殖场签订年度收购合同,建立价格协商机制;二是落实饲草料补贴和"
        "贷款贴息,缓解养殖场资金压力;三是支持有条件的养殖场发展乳制品就地加工。本报告已上报自治区农牧厅。"
    ),
    "veg": (
        "关于商都县冷凉蔬菜和净菜进京供应基地建设情况的调研报告\n\n"
        "一、基本情况。商都县冷凉蔬菜种植面积稳定,西井子镇基地与北京新发地市场建立了供货关系,"
        "净菜加工企业实现了产地分拣、包装和直供。\n\n"
        "二、存在的问题。产地预冷设施不足,采后损耗率偏高;冷链运输依赖外地企业,成本较高。\n\n"
        "三、建议。加快建设产地预冷库,培育本地冷链物流企业,把净菜进京供应基地建设与设施农业项目统筹"
        "推进。"
    ),
}

# --- the notices -------------------------------------------------------------------------


@dataclass(frozen=True)
class N:
    ago: int  # days before today it was issued (or, unissued, drafted)
    title: str
    units: tuple[str, ...]  # division codes
    opening: str
    reasons: dict[str, str]  # hand-written reasons by unit
    requirements: tuple[str, ...] = ()
    fill: bool = True  # fill the reasons from the data too
    kind: str = NoticeKind.SUPERVISION
    # Replies: unit -> days after issue it replied (units missing here did not).
    replies: dict[str, int] = field(default_factory=dict)
    # The rectification items of these units were verified and closed (the others wait).
    accepted: tuple[str, ...] = ()
    closed: bool = True  # the notice was closed once the replies were in
    state: str = "issued"  # or "draft", "in_review"
    issuer: str = "rural-dir"
    drafter: str = "rural-m1"


REPLY_DAYS = 15  # the reply deadline, days after issue
ADDRESSEES = "各有关旗县市区党委农村牧区工作领导小组办公室、农牧局"
COPIED_TO = "市委办公室，市政府办公室，自治区党委农村牧区工作办公室"
CLOSING = "各地要以此为戒,举一反三,切实压实工作责任,确保各项重点工作按期保质完成。"
REQUIREMENTS = {
    "plan": "对照通报问题逐项制定整改方案,明确整改责任人、整改措施和完成时限。",
    "reply": "整改情况以书面形式报送市委农牧办,并附相关佐证材料。",
}

NOTICES = [
    N(
        170,
        "关于国家重要农畜产品生产基地建设重点任务进展滞后的督办通报",
        ("150981", "150923", "150924", "150926"),
        "根据重点任务调度和督导检查情况,部分旗县市区国家重要农畜产品生产基地建设重点任务进展滞后,现予以通报。",
        {
            "150981": "丰镇市设施农业园区新建日光温室开工率不足四成,落后于基地建设计划。",
            "150923": "商都县马铃薯全程机械化示范基地建设未按计划启动,农机具调配和订单农户落实滞后。",
            "150924": "兴和县肉牛规模养殖场新建项目前期手续办理缓慢,尚未开工建设。",
            "150926": "察右前旗奶牛养殖场改扩建项目资金到位不足,工程进度滞后。",
        },
        (REQUIREMENTS["plan"], REQUIREMENTS["reply"]),
        replies={"150981": 6, "150923": 12, "150924": 9, "150926": 8},
        accepted=("150981", "150923", "150924", "150926"),
    ),
    N(
        152,
        "关于肉牛扩群增量进度滞后的督办通报",
        ("150923", "150927"),
        "从月调度情况看,部分旗县肉牛存栏增量完成情况明显落后于时间进度,现予以通报。",
        {
            "150923": "商都县肉牛存栏增量仅完成年度目标的二成左右,落后时间进度20个百分点以上。",
            "150927": "察右中旗肉牛存栏增量仅完成年度目标的二成左右,基础母牛扩群补贴兑现迟缓。",
        },
        ("制定肉牛扩群增量专项方案,明确分月目标和责任乡镇。", REQUIREMENTS["reply"]),
        fill=False,
        replies={"150923": 10, "150927": 13},
        accepted=("150923", "150927"),
    ),
    N(
        138,
        "关于统计报表报送不及时的督办通报",
        ("150929", "150924"),
        "按照月调度制度,各旗县市区应于每月规定时间前报送统计报表。近期部分旗县报表报送不及时,现予以通报。",
        {
            "150929": "四子王旗规模养殖场建设情况统计表未按时报送,经催报后仍未报送。",
            "150924": "兴和县规模养殖场建设情况统计表报送的存栏数据口径错误,被退回修改后才重新报送。",
        },
        ("指定专人负责统计报表报送,严格按调度时限报送,确保数据真实准确。", REQUIREMENTS["reply"]),
        fill=False,
        replies={"150929": 7, "150924": 5},
        accepted=("150929", "150924"),
        issuer="leader",
    ),
    N(
        124,
        "关于被自治区点名通报的高标准农田建设问题整改的督办通报",
        ("150927", "150929"),
        "自治区农牧厅近期通报了全区高标准农田建设项目推进情况,我市察右中旗、四子王旗被点名通报。"
        "现就有关问题整改督办如下。",
        {
            "150927": "察右中旗高标准农田建设项目开工率低于全区平均水平,被自治区农牧厅点名通报。",
            "150929": "四子王旗高标准农田建设项目资金支出进度滞后,被自治区农牧厅点名通报。",
        },
        ("对照自治区通报问题逐项整改,按期完成项目建设和资金支出任务。", REQUIREMENTS["reply"]),
        fill=False,
        replies={"150927": 11, "150929": 9},
        accepted=("150927", "150929"),
        issuer="leader",
    ),
    N(
        110,
        "关于“原味乌兰察布”区域公用品牌授权企业用标不规范问题的督办通报",
        ("150924", "150981", "150922"),
        "市品牌办在授权企业复审和督导检查中发现,部分授权企业存在用标不规范等问题,现予以通报。",
        {
            "150924": "兴和县2家授权企业产品包装标识比例和颜色不符合使用规范。",
            "150981": "丰镇市1家授权企业在未授权产品上使用区域公用品牌标识。",
            "150922": "化德县1家授权企业授权期满未申请复审,仍在使用品牌标识。",
        },
        (
            "督促授权企业对照标识使用规范逐项整改,对拒不整改的按管理规则清退。",
            REQUIREMENTS["reply"],
        ),
        fill=False,
        replies={"150924": 8, "150981": 6, "150922": 12},
        accepted=("150924", "150981", "150922"),
    ),
    N(
        96,
        "关于农牧业招商引资签约项目落地缓慢的督办通报",
        ("150929", "150921", "150924"),
        "从招商引资项目调度情况看,部分旗县签约项目落地开工缓慢,现予以通报。",
        {
            "150929": "四子王旗今年签约的农牧业项目中有3个未开工,前期手续办理缓慢。",
            "150921": "卓资县2个签约项目因用地手续未落实迟迟未开工。",
            "150924": "兴和县签约项目到位资金不足计划投资的三成。",
        },
        ("逐项明确包联领导和开工时限,协调解决项目落地中的困难和问题。", REQUIREMENTS["reply"]),
        fill=False,
        replies={"150929": 12, "150921": 10, "150924": 13},
        accepted=("150929", "150921", "150924"),
    ),
    N(
        82,
        "关于表扬全市现代农业现场观摩会承办单位的通报",
        ("150926", "150925"),
        "全市春耕春播现场观摩会和现代农业现场观摩会分别在察右前旗、凉城县召开。两地精心组织、周密安排,"
        "观摩点特色鲜明、示范带动作用明显,为全市提供了可复制、可推广的经验,现予以通报表扬。",
        {
            "150926": "察右前旗马铃薯标准化种植基地推广水肥一体化和全程机械化,亩均增产一成以上。",
            "150925": "凉城县现代农业示范园区实行“统一规划、统一建设、统一管理”,带动周边农户发展冷凉蔬菜。",
        },
        fill=False,
        kind=NoticeKind.COMMENDATION,
    ),
    N(
        68,
        "关于规模养殖场粪污资源化利用问题整改的督办通报",
        ("150927", "150925"),
        "督导检查发现,部分旗县规模养殖场粪污处理设施配套不到位,现予以通报。",
        {
            "150927": "察右中旗部分规模养殖场储粪场未做防渗防雨处理。",
            "150925": "凉城县个别规模养殖场粪污处理设施未与主体工程同步建设。",
        },
        ("限期完成粪污处理设施配套改造,报送改造前后对比照片。", REQUIREMENTS["reply"]),
        fill=False,
        replies={"150927": 12, "150925": 8},
        accepted=("150927", "150925"),
        drafter="rural-m2",
    ),
    N(
        40,
        "关于设施农业建设进度滞后的督办通报",
        ("150923", "150927"),
        "从“菜篮子”市长负责制考核指标调度情况看,部分旗县设施农业新建项目开工面积未达到序时进度,现予以通报。",
        {
            "150923": "商都县设施农业新建项目开工面积仅完成年度任务的五成。",
            "150927": "察右中旗设施农业新建项目开工面积不足年度任务的四成,部分温室尚未完成招标。",
        },
        ("加快项目招标和开工建设,按周报送开工面积。", REQUIREMENTS["reply"]),
        fill=False,
        replies={"150923": 9, "150927": 14},
        accepted=("150923",),
        closed=False,
    ),
    N(
        25,
        "关于督导检查发现问题整改不到位的督办通报",
        ("150981", "150927", "150929"),
        "督导检查组反馈的问题中,部分旗县的整改事项已超过整改时限仍未完成整改,现予以通报。",
        {"150927": "察右中旗对督导检查组反馈问题的整改情况未按时报送。"},
        ("对逾期未完成的整改事项逐项说明原因,明确整改措施和完成时限。", REQUIREMENTS["reply"]),
        replies={"150981": 6, "150929": 9},
        accepted=("150981",),
        closed=False,
        issuer="leader",
    ),
    N(
        12,
        "关于重点工作推进缓慢的督办通报",
        ("150921", "150922", "150923"),
        "根据重点任务调度和督导检查情况,部分旗县马铃薯产业重点工作推进缓慢,现予以通报。",
        {
            "150921": "卓资县马铃薯脱毒种薯扩繁基地建设进度落后于计划,绿色高质高效示范区尚未启动。",
            "150922": "化德县马铃薯原种繁育网棚建设未按要求承办,标准化种植基地建设进度滞后。",
        },
        ("对照通报问题制定整改方案,明确完成时限。", REQUIREMENTS["reply"]),
        replies={"150923": 5},
        closed=False,
    ),
    N(
        5,
        "关于奶业纾困政策落实情况的督办通报",
        ("150927", "150981"),
        "近期国内奶业市场低迷,部分旗县奶业纾困政策落实不到位,现予以通报。",
        {
            "150927": "察右中旗饲草料补贴资金尚未兑付到养殖场。",
            "150981": "丰镇市乳企与养殖场收购合同签订率不足五成。",
        },
        ("落实奶业纾困政策,协调乳企与养殖场签订年度收购合同。", REQUIREMENTS["reply"]),
        fill=False,
        state="in_review",
    ),
    N(
        3,
        "关于马铃薯贮藏窖建设项目验收滞后的督办通报",
        ("150923", "150928"),
        "督导检查发现,部分旗县马铃薯贮藏窖建设项目建成后未及时组织验收,现予以通报。",
        {
            "150923": "商都县十八顷镇马铃薯贮藏窖建成后未组织验收。",
            "150928": "察右后旗贲红镇马铃薯贮藏窖通风设施运行不正常。",
        },
        ("组织项目验收,验收合格后及时投入使用。", REQUIREMENTS["reply"]),
        fill=False,
        state="draft",
        drafter="rural-m2",
    ),
]

REPLY_TEXT = (
    "收到通报后,我{unit}高度重视,召开专题会议研究部署,对照通报问题逐项制定了整改方案,明确了整改"
    "责任人和完成时限。目前已整改完成的事项佐证材料已上报,其余事项正在按计划推进。"
)
CLOSE_COMMENT = "各单位已按要求报送整改情况,经核查,整改到位,予以办结。"

# --- dates -------------------------------------------------------------------------------


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone()
    )


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def write_stamps(stamps: dict) -> None:
    """Write the story's dates gathered by `stamp()`: {model: {pk: {field: value}}}, one
    bulk update per model and set of fields."""
    for model, rows in stamps.items():
        by_fields = defaultdict(list)
        for pk, values in rows.items():
            instance = model(pk=pk)
            for name, value in values.items():
                setattr(instance, name, value)
            by_fields[tuple(sorted(values))].append(instance)
        for fields, instances in by_fields.items():
            model.objects.bulk_update(instances, fields, batch_size=200)


class _Clock:
    """Demo only: the services stamp what they create with the time they run. After each
    step the loader tells the clock the story's moment of that step; `apply()` then moves
    what the step created (timelines, notifications) to that moment, one UPDATE per
    model. Notifications are marked read at that moment unless someone still has to act
    on them."""

    FIELDS = {
        Notification: "created_at",
        RectificationEvent: "at",
        RectificationResponse: "at",
        NoticeEvent: "at",
    }

    def __init__(self):
        self.models = list(self.FIELDS)
        self.start = self._marks()
        self.now = timezone.now()
        # (the last pk of each model after the step, moment, unread: user ids or True)
        self.ticks: list[tuple[tuple[int, ...], datetime.datetime, object]] = []

    def _marks(self) -> tuple[int, ...]:
        quote = connection.ops.quote_name
        parts = [
            f"(SELECT MAX({quote(m._meta.pk.column)}) FROM {quote(m._meta.db_table)})"  # noqa: S608
            for m in self.models
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(parts)}")
            return tuple(value or 0 for value in cursor.fetchone())

    def past(self, moment: datetime.datetime) -> datetime.datetime:
        """A story moment, never after the real now (the story is squeezed into the first
        days of a year)."""
        return min(moment, self.now - datetime.timedelta(minutes=1))

    def at(self, moment: datetime.datetime, *, unread=()) -> None:
        """What the services created since the last step happened at `moment`;
        `unread`: the recipients (ids, or True for all) who have not read its notices."""
        self.ticks.append((self._marks(), self.past(moment), unread))

    def apply(self) -> None:
        for index, model in enumerate(self.models):
            ranges = []
            low = self.start[index]
            for marks, moment, unread in self.ticks:
                if marks[index] > low:
                    ranges.append((low, marks[index], moment, unread))
                    low = marks[index]
            for chunk in range(0, len(ranges), 200):  # bounded statement size
                self._update(model, ranges[chunk : chunk + 200])

    def _update(self, model, ranges) -> None:
        if not ranges:
            return
        output = DateTimeField()
        stamped = Case(
            *[When(pk__gt=lo, pk__lte=hi, then=Value(m)) for lo, hi, m, _u in ranges],
            output_field=output,
        )
        updates = {self.FIELDS[model]: stamped}
        if model is Notification:
            read = []
            for lo, hi, moment, unread in ranges:
                if unread is True:
                    read.append(When(pk__gt=lo, pk__lte=hi, then=Value(None)))
                    continue
                if unread:
                    read.append(
                        When(pk__gt=lo, pk__lte=hi, recipient_id__in=unread, then=Value(None))
                    )
                read.append(When(pk__gt=lo, pk__lte=hi, then=Value(moment)))
            updates["read_at"] = Case(*read, output_field=output)
        model.objects.filter(pk__gt=ranges[0][0], pk__lte=ranges[-1][1]).update(**updates)


# --- loading -------------------------------------------------------------------------------


def _county_title(name: str) -> str:
    """The head of a county-level unit: 县长, 旗长, 市长, 区长."""
    return f"{name[-1]}长"


class _Loader:
    def __init__(self, today: datetime.date):
        self.today = today
        self.units = OrgUnit.objects.in_bulk(field_name="code")
        self.users = get_user_model().objects.in_bulk(field_name="username")
        self.liaisons = {code: self.users[name] for name, _n, code in org_data.COUNTY_LIAISONS}
        self.groups: dict[int, InspectionGroup] = {}
        self.clock = _Clock()
        # What the loader moves back afterwards: pk -> {field: value}.
        self.stamps: dict[type, dict[int, dict]] = defaultdict(dict)
        # Rectification item pk -> [(action, moment)], in the order the services acted.
        self.item_steps: dict[int, list[tuple[str, datetime.datetime]]] = {}
        self.task_lists = list(TaskList.objects.filter(year=today.year))
        self.tasks_by_county = self._tasks_by_county()
        self.item_index = 0

    def _tasks_by_county(self) -> dict[int, list[Task]]:
        tasks = defaultdict(list)
        for task in (
            Task.objects.filter(task_list__in=self.task_lists, lead_unit__kind="county")
            .exclude(status=TaskStatus.DRAFT)
            .filter(is_heading=False)
            .order_by("pk")
        ):
            tasks[task.lead_unit_id].append(task)
        return tasks

    def staff(self, office_code: str, position: int = 0):
        """An office's director (0), executive deputy (1) or first member (2)."""
        director, deputy, members = org_data.OFFICE_STAFF[office_code]
        return self.users[(director, deputy, *members)[position][0]]

    def stamp(self, instance, **values) -> None:
        self.stamps[type(instance)].setdefault(instance.pk, {}).update(values)

    # --- groups

    def load_groups(self) -> None:
        year = self.today.year
        starts_on = max(datetime.date(year, 1, 1), self.today - _days(185))
        ends_on = max(datetime.date(year, 12, 31), self.today + _days(30))
        for number, spec in enumerate(GROUPS, start=1):
            topics = [TOPICS[key] for key in GROUP_TOPICS]
            if spec.focus not in GROUP_TOPICS:
                topics.append(TOPICS[spec.focus])
            group = services.group_create(
                actor=self.users["leader"],
                office=self.units[spec.office],
                name=spec.name,
                year=year,
                leader=self.users[spec.leader],
                starts_on=starts_on,
                ends_on=ends_on,
                counties=[self.units[code] for code in spec.counties],
                members=[self.users[name] for name in spec.members],
                task_lists=self.task_lists,
                topics="、".join(topics),
            )
            set_up = _at(starts_on - _days(5), 9, 30)
            self.clock.at(set_up)
            self.stamp(group, created_at=self.clock.past(set_up))
            self.groups[number] = group

    # --- visits

    def load_visits(self) -> None:
        for index, spec in enumerate(VISITS):
            self.visit(index, spec, VisitStatus.DONE)
        for index, spec in enumerate(PLANNED, start=len(VISITS)):
            self.visit(index, spec, VisitStatus.PLANNED)

    def visit(self, index: int, spec: V, status: str) -> Visit:
        day = self.today - _days(spec.ago)
        county = self.units[spec.county] if spec.county else None
        group = self.groups.get(spec.by) if isinstance(spec.by, int) else None
        if group is not None and not group.starts_on <= day <= group.ends_on:
            group = None  # see the module docstring
        office_code = GROUPS[spec.by - 1].office if isinstance(spec.by, int) else spec.by
        office = self.units[office_code]
        if group is not None:
            # The loader's own user objects: each caches its scope (one query per user).
            spec_group = GROUPS[spec.by - 1]
            members = [self.users[name] for name in spec_group.members]
            recorder = members[0]
            participants = [self.users[spec_group.leader], *members]
        else:
            recorder = self.staff(office_code, 1)
            participants = [self.staff(office_code, 0), recorder]
        if spec.kind == K.SITE_MEETING:
            participants += [self.users[username] for username, _n, _t in org_data.LEADERS]
        if spec.kind == K.FORUM and "dairy" in spec.topics:
            participants.append(self.users["ldr-zheng"])
        participants = list({p.pk: p for p in participants}.values())
        visit = services.visit_create(
            actor=recorder,
            kind=spec.kind,
            date=day,
            place=spec.place,
            office=office,
            group=group,
            county=county,
            status=status,
            participants=participants,
            other_participants=self.others(spec, county),
            tasks=self.tasks_checked(index, spec, county),
            topics="、".join(TOPICS[key] for key in spec.topics),
            summary=self.summary(spec, group, office, county) if status == VisitStatus.DONE else "",
            today=self.today,
        )
        # Recorded on the morning of the visit (a planned one a week ago), findings written
        # on site during the day, the research report a few days later.
        if status == VisitStatus.DONE:
            created, updated = _at(day, 9, 30), _at(day, 18, 30)
        else:
            created = updated = _at(self.today - _days(7), 9)
        if spec.report:
            visit = services.visit_report(actor=recorder, visit=visit, text=REPORTS[spec.report])
            updated = _at(day + _days(3), 17)
        self.stamp(visit, created_at=self.clock.past(created), updated_at=self.clock.past(updated))
        for position, finding in enumerate(spec.findings):
            moment = _at(day, 10, 15) + datetime.timedelta(minutes=50 * position)
            self.finding(visit, recorder, county, finding, moment)
        return visit

    def others(self, spec: V, county: OrgUnit | None) -> str:
        if spec.kind == K.SITE_MEETING:
            return "各旗县市区分管负责同志、农牧局局长,市直有关部门负责同志"
        if spec.kind == K.FORUM and "dairy" in spec.topics:
            return "伊利、蒙牛等乳企和12家奶牛养殖场负责人"
        if spec.kind == K.FORUM:
            return "企业、合作社和种养大户代表"
        if county is None or spec.kind == K.UNANNOUNCED:
            return ""
        return (
            f"{county.name}人民政府分管副{_county_title(county.name)}、{county.name}农牧局负责同志"
        )

    def tasks_checked(self, index: int, spec: V, county: OrgUnit | None) -> list[Task]:
        if county is None or not {"base", "potato"} & set(spec.topics):
            return []
        tasks = self.tasks_by_county.get(county.pk, [])
        if len(tasks) <= 2:
            return tasks
        start = index % len(tasks)
        return [tasks[start], tasks[(start + 1) % len(tasks)]]

    def summary(self, spec: V, group, office, county) -> str:
        who = group.name if group is not None else f"市农牧局{office.name}"
        topics = "、".join(TOPICS[key] for key in spec.topics)
        where = spec.place
        if spec.kind in (K.SITE_MEETING, K.FORUM):
            text = (
                f"在{where}召开{spec.title},听取了各地和参会企业关于{topics}的情况介绍,"
                "交流了经验做法,研究了下一步工作。"
            )
        elif spec.kind == K.RESEARCH:
            text = (
                f"{who}赴{where}开展调研,与企业、合作社和农户座谈,了解{topics}推进中的困难和诉求。"
            )
        elif spec.kind == K.UNANNOUNCED:
            text = f"{who}不打招呼、直奔现场,对{where}开展暗访,重点查看{topics}落实情况。"
        elif spec.kind == K.OPEN:
            text = f"{who}对{where}开展明察,听取了{county.name}关于{topics}的汇报并实地查看。"
        else:
            text = (
                f"{who}赴{where}开展督导检查,听取了{county.name}关于{topics}工作情况的汇报,"
                "实地查看了项目现场,查阅了重点任务台账和佐证材料。"
            )
        problems = sum(not f.startswith("+") for f in spec.findings)
        practices = len(spec.findings) - problems
        if problems:
            text += f"发现问题{problems}个,已当场反馈并明确整改要求和时限。"
        if practices:
            text += f"总结好的经验做法{practices}条。"
        return text

    # --- findings and their rectification

    def finding(self, visit, recorder, county, spec: str, moment) -> None:
        if spec.startswith("+"):
            finding = services.finding_add(
                actor=recorder,
                visit=visit,
                kind=FindingKind.GOOD_PRACTICE,
                text=PRACTICES[spec[1:]],
                unit=county,
                today=self.today,
            )
            self.stamp(finding, recorded_at=self.clock.past(moment))
            return
        plan, key = spec.split(":")
        issue = PROBLEMS[key]
        text = issue.text.format(place=visit.place)
        rectify = plan in RECTIFIED
        due = self.due_date(plan, visit.date) if rectify else None
        finding = services.finding_add(
            actor=recorder,
            visit=visit,
            kind=FindingKind.PROBLEM,
            text=text,
            unit=county,
            rectify=rectify,
            requirement=issue.requirement if rectify else "",
            due_date=due,
            today=visit.date,
        )
        self.clock.at(moment, unread=True if plan in "OYL" else ())
        self.stamp(finding, recorded_at=self.clock.past(moment))
        if rectify:
            item = finding.rectifications.get()
            self.work_item(item, plan, issue, visit, county, moment)

    def due_date(self, plan: str, day: datetime.date) -> datetime.date:
        if plan == "Y":
            return self.today + _days(3)
        return day + _days(30)

    def work_item(self, item, plan: str, issue: Issue, visit, county, raised) -> None:
        """Take an item from open to where its plan letter says it stands."""
        self.item_index += 1
        shift = self.item_index % 5
        day = visit.date
        unit_user = self.liaisons[county.code]
        verifier = self.staff(visit.office.code, self.item_index % 2)
        steps = [("raise", raised)]

        def respond(moment, text, unread=()):
            rectification.rectification_respond(actor=unit_user, item=item, text=text)
            self.clock.at(moment, unread=unread)
            steps.append(("respond", moment))

        def act(action, moment, comment, unread=()):
            rectification.rectification_act(
                actor=verifier, item=item, action=action, comment=comment
            )
            self.clock.at(moment, unread=unread)
            steps.append((action, moment))

        if plan == "K":
            respond(_at(day + _days(8 + shift), 10, 20), issue.response)
            act(ItemAction.REJECT, _at(day + _days(10 + shift), 15), issue.rework)
            respond(_at(day + _days(18 + shift), 9, 40), f"已按要求补充整改材料。{issue.response}")
            act(ItemAction.ACCEPT, _at(day + _days(20 + shift), 16), "经核查,整改到位,同意销号。")
        elif plan == "C":
            respond(_at(day + _days(12 + shift), 10, 20), issue.response)
            act(
                ItemAction.ACCEPT,
                _at(day + _days(14 + shift), 15, 30),
                "经核查,整改到位,同意销号。",
            )
        elif plan == "R":
            respond(_at(self.today - _days(1 + shift % 4), 11), issue.response, unread=True)
        elif plan == "W":
            rejected = self.today - _days(6 + shift)
            respond(_at(rejected - _days(2), 10), issue.response)
            act(ItemAction.REJECT, _at(rejected, 15), issue.rework, unread=True)
            rectification.rectification_extend(
                actor=verifier,
                item=item,
                due_date=self.today + _days(14 + shift),
                comment="退回重改,给予补充整改时间。",
                today=rejected,
            )
            self.clock.at(_at(rejected, 15, 5), unread=True)
            steps.append(("extend", _at(rejected, 15, 5)))
        elif plan == "L":
            act(
                ItemAction.URGE,
                _at(day + _days(33), 9, 30),
                "该整改事项已超过整改时限,请抓紧整改并报送整改情况。",
                unread=True,
            )
        self.item_steps[item.pk] = [(action, self.clock.past(m)) for action, m in steps]

    # --- notices

    def notice_day(self, ago: int) -> datetime.date:
        """The day a notice was issued: `ago` days before today, squeezed into the current
        year when it is young (notices are numbered per year)."""
        room = (self.today - datetime.date(self.today.year, 1, 1)).days
        longest = max(spec.ago for spec in NOTICES) + 3  # drafted 3 days before issue
        if longest > room:
            ago = ago * room // longest
        return self.today - _days(ago)

    def load_notices(self) -> None:
        authorities = {
            prefix: org.record_save(
                actor=None,
                instance=IssuingAuthority(name=name, header=header, number_prefix=prefix),
            )
            for name, header, prefix in AUTHORITIES
        }
        authority = authorities[RURAL_WORK_OFFICE[2]]
        for spec in sorted(NOTICES, key=lambda spec: -spec.ago):  # numbered in date order
            self.notice(spec, self.units["office-rural"], authority)

    def notice(self, spec: N, office: OrgUnit, authority: IssuingAuthority) -> Notice:
        day = self.notice_day(spec.ago)
        drafted_on = day - _days(3)
        drafter = self.users[spec.drafter]
        supervision = spec.kind == NoticeKind.SUPERVISION
        deadline = day + _days(REPLY_DAYS) if supervision else None
        notice = notice_services.notice_create(
            actor=drafter,
            office=office,
            authority=authority,
            kind=spec.kind,
            title=spec.title,
            addressees=ADDRESSEES,
            copied_to=COPIED_TO if supervision else "",
            units=[self.units[code] for code in spec.units],
            opening=spec.opening,
            closing=CLOSING if supervision else "",
            reply_deadline=deadline,
            requirements=spec.requirements,
            today=drafted_on,
        )
        if spec.fill:
            notice_services.notice_fill_reasons(actor=drafter, notice=notice, as_of=drafted_on)
        for code, text in spec.reasons.items():
            notice_services.notice_reason_save(
                actor=drafter,
                notice=notice,
                text=text,
                unit=self.units[code],
                kind=ReasonKind.OTHER if supervision else ReasonKind.ACHIEVEMENT,
            )
        drafted = _at(drafted_on, 9, 30)
        self.clock.at(drafted)
        self.stamp(notice, created_at=self.clock.past(drafted))
        if spec.state == "draft":
            return notice

        notice = notice_services.notice_act(
            actor=drafter,
            notice=notice,
            action=NoticeAction.SUBMIT,
            today=day - _days(1),
        )
        self.clock.at(_at(day - _days(1), 16), unread=spec.state == "in_review" or ())
        if spec.state == "in_review":
            return notice

        notice = notice_services.notice_issue(
            actor=self.users[spec.issuer],
            notice=notice,
            today=day,
        )
        issued = _at(day, 10)
        waiting = [self.liaisons[c].pk for c in spec.units if c not in spec.replies]
        self.clock.at(issued, unread=() if spec.closed else waiting)
        self.stamp(notice, issued_at=self.clock.past(issued))
        if notice.docx_id:
            self.stamps[type(notice.docx)][notice.docx_id] = {
                "uploaded_at": self.clock.past(issued)
            }
        last = self.replies(spec, notice, day, issued)
        if spec.closed:
            closed = _at((last + _days(1)).date(), 9)
            if not supervision:
                closed = _at(day + _days(2), 9)
            notice_services.notice_act(
                actor=drafter, notice=notice, action=NoticeAction.CLOSE, comment=CLOSE_COMMENT
            )
            self.clock.at(closed)
            self.stamp(notice, closed_at=self.clock.past(closed))
        return notice

    def replies(self, spec: N, notice: Notice, day: datetime.date, issued) -> datetime.datetime:
        """The units' replies and their work on the notice's rectification items; returns
        the moment of the last step."""
        recipients = {r.unit_id: r for r in notice.recipients.all()}
        items = defaultdict(list)
        for item in notice.rectifications.order_by("pk"):
            items[item.unit_id].append(item)
            self.item_steps[item.pk] = [("raise", self.clock.past(issued))]
        verifier = self.staff("office-rural", 1)
        last = issued
        for code, after in sorted(spec.replies.items(), key=lambda pair: pair[1]):
            unit, liaison = self.units[code], self.liaisons[code]
            replied = _at(day + _days(after), 11)
            recipient = notice_services.notice_reply(
                actor=liaison,
                notice=notice,
                recipient=recipients[unit.pk],
                text=REPLY_TEXT.format(unit=unit.name[-1]),
            )
            self.clock.at(replied, unread=() if spec.closed else True)
            self.stamp(recipient, replied_at=self.clock.past(replied))
            last = max(last, replied)
            accepted = code in spec.accepted
            for item in items[unit.pk]:
                responded = replied + datetime.timedelta(minutes=10)
                rectification.rectification_respond(
                    actor=liaison,
                    item=item,
                    text=f"已按通报要求落实整改:{item.requirement}相关佐证材料已上传。",
                )
                self.clock.at(responded, unread=() if accepted else True)
                steps = self.item_steps[item.pk]
                steps.append(("respond", self.clock.past(responded)))
                if accepted:
                    verified = _at(day + _days(after + 3), 15)
                    rectification.rectification_act(
                        actor=verifier,
                        item=item,
                        action=ItemAction.ACCEPT,
                        comment="经核查,整改到位,同意销号。",
                    )
                    self.clock.at(verified)
                    steps.append((ItemAction.ACCEPT, self.clock.past(verified)))
                    last = max(last, verified)
        return last

    # --- the story's dates

    def apply(self) -> None:
        self.clock.apply()
        self.stamp_items()
        write_stamps(self.stamps)

    def stamp_items(self) -> None:
        """An item's own dates and its reports' verification, from its steps."""
        verdicts = {ItemAction.ACCEPT, ItemAction.REJECT}
        verified: dict[int, list[datetime.datetime]] = {}
        for pk, steps in self.item_steps.items():
            values = {"raised_at": steps[0][1]}
            reported = [m for action, m in steps if action == "respond"]
            if reported:
                values["responded_at"] = reported[-1]
            if steps[-1][0] == ItemAction.ACCEPT:
                values["closed_at"] = steps[-1][1]
            self.stamps[Rectification][pk] = values
            verified[pk] = [
                m
                for (action, _m), (following, m) in itertools.pairwise(steps)
                if action == "respond" and following in verdicts
            ]
        for pk, item_id, verdict in (
            RectificationResponse.objects.filter(item_id__in=list(verified))
            .order_by("pk")
            .values_list("pk", "item_id", "verdict")
        ):
            if verdict != "pending" and verified[item_id]:
                moment = verified[item_id].pop(0)
                self.stamps[RectificationResponse][pk] = {"verified_at": moment}

    def load(self) -> None:
        self.load_groups()
        self.load_visits()
        self.load_notices()
        self.apply()


def load_supervision(today: datetime.date | None = None) -> None:
    """Load the supervision demo; the organisation and the task lists must be loaded.
    The notices' PDFs are not made (LibreOffice would take a minute for eleven): the
    .docx is the document of record, and an office can make the PDF later."""
    with translation.override(settings.LANGUAGE_CODE), override_settings(NOTICE_PDF=False):
        _Loader(today or timezone.localdate()).load()
