"""The demo's brand register (原味乌兰察布): the authorised enterprises, their applications,
licences, logo use, sales and this year's re-review, loaded through the brand services as
the brand office, the counties and the enterprises would have worked them.

THE STORY follows the seed's section on the brand (“组建了乌兰察布市农牧业品牌协会”,
“对于品牌授权企业运营、用标情况进行复审及认定,下一步将依照管理规则对不符合要求的企业进行
整改和清退”, “品牌授权企业达83家,阴山优麦、兰格格、薯都凯达等重点授权企业销售额较去年同期均
有了10%~50%的涨幅”):

* The enterprises are the dispatch demo's brand table, `dispatch_data.BRAND` (the 83 of
  the June list, per county: name, category, products, date authorised, sales, growth,
  re-review result): the one source, so the register and the table agree, down to the
  unified social credit code (`dispatch_data.credit_code`, a valid GB 32100-2015 code:
  93… for a cooperative, 92… for a family farm, 91… for a company). Enterprise types are
  a plausible mix: 阴山优麦 a national leading enterprise, 兰格格 and 薯都凯达 and the
  other large ones (sales of 3,000 万元 or more) regional leading ones, those of 500
  万元 or more city leading ones, the cooperatives as such, the rest other enterprises; the
  family farms are among the enterprises added below. Most are members of the brand
  association (乌兰察布市农牧业品牌协会). Contacts and addresses are illustrative.
* Every licensee was registered by the brand office, applied for the products of its row
  (split on 、; the category mapped from the table's; standards, origin bases named after
  the county's towns and outputs illustrative) with the three required documents (small
  real PDFs), was first-reviewed by its county's liaison and approved by the brand
  office's director on the day the table gives, which is the licence's first day.
  阴山优麦 applies through its own login (`yinshan`); the key enterprises' applications
  carry an expert opinion.
* Sales (万元): the table's sales figure is last year's, and this year's is it grown by
  the table's growth (rounded to the fen), so 阴山优麦 (+38%), 兰格格 (+32%) and 薯都凯达
  (+26%) show the seed's 10%–50%.
* Logo use: each licensee records where its first product carries the logo; 阴山优麦,
  兰格格 and 薯都凯达 two uses each, with a photo of the packaging (a small PNG).
* This year's re-review: the office opened it at the start of the year, before the year's
  first new licence (so it covers the licences granted in earlier years, as the seed's
  re-review did), with reports due three weeks from today. Most licensees reported in the
  last six weeks (阴山优麦 itself, the others' reports entered by the office): the ones
  the table calls 合格 were passed, the three 限期整改 ones were ordered to rectify their
  logo use (items of the shared rectification loop due in a month; 察右前旗巴音塔拉牧业 has
  answered through its login `bayintala` and awaits verification), three reported in the
  last days and await the office's conclusion, six have not reported yet, and the one
  拟清退, 商都县卯都胡麻油有限公司, was removed (清退) with its reason: the revoked licence
  the public verification page shows.
* The applications in progress: 四子王旗查干补力格家庭农场 was authorised a few weeks ago
  (after the re-review opened); a draft entered by the office (one document still
  missing), one awaiting 卓资县's first review, one awaiting the brand office's review,
  and one rejected with its reasons.

THE COUNT. The June list has 83 enterprises, one of them 拟清退. Removed, it leaves 82
valid licences; with 查干补力格家庭农场, authorised after the June list, 83 licences are
valid today: the seed's “品牌授权企业达83家”, and one removed licence besides.

TODAY. The seed is 2023's; the demo's today is the real date. The table's dates are moved
by (today's year − 2023) whole years, so the 2021 licences start two years ago and every
licence (BRAND_LICENCE_YEARS = 3 years from its date) is valid today: the oldest ends in
September next year. The table's 2023 dates become this year's; when today comes before
them (the first half of a year), they are squeezed between the re-review's opening and
today, so that no licence starts in the future. What is still moving (the re-review, the
rectification, the applications in the queue) is dated relative to today.

DATES. The services stamp what they do with the time they run. After each step the loader
tells a clock (supervision_data's) the step's moment in the story, and afterwards moves
what the steps created (the enterprises' timelines, notifications, rectification events)
and the records' own dates back to those moments with a few bulk updates. Notifications
of the past are marked read, except the ones someone still has to act on. The audit trail
keeps the real time: it records when the demo was loaded.
"""

