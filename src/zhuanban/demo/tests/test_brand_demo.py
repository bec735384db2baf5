"""The brand register demo tells the seed's story from its data: 83 licences valid today
(the dispatch table's enterprises, one of them removed, and one authorised since), the key
enterprises' sales up 10%–50%, this year's re-review in progress with some enterprises in
rectification, and applications waiting in the queue."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from stdnum.cn import uscc

from zhuanban.brand import scoping, selectors, services
from zhuanban.brand.lifecycle import AppStatus, Party, ReviewStatus
from zhuanban.brand.models import (
    REQUIRED_ATTACHMENTS,
    Application,
    AttachmentKind,
    Enterprise,
    EnterpriseKind,
    Licence,
    LicenceState,
    LogoUse,
    Review,
    ReviewRound,
    Sales,
)
from zhuanban.core.models import Notification
from zhuanban.demo import brand_data, dispatch_data, org_data
from zhuanban.demo.loader import DEMO_ACCOUNTS
from zhuanban.dispatch.models import DataValue, DispatchRound
from zhuanban.rectification.lifecycle import Status as ItemStatus
from zhuanban.rectification.models import SourceKind

KEY = (brand_data.YINSHAN, brand_data.LANGEGE, brand_data.SHUDU)


def _user(username):
    return get_user_model().objects.get(username=username)


def _growth(enterprise: Enterprise, year: int) -> Decimal:
    amounts = dict(enterprise.sales.values_list("year", "amount"))
    return (amounts[year] - amounts[year - 1]) * 100 / amounts[year - 1]


def _shifted(text: str) -> datetime.date:
    day = datetime.date.fromisoformat(text)
    return day.replace(year=day.year + timezone.localdate().year - dispatch_data.YEAR)


@pytest.mark.usefixtures("loaded", "db")
class TestBrandDemo:
    # --- 品牌授权企业达83家 ------------------------------------------------------------

    def test_83_licences_are_valid_today_and_the_removed_one_is_revoked(self):
        today = timezone.localdate()
        assert Licence.objects.valid_on(today).count() == 83
        states = Counter(Licence.objects.with_state(today).values_list("state", flat=True))
        assert states == {LicenceState.VALID: 83, LicenceState.REVOKED: 1}
        revoked = Licence.objects.get(revoked_on__isnull=False)
        assert revoked.enterprise.name == brand_data.REMOVED == "商都县卯都胡麻油有限公司"
        assert revoked.revoked_on <= today
        assert "清退" in revoked.revoked_reason
        assert revoked.state_on(today) == LicenceState.REVOKED
        # The public page: the revoked licence is shown as such, and off the public list.
        (found,) = selectors.public_lookup("卯都胡麻油", today)
        assert (found.number, found.state) == (revoked.number, LicenceState.REVOKED)
        listed = list(selectors.public_enterprises(today))
        assert len(listed) == 83
        assert revoked not in listed
        assert brand_data.NEW_LICENSEE.name in {lic.enterprise.name for lic in listed}

    def test_the_register_holds_the_dispatch_tables_enterprises_with_the_same_codes(self):
        june = DispatchRound.objects.get(
            template__code="brand-enterprises", year=2023, period_number=6
        )
        cells = DataValue.objects.filter(round=june, column__in=["name", "credit_code"])
        rows: dict[tuple, dict] = {}
        for unit_id, row, column, text in cells.values_list("unit_id", "row", "column", "text"):
            rows.setdefault((unit_id, row), {})[column] = text
        table = {row["name"]: row["credit_code"] for row in rows.values()}
        assert len(table) == 83
        register = dict(Enterprise.objects.values_list("name", "credit_code"))
        assert {name: register.get(name) for name in table} == table
        for county, entries in dispatch_data.BRAND.items():
            for index, (name, *_rest) in enumerate(entries):
                enterprise = Enterprise.objects.select_related("county").get(name=name)
                assert enterprise.county.division_code == county
                assert enterprise.credit_code == dispatch_data.credit_code(county, index)

    def test_every_credit_code_passes_the_check_and_names_the_organisation_type(self):
        codes = list(Enterprise.objects.values_list("name", "credit_code", "county__division_code"))
        assert len(codes) == 88  # 83 + the one authorised since + four in the queue
        for name, code, county in codes:
            assert uscc.is_valid(code), (name, code)
            assert code[2:8] == county, name
            expected = "93" if "合作社" in name else "92" if "家庭农场" in name else "91"
            assert code[:2] == expected, name
        # A corrupted check character is refused.
        code = codes[0][1]
        wrong = code[:17] + ("0" if code[17] != "0" else "1")
        assert not uscc.is_valid(wrong)

    def test_a_plausible_mix_of_enterprise_types_and_association_members(self):
        kinds = dict(Enterprise.objects.values_list("name", "kind"))
        assert kinds[brand_data.YINSHAN] == EnterpriseKind.NATIONAL_LEADING
        assert kinds[brand_data.LANGEGE] == EnterpriseKind.REGIONAL_LEADING
        assert kinds[brand_data.SHUDU] == EnterpriseKind.REGIONAL_LEADING
        counts = Counter(kinds.values())
        assert set(counts) == set(EnterpriseKind.values)
        assert all(
            kind == EnterpriseKind.COOPERATIVE for name, kind in kinds.items() if "合作社" in name
        )
        members = Enterprise.objects.filter(association_member=True)
        assert members.count() > Enterprise.objects.count() * 3 // 4
        assert not members.filter(association_joined_on__gt=timezone.localdate()).exists()
        assert not Enterprise.objects.filter(contact_name="").exists()

    # --- licences and their dates ---------------------------------------------------

    def test_licences_start_on_the_tables_dates_moved_to_today_and_run_three_years(self):
        today = timezone.localdate()
        licences = {
            lic.enterprise.name: lic for lic in Licence.objects.select_related("enterprise")
        }
        assert len(licences) == 84
        for entries in dispatch_data.BRAND.values():
            for name, _c, _p, authorised, *_rest in entries:
                licence = licences[name]
                if authorised < "2023":  # this year's may be squeezed before today
                    assert licence.valid_from == _shifted(authorised), name
        for licence in licences.values():
            assert licence.valid_from <= today
            assert licence.valid_until == services.licence_end(licence.valid_from)
            assert licence.valid_until > today
            issued = timezone.localtime(licence.issued_at).date()
            assert issued == licence.valid_from, licence.enterprise.name
            assert licence.number.startswith(f"YW-{licence.valid_from.year}-")

    def test_applications_went_through_the_county_and_the_office(self):
        liaisons = {code: username for username, _n, code in org_data.COUNTY_LIAISONS}
        approved = Application.objects.filter(status=AppStatus.APPROVED).select_related(
            "enterprise__county", "county_reviewer", "office_reviewer"
        )
        assert approved.count() == 84
        for application in approved:
            county = application.enterprise.county.division_code
            assert application.county_reviewer.username == liaisons[county]
            assert application.office_reviewer.username == brand_data.APPROVED_BY
            assert application.created_at < application.submitted_at
            assert application.submitted_at < application.county_reviewed_at
            assert application.county_reviewed_at < application.office_reviewed_at
            kinds = set(application.attachments.values_list("kind", flat=True))
            assert set(REQUIRED_ATTACHMENTS) <= kinds
            assert application.products.exists()
            assert list(application.events.values_list("action", flat=True)) == [
                "create",
                "submit",
                "county_pass",
                "approve",
                "licence_issue",
            ]
        yinshan = Application.objects.get(enterprise__name=brand_data.YINSHAN)
        assert yinshan.created_by.username == "yinshan"
        assert yinshan.attachments.filter(kind=AttachmentKind.EXPERT_OPINION).exists()
        products = list(yinshan.products.values_list("name", "standard"))
        assert products == [("燕麦片", "GB 19640"), ("燕麦米", "GB 2715")]

    def test_the_documents_are_real_pdfs(self):
        application = Application.objects.get(enterprise__name=brand_data.SHUDU)
        for attachment in application.attachments.select_related("file"):
            with attachment.file.file.open("rb") as handle:
                content = handle.read()
            assert content.startswith(b"%PDF-1.4")
            assert content.rstrip().endswith(b"%%EOF")
            assert application.enterprise.credit_code.encode() in content

    # --- 销售额较去年同期均有了10%~50%的涨幅 --------------------------------------------

    def test_the_key_enterprises_grew_by_10_to_50_percent(self):
        year = timezone.localdate().year
        for name in KEY:
            growth = _growth(Enterprise.objects.get(name=name), year)
            assert Decimal(10) <= growth <= Decimal(50), (name, growth)
        assert _growth(Enterprise.objects.get(name=brand_data.YINSHAN), year) == 38
        # As the register computes it.
        key = selectors.with_sales(Enterprise.objects.filter(name__in=KEY), year)
        growth = {e.name: e.growth for e in key}
        assert set(growth) == set(KEY)
        assert all(Decimal(10) <= g <= Decimal(50) for g in growth.values()), growth

    def test_every_licensee_has_last_years_and_this_years_sales_from_the_table(self):
        year = timezone.localdate().year
        assert Sales.objects.filter(year=year).count() == 84
        assert Sales.objects.filter(year=year - 1).count() == 84
        for entries in dispatch_data.BRAND.values():
            for name, _c, _p, _a, sales, growth, _r in entries:
                amounts = dict(
                    Sales.objects.filter(enterprise__name=name).values_list("year", "amount")
                )
                assert amounts[year - 1] == sales
                expected = (Decimal(sales) * (100 + growth) / 100).quantize(Decimal("0.01"))
                assert amounts[year] == expected, name

    # --- this year's re-review ----------------------------------------------------------

    def test_this_years_re_review_is_in_progress(self):
        today = timezone.localdate()
        round_ = ReviewRound.objects.get(year=today.year)
        assert round_.due_date > today
        statuses = Counter(round_.reviews.values_list("status", flat=True))
        assert statuses == {
            ReviewStatus.PASSED: 60,
            ReviewStatus.RECTIFYING: 3,
            ReviewStatus.SUBMITTED: 3,
            ReviewStatus.AWAITING: 6,
            ReviewStatus.REMOVED: 1,
        }
        awaiting = round_.reviews.filter(status=ReviewStatus.AWAITING)
        assert set(awaiting.values_list("licence__enterprise__name", flat=True)) == set(
            brand_data.NOT_REPORTED
        )
        removed = round_.reviews.get(status=ReviewStatus.REMOVED)
        assert removed.licence.enterprise.name == brand_data.REMOVED
        # The licences granted this year (and since) are not in it.
        first_of_year = datetime.date(today.year, 1, 1)
        assert not round_.reviews.filter(licence__valid_from__gte=first_of_year).exists()
        assert (
            round_.reviews.count() == Licence.objects.filter(valid_from__lt=first_of_year).count()
        )

    def test_rectification_runs_through_the_shared_loop(self):
        today = timezone.localdate()
        rectifying = Review.objects.filter(status=ReviewStatus.RECTIFYING).select_related(
            "rectification", "licence__enterprise__unit"
        )
        names = set()
        for review in rectifying:
            item = review.rectification
            assert item.source_kind == SourceKind.BRAND
            assert item.source_id == review.pk
            assert item.unit_id == review.licence.enterprise.unit_id
            assert item.office.code == "office-brand"
            assert item.status in (ItemStatus.OPEN, ItemStatus.RESPONDED)
            assert item.due_date > today
            assert timezone.localtime(item.raised_at).date() <= today
            names.add(review.licence.enterprise.name)
        assert len(names) == 3
        answered = rectifying.get(licence__enterprise__name=brand_data.ANSWERED).rectification
        assert answered.status == ItemStatus.RESPONDED
        response = answered.responses.get()
        assert response.responder.username == "bayintala"
        assert response.evidence.exists()
        # The brand office is told to verify it.
        assert Notification.objects.filter(
            recipient__username=brand_data.APPROVED_BY,
            kind="rectification_respond",
            read_at__isnull=True,
        ).exists()

    def test_reports_carry_this_years_figures_and_were_entered_in_the_last_weeks(self):
        today = timezone.localdate()
        reported = Review.objects.filter(submitted_at__isnull=False).select_related(
            "licence__enterprise", "submitted_by"
        )
        assert reported.count() == 66
        round_ = ReviewRound.objects.get(year=today.year)
        earliest = max(timezone.localtime(round_.opened_at).date(), today - datetime.timedelta(46))
        for review in reported:
            assert earliest <= timezone.localtime(review.submitted_at).date() <= today
            sales = Sales.objects.get(enterprise=review.licence.enterprise, year=today.year)
            assert review.sales == sales.amount
            assert review.logo_note
            assert 0 <= review.complaints <= 2
        yinshan = reported.get(licence__enterprise__name=brand_data.YINSHAN)
        assert yinshan.submitted_by.username == "yinshan"
        assert yinshan.status == ReviewStatus.PASSED
        # The three reports waiting for a conclusion are in the office's inbox.
        unread = Notification.objects.filter(
            recipient__username=brand_data.APPROVED_BY, kind="brand_reported", read_at=None
        )
        assert unread.count() == 3

    # --- logo use -------------------------------------------------------------------

    def test_every_licensee_records_its_logo_use_and_the_key_ones_with_photos(self):
        valid = Licence.objects.valid_on()
        assert not valid.exclude(pk__in=LogoUse.objects.values("licence")).exists()
        assert not LogoUse.objects.filter(licence__revoked_on__isnull=False).exists()
        for name in KEY:
            uses = LogoUse.objects.filter(licence__enterprise__name=name).prefetch_related("photos")
            assert uses.count() == 2
            for use in uses:
                assert use.channels
                assert use.since >= use.licence.valid_from
                (photo,) = use.photos.all()
                with photo.file.open("rb") as handle:
                    assert handle.read(8) == b"\x89PNG\r\n\x1a\n"

    # --- the queue and the logins -----------------------------------------------------

    def test_the_queue_has_a_draft_a_first_review_an_office_review_and_a_rejection(self):
        open_ = Application.objects.exclude(status=AppStatus.APPROVED).select_related(
            "enterprise__county"
        )
        by_status = {a.status: a for a in open_}
        assert set(by_status) == {
            AppStatus.DRAFT,
            AppStatus.COUNTY_REVIEW,
            AppStatus.OFFICE_REVIEW,
            AppStatus.REJECTED,
        }
        draft = by_status[AppStatus.DRAFT]
        kinds = set(draft.attachments.values_list("kind", flat=True))
        assert AttachmentKind.ORIGIN_PROOF not in kinds
        at_county = by_status[AppStatus.COUNTY_REVIEW]
        assert at_county.enterprise.county.name == "卓资县"
        assert Notification.objects.filter(
            recipient__username="zhuozi", kind="brand_first_review", read_at=None
        ).exists()
        assert Party.COUNTY in scoping.parties(_user("zhuozi"), at_county.enterprise)
        office_review = by_status[AppStatus.OFFICE_REVIEW]
        assert office_review.county_opinion
        rejected = by_status[AppStatus.REJECTED]
        assert "不予授权" in rejected.office_opinion
        # Numbered as created; the loader dates several applications to the same moment.
        numbers = list(
            Application.objects.order_by("created_at", "pk").values_list("number", flat=True)
        )
        assert numbers == sorted(numbers)

    def test_the_demo_logins_of_the_brand_office_and_of_yinshan(self):
        accounts = dict(DEMO_ACCOUNTS)
        assert {"brand-dir", "yinshan"} <= set(accounts)
        assert scoping.is_brand_staff(_user("brand-dir"))
        yinshan = _user("yinshan")
        enterprise = Enterprise.objects.get(name=brand_data.YINSHAN)
        assert yinshan.profile.unit_id == enterprise.unit_id
        assert scoping.enterprise_of_user(yinshan) == enterprise
        assert scoping.parties(yinshan, enterprise) == {Party.ENTERPRISE}
        assert list(scoping.visible_enterprises(yinshan)) == [enterprise]
        assert yinshan.check_password(org_data.DEMO_PASSWORD)
