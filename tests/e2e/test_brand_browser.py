"""The 原味乌兰察布 brand register end to end in a real Chromium, on the Ulanqab demo.

A buyer, not logged in, follows the login page's link to the public verification page,
looks up 阴山优麦 by name and by its licence number (what the QR code on the packaging
opens) and reads it as valid, with its products and its validity; then looks up the
enterprise the demo removed (清退) and reads its licence, in red, as removed, with the
date and nothing of the reason; the removed enterprise is not on the public list of
authorized enterprises. The same on a phone, where nothing scrolls sideways.

The brand office's director opens the register (83 enterprises hold a valid licence
today, as the seed says), this year's re-review with its enterprises in rectification,
one of them and its review. 阴山优麦's own login lands on its enterprise's page and sees
the brand in the main navigation and nothing else; another enterprise's page is not
there for it.

One test: loading the demo costs half a minute, so the three visitors share one load.
Labels are compared with the zh-hans catalogue's (`zh`), so the test holds however far
the Chinese translation has got. Every page is watched: no Content Security Policy
violation, no console error, no answer of 400 or more but the refusals the test provokes.
"""

import pytest
from browsing import (
    assert_clean,
    assert_no_horizontal_scroll,
    click_and_wait,
    text_of,
    watched,
)
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext, pgettext

from zhuanban.brand.lifecycle import ReviewStatus
from zhuanban.brand.models import Enterprise, Licence, LicenceState, Review, ReviewRound
from zhuanban.demo.brand_data import YINSHAN

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

BRAND_OFFICE = "brand-dir"  # the brand office's director (the leader needs 2FA)
ENTERPRISE_LOGIN = "yinshan"  # 阴山优麦's own login
SEARCHED_NAME = "阴山优麦"
LICENSED_TODAY = 83  # the seed's “品牌授权企业达83家”


# --- helpers ------------------------------------------------------------------------------


def zh(text: str, context: str = "") -> str:
    """A msgid as the pages show it (zh-hans), whatever language the test runs in."""
    with translation.override("zh-hans"):
        return pgettext(context, text) if context else gettext(text)


def zh_label(choice) -> str:
    with translation.override("zh-hans"):
        return str(choice.label)


def validity(licence: Licence) -> str:
    return zh("%(start)s to %(end)s") % {
        "start": licence.valid_from.isoformat(),
        "end": licence.valid_until.isoformat(),
    }


def products(licence: Licence) -> list[str]:
    return [product.name for product in licence.application.products.all()]


def screenshot_down_to(page, path, selector, width):
    """The page from its top down to the end of `selector`: the part a README shows."""
    bottom = page.evaluate(
        """(selector) => {
          const box = document.querySelector(selector).getBoundingClientRect();
          return box.bottom + window.scrollY;
        }""",
        selector,
    )
    page.screenshot(
        path=path, full_page=True, clip={"x": 0, "y": 0, "width": width, "height": bottom + 16}
    )


def search(page, query):
    """The search field of the verification page (opened if the page is another)."""
    if page.locator("input[name=q]").count() == 0:
        page.goto("/verify/")
    page.fill("input[name=q]", query)
    click_and_wait(page, "form.pub-search button[type=submit]")
    assert_clean(page, f"search {query}")


def assert_valid_card(card, licence: Licence):
    """A licence card reads as valid (有效): the enterprise, the number, the products and
    until when."""
    assert "pub-valid" in card.get_attribute("class")
    assert card.locator(".pub-state").get_attribute("class").split() == [
        "pub-state",
        "pub-state-valid",
    ]
    assert text_of(card, ".pub-state-word").endswith(zh("Valid", "public verification"))
    assert text_of(card, ".pub-state-note") == zh(
        "This licence is valid until %(date)s: the enterprise may use the 原味乌兰察布 logo on "
        "the products below."
    ) % {"date": licence.valid_until.isoformat()}
    assert text_of(card, ".pub-name") == licence.enterprise.name
    facts = text_of(card, ".pub-pairs")
    assert licence.number in facts
    assert licence.enterprise.county.name in facts
    assert validity(licence) in facts
    shown = [text.split()[0] for text in card.locator(".pub-products li").all_inner_texts()]
    assert shown == products(licence)
    # The credit code masked but for its last four characters.
    code = licence.enterprise.credit_code
    assert code not in facts
    assert "*" * (len(code) - 4) + code[-4:] in facts


