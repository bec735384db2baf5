"""The demo's assessments (考核): the region's rural-revitalisation assessment of the city,
closed and graded 好, and the city's "vegetable basket" assessment of the eleven counties,
in self-assessment, loaded through the assessment services as the offices and counties
would have worked them.

THE STORY follows the seed's section 六(三): the offices help the region assess the city
(《2022年度推进乡村振兴战略考核》《"菜篮子"市长负责制考核》), "对照考核任务指标,整理、汇总相关
佐证材料,制作考核资料", and the city "被评为'好'等次"; the basket office breaks the
assessment down to the counties "根据各成员单位职能逐一分解考核任务、细化考核指标".

* 2022年度推进乡村振兴战略考核: organised by 农牧办 for the city, assessed by the region's
  rural work office. Six parts with weights adding to 100 (the structure of the region's
  实绩考核: 巩固拓展脱贫攻坚成果, 粮食和重要农产品稳产保供, 乡村产业发展, 乡村建设, 乡村治理,
  党的领导), 19 manual items with their criteria, evidence and responsible units. The office
  compiled the city's self-assessment (99 points) with the evidence, and recorded the
  region's scores with a reason for every deduction: 95 points, 好. Two deductions (高标准
  农田 not all accepted, rubbish found in two villages) opened rectification items, due
  after today.
* 2023年"菜篮子"市长负责制考核: organised by 菜篮子办 for the eleven counties, five parts, 11
  items: seven manual ones (蔬菜, 肉蛋奶, 市场流通, 产销对接, 质量安全 ×2, 应急保供) and four
  computed from the demo's own data: 设施农业开工面积 completion (the basket office's
  indicator), the base task list's measures closed on time, the livestock table's reports
  on time, and the 市委农牧办's notices. Four counties have submitted their
  self-assessment, 兴和县's was returned with a reason, four are part-way (卓资县 and 化德县,
  the browser tests' counties, among them) and two have not started. Evidence is uploaded
  by the counties, and 凉城县 and 察右前旗 link the photos of their latest task progress
  report instead of uploading them again; plenty of required evidence is still missing,
  so the gaps page has work to show.

TODAY. Like the task lists (see tasks_data), the schemes keep the titles the seed gives
them but are dated relative to the day the demo is loaded, so that the automatic items
read the demo's live data: the basket scheme is this year's (its tasks, notices and rounds
are this year's) and is computed as of today; the rural scheme is last year's, closed in
the spring. The task lists carry no evidence files, so the two linked ones come from a
progress report each county makes here with its photos (same progress, so no light
changes). The basket office's facility indicator has targets and values only for 2023
in dispatch_data; this year's (the same county targets, the office's monthly figures
from March) are set here, so the indicator item has something to measure.

DATES. The services stamp what they do with the time they run; once loaded, the story's
moments (design, self-assessment, evidence, review, confirmation, rectification) are set
with a few bulk updates, as the other loaders do. The audit trail keeps the real time.
Figures are illustrative; unit names are real.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from zhuanban.assessment import services
from zhuanban.assessment.lifecycle import SchemeAction
from zhuanban.assessment.models import Evidence, Item, Method, Participant, Scheme, Score
from zhuanban.core.files import store_upload
from zhuanban.core.models import StoredFile
from zhuanban.core.word import OfficialDocument, chinese_date
from zhuanban.demo import org_data
from zhuanban.demo.dispatch_data import FACILITY, TARGETS
from zhuanban.demo.tasks_data import BASE_LIST
from zhuanban.dispatch import services as dispatch_services
from zhuanban.dispatch.models import Indicator, IndicatorValue, TableTemplate, Target
from zhuanban.dispatch.periods import Period, PeriodKind
from zhuanban.org.models import OrgUnit
from zhuanban.rectification.models import Rectification, RectificationEvent
from zhuanban.tasks import services as task_services
from zhuanban.tasks.models import Task, TaskList

D = Decimal
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

RURAL_TITLE = "2022年度推进乡村振兴战略考核"
BASKET_TITLE = "2023年“菜篮子”市长负责制考核"
REGION = "自治区党委农村牧区工作领导小组办公室"
RURAL_OFFICE_NAME = "中共乌兰察布市委农村牧区工作办公室"
LIVESTOCK_TABLE = "livestock-farms"

# --- 2022年度推进乡村振兴战略考核 (the region assesses the city) --------------------------


@dataclass(frozen=True)
class RuralItem:
    title: str
    max_score: str
    criteria: str
    evidence: str
    responsible: str  # 责任单位 as the scheme writes them
    units: tuple[str, ...]  # the ones in the system (org codes)
    self_score: str
    self_reason: str
    review_score: str
    review_reason: str
    file: str = ""  # an evidence file the office uploaded (its title)


@dataclass(frozen=True)
class Part:
    title: str
    weight: str
    items: list


FULL = "经核查,佐证材料齐全,达到考核要求,得满分。"

RURAL_PARTS = [
    Part(
        "巩固拓展脱贫攻坚成果",
        "25",
        [
            RuralItem(
                "防止返贫动态监测和帮扶",
                "8",
                "防止返贫动态监测帮扶机制健全,监测对象应纳尽纳、帮扶措施精准到位,未发生规模性返贫"
                "的得8分;监测对象识别纳入不及时的,每例扣0.5分。",
                "防止返贫动态监测和帮扶工作方案、监测对象台账、帮扶措施落实情况",
                "市乡村振兴局、各旗县市区",
                ("office-rural",),
                "8",
                "全市建立防止返贫动态监测和帮扶机制,纳入监测对象3126户7015人,全部落实针对性帮扶"
                "措施,风险消除率68.5%,守住了不发生规模性返贫的底线。佐证材料见工作方案和监测对象台账。",
                "7.5",
                "考核组抽查发现,1个旗县1户监测对象识别纳入不及时,扣0.5分。",
                "乌兰察布市防止返贫动态监测和帮扶工作情况报告",
            ),
            RuralItem(
                "脱贫人口稳定增收",
                "6",
                "脱贫人口人均纯收入增速高于全区农村牧区居民人均可支配收入增速的得6分;低于的按差距扣分。",
                "脱贫人口收入监测数据、就业帮扶台账",
                "市乡村振兴局、市人力资源和社会保障局",
                ("sec-industry",),
                "6",
                "全市脱贫人口人均纯收入14863元,同比增长14.2%,高于全区农村牧区居民人均可支配收入"
                "增速;脱贫劳动力务工就业6.9万人,超过上年规模。",
                "6",
                "增速经自治区统计部门核定,达到考核要求,得满分。",
            ),
            RuralItem(
                "衔接推进乡村振兴补助资金使用管理",
                "6",
                "衔接资金用于产业发展的比例不低于55%、支出进度和项目资产管理符合要求的得6分;比例"
                "不达标扣2分,支出进度滞后扣1分,资产登记不完整扣0.5分。",
                "衔接资金分配文件、项目库、支出进度表、项目资产台账",
                "市财政局、市乡村振兴局",
                ("mu-finance",),
                "6",
                "下达衔接推进乡村振兴补助资金6.12亿元,用于产业发展的比例为62.3%,年底支出进度100%,"
                "项目资产全部登记入账。佐证材料见资金分配文件和支出进度表。",
                "5.5",
                "抽查2个旗县项目资产台账,部分到户类资产未登记确权,资产登记不完整,扣0.5分。",
                "2022年衔接推进乡村振兴补助资金使用管理情况",
            ),
            RuralItem(
                "易地扶贫搬迁后续扶持",
                "5",
                "搬迁群众就业帮扶、社区融入和安置区配套设施完善的得5分。",
                "后续扶持工作方案、安置区就业台账",
                "市发展和改革委员会",
                ("mu-ndrc",),
                "5",
                "全市集中安置区配套产业项目32个,有劳动力的搬迁家庭实现至少1人就业,安置社区公共"
                "服务设施全部达标。",
                "5",
                FULL,
            ),
        ],
    ),
    Part(
        "粮食和重要农产品稳产保供",
        "20",
        [
            RuralItem(
                "粮食播种面积和产量",
                "6",
                "完成自治区下达的粮食播种面积和产量目标任务的得6分;面积或产量未完成的各扣3分。",
                "粮食生产统计数据、播种面积落实到地块台账",
                "市农牧局种植业管理科",
                ("sec-crops",),
                "6",
                "全市粮食播种面积1027.6万亩、产量39.8亿斤,均完成自治区下达的目标任务。",
                "6",
                "面积和产量经统计部门核定,均完成目标任务,得满分。",
            ),
            RuralItem(
                "高标准农田建设",
                "5",
                "完成年度高标准农田建设任务并按期竣工验收的得5分;完成率每低5个百分点扣1分。",
                "高标准农田建设项目批复、竣工验收报告、上图入库截图",
                "市农牧局农田建设管理科",
                ("sec-farmland",),
                "4.5",
                "建成高标准农田42.6万亩,完成年度建设任务;2个项目竣工验收滞后,自评扣0.5分。",
                "4",
                "年度任务42.6万亩中有2.1万亩未完成竣工验收和上图入库,按完成率95%计,扣1分。",
                "2022年高标准农田建设项目竣工验收情况",
            ),
            RuralItem(
                "肉牛肉羊和奶业生产",
                "5",
                "牛羊肉、生鲜乳产量完成年度目标,规模化养殖比重提高的得5分。",
                "畜牧业统计报表、规模养殖场名录",
                "市农牧局畜牧业管理科、肉(奶)牛办",
                ("sec-livestock", "office-cattle"),
                "5",
                "全市牛羊肉产量25.6万吨、生鲜乳产量75.3万吨,均完成年度目标;规模化养殖比重达到68%。",
                "5",
                FULL,
            ),
            RuralItem(
                "“菜篮子”产品稳定供应",
                "4",
                "蔬菜、禽蛋等“菜篮子”产品供应稳定,落实“菜篮子”市长负责制的得4分。",
                "“菜篮子”市长负责制考核自查报告",
                "菜篮子办",
                ("office-basket",),
                "4",
                "全市蔬菜播种面积105万亩,外调蔬菜280万吨;落实“菜篮子”市长负责制,完成自治区考核自查。",
                "4",
                FULL,
            ),
        ],
    ),
    Part(
        "乡村产业发展",
        "15",
        [
            RuralItem(
                "农畜产品加工业发展",
                "5",
                "农畜产品加工转化率达到全区平均水平以上、新增规模以上加工企业的得5分;加工转化率"
                "低于全区平均水平的扣0.5分。",
                "农畜产品加工企业名录、加工转化率测算表",
                "市农牧局乡村产业发展科",
                ("sec-industry",),
                "5",
                "新增规模以上农畜产品加工企业8家,农畜产品加工转化率达到66%。",
                "4.5",
                "农畜产品加工转化率66%,低于全区平均水平(68%),扣0.5分。",
                "乌兰察布市农畜产品加工业发展情况",
            ),
            RuralItem(
                "特色产业全产业链建设",
                "5",
                "马铃薯、燕麦、肉牛等特色产业全产业链建设成效明显,创建国家级、自治区级产业园区或"
                "产业集群的得5分。",
                "产业链建设方案、产业园区创建批复文件",
                "马铃薯产业办、市农牧业技术推广中心",
                ("office-potato", "sta-extension"),
                "5",
                "马铃薯产业发展示范区建设全面启动,获批国家级马铃薯产业集群1个、自治区级现代农业产业园2个。",
                "5",
                "产业园区和产业集群创建成效明显,得满分。",
            ),
            RuralItem(
                "农牧业品牌建设",
                "5",
                "区域公用品牌建设和授权管理规范、品牌影响力提升的得5分。",
                "品牌授权企业名单、品牌推广活动资料",
                "“原味乌兰察布”品牌办",
                ("office-brand",),
                "5",
                "“原味乌兰察布”区域公用品牌授权企业达到72家,开展品牌推介活动12场。",
                "5",
                FULL,
            ),
        ],
    ),
    Part(
        "乡村建设",
        "15",
        [
            RuralItem(
                "农村牧区人居环境整治",
                "6",
                "农村牧区卫生厕所普及率、生活垃圾收运处置体系覆盖率达到年度目标的得6分;暗访发现"
                "问题的,每处扣0.5分。",
                "人居环境整治工作方案、改厕台账、垃圾收运处置体系覆盖情况",
                "市农牧局、市住房和城乡建设局、市生态环境局",
                ("mu-ecology",),
                "5.5",
                "新改建农村牧区户用卫生厕所1.8万户,生活垃圾收运处置体系覆盖85%的行政村;个别村庄"
                "垃圾清运不及时,自评扣0.5分。",
                "5",
                "自治区暗访发现2个村庄生活垃圾堆放未及时清运,每处扣0.5分,共扣1分。",
                "2022年农村牧区人居环境整治工作总结",
            ),
            RuralItem(
                "农村牧区基础设施建设",
                "5",
                "农村牧区公路、供水、电网等基础设施建设完成年度任务的得5分;工程未按期完工的每处扣0.5分。",
                "项目清单、竣工验收资料",
                "市交通运输局、市水务局",
                ("mu-water",),
                "5",
                "新改建农村牧区公路386公里,农村牧区集中供水率达到90.2%,完成年度任务。",
                "4.5",
                "农村牧区规模化供水工程1处未按期完工,扣0.5分。",
            ),
            RuralItem(
                "农村牧区改革",
                "4",
                "稳步推进第二轮土地承包到期后再延长三十年试点和农村牧区集体产权制度改革,新型农牧业"
                "经营主体发展良好的得4分。",
                "改革试点方案、新型经营主体名录",
                "市农牧局农村合作经济指导科",
                ("sec-coop",),
                "4",
                "完成延包试点2个嘎查村,集体经济收入10万元以上的嘎查村占比达到62%;新增市级以上示范"
                "合作社45家、示范家庭农牧场60家。",
                "4",
                FULL,
            ),
        ],
    ),
    Part(
        "乡村治理",
        "10",
        [
            RuralItem(
                "农村牧区基层治理",
                "5",
                "党组织领导的自治、法治、德治相结合的乡村治理体系健全,开展乡村治理示范创建的得5分。",
                "乡村治理示范村镇创建材料",
                "市委组织部、市民政局、市农牧局政策法规科",
                ("sec-policy",),
                "5",
                "创建全国乡村治理示范村2个、自治区级示范嘎查村10个,推广积分制、清单制。",
                "5",
                FULL,
            ),
            RuralItem(
                "精神文明建设和移风易俗",
                "5",
                "开展文明村镇创建,推进移风易俗、治理高额彩礼等突出问题成效明显的得5分。",
                "文明村镇名单、移风易俗工作方案",
                "市委宣传部、市民政局",
                (),
                "5",
                "县级以上文明村镇占比达到58%;各旗县市区均出台治理高额彩礼、大操大办的措施。",
                "5",
                FULL,
            ),
        ],
    ),
    Part(
        "加强党对“三农”工作的全面领导",
        "15",
        [
            RuralItem(
                "五级书记抓乡村振兴责任落实",
                "5",
                "落实五级书记抓乡村振兴责任,党委农村牧区工作领导小组定期研究部署,旗县市区党委书记"
                "述职评议的得5分。",
                "领导小组会议纪要、述职评议材料",
                "农牧办",
                ("office-rural",),
                "5",
                "市委农村牧区工作领导小组召开会议6次,研究部署乡村振兴重点工作;开展旗县市区党委书记"
                "抓乡村振兴述职评议。",
                "5",
                FULL,
                "市委农村牧区工作领导小组2022年会议纪要汇编",
            ),
            RuralItem(
                "农牧业农村牧区优先发展投入保障",
                "5",
                "一般公共预算农林水支出增幅不低于一般公共预算支出增幅、土地出让收入用于农业农村比例"
                "达到要求的得5分;比例未达到要求的扣1分。",
                "财政预算执行情况、土地出让收入使用情况",
                "市财政局",
                ("mu-finance",),
                "5",
                "全市一般公共预算农林水支出增长9.6%,高于一般公共预算支出增幅;土地出让收入用于农业"
                "农村比例达到8.3%。",
                "4",
                "土地出让收入用于农业农村比例8.3%,未达到10%的年度要求,扣1分。",
            ),
            RuralItem(
                "乡村振兴工作推进机制和督查考核",
                "5",
                "建立乡村振兴重点工作调度、督查、考核机制,按时报送考核资料的得5分。",
                "重点工作任务清单、督办通报、考核自评报告",
                "农牧办",
                ("office-rural",),
                "5",
                "制定《全市农村牧区重点工作任务清单》,按月调度、按季通报;对照考核任务指标整理、汇总"
                "佐证材料,按时报送考核资料。",
                "5",
                FULL,
                "乌兰察布市2022年度推进乡村振兴战略实绩考核自评报告",
            ),
        ],
    ),
]

# Deductions that open a rectification item: (item title, requirement, due in days).
RURAL_RECTIFY = [
    (
        "高标准农田建设",
        "组织未验收项目尽快完成竣工验收和上图入库,落实建后管护主体和责任,报送验收报告和管护制度。",
        45,
    ),
    (
        "农村牧区人居环境整治",
        "对暗访发现的问题立行立改,建立村庄保洁和垃圾清运长效机制,举一反三开展排查,报送整改前后对比照片。",
        20,
    ),
]

# --- 2023年"菜篮子"市长负责制考核 (the basket office assesses the counties) ----------------


@dataclass(frozen=True)
class Manual:
    key: str
    title: str
    max_score: str
    criteria: str
    evidence: str
    responsible: str
    units: tuple[str, ...]
    # (deduction, self-assessment reason): the reasons a county gives, best first.
    outcomes: tuple[tuple[str, str], ...]
    file: str  # the evidence a county uploads for it ({county}: its short name)


@dataclass(frozen=True)
class Auto:
    key: str
    title: str
    max_score: str
    method: str
    criteria: str
    evidence: str = ""
    responsible: str = ""
    units: tuple[str, ...] = ()
    points_per_notice: str | None = None


BASKET_PARTS = [
    Part(
        "“菜篮子”产品生产能力",
        "35",
        [
            Manual(
                "veg",
                "蔬菜播种面积和产量",
                "10",
                "蔬菜播种面积和产量均完成年度目标任务的得10分;每低1个百分点扣0.5分,扣完为止。",
                "蔬菜生产情况统计表、乡镇分解台账",
                "市农牧局种植业管理科、各旗县市区",
                ("sec-crops",),
                (
                    (
                        "0",
                        "{whole}蔬菜播种面积{a}万亩、产量{b}万吨,均完成年度目标任务,播种面积较上年"
                        "增长{c}%。佐证材料见蔬菜生产情况统计表和乡镇分解台账。",
                    ),
                    (
                        "1",
                        "{whole}蔬菜播种面积{a}万亩,完成年度目标任务的98%,受春季低温影响部分地块改种,"
                        "自评扣1分。佐证材料见蔬菜生产情况统计表。",
                    ),
                    (
                        "0.5",
                        "蔬菜播种面积已全部完成,产量{b}万吨,完成年度目标任务的99%,自评扣0.5分。",
                    ),
                ),
                "{county}蔬菜生产情况统计表",
            ),
            Auto(
                "facility",
                "设施农业开工面积完成率",
                "15",
                Method.INDICATOR,
                "按“设施农业开工面积”指标的年度目标完成率计分:完成率×15分,最高15分。数据取自调度系统。",
                "新建设施农业项目清单、开工现场照片",
                "菜篮子办",
                ("office-basket",),
            ),
            Manual(
                "meat",
                "肉蛋奶生产供应",
                "10",
                "肉类、禽蛋、生鲜乳产量均完成年度目标任务的得10分;每有1项未完成扣2分。",
                "畜牧业生产统计报表、规模养殖场名录",
                "市农牧局畜牧业管理科、肉(奶)牛办",
                ("sec-livestock", "office-cattle"),
                (
                    (
                        "0",
                        "肉类、禽蛋、生鲜乳产量均完成年度目标任务,肉牛存栏{a}万头、奶牛存栏{d}万头,"
                        "稳定增长。佐证材料见畜牧业生产统计报表和规模养殖场名录。",
                    ),
                    (
                        "2",
                        "肉类、生鲜乳产量完成年度目标任务,禽蛋产量受蛋鸡存栏下降影响完成95%,自评扣2分。",
                    ),
                ),
                "{county}畜牧业生产情况",
            ),
        ],
    ),
    Part(
        "市场流通体系建设",
        "15",
        [
            Manual(
                "market",
                "农产品批发市场和冷链物流",
                "8",
                "建有规范运营的农产品批发市场、新增冷藏保鲜设施库容达到年度任务的得8分;批发市场"
                "未达标扣3分,冷链任务每低10个百分点扣1分。",
                "批发市场运营情况说明、冷藏保鲜设施项目清单及验收资料",
                "市商务局、市农牧局市场与信息化科",
                ("mu-commerce", "sec-market"),
                (
                    (
                        "0",
                        "农产品批发市场运营规范,新增冷藏保鲜设施库容{d}万吨,完成年度任务。佐证材料见"
                        "项目清单和验收资料。",
                    ),
                    ("1", "新增冷藏保鲜设施库容完成年度任务的90%,2个项目尚未验收,自评扣1分。"),
                ),
                "{county}冷藏保鲜设施建设项目清单",
            ),
            Manual(
                "supply",
                "产销对接和净菜进京",
                "7",
                "组织产销对接活动不少于2次、与北京等地大型批发市场建立稳定供货关系的得7分;未开展"
                "产销对接扣3分,无稳定供货渠道扣2分。",
                "产销对接活动通知及照片、供货合同",
                "净菜进京办",
                ("office-clean-veg",),
                (
                    (
                        "0",
                        "组织产销对接活动{n}次,与北京新发地等批发市场签订供货协议,进京蔬菜{d}万吨。"
                        "佐证材料见活动通知和供货合同。",
                    ),
                    ("2", "组织产销对接活动2次,与北京批发市场的供货合同尚在洽谈,自评扣2分。"),
                ),
                "{county}产销对接活动情况",
            ),
        ],
    ),
    Part(
        "质量安全监管",
        "20",
        [
            Manual(
                "testing",
                "农产品质量安全例行监测合格率",
                "10",
                "例行监测合格率达到98%以上的得10分;每低0.5个百分点扣1分。",
                "农产品质量安全例行监测报告",
                "市农畜产品质量安全监测中心",
                ("sta-quality",),
                (
                    ("0", "全年开展例行监测{m}批次,合格率{r}%。佐证材料见例行监测报告。"),
                    ("1", "例行监测合格率97.6%,不合格样品已全部溯源处置,自评扣1分。"),
                ),
                "{county}农产品质量安全例行监测报告",
            ),
            Manual(
                "trace",
                "承诺达标合格证和追溯管理",
                "10",
                "规模生产主体全面推行承诺达标合格证制度、纳入追溯平台管理的得10分;覆盖率每低5个"
                "百分点扣1分。",
                "合格证开具台账、追溯平台主体名录",
                "市农畜产品质量安全监测中心、市农牧业综合行政执法支队",
                ("sta-quality", "sta-enforcement"),
                (
                    ("0", "规模生产主体{m}家全部开具承诺达标合格证,纳入追溯平台管理。"),
                    ("1", "规模生产主体合格证覆盖率95%,3家新建主体正在办理,自评扣1分。"),
                ),
                "{county}承诺达标合格证开具台账",
            ),
        ],
    ),
    Part(
        "应急保供能力",
        "10",
        [
            Manual(
                "reserve",
                "应急保供预案和储备",
                "10",
                "制定“菜篮子”产品应急保供预案、落实耐储蔬菜等政府储备的得10分;无预案扣5分,储备"
                "未落实扣3分。",
                "应急保供预案、政府储备合同及库存台账",
                "市商务局、市发展和改革委员会",
                ("mu-commerce", "mu-ndrc"),
                (
                    (
                        "0",
                        "已印发“菜篮子”产品应急保供预案,落实耐储蔬菜储备{s}吨,库存台账按月更新。",
                    ),
                    ("3", "已印发应急保供预案,耐储蔬菜储备合同尚未签订,自评扣3分。"),
                ),
                "{county}“菜篮子”产品应急保供预案",
            ),
        ],
    ),
    Part(
        "组织保障和工作落实",
        "20",
        [
            Auto(
                "tasks",
                "重点任务按期办结率",
                "8",
                Method.TASKS,
                "按《乌兰察布市建设重要农畜产品生产加工基地2023年重点任务单》中纳入考核、考核期内"
                "到期的任务按期办结比例计分:按期办结率×8分。",
            ),
            Auto(
                "dispatch",
                "调度报表按时报送率",
                "6",
                Method.DISPATCH,
                "按《规模养殖场建设情况统计表》各期按时报送比例计分:按时报送率×6分。",
            ),
            Auto(
                "notices",
                "督办通报扣分",
                "6",
                Method.NOTICES,
                "被市委农牧办督办通报的,每次扣2分,扣完为止。",
                points_per_notice="2",
            ),
        ],
    ),
]

# Where each county stands: "submitted", "returned", or how many manual items it has
# scored so far. Its liaison's latest work was this many days ago.
COUNTY_STATE = {
    "150902": ("submitted", 6),
    "150981": ("submitted", 4),
    "150921": (3, 2),
    "150922": (2, 1),
    "150923": (5, 3),
    "150924": ("returned", 8),
    "150925": ("submitted", 5),
    "150926": ("submitted", 7),
    "150927": (0, 0),
    "150928": (4, 2),
    "150929": (0, 0),
}
# The manual items each county has filed evidence for (uploads), by key.
COUNTY_FILES = {
    "150902": ("veg", "testing", "reserve"),
    "150981": ("veg", "meat", "trace"),
    "150921": ("veg",),
    "150923": ("veg", "meat"),
    "150924": ("veg",),
    "150925": ("veg", "meat", "testing", "supply"),
    "150926": ("veg", "market", "testing"),
}
# Links instead of uploads: the county's latest progress report on this measure carries
# the photos, filed against the facility item.
LINKED = {
    "150925": (
        "在凉城县建设设施蔬菜基地800亩",
        "凉城县设施蔬菜基地日光温室开工现场照片及施工进度表",
    ),
    "150926": (
        "在察右前旗建设设施农业产业园",
        "察右前旗设施农业产业园春秋大棚建设现场照片",
    ),
}
RETURN_REASON = (
    "“农产品质量安全例行监测合格率”“应急保供预案和储备”自评满分,但未上传例行监测报告和储备"
    "库存台账。请补充佐证材料、核实自评得分后重新提交。"
)
# This year's facility area started, as a share of each county's target by the end of
# October (the office's monthly figures climb to it from March).
FACILITY_PACE = {
    "150902": D("0.92"),
    "150981": D("0.86"),
    "150921": D("0.74"),
    "150922": D("0.81"),
    "150923": D("0.58"),
    "150924": D("0.95"),
    "150925": D("1.04"),
    "150926": D("0.88"),
    "150927": D("0.62"),
    "150928": D("0.79"),
    "150929": D("0.70"),
}


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone()
    )


def _whole(name: str) -> str:
    """全县, 全旗, 全市, 全区: how a county-level unit speaks of itself."""
    return f"全{name[-1]}"


def _short(code: str) -> str:
    return next(short for c, _name, short in org_data.COUNTIES if c == code)


class _Loader:
    def __init__(self, today: datetime.date):
        self.today = today
        self.now = timezone.now()
        self.units = OrgUnit.objects.in_bulk(field_name="code")
        self.users = get_user_model().objects.in_bulk(field_name="username")
        self.liaisons = {code: self.users[name] for name, _n, code in org_data.COUNTY_LIAISONS}
        self.counties = [self.units[code] for code, _name, _short in org_data.COUNTIES]

    def past(self, moment: datetime.datetime) -> datetime.datetime:
        """A story moment, never after the real now."""
        return min(moment, self.now - datetime.timedelta(minutes=1))

    def upload(self, title: str, author: str, day: datetime.date, text: str):
        """A small official document (佐证材料) as if uploaded from the user's computer."""
        document = OfficialDocument(title=title)
        document.byline(author, chinese_date(day))
        document.paragraph(text)
        return SimpleUploadedFile(f"{title}.docx", document.to_bytes(), content_type=DOCX)

    def items(self, scheme: Scheme, actor, parts) -> dict[str, Item]:
        """The scheme's tree: a heading per part (its maximum is its weight), the items
        under it. Returns the leaves by key (RuralItem: by title)."""
        leaves = {}
        for part in parts:
            heading = services.item_save(
                actor=actor,
                scheme=scheme,
                data={"title": part.title, "max_score": D(part.weight), "weight": D(part.weight)},
            )
            for spec in part.items:
                data = {
                    "title": spec.title,
                    "max_score": D(spec.max_score),
                    "method": getattr(spec, "method", Method.MANUAL),
                    "criteria": spec.criteria,
                    "evidence_required": spec.evidence,
                    "responsible_text": spec.responsible,
                }
                data |= self.automatic_inputs(spec)
                item = services.item_save(
                    actor=actor,
                    scheme=scheme,
                    parent=heading,
                    data=data,
                    responsible_units=[self.units[code] for code in spec.units],
                )
                leaves[getattr(spec, "key", spec.title)] = item
        return leaves

    def automatic_inputs(self, spec) -> dict:
        method = getattr(spec, "method", Method.MANUAL)
        if method == Method.TASKS:
            return {"task_list": TaskList.objects.get(title=BASE_LIST["title"])}
        if method == Method.INDICATOR:
            return {"indicator": Indicator.objects.get(code=FACILITY)}
        if method == Method.DISPATCH:
            return {"template": TableTemplate.objects.get(code=LIVESTOCK_TABLE)}
        if method == Method.NOTICES:
            return {"points_per_notice": D(spec.points_per_notice)}
        return {}

    # --- the region's assessment of the city, last year -----------------------------------

    def rural(self) -> None:
        year = self.today.year - 1
        director, deputy = self.users["rural-dir"], self.users["rural-dep"]
        compiler, clerk = self.users["rural-m1"], self.users["rural-m2"]
        office, city = self.units["office-rural"], self.units[org_data.CITY["code"]]
        # The region confirms the results in the spring (earlier if the demo is loaded in
        # the first weeks of a year).
        closed_on = min(datetime.date(self.today.year, 3, 24), self.today - _days(10))
        scheme = services.scheme_save(
            actor=director,
            office=office,
            data={
                "title": RURAL_TITLE,
                "year": year,
                "assessor": REGION,
                "basis": "依据自治区党委农村牧区工作领导小组《关于开展2022年度盟市党委和政府推进乡村"
                "振兴战略实绩考核工作的通知》,考核结果分为好、较好、一般、差四个等次。农牧办对照考核"
                "任务指标,组织各责任单位整理、汇总佐证材料,制作考核资料。",
                "period_start": datetime.date(year, 1, 1),
                "period_end": datetime.date(year, 12, 31),
                "self_due": closed_on - _days(60),
                "review_due": closed_on - _days(10),
            },
        )
        leaves = self.items(scheme, director, RURAL_PARTS)
        services.participants_set(actor=director, scheme=scheme, units=[city])
        scheme = services.scheme_act(
            actor=director, scheme=scheme, action=SchemeAction.OPEN, as_of=self.today
        )
        participant = scheme.participants.get()
        scores = {s.item_id: s for s in participant.scores.all()}
        specs = [spec for part in RURAL_PARTS for spec in part.items]
        evidence_day = closed_on - _days(75)
        files = []
        for spec in specs:
            score = scores[leaves[spec.title].pk]
            services.score_self(
                actor=compiler, score=score, value=D(spec.self_score), reason=spec.self_reason
            )
            if spec.file:
                upload = self.upload(spec.file, RURAL_OFFICE_NAME, evidence_day, spec.self_reason)
                evidence = services.evidence_upload(
                    actor=clerk,
                    participant=participant,
                    item=leaves[spec.title],
                    upload=upload,
                    description=spec.evidence.split("、")[0],
                )
                files.append(evidence.file_id)
        services.participant_act(actor=director, participant=participant, action="submit")
        scheme = services.scheme_act(actor=director, scheme=scheme, action=SchemeAction.REVIEW)
        for spec in specs:
            services.score_review(
                actor=deputy,
                score=scores[leaves[spec.title].pk],
                value=D(spec.review_score),
                reason=spec.review_reason,
            )
        scheme = services.scheme_act(actor=director, scheme=scheme, action=SchemeAction.CLOSE)
        rectified = []
        for title, requirement, days in RURAL_RECTIFY:
            item = services.deduction_rectify(
                actor=director,
                score=Score.objects.get(participant=participant, item=leaves[title]),
                requirement=requirement,
                due_date=self.today + _days(days),
                today=self.today,
            )
            rectified.append(item.pk)

        # The story's moments.
        self_at = self.past(_at(closed_on - _days(68), 16))
        Scheme.objects.filter(pk=scheme.pk).update(
            created_at=self.past(_at(closed_on - _days(150), 9)),
            closed_at=self.past(_at(closed_on, 10)),
        )
        Score.objects.filter(participant=participant).update(
            self_at=self_at, reviewed_at=self.past(_at(closed_on - _days(25), 17))
        )
        Participant.objects.filter(pk=participant.pk).update(
            self_submitted_at=self.past(_at(closed_on - _days(62), 10))
        )
        uploaded = self.past(_at(evidence_day, 15))
        Evidence.objects.filter(participant=participant).update(added_at=uploaded)
        StoredFile.objects.filter(pk__in=files).update(uploaded_at=uploaded)
        raised = self.past(_at(closed_on + _days(3), 9))
        Rectification.objects.filter(pk__in=rectified).update(raised_at=raised)
        RectificationEvent.objects.filter(item_id__in=rectified, action="raise").update(at=raised)

    # --- the basket office's assessment of the counties, this year ----------------------

    def facility_this_year(self) -> None:
        """This year's facility targets (2023's, as the office broke them down) and the
        office's monthly figures from March to last month."""
        year = self.today.year
        indicator = Indicator.objects.get(code=FACILITY)
        actor = self.users["basket-dep"]
        if Target.objects.filter(indicator=indicator, year=year).exists():
            return  # loaded in 2023: dispatch_data has them
        city_target, county_targets = TARGETS[FACILITY]
        dispatch_services.target_set(
            actor=actor,
            indicator=indicator,
            unit=self.units[org_data.CITY["code"]],
            year=year,
            value=city_target,
        )
        for county in self.counties:
            dispatch_services.target_set(
                actor=actor,
                indicator=indicator,
                unit=county,
                year=year,
                value=county_targets[county.code],
            )
        if IndicatorValue.objects.filter(indicator=indicator, year=year).exists():
            return
        last_month = min(self.today.month - 1, 12)
        for month in range(3, last_month + 1):
            share = min(D(1), D(month - 2) / 8)  # March to October
            for county in self.counties:
                value = D(county_targets[county.code]) * FACILITY_PACE[county.code] * share
                dispatch_services.indicator_value_set(
                    actor=actor,
                    indicator=indicator,
                    unit=county,
                    period=Period(year, PeriodKind.MONTH, month),
                    value=value.quantize(D(1)),
                    sync_tasks=False,
                )

    def basket(self) -> None:
        year = self.today.year
        director, deputy = self.users["basket-dir"], self.users["basket-dep"]
        office = self.units["office-basket"]
        opened_on = self.today - _days(21)
        scheme = services.scheme_save(
            actor=director,
            office=office,
            data={
                "title": BASKET_TITLE,
                "year": year,
                "assessor": "乌兰察布市“菜篮子”工作领导小组",
                "basis": "依据《内蒙古自治区“菜篮子”市长负责制考核办法实施细则》和《乌兰察布市“菜篮子”"
                "市长负责制考核任务清单》,根据各成员单位职能逐一分解考核任务、细化考核指标。",
                "period_start": datetime.date(year, 1, 1),
                "period_end": datetime.date(year, 12, 31),
                "self_due": self.today + _days(10),
                "review_due": self.today + _days(25),
            },
        )
        leaves = self.items(scheme, director, BASKET_PARTS)
        services.participants_set(actor=director, scheme=scheme, units=self.counties)
        scheme = services.scheme_act(
            actor=director, scheme=scheme, action=SchemeAction.OPEN, as_of=self.today
        )
        manual = [spec for part in BASKET_PARTS for spec in part.items if isinstance(spec, Manual)]
        participants = {p.unit.code: p for p in scheme.participants.select_related("unit")}
        scores = {
            (s.participant_id, s.item_id): s
            for s in Score.objects.filter(participant__scheme=scheme)
        }
        moments: dict[int, datetime.datetime] = {}
        files: dict[int, list[int]] = {}
        for code, (state, days_ago) in COUNTY_STATE.items():
            participant, liaison = participants[code], self.liaisons[code]
            county = participant.unit
            rng = random.Random(f"basket-{code}")  # noqa: S311 (demo figures, not secrets)
            scored = len(manual) if isinstance(state, str) else state
            work_day = self.today - _days(days_ago)
            moments[participant.pk] = _at(work_day, 10 + days_ago % 6, 7 * days_ago % 60)
            reasons = {}
            for spec in manual[:scored]:
                # The returned county claimed full marks everywhere.
                best = state == "returned" or rng.random() < 0.6
                deduction, text = spec.outcomes[0] if best else rng.choice(spec.outcomes[1:])
                reason = text.format(
                    whole=_whole(county.name),
                    a=f"{rng.uniform(3, 12):.1f}",
                    b=f"{rng.uniform(20, 80):.1f}",
                    c=f"{rng.uniform(2, 8):.1f}",
                    d=f"{rng.uniform(0.3, 2.5):.2f}",
                    n=rng.randint(2, 5),
                    m=rng.randint(60, 260),
                    r=f"{rng.uniform(98.2, 99.8):.1f}",
                    s=rng.randrange(200, 900, 50),
                )
                reasons[spec.key] = reason
                services.score_self(
                    actor=liaison,
                    score=scores[(participant.pk, leaves[spec.key].pk)],
                    value=D(spec.max_score) - D(deduction),
                    reason=reason,
                )
            files[participant.pk] = []
            for key in COUNTY_FILES.get(code, ()):
                spec = next(s for s in manual if s.key == key)
                title = spec.file.format(county=_short(code))
                evidence = services.evidence_upload(
                    actor=liaison,
                    participant=participant,
                    item=leaves[key],
                    upload=self.upload(title, f"{county.name}农牧局", work_day, reasons[key]),
                    description=spec.evidence.split("、")[0],
                )
                files[participant.pk].append(evidence.file_id)
            if code in LINKED:
                self.link(participant, liaison, leaves["facility"], *LINKED[code], work_day)
            if isinstance(state, str):
                services.participant_act(actor=liaison, participant=participant, action="submit")
            if state == "returned":
                services.participant_act(
                    actor=deputy, participant=participant, action="return", reason=RETURN_REASON
                )
        services.compute_automatic(actor=director, scheme=scheme, as_of=self.today)

        # The story's moments.
        Scheme.objects.filter(pk=scheme.pk).update(
            created_at=self.past(_at(opened_on - _days(9), 9))
        )
        for participant_id, moment in moments.items():
            moment = self.past(moment)
            Score.objects.filter(participant_id=participant_id, self_at__isnull=False).update(
                self_at=moment
            )
            Participant.objects.filter(pk=participant_id, self_submitted_at__isnull=False).update(
                self_submitted_at=moment + datetime.timedelta(hours=2)
            )
            Evidence.objects.filter(participant_id=participant_id).update(added_at=moment)
            StoredFile.objects.filter(pk__in=files[participant_id]).update(uploaded_at=moment)

    def link(self, participant, liaison, item, measure: str, title: str, day) -> None:
        """The county reports progress on its measure with photos, then files that same
        report's file against the item instead of uploading it again."""
        task = Task.objects.get(content__startswith=measure)
        last = task.reports.order_by("-reported_at", "-pk").first()
        text = f"{last.text if last else ''}现场照片和施工进度表已上传。"
        stored = store_upload(
            self.upload(title, f"{participant.unit.name}农牧局", day, text), user=liaison
        )
        task_services.task_report(
            actor=liaison,
            task=task,
            text=text,
            progress=task.progress,  # the same progress: the photos, not new work
            figures=last.figures if last else "",
            evidence=[stored],
        )
        services.evidence_link(
            actor=liaison,
            participant=participant,
            item=item,
            file_id=stored.pk,
            description="任务进展佐证材料",
        )

    def load(self) -> None:
        self.rural()
        self.facility_this_year()
        self.basket()


def load_assessment(today: datetime.date | None = None) -> None:
    """Load the assessment demo; the organisation, task lists, dispatch data and notices
    must be loaded."""
    with translation.override(settings.LANGUAGE_CODE):
        _Loader(today or timezone.localdate()).load()