import datetime
import io
import struct
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from zhuanban.brand import services
from zhuanban.brand.lifecycle import AppAction, ReviewAction
from zhuanban.brand.models import (
    Application,
    AttachmentKind,
    Category,
    Channel,
    Enterprise,
    EnterpriseKind,
    Event,
    Inspection,
    Licence,
    Review,
    Sales,
)
from zhuanban.core.files import store_upload
from zhuanban.core.models import Notification
from zhuanban.demo import org_data
from zhuanban.demo.dispatch_data import (
    BRAND,
    C_DAIRY,
    C_MEAT,
    C_OATS,
    C_OTHER,
    C_POTATO,
    C_VEG,
    FIX,
    REMOVE,
    credit_code,
)
from zhuanban.demo.dispatch_data import YEAR as SEED_YEAR
from zhuanban.demo.supervision_data import _Clock as SupervisionClock
from zhuanban.demo.supervision_data import write_stamps
from zhuanban.org import services as org
from zhuanban.org.models import OrgUnit
from zhuanban.rectification import services as rectification
from zhuanban.rectification.models import RectificationEvent, RectificationResponse

D = Decimal
CENT = D("0.01")

YINSHAN = "内蒙古阴山优麦食品有限公司"
LANGEGE = "内蒙古兰格格乳业有限公司"
SHUDU = "乌兰察布市薯都凯达食品有限公司"
KEY_ENTERPRISES = {
    YINSHAN: EnterpriseKind.NATIONAL_LEADING,
    LANGEGE: EnterpriseKind.REGIONAL_LEADING,
    SHUDU: EnterpriseKind.REGIONAL_LEADING,
}
# The table's 拟清退: removed in this year's re-review (the browser test's revoked licence).
REMOVED = "商都县卯都胡麻油有限公司"
# Licensees that have not reported for this year's re-review yet.
NOT_REPORTED = (
    "乌兰察布市集宁区丰泽园粮油有限公司",
    "丰镇市金穗源食品有限公司",
    "化德县白音特拉蔬菜专业合作社",
    "兴和县赛乌素粮油有限公司",
    "察右中旗宏盘蔬菜专业合作社",
    "四子王旗忽鸡图蔬菜专业合作社",
)
# Reported in the last days: the office has still to conclude.
JUST_REPORTED = (
    "丰镇市红砂坝肉类加工有限公司",
    "凉城县天成肉业有限公司",
    "察右后旗土牧尔台食品有限公司",
)
# Ordered to rectify, and answered (the item awaits the office's verification).
ANSWERED = "察右前旗巴音塔拉牧业有限公司"
# Not members of the brand association (yet).
NOT_MEMBERS = (
    "乌兰察布市集宁区康源蜂业有限公司",
    "丰镇市金穗源食品有限公司",
    "卓资县巴音锡勒农业科技有限公司",
    "化德县公腊胡洞绿色食品有限公司",
    "商都县卯都胡麻油有限公司",
    "兴和县大库联农业科技有限公司",
    "凉城县曹碾蜂业有限公司",
    "察右中旗土城子乳业有限公司",
    "四子王旗红格尔牧业有限公司",
)