def assert_removed_card(card, licence: Licence):
    """A removed licence reads as removed (已清退), in red, with its date; never valid."""
    assert "pub-revoked" in card.get_attribute("class")
    state = card.locator(".pub-state")
    assert state.get_attribute("class").split() == ["pub-state", "pub-state-revoked"]
    word = text_of(card, ".pub-state-word")
    assert word.endswith(zh("Removed", "public verification"))
    assert zh("Valid", "public verification") not in word
    assert text_of(card, ".pub-state-note") == zh(
        "This licence was removed (清退) on %(date)s: products may no longer carry the "
        "原味乌兰察布 logo under it."
    ) % {"date": licence.revoked_on.isoformat()}
    # Red, so that it reads at a glance.
    background = state.evaluate("(el) => getComputedStyle(el).backgroundColor")
    assert background == "rgb(163, 38, 28)", background
    assert text_of(card, ".pub-name") == licence.enterprise.name
    facts = text_of(card, ".pub-pairs")
    assert licence.number in facts
    shown = [text.split()[0] for text in card.locator(".pub-products li").all_inner_texts()]
    assert shown == products(licence)


# --- the test -------------------------------------------------------------------------------


def test_the_public_verifies_a_valid_and_a_removed_licence_and_the_office_reads_the_register(
    new_page, log_in, screenshot_path
):
    today = timezone.localdate()
    valid = (
        Licence.objects.with_state(today)
        .select_related("enterprise__county", "application")
        .get(enterprise__name__contains=SEARCHED_NAME)
    )
    assert valid.state == LicenceState.VALID
    assert valid.enterprise.name == YINSHAN
    removed = (
        Licence.objects.filter(revoked_on__isnull=False)
        .select_related("enterprise__county", "application")
        .get()
    )
    assert removed.state_on(today) == LicenceState.REVOKED
    assert removed.revoked_reason, "the demo removes with a reason (never shown to the public)"
    assert not Licence.objects.valid_on(today).filter(enterprise=removed.enterprise).exists()

    visitor_sees_a_valid_and_a_removed_licence(new_page, screenshot_path, valid, removed)
    visitor_on_a_phone(new_page, screenshot_path, valid, removed)
    brand_office_reads_the_register_and_the_re_review(new_page, log_in, screenshot_path, today)
    enterprise_login_sees_its_own_page(new_page, log_in)


def visitor_sees_a_valid_and_a_removed_licence(new_page, screenshot_path, valid, removed):
    page = watched(new_page(**DESKTOP))

    # --- from the login page to the public verification page ---------------------------------
    page.goto("/accounts/login/")
    assert_clean(page, "login")
    with page.expect_navigation():
        page.locator("a", has_text=zh("Verify a 原味乌兰察布 licence")).click()
    assert_clean(page, "verification page")
    assert page.url.endswith("/verify/")
    assert text_of(page, "h1") == zh("Verify a 原味乌兰察布 licence")
    assert page.locator("nav.mainnav").count() == 0  # nobody is logged in

    # --- by the enterprise's name: valid -----------------------------------------------------
    search(page, SEARCHED_NAME)
    assert zh("Removed", "public verification") not in text_of(page, ".pub-results")
    with translation.override("zh-hans"):
        found = ngettext("%(counter)s licence found", "%(counter)s licences found", 1)
    assert text_of(page, ".pub-count") == found % {"counter": 1}
    cards = page.locator(".pub-results .pub-card")
    assert cards.count() == 1
    assert_valid_card(cards.first, valid)
    page.screenshot(path=screenshot_path("brand-verify-valid.png"), full_page=True)

    # --- by the licence number (what the QR code opens): the same -----------------------------
    response = page.goto(f"/verify/{valid.number}/")
    assert response.status == 200
    assert_clean(page, "licence by number")
    assert text_of(page, "h1") == zh("原味乌兰察布 licence")
    assert page.locator(".pub-card").count() == 1
    assert_valid_card(page.locator(".pub-card"), valid)
    # Typed in lower case, the number still finds it.
    search(page, valid.number.lower())
    assert page.locator(".pub-results .pub-card").count() == 1
    assert_valid_card(page.locator(".pub-results .pub-card"), valid)

    # --- the removed enterprise: clearly removed ---------------------------------------------
    search(page, removed.enterprise.name)
    cards = page.locator(".pub-results .pub-card")
    assert cards.count() == 1
    assert_removed_card(cards.first, removed)
    # Never the reason for the removal, nor who decided it, nor the contacts.
    content = page.content()
    assert removed.revoked_reason not in content
    assert removed.enterprise.contact_phone not in content
    assert removed.enterprise.credit_code not in content
    page.screenshot(path=screenshot_path("brand-verify-revoked.png"), full_page=True)

    # --- the public list: the removed enterprise is not on it ---------------------------------
    with page.expect_navigation():
        page.locator(
            "nav.pub-nav a", has_text=zh("Authorized enterprises", "brand register")
        ).click()
    assert_clean(page, "public list")
    assert page.url.endswith("/verify/enterprises/")
    listed = page.locator("table.pub-list td.pub-enterprise").all_inner_texts()
    assert len(listed) == LICENSED_TODAY
    assert valid.enterprise.name in listed
    assert removed.enterprise.name not in page.content()
    yinshan = page.locator("table.pub-list tr", has_text=valid.enterprise.name)
    assert validity(valid) in yinshan.inner_text()
    # Grouped by county, each with the count of its enterprises.
    county = page.locator("section.pub-county", has_text=valid.enterprise.name)
    assert text_of(county, "h2") == valid.enterprise.county.name

    # --- a number nobody was given: not found, and nothing of it repeated ---------------------
    response = page.goto("/verify/YW-2000-NOSUCH00/")
    assert response.status == 404
    assert text_of(page, "h1") == zh("No such licence")
    assert "NOSUCH00" not in text_of(page, "main")
    assert_clean(page, "no such licence", refused=[(404, "/verify/YW-2000-NOSUCH00/")])


def visitor_on_a_phone(new_page, screenshot_path, valid, removed):
    """The QR code scanned with a phone: the licence fits the screen, the state reads
    first."""
    phone = watched(new_page(**PHONE))
    phone.goto(f"/verify/{valid.number}/")
    assert_clean(phone, "valid licence (phone)")
    assert_valid_card(phone.locator(".pub-card"), valid)
    assert_no_horizontal_scroll(phone)

    phone.goto(f"/verify/{removed.number}/")
    assert_clean(phone, "removed licence (phone)")
    assert_removed_card(phone.locator(".pub-card"), removed)
    assert_no_horizontal_scroll(phone)
    # The state is on the first screen, above the enterprise's details.
    box = phone.locator(".pub-state").bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"], box
    phone.screenshot(path=screenshot_path("brand-verify-phone.png"), full_page=True)

    search(phone, SEARCHED_NAME)
    assert_valid_card(phone.locator(".pub-results .pub-card"), valid)
    assert_no_horizontal_scroll(phone)
    phone.goto("/verify/enterprises/")
    assert_clean(phone, "public list (phone)")
    assert_no_horizontal_scroll(phone)


def brand_office_reads_the_register_and_the_re_review(new_page, log_in, screenshot_path, today):
    office = log_in(watched(new_page(**DESKTOP)), BRAND_OFFICE)
    assert_clean(office, "home (brand office)")

    # --- the register: 83 enterprises hold a valid licence today ------------------------------
    with office.expect_navigation():
        office.locator("nav.mainnav a", has_text=zh("Brand")).click()
    assert_clean(office, "register")
    assert office.url.endswith("/brand/")
    assert text_of(office, "h1") == zh("The 原味乌兰察布 register of authorized enterprises")
    licensed = office.locator("#figures > div", has_text=zh("Holding a valid licence today"))
    assert text_of(licensed, "dd") == str(LICENSED_TODAY)
    holders = Licence.objects.valid_on(today).values("enterprise").distinct().count()
    assert holders == LICENSED_TODAY
    registered = office.locator("#figures > div", has_text=zh("Enterprises registered"))
    assert text_of(registered, "dd") == str(Enterprise.objects.count())
    rows = office.locator("#register tbody tr")
    assert rows.count() == min(Enterprise.objects.count(), 50)
    screenshot_down_to(
        office,
        screenshot_path("brand-register.png"),
        f"#register tbody tr:nth-child({min(rows.count(), 12)})",
        DESKTOP["width"],
    )
    # Filtered to the holders of a valid licence: the same 83.
    office.click("details.reg-filter-box > summary")
    office.select_option("#id_licensed", "yes")
    click_and_wait(office, "form.reg-filters button[type=submit]")
    assert_clean(office, "register: licensed")
    with translation.override("zh-hans"):
        matches = ngettext(
            "%(counter)s enterprise matches.", "%(counter)s enterprises match.", LICENSED_TODAY
        )
    assert text_of(office, "main p.small.muted") == matches % {"counter": LICENSED_TODAY}
    # 阴山优麦 by name: licensed, its sales up 38% on last year (the seed's 10%–50%).
    office.fill("#id_q", SEARCHED_NAME)
    click_and_wait(office, "form.reg-filters button[type=submit]")
    assert_clean(office, "register: 阴山优麦")
    assert office.locator("#register tbody tr").count() == 1
    yinshan = office.locator("#register tbody tr", has_text=YINSHAN)
    assert text_of(yinshan, ".tag") == zh("Valid", "brand licence")
    assert text_of(yinshan, ".growth") == "+38.0%"

    # --- this year's re-review: enterprises in rectification ----------------------------------
    round_ = ReviewRound.objects.order_by("-year").first()
    assert round_.year == today.year
    rectifying = list(
        Review.objects.filter(round=round_, status=ReviewStatus.RECTIFYING)
        .select_related("licence__enterprise__county", "rectification")
        .order_by("licence__enterprise__county__sort_order", "licence__enterprise__name")
    )
    assert rectifying, "the demo's re-review has enterprises in rectification"
    with office.expect_navigation():
        office.locator(".brand-tabs a", has_text=zh("Annual re-review")).click()
    assert_clean(office, "re-review rounds")
    with office.expect_navigation():
        office.locator(f"#round-{round_.year} a").first.click()
    assert_clean(office, "re-review round")
    assert office.url.endswith(f"/brand/reviews/{round_.year}/")
    assert text_of(office, "h1") == zh("%(year)s re-review") % {"year": round_.year}
    chip = office.locator("#status-chips a[data-status=rectifying]")
    assert text_of(chip, "strong") == str(len(rectifying))
    total = Review.objects.filter(round=round_).count()
    assert office.locator("#reviews tbody tr").count() == min(total, 100)
    click_and_wait(office, "#status-chips a[data-status=rectifying]")
    assert_clean(office, "re-review round: in rectification")
    rows = office.locator("#reviews tbody tr")
    assert rows.count() == len(rectifying)
    for review in rectifying:
        row = office.locator(f"#review-{review.pk}")
        assert text_of(row, ".rev-name") == review.licence.enterprise.name
        assert text_of(row, ".tag") == zh_label(ReviewStatus.RECTIFYING)
        assert review.licence.number in row.inner_text()
        assert review.rectification.due_date.isoformat() in row.inner_text()
    office.screenshot(path=screenshot_path("brand-review.png"), full_page=True)

    # --- one enterprise in rectification: its review, then its record -------------------------
    review = rectifying[0]
    enterprise = review.licence.enterprise
    with office.expect_navigation():
        office.locator(f"#review-{review.pk} .rev-name a").click()
    assert_clean(office, "review")
    assert office.url.endswith(f"/brand/reviews/item/{review.pk}/")
    assert enterprise.name in text_of(office, "h1")
    assert text_of(office, "#review-status") == zh_label(ReviewStatus.RECTIFYING)
    rectification = text_of(office, "#review-rectification")
    assert review.rectification.due_date.isoformat() in rectification
    assert review.rectification.requirement.splitlines()[0] in rectification
    # In rectification, the licence is still valid.
    assert zh("Valid", "brand licence") in text_of(office, "#review-facts")
    with office.expect_navigation():
        office.locator("#review-facts a", has_text=enterprise.name).click()
    assert_clean(office, "enterprise")
    assert office.url.endswith(f"/brand/enterprises/{enterprise.pk}/")
    assert text_of(office, "h1") == enterprise.name
    assert enterprise.credit_code in text_of(office, "#record")
    licence_row = office.locator("#licences tbody tr", has_text=review.licence.number)
    assert text_of(licence_row, ".tag") == zh("Valid", "brand licence")
    review_row = office.locator("#reviews tbody tr", has_text=str(round_.year))
    assert text_of(review_row, ".tag") == zh_label(ReviewStatus.RECTIFYING)

    # --- the same screens on the office's phone: nothing scrolls sideways ---------------------
    office.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(office)
    for path in ("/brand/", f"/brand/reviews/{round_.year}/", f"/brand/reviews/item/{review.pk}/"):
        office.goto(path)
        assert_clean(office, f"{path} (phone)")
        assert_no_horizontal_scroll(office)