CATEGORY = {
    C_POTATO: Category.POTATO,
    C_OATS: Category.GRAINS,
    C_MEAT: Category.MEAT,
    C_DAIRY: Category.DAIRY,
    C_VEG: Category.VEGETABLES,
    C_OTHER: Category.OTHER,
}
# Tonnes of output per 万元 of sales (illustrative prices).
TONNES_PER_10K = {
    C_POTATO: D("2.5"),
    C_OATS: D("1.2"),
    C_MEAT: D("0.16"),
    C_DAIRY: D("0.6"),
    C_VEG: D("3.5"),
    C_OTHER: D("0.3"),
}
BASE_KIND = {
    C_POTATO: "马铃薯种植基地",
    C_OATS: "燕麦杂粮种植基地",
    C_MEAT: "肉牛肉羊养殖基地",
    C_DAIRY: "奶源基地",
    C_VEG: "冷凉蔬菜种植基地",
    C_OTHER: "原料基地",
}
# The product standard, by a word of the product's name (the first that matches).
STANDARDS = (
    ("种薯", "GB 18133"),
    ("淀粉", "GB/T 8884"),
    ("粉条", "GB/T 23587"),
    ("全粉", "GB/T 40772"),
    ("薯条", "SB/T 10631"),
    ("薯饼", "SB/T 10631"),
    ("马铃薯", "NY/T 1066"),
    ("燕麦片", "GB 19640"),
    ("挂面", "LS/T 3212"),
    ("小米", "GB/T 11766"),
    ("炒米", "GB 19640"),
    ("燕麦", "GB 2715"),
    ("莜", "GB 2715"),
    ("荞麦", "GB 2715"),
    ("杂粮", "GB 2715"),
    ("风干", "GB/T 23969"),
    ("熏鸡", "GB 2726"),
    ("酱卤", "GB/T 23586"),
    ("肉", "GB 2707"),
    ("酸奶", "GB 19302"),
    ("奶酪", "GB 5420"),
    ("生鲜乳", "GB 19301"),
    ("巴氏", "GB 19645"),
    ("奶豆腐", "DBS15/001"),
    ("奶皮子", "DBS15/002"),
    ("奶片", "GB 19644"),
    ("胡麻油", "GB/T 8235"),
    ("蜂蜜", "GB 14963"),
    ("月饼", "GB/T 19855"),
    ("糕点", "GB/T 20977"),
    ("蘑菇", "GB 7096"),
)
# Packaging and channels of the logo use recorded for a licensee's first product.
PACKAGING = {
    C_POTATO: ("10 kg 网袋", [Channel.WHOLESALE, Channel.SUPERMARKET], "批发市场、商超"),
    C_OATS: ("1 kg 袋装", [Channel.SUPERMARKET, Channel.ECOMMERCE], "商超、电商平台"),
    C_MEAT: ("500 g 真空包装", [Channel.SUPERMARKET, Channel.CATERING], "商超、餐饮单位"),
    C_DAIRY: ("200 g 杯装", [Channel.SUPERMARKET, Channel.ECOMMERCE], "商超、电商平台"),
    C_VEG: ("5 kg 周转箱", [Channel.WHOLESALE, Channel.EXPORT], "批发市场、京津等区外市场"),
    C_OTHER: ("500 g 礼盒", [Channel.STORE, Channel.ECOMMERCE], "专卖店、电商平台"),
}
# The key enterprises' logo uses: (product, packaging, channels, colour of the photo).
KEY_LOGO_USES = {
    YINSHAN: [
        ("燕麦片", "1 kg 袋装", [Channel.SUPERMARKET, Channel.ECOMMERCE], (214, 170, 60)),
        ("燕麦米", "2.5 kg 礼盒", [Channel.STORE, Channel.EXPORT], (120, 150, 60)),
    ],
    LANGEGE: [
        ("草原酸奶", "180 g 杯装", [Channel.SUPERMARKET, Channel.CATERING], (70, 130, 200)),
        ("奶酪", "360 g 礼盒", [Channel.ECOMMERCE, Channel.EXPORT], (240, 200, 90)),
    ],
    SHUDU: [
        ("冷冻薯条", "2.5 kg 袋装", [Channel.CATERING, Channel.WHOLESALE], (230, 120, 40)),
        ("薯饼", "1 kg 袋装", [Channel.SUPERMARKET, Channel.EXPORT], (200, 80, 50)),
    ],
}
# Real towns (镇、乡、苏木) of each county, to name the origin bases.
TOWNS = {
    "150902": ("白海子镇", "马莲渠乡"),
    "150981": ("隆盛庄镇", "红砂坝镇", "浑源窑乡", "元山子乡", "黑土台镇", "巨宝庄镇"),
    "150921": ("卓资山镇", "旗下营镇", "十八台镇", "梨花镇", "大榆树乡", "巴音锡勒镇", "红召乡"),
    "150922": ("长顺镇", "朝阳镇", "七号镇", "德包图乡", "白音特拉乡", "公腊胡洞乡"),
    "150923": ("七台镇", "大黑沙土镇", "小海子镇", "屯垦队镇", "玻璃忽镜乡", "西井子镇", "卯都乡"),
    "150924": ("城关镇", "张皋镇", "鄂尔栋镇", "店子镇", "赛乌素镇", "民族团结乡", "大库联乡"),
    "150925": ("岱海镇", "永兴镇", "天成乡", "麦胡图镇", "六苏木镇", "蛮汉镇", "厂汉营乡"),
    "150926": (
        "土贵乌拉镇",
        "平地泉镇",
        "黄旗海镇",
        "玫瑰营镇",
        "三岔口乡",
        "巴音塔拉镇",
        "乌拉哈乡",
    ),
    "150927": ("科布尔镇", "铁沙盖镇", "宏盘乡", "乌素图镇", "土城子乡", "黄羊城镇"),
    "150928": ("白音察干镇", "土牧尔台镇", "红格尔图镇", "贲红镇", "当郎忽洞苏木", "乌兰哈达苏木"),
    "150929": ("乌兰花镇", "吉生太镇", "红格尔苏木", "忽鸡图乡", "查干补力格苏木"),
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢"
GIVEN = (
    "建国",
    "海军",
    "丽娟",
    "志强",
    "晓燕",
    "文斌",
    "国庆",
    "秀兰",
    "永明",
    "春梅",
    "宏伟",
    "雪峰",
)

REGISTERED_BY = "brand-m1"  # the office's member who keeps the register
REPORTS_BY = ("brand-m1", "brand-m2")  # who enters the licensees' paper reports
APPROVED_BY = "brand-dir"
CONCLUDED_BY = "brand-dep"

COUNTY_OPINION = "经初审,企业资质齐全,产品质量稳定,原料来自本地基地,同意推荐。"
OFFICE_OPINION = "经审核,符合《原味乌兰察布授权管理规则》规定的授权条件,同意授权。"
ROUND_NOTE = (
    "请各授权企业如实报送本年度销售额、产量、质量投诉和抽检情况,并附用标佐证材料"
    "(包装照片),逾期未报送的按《原味乌兰察布授权管理规则》处理。"
)
PASSED = "经营正常,按《LOGO使用规则》规范用标,复审通过。"
RECTIFY = (
    "包装用标不规范:标识比例和标准色不符合《原味乌兰察布LOGO使用规则》,部分包装未标注"
    "授权编号。限期一个月整改到位,报送整改后的包装照片。"
)
REMOVAL = (
    "连续两年未使用授权标识,经营异常,逾期未报送复审材料,依照《原味乌兰察布授权管理规则》予以清退。"
)
ANSWER = (
    "已按《LOGO使用规则》重新设计奶酪、奶片包装,更正了标识比例和标准色,加印了授权编号,"
    "新包装已投产,附整改后的包装照片。"
)
REJECTED = (
    "经审核,申请产品的原料主要从区外购进,不符合《原味乌兰察布授权管理规则》关于原料产地的"
    "要求;所附质量检验报告已超过有效期。不予授权,建立本地原料基地后可重新申请。"
)


@dataclass(frozen=True)
class Firm:
    """An enterprise of the register: a row of BRAND, or one the demo adds."""

    name: str
    county: str
    category: str
    products: str
    sales: int | None = None  # last year's, 万元
    growth: int | None = None  # percent, this year against last
    review: str = ""  # the table's re-review result
    authorised: str = ""  # the table's date (2023's calendar), or "" for an added one
    index: int = 0  # the code's sequence (the row's index in its county for BRAND)
    kind: str = ""  # an added one's type


def brand_firms() -> list[Firm]:
    return [
        Firm(
            name=name,
            county=county,
            category=category,
            products=products,
            sales=sales,
            growth=growth,
            review=review,
            authorised=authorised,
            index=index,
        )
        for county, rows in BRAND.items()
        for index, (name, category, products, authorised, sales, growth, review) in enumerate(rows)
    ]


# Enterprises the demo adds to the table's: (days before today) of their steps.
NEW_LICENSEE = Firm(
    "四子王旗查干补力格家庭农场",
    "150929",
    C_MEAT,
    "草原羔羊肉",
    sales=310,
    growth=9,
    index=90,
    kind=EnterpriseKind.FAMILY_FARM,
)
DRAFT = Firm(
    "凉城县岱海湖畔家庭农场",
    "150925",
    C_VEG,
    "冷凉蔬菜、鲜食玉米",
    index=90,
    kind=EnterpriseKind.FAMILY_FARM,
)
AT_COUNTY = Firm(
    "卓资县巴音锡勒杂粮种植专业合作社",
    "150921",
    C_OATS,
    "莜面、荞麦米",
    index=90,
)
AT_OFFICE = Firm(
    "丰镇市黑土台奶业专业合作社",
    "150981",
    C_DAIRY,
    "奶豆腐、奶皮子",
    index=90,
)
REJECTED_FIRM = Firm(
    "乌兰察布市集宁区宏达农产品贸易有限公司",
    "150902",
    C_POTATO,
    "马铃薯礼盒",
    index=90,
    kind=EnterpriseKind.OTHER,
)


def enterprise_kind(firm: Firm) -> str:
    if firm.kind:
        return firm.kind
    if firm.name in KEY_ENTERPRISES:
        return KEY_ENTERPRISES[firm.name]
    if "合作社" in firm.name:
        return EnterpriseKind.COOPERATIVE
    if "家庭农场" in firm.name:
        return EnterpriseKind.FAMILY_FARM
    if (firm.sales or 0) >= 3000:
        return EnterpriseKind.REGIONAL_LEADING
    if (firm.sales or 0) >= 500:
        return EnterpriseKind.CITY_LEADING
    return EnterpriseKind.OTHER


def this_years_sales(firm: Firm) -> Decimal:
    return (D(firm.sales) * (100 + firm.growth) / 100).quantize(CENT, ROUND_HALF_UP)


def town_of(firm: Firm) -> str:
    """The town the enterprise's name mentions, or one of its county's."""
    towns = TOWNS[firm.county]
    for town in towns:
        stem = town.removesuffix("苏木").rstrip("镇乡")
        if stem in firm.name:
            return town
    return towns[firm.index % len(towns)]


def standard_of(product: str) -> str:
    return next((code for word, code in STANDARDS if word in product), "Q/WLCB 0001S")


def products_of(firm: Firm, short: str) -> list[dict]:
    names = firm.products.split("、")
    total = D(firm.sales or 200) * TONNES_PER_10K[firm.category]
    base = f"{short}{town_of(firm)}{BASE_KIND[firm.category]}"
    return [
        {
            "name": name,
            "category": CATEGORY[firm.category],
            "standard": standard_of(name),
            "origin_base": base,
            "annual_output": (total / len(names)).quantize(CENT, ROUND_HALF_UP),
        }
        for name in names
    ]


# --- files ----------------------------------------------------------------------------


def pdf_bytes(lines: list[str]) -> bytes:
    """A minimal valid one-page PDF showing `lines` (ASCII) in Helvetica."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = " ".join(f"({escape(line)}) '" for line in lines)
    stream = f"BT /F1 14 Tf 72 760 Td 20 TL {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def png_bytes(colour: tuple[int, int, int], width: int = 48, height: int = 32) -> bytes:
    """A small valid PNG: a package in `colour` with a white label band (the logo's)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + tag
            + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    plain, band = bytes(colour), bytes((255, 255, 255))
    rows = b"".join(
        b"\x00" + (band if height // 3 <= y < 2 * height // 3 else plain) * width
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


DOCUMENTS = (
    (AttachmentKind.BUSINESS_LICENCE, "营业执照", "Business licence"),
    (AttachmentKind.INSPECTION_REPORT, "产品质量检验报告", "Quality inspection report"),
    (AttachmentKind.ORIGIN_PROOF, "产地证明", "Proof of origin"),
)


def documents_for(code: str, kinds=DOCUMENTS) -> list[tuple[str, SimpleUploadedFile]]:
    return [
        (
            kind,
            SimpleUploadedFile(
                f"{label}.pdf",
                pdf_bytes([title, f"Unified social credit code: {code}"]),
                content_type="application/pdf",
            ),
        )
        for kind, label, title in kinds
    ]


def photo(name: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(colour), content_type="image/png")


# --- loading ----------------------------------------------------------------------------


class _Clock(SupervisionClock):
    """Supervision's clock, for what the brand services stamp with the time they run."""

    FIELDS = {
        Notification: "created_at",
        Event: "at",
        RectificationEvent: "at",
        RectificationResponse: "at",
    }


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone()
    )


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


# A login: (username, name, title, unit) -> user.
Login = Callable[[str, str, str, OrgUnit], object]


class _Loader:
    def __init__(self, today: datetime.date, login: Login | None):
        self.today = today
        self.shift = today.year - SEED_YEAR
        self.login = login
        self.units = OrgUnit.objects.in_bulk(field_name="code")
        self.users = get_user_model().objects.in_bulk(field_name="username")
        self.liaisons = {code: self.users[name] for name, _n, code in org_data.COUNTY_LIAISONS}
        self.short = {code: short for code, _name, short in org_data.COUNTIES}
        self.clock = _Clock()
        self.stamps: dict[type, dict[int, dict]] = defaultdict(dict)
        self.enterprises: dict[str, Enterprise] = {}
        self.licences: dict[str, Licence] = {}
        self.firms = {firm.name: firm for firm in brand_firms()}
        # The re-review opens at the start of the year, before its first new licence.
        self.opened = min(datetime.date(today.year, 1, 10), today)
        latest = max(datetime.date.fromisoformat(f.authorised) for f in self.firms.values())
        self.latest_seed_day = self.shifted(latest)
        # 组建了乌兰察布市农牧业品牌协会: in the spring of the seed's year.
        self.association_founded = min(self.shifted(datetime.date(SEED_YEAR, 3, 28)), today)

    # --- the story's days

    def shifted(self, day: datetime.date) -> datetime.date:
        try:
            return day.replace(year=day.year + self.shift)
        except ValueError:  # 29 February
            return day.replace(year=day.year + self.shift, day=28)

    def authorised_on(self, firm: Firm) -> datetime.date:
        """The table's date moved to today's calendar; this year's, squeezed between
        the re-review's opening and today when today comes before them."""
        day = self.shifted(datetime.date.fromisoformat(firm.authorised))
        end = self.today - _days(3)
        if day.year < self.today.year or self.latest_seed_day <= end:
            return day
        span = (self.latest_seed_day - self.opened).days
        room = max(0, (end - self.opened).days)
        squeezed = self.opened + _days(max(1, (day - self.opened).days * room // span))
        return min(squeezed, self.today)

    def ago(self, days: int) -> datetime.date:
        return self.today - _days(days)

    def stamp(self, instance, **values) -> None:
        self.stamps[type(instance)].setdefault(instance.pk, {}).update(values)

    def tick(self, moment: datetime.datetime, *, unread=()) -> datetime.datetime:
        """What the services did since the last tick happened at `moment`."""
        self.clock.at(moment, unread=unread)
        return self.clock.past(moment)

    def user(self, username: str):
        return self.users[username]

    # --- enterprises and their authorization

    def register(self, firm: Firm, day: datetime.date, *, member: bool) -> Enterprise:
        county = self.units[firm.county]
        code = credit_code(firm.county, firm.index, name=firm.name)
        number = sum(map(ord, firm.name))
        joined = max(self.association_founded, day) if member else None
        enterprise = services.enterprise_save(
            actor=self.user(REGISTERED_BY),
            enterprise=Enterprise(
                name=firm.name,
                credit_code=code,
                county=county,
                kind=enterprise_kind(firm),
                legal_representative=SURNAMES[number % len(SURNAMES)] + GIVEN[number % len(GIVEN)],
                contact_name=SURNAMES[(number // 7) % len(SURNAMES)]
                + GIVEN[(number // 3) % len(GIVEN)],
                contact_phone=f"0474-{5200000 + number * 37 % 800000}",
                address=f"乌兰察布市{county.name}{town_of(firm)}",
                association_member=member,
                association_joined_on=min(joined, self.today) if joined else None,
            ),
        )
        self.stamp(enterprise, created_at=self.tick(_at(day, 9, 20)))
        self.enterprises[firm.name] = enterprise
        for username, name, title, enterprise_name in org_data.ENTERPRISE_LOGINS:
            if enterprise_name == firm.name:
                self.users[username] = self.create_login(username, name, title, enterprise.unit)
        return enterprise

    def create_login(self, username: str, name: str, title: str, unit: OrgUnit):
        if self.login is not None:
            return self.login(username, name, title, unit)
        return org.person_create(actor=None, username=username, name=name, unit=unit, title=title)

    def applicant(self, firm: Firm):
        """Who enters and submits the enterprise's application: its own login, if any,
        else the brand office for it."""
        for username, _name, _title, enterprise_name in org_data.ENTERPRISE_LOGINS:
            if enterprise_name == firm.name and username in self.users:
                return self.user(username)
        return self.user(REGISTERED_BY)

    def apply(self, firm: Firm, day: datetime.date, *, documents=DOCUMENTS) -> Application:
        enterprise = self.enterprises[firm.name]
        application = services.application_create(
            actor=self.applicant(firm),
            enterprise=enterprise,
            products=products_of(firm, self.short[firm.county]),
            attachments=documents_for(enterprise.credit_code, documents),
            today=day,
        )
        moment = self.tick(_at(day, 10, 5))
        self.stamp(application, created_at=moment)
        for attachment in application.attachments.select_related("file"):
            self.stamp(attachment, uploaded_at=moment)
            self.stamp(attachment.file, uploaded_at=moment)
        return application

    def submit(self, firm: Firm, application, day: datetime.date, *, unread=()):
        application = services.application_act(
            actor=self.applicant(firm), application=application, action=AppAction.SUBMIT
        )
        self.stamp(application, submitted_at=self.tick(_at(day, 15, 30), unread=unread))
        return application

    def county_pass(self, firm: Firm, application, day: datetime.date, *, unread=()):
        application = services.application_act(
            actor=self.liaisons[firm.county],
            application=application,
            action=AppAction.COUNTY_PASS,
            comment=COUNTY_OPINION,
        )
        self.stamp(application, county_reviewed_at=self.tick(_at(day, 11), unread=unread))
        return application

    def expert_opinion(self, firm: Firm, application, day: datetime.date) -> None:
        code = self.enterprises[firm.name].credit_code
        services.application_attach(
            actor=self.user(APPROVED_BY),
            application=application,
            uploads=documents_for(
                code, [(AttachmentKind.EXPERT_OPINION, "专家评审意见", "Expert opinion")]
            ),
        )
        moment = self.tick(_at(day, 16))
        for attachment in application.attachments.filter(kind=AttachmentKind.EXPERT_OPINION):
            self.stamp(attachment, uploaded_at=moment)
            self.stamp(attachment.file, uploaded_at=moment)

    def approve(self, firm: Firm, application, day: datetime.date) -> Licence:
        application = services.application_act(
            actor=self.user(APPROVED_BY),
            application=application,
            action=AppAction.APPROVE,
            comment=OFFICE_OPINION,
            valid_from=day,
            today=day,
        )
        moment = self.tick(_at(day, 10, 30))
        licence = Licence.objects.get(application=application)
        self.stamp(application, office_reviewed_at=moment)
        self.stamp(licence, issued_at=moment)
        self.licences[firm.name] = licence
        return licence

    def authorise(self, firm: Firm, day: datetime.date) -> Licence:
        """The whole path, the licence starting on `day`."""
        self.register(firm, day - _days(45), member=firm.name not in NOT_MEMBERS)
        application = self.apply(firm, day - _days(40))
        application = self.submit(firm, application, day - _days(35))
        application = self.county_pass(firm, application, day - _days(25))
        if firm.name in KEY_ENTERPRISES:
            self.expert_opinion(firm, application, day - _days(10))
        return self.approve(firm, application, day)

    # --- sales and logo use

    def sales(self, firm: Firm, year: int, amount: Decimal, day: datetime.date) -> None:
        record = services.sales_save(
            actor=self.user(REGISTERED_BY),
            enterprise=self.enterprises[firm.name],
            year=year,
            amount=amount,
        )
        self.stamp(record, recorded_at=self.clock.past(_at(day, 17)))

    def logo_uses(self, firm: Firm) -> None:
        licence = self.licences[firm.name]
        products = {p.name: p for p in licence.application.products.all()}
        actor = self.applicant(firm)
        since = min(licence.valid_from + _days(30), self.today)
        if firm.name in KEY_LOGO_USES:
            uses = [
                (products[name], packaging, channels, [photo(f"{name}包装.png", colour)])
                for name, packaging, channels, colour in KEY_LOGO_USES[firm.name]
            ]
        else:
            packaging, channels, _words = PACKAGING[firm.category]
            uses = [(next(iter(products.values())), packaging, channels, [])]
        for product, packaging, channels, photos in uses:
            use = services.logo_use_save(
                actor=actor,
                licence=licence,
                product=product,
                packaging=packaging,
                channels=channels,
                since=since,
                photos=photos,
            )
            self.stamp(use, recorded_at=self.clock.past(_at(since, 14)))
            for stored in use.photos.all():
                self.stamp(stored, uploaded_at=self.clock.past(_at(since, 14)))

    # --- this year's re-review

    def open_round(self):
        round_ = services.review_round_open(
            actor=self.user(APPROVED_BY),
            year=self.today.year,
            due_date=self.today + _days(21),
            note=ROUND_NOTE,
            today=self.opened,
        )
        self.stamp(round_, opened_at=self.tick(_at(self.opened, 9)))
        return round_

    def report_day(self, position: int, count: int) -> datetime.date:
        """Reports came in over the last six weeks (not before the round opened)."""
        first = max(self.opened, self.ago(45))
        last = max(first, self.ago(6))
        return min(first + _days((last - first).days * position // max(1, count - 1)), last)

    def report(self, firm: Firm, review: Review, day: datetime.date, position: int) -> Review:
        enterprise_login = self.applicant(firm).username != REGISTERED_BY
        actor = self.applicant(firm) if enterprise_login else self.user(REPORTS_BY[position % 2])
        packaging, _channels, words = PACKAGING[firm.category]
        if firm.review == FIX:
            inspection, note = Inspection.PASSED, "市场监管部门抽检1批次,合格。"
        elif position % 9 == 4:
            inspection, note = Inspection.NONE, ""
        else:
            inspection, note = Inspection.PASSED, f"市场监管部门抽检{1 + position % 3}批次,均合格。"
        licence = review.licence
        output = sum(p.annual_output for p in licence.application.products.all())
        review = services.review_submit(
            actor=actor,
            review=review,
            sales=this_years_sales(firm),
            output=(output * (100 + firm.growth) / 100).quantize(CENT, ROUND_HALF_UP),
            complaints=(position * 5) % 7 // 3,
            inspection=inspection,
            inspection_note=note,
            logo_note=f"“原味乌兰察布”标识用于{firm.products}的{packaging}包装,经{words}销售。",
        )
        unread = True if firm.name in JUST_REPORTED else ()
        moment = self.tick(_at(day, 9, 40 + position % 20), unread=unread)
        self.stamp(review, submitted_at=moment)
        sales = Sales.objects.get(enterprise=review.licence.enterprise, year=self.today.year)
        self.stamp(sales, recorded_at=moment)
        return review

    def conclude(self, firm: Firm, review: Review, day: datetime.date) -> Review:
        if firm.review == FIX:
            review = services.review_act(
                actor=self.user(CONCLUDED_BY),
                review=review,
                action=ReviewAction.RECTIFY,
                comment=RECTIFY,
                due_date=self.today + _days(30),
                today=day,
            )
            # The enterprise still has to act, unless it has answered already.
            moment = self.tick(_at(day, 15), unread=True if firm.name != ANSWERED else ())
            self.stamp(review.rectification, raised_at=moment)
        else:
            review = services.review_act(
                actor=self.user(CONCLUDED_BY),
                review=review,
                action=ReviewAction.PASS,
                comment=PASSED,
                today=day,
            )
            moment = self.tick(_at(day, 15))
        self.stamp(review, concluded_at=moment)
        return review

    def answer(self, firm: Firm, review: Review, day: datetime.date) -> None:
        responder = self.applicant(firm)
        stored = store_upload(
            photo("整改后包装.png", (90, 160, 90)), user=responder, allowed=services.PHOTO_TYPES
        )
        rectification.rectification_respond(
            actor=responder, item=review.rectification, text=ANSWER, evidence=[stored]
        )
        moment = self.tick(_at(day, 16, 10), unread=True)
        self.stamp(stored, uploaded_at=moment)
        self.stamp(review.rectification, responded_at=moment)

    def remove(self, firm: Firm, review: Review, day: datetime.date) -> None:
        review = services.review_act(
            actor=self.user(APPROVED_BY),
            review=review,
            action=ReviewAction.REMOVE,
            comment=REMOVAL,
            today=day,
        )
        self.stamp(review, concluded_at=self.tick(_at(day, 10)))

    def re_review(self) -> None:
        round_ = self.open_round()
        reviews = {
            r.licence.enterprise.name: r
            for r in round_.reviews.select_related("licence__enterprise", "licence__application")
        }
        removing = [name for name in reviews if self.firms[name].review == REMOVE]
        reporting = [
            name
            for name in reviews
            if name not in NOT_REPORTED and name not in JUST_REPORTED and name not in removing
        ]
        conclusions = []
        for position, name in enumerate(reporting):
            day = self.report_day(position, len(reporting))
            review = self.report(self.firms[name], reviews[name], day, position)
            concluded = max(day, min(day + _days(3 + position % 5), self.ago(3)))
            conclusions.append((name, review, concluded))
        for offset, name in enumerate(JUST_REPORTED):
            day = max(self.opened, self.ago(2 - offset % 2))
            self.report(self.firms[name], reviews[name], day, len(reporting) + offset)
        for name, review, day in conclusions:
            review = self.conclude(self.firms[name], review, day)
            if name == ANSWERED:
                self.answer(self.firms[name], review, max(day, self.ago(2)))
        for name in removing:
            self.remove(self.firms[name], reviews[name], max(self.opened, self.ago(12)))

    # --- the queue

    def queue(self) -> None:
        """The applications of the last months, in the order they were entered (their
        numbers follow it)."""
        # Rejected by the brand office, with its reasons.
        self.register(REJECTED_FIRM, self.ago(70), member=False)
        application = self.apply(REJECTED_FIRM, self.ago(66))
        application = self.submit(REJECTED_FIRM, application, self.ago(62))
        application = self.county_pass(REJECTED_FIRM, application, self.ago(55))
        application = services.application_act(
            actor=self.user(APPROVED_BY),
            application=application,
            action=AppAction.REJECT,
            comment=REJECTED,
        )
        self.stamp(application, office_reviewed_at=self.tick(_at(self.ago(41), 10)))

        # Authorised a few weeks ago, after the re-review opened.
        day = max(self.opened, self.ago(20))
        self.authorise(NEW_LICENSEE, day)
        self.sales(NEW_LICENSEE, self.today.year - 1, D(NEW_LICENSEE.sales), day)
        self.sales(NEW_LICENSEE, self.today.year, this_years_sales(NEW_LICENSEE), day)
        self.logo_uses(NEW_LICENSEE)

        # Passed 丰镇市's first review; awaiting the brand office.
        self.register(AT_OFFICE, self.ago(30), member=True)
        application = self.apply(AT_OFFICE, self.ago(28))
        application = self.submit(AT_OFFICE, application, self.ago(25))
        self.county_pass(AT_OFFICE, application, self.ago(8), unread=True)

        # Awaiting 卓资县's first review.
        self.register(AT_COUNTY, self.ago(12), member=False)
        application = self.apply(AT_COUNTY, self.ago(10))
        self.submit(AT_COUNTY, application, self.ago(3), unread=True)

        # A draft the office entered: the proof of origin is still to come.
        self.register(DRAFT, self.ago(6), member=False)
        self.apply(DRAFT, self.ago(5), documents=DOCUMENTS[:2])

    # --- the whole story

    def load(self) -> None:
        firms = sorted(self.firms.values(), key=lambda f: (self.authorised_on(f), f.name))
        this_year = [f for f in firms if self.authorised_on(f).year == self.today.year]
        earlier = [f for f in firms if f not in this_year]
        for firm in earlier:
            self.authorise(firm, self.authorised_on(firm))
        # Opened before this year's new licences: it covers the earlier ones.
        self.re_review()
        for firm in this_year:
            self.authorise(firm, self.authorised_on(firm))
        # Last year's figures entered in January; this year's come with the re-review's
        # reports, the others' from the dispatch tables.
        entered = min(datetime.date(self.today.year, 1, 20), self.today)
        for firm in firms:
            day = self.authorised_on(firm)
            self.sales(firm, self.today.year - 1, D(firm.sales), max(day, entered))
            if firm.name in NOT_REPORTED or firm.review == REMOVE or firm in this_year:
                self.sales(firm, self.today.year, this_years_sales(firm), max(day, self.ago(15)))
            if firm.review != REMOVE:  # it never used the logo
                self.logo_uses(firm)
        self.queue()
        self.clock.apply()
        write_stamps(self.stamps)


def load_brand(today: datetime.date | None = None, *, login: Login | None = None) -> None:
    """Load the brand register demo; the organisation must be loaded. `login(username,
    name, title, unit)` creates an enterprise's login (the loader's way of creating
    people); without it the logins get no usable password."""
    with translation.override(settings.LANGUAGE_CODE):  # notifications in Chinese
        _Loader(today or timezone.localdate(), login).load()