def enterprise_login_sees_its_own_page(new_page, log_in):
    enterprise = Enterprise.objects.get(name=YINSHAN)
    page = log_in(watched(new_page(**DESKTOP)), ENTERPRISE_LOGIN)
    assert_clean(page, "enterprise login")
    # Straight to its own enterprise's page.
    assert page.url.endswith(f"/brand/enterprises/{enterprise.pk}/"), page.url
    assert text_of(page, "h1") == YINSHAN
    # The brand and nothing else in the main navigation.
    assert page.locator("nav.mainnav a").all_inner_texts() == [zh("Brand")]
    assert page.locator("nav.mainnav span.soon").count() == 0
    assert page.locator("nav.brand-tabs").count() == 1
    # Its licence, valid.
    licence = page.locator("#licences tbody tr")
    assert licence.count() == 1
    assert text_of(licence, ".tag") == zh("Valid", "brand licence")
    page.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(page)
    # Another enterprise's page is not there for it.
    other = Enterprise.objects.exclude(pk=enterprise.pk).order_by("pk").first()
    response = page.goto(f"/brand/enterprises/{other.pk}/")
    assert response.status == 404
    assert other.name not in page.content()
    assert_clean(page, "another enterprise", refused=[(404, f"/brand/enterprises/{other.pk}/")])
