"""The bulletin screens: the archive, a new issue, the editor (fields, sections written by
hand and drafted from data), publishing, an issue's page, its downloads, deleting a
draft; who may do each (404 when they may not see the issue, 403 when they read it but do
not compose its series); stale pages (409) and refused forms (422) write nothing."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.org.roles import UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory, person
from zhuanban.reports import generators, services
from zhuanban.reports.lifecycle import BulletinStatus
from zhuanban.reports.models import Bulletin, Section
from zhuanban.reports.tests.conftest import make_bulletin

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pdf(settings):
    # LibreOffice only where a test is about the PDF (it costs seconds per issue).
    settings.BULLETIN_PDF = False


def url(name: str, *args) -> str:
    return reverse(f"reports:{name}", args=args)


def publish(bulletin, actor, day=None):
    return services.bulletin_publish(
        actor=actor, bulletin=bulletin, expected_version=bulletin.version, issue_date=day
    )


def page_text(response) -> str:
    return response.content.decode()


def number_shown(bulletin) -> str:
    """第N期 as the pages print it (in the site's language: until the catalogue has the
    msgid, its English)."""
    bulletin.refresh_from_db()
    with translation.override(django_settings.LANGUAGE_CODE):
        return str(bulletin.number_text)


def enterprise_login(world):
    company = OrgUnitFactory(
        code="ent-1", name="卓资县燕麦食品有限公司", kind=UnitKind.ENTERPRISE, parent=world.zhuozi
    )
    return person("ent-login", company)


@pytest.fixture
def county_drafter():
    """A generator registered for the test (and removed after): a county's figures,
    with a link per figure."""

    def draft(user, params, as_of):
        unit = params.get("unit")
        return generators.Draft(
            heading="一、肉牛存栏",
            body=f"截至{as_of:%-m月%-d日}，单位{unit}肉牛存栏7.8万头，完成年度任务的三分之二以上。",
            links=[
                generators.Link(label="7.8万头", url=f"/dispatch/indicators/?unit={unit}"),
                generators.Link(label="外部", url="javascript:alert(1)"),
            ],
        )

    generator = generators.register(
        generators.Generator(
            key="test_county", label="Cattle of a county", draft=draft, params=("unit",)
        )
    )
    rounds = generators.register(
        generators.Generator(key="test_round", label="A round", draft=draft, params=("round",))
    )
    yield generator
    generators.GENERATORS.pop(generator.key, None)
    generators.GENERATORS.pop(rounds.key, None)


# --- the archive ------------------------------------------------------------------------------


def test_the_archive_shows_published_issues_with_number_issuer_date_and_download(rep, login):
    w = rep.world
    issue = publish(
        make_bulletin(rep.news, w.leader, title="春耕备耕进展"), w.leader, datetime.date(2026, 3, 2)
    )
    response = login(w.zhuozi_liaison).get(url("bulletins"))
    assert response.status_code == 200
    text = page_text(response)
    assert number_shown(issue) in text
    for shown in ("信息动态", "春耕备耕进展", "2026-03-02", "乌兰察布市农牧局"):
        assert shown in text
    assert url("bulletin_docx", issue.pk) in text
    assert url("bulletin_pdf", issue.pk) not in text  # no PDF was made
    # A county liaison composes nothing: no drafts block, no "new issue".
    assert url("bulletin_create") not in text


def test_composers_see_their_series_drafts_above_the_archive_and_others_do_not(rep, login):
    w = rep.world
    make_bulletin(rep.news, w.leader, title="领导起草的草稿")
    make_bulletin(rep.potato_news, w.office, title="马铃薯办的草稿")
    leader_page = page_text(login(w.leader).get(url("bulletins")))
    assert 'id="drafts"' in leader_page
    assert "领导起草的草稿" in leader_page
    assert "马铃薯办的草稿" not in leader_page  # the leader does not compose the office's series
    assert url("bulletin_create") in leader_page
    liaison_page = page_text(login(w.huade_liaison).get(url("bulletins")))
    assert "领导起草的草稿" not in liaison_page
    assert "马铃薯办的草稿" not in liaison_page


def test_the_archive_filters_by_series_chip_and_year(rep, login):
    w = rep.world
    publish(
        make_bulletin(rep.news, w.leader, title="去年动态"), w.leader, datetime.date(2025, 5, 1)
    )
    publish(
        make_bulletin(rep.news, w.leader, title="今年动态"), w.leader, datetime.date(2026, 1, 2)
    )
    publish(
        make_bulletin(rep.potato_news, w.office, title="马铃薯动态"),
        w.office,
        datetime.date(2026, 1, 3),
    )
    client = login(w.huade_liaison)
    everything = page_text(client.get(url("bulletins")))
    assert all(t in everything for t in ("去年动态", "今年动态", "马铃薯动态"))
    # The chips: one per series with its count, each a link that keeps the other filters.
    assert f'href="?series={rep.potato_news.pk}"' in everything
    potato = page_text(client.get(url("bulletins"), {"series": rep.potato_news.pk}))
    assert "马铃薯动态" in potato
    assert "今年动态" not in potato
    this_year = page_text(client.get(url("bulletins"), {"year": 2026}))
    assert "今年动态" in this_year
    assert "马铃薯动态" in this_year
    assert "去年动态" not in this_year
    # A value that is not a choice is left out, not an error.
    assert client.get(url("bulletins"), {"series": "x", "year": "1900"}).status_code == 200


def test_the_archive_pages(rep, login):
    w = rep.world
    for n in range(22):
        publish(make_bulletin(rep.news, w.leader, title=f"第{n}号动态"), w.leader)
    client = login(w.leader)
    first = page_text(client.get(url("bulletins")))
    second = page_text(client.get(url("bulletins"), {"page": 2}))
    assert "1 / 2" in first
    assert "第21号动态" in first
    assert "第0号动态" not in first
    assert "第0号动态" in second
    assert "第21号动态" not in second


def _archive_queries(client, rep, n: int, **query) -> int:
    w = rep.world
    for i in range(n):
        publish(make_bulletin(rep.news, w.leader, title=f"动态{i} 肉牛"), w.leader)
        make_bulletin(rep.news, w.leader, title=f"草稿{i} 肉牛")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("bulletins"), query)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", [{}, {"q": "肉牛 动态"}])
def test_the_archive_s_queries_stay_flat_as_issues_grow(rep, login, query):
    client = login(rep.world.leader)
    client.get(url("bulletins"))  # the session's own first-request work
    few = _archive_queries(client, rep, 2, **query)
    Bulletin.objects.all().delete()
    many = _archive_queries(client, rep, 10, **query)
    assert many == few


# --- a new issue ------------------------------------------------------------------------------


def test_a_composer_creates_a_draft_and_lands_in_its_editor(rep, login):
    w = rep.world
    client = login(w.office)
    form = page_text(client.get(url("bulletin_create")))
    assert "马铃薯工作动态" in form
    assert "信息动态" not in form
    response = client.post(
        url("bulletin_create"),
        {"series": rep.potato_news.pk, "title": "  马铃薯种薯调运  ", "compiled_by": "马晓静"},
    )
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("bulletin_edit", bulletin.pk)
    assert (bulletin.title, bulletin.compiled_by, bulletin.status) == (
        "马铃薯种薯调运",
        "马晓静",
        BulletinStatus.DRAFT,
    )
    assert bulletin.created_by == w.office
    assert bulletin.number is None


def test_a_new_issue_with_errors_reports_each_field_and_saves_nothing(rep, login):
    client = login(rep.world.office)
    response = client.post(
        url("bulletin_create"),
        {"series": rep.news.pk, "title": "", "compiled_by": "x" * 51},
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert set(form.errors) == {"series", "title", "compiled_by"}
    assert not Bulletin.objects.exists()


def test_who_may_not_create_an_issue(rep, login):
    w = rep.world
    for reader in (w.zhuozi_liaison, w.inspector):
        client = login(reader)
        assert client.get(url("bulletin_create")).status_code == 403
        posted = client.post(url("bulletin_create"), {"series": rep.news.pk, "title": "t"})
        assert posted.status_code == 403
    for nobody in (w.sysadmin, w.secadmin, w.auditor, enterprise_login(w)):
        assert login(nobody).get(url("bulletin_create")).status_code == 404
    assert not Bulletin.objects.exists()


# --- the editor -------------------------------------------------------------------------------


def test_the_editor_shows_the_sections_in_order_and_saves_the_issue_s_fields(rep, login):
    w = rep.world
    bulletin = make_bulletin(
        rep.news, w.leader, sections=(("一、总体情况", "第一段。"), ("二、下步打算", "第二段。"))
    )
    client = login(w.leader)
    text = page_text(client.get(url("bulletin_edit", bulletin.pk)))
    assert text.index("一、总体情况") < text.index("二、下步打算")
    assert f'name="version" value="{bulletin.version}"' in text
    response = client.post(
        url("bulletin_edit", bulletin.pk),
        {
            "version": bulletin.version,
            "title": "新标题",
            "compiled_by": "办公室",
            "signed_by": "王振华",
            "distribution": "报：市委、市政府",
        },
    )
    assert response.status_code == 302
    bulletin.refresh_from_db()
    assert (bulletin.title, bulletin.signed_by, bulletin.distribution) == (
        "新标题",
        "王振华",
        "报：市委、市政府",
    )


def test_a_stale_editor_page_is_refused_with_409_and_overwrites_nothing(rep, login):
    w = rep.world
    bulletin = make_bulletin(rep.news, w.leader, title="原标题")
    stale = bulletin.version
    section = bulletin.sections.get()
    # Someone else saves a section in the meantime.
    services.section_save(
        actor=w.leader,
        bulletin=bulletin,
        expected_version=stale,
        section=section,
        heading="一、总体情况",
        body="别人改过的正文。",
    )
    client = login(w.leader)
    fields = client.post(url("bulletin_edit", bulletin.pk), {"version": stale, "title": "我的标题"})
    assert fields.status_code == 409
    [message] = fields.context["fields_form"].non_field_errors()
    assert escape(message) in page_text(fields)  # "someone else changed this…"
    edited = client.post(
        url("section_edit", bulletin.pk, section.pk),
        {f"s{section.pk}-version": stale, f"s{section.pk}-body": "我的正文。"},
    )
    assert edited.status_code == 409
    deleted = client.post(url("section_delete", bulletin.pk, section.pk), {"version": stale})
    assert deleted.status_code == 409
    gone = client.post(url("bulletin_delete", bulletin.pk), {"version": stale})
    assert gone.status_code == 409
    published = client.post(
        url("bulletin_publish", bulletin.pk), {"pub-version": stale, "pub-issue_date": "2026-01-05"}
    )
    assert published.status_code == 409
    bulletin.refresh_from_db()
    section.refresh_from_db()
    assert bulletin.title == "原标题"
    assert bulletin.status == BulletinStatus.DRAFT
    assert section.body == "别人改过的正文。"


def test_sections_are_added_edited_and_deleted_by_hand(rep, login):
    w = rep.world
    bulletin = make_bulletin(rep.news, w.leader)
    client = login(w.leader)
    added = client.post(
        url("section_add", bulletin.pk),
        {
            "new-version": bulletin.version,
            "new-heading": "二、存在问题",
            "new-body": "资金到位慢。",
        },
    )
    new = bulletin.sections.get(heading="二、存在问题")
    assert added.status_code == 302
    assert added["Location"].endswith(f"#section-{new.pk}")
    assert new.position == 2
    assert new.body == "资金到位慢。"
    bulletin.refresh_from_db()
    edited = client.post(
        url("section_edit", bulletin.pk, new.pk),
        {
            f"s{new.pk}-version": bulletin.version,
            f"s{new.pk}-heading": "二、困难和问题",
            f"s{new.pk}-body": "资金到位较慢。",
            f"s{new.pk}-position": 1,
        },
    )
    assert edited.status_code == 302
    new.refresh_from_db()
    assert (new.heading, new.body, new.position) == ("二、困难和问题", "资金到位较慢。", 1)
    bulletin.refresh_from_db()
    deleted = client.post(url("section_delete", bulletin.pk, new.pk), {"version": bulletin.version})
    assert deleted.status_code == 302
    assert list(bulletin.sections.values_list("heading", flat=True)) == ["一、总体情况"]


def test_an_empty_section_is_refused_by_field_with_422(rep, login):
    w = rep.world
    bulletin = make_bulletin(rep.news, w.leader)
    response = login(w.leader).post(
        url("section_add", bulletin.pk),
        {"new-version": bulletin.version, "new-heading": " ", "new-body": "", "new-position": 0},
    )
    assert response.status_code == 422
    form = response.context["add_form"]
    assert "position" in form.errors  # the form's own check…
    response = login(w.leader).post(
        url("section_add", bulletin.pk),
        {"new-version": bulletin.version, "new-heading": " ", "new-body": ""},
    )
    assert response.status_code == 422
    assert "body" in response.context["add_form"].errors  # …and the service's, by field
    assert bulletin.sections.count() == 1


def test_a_section_of_another_issue_is_not_found_through_this_one(rep, login):
    w = rep.world
    mine = make_bulletin(rep.news, w.leader)
    other = make_bulletin(rep.news, w.leader).sections.get()
    response = login(w.leader).post(
        url("section_edit", mine.pk, other.pk),
        {f"s{other.pk}-version": mine.version, f"s{other.pk}-body": "改"},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.body == "正文。"


def test_a_section_drafted_from_data_shows_its_source_links(rep, login, county_drafter):
    w = rep.world
    bulletin = make_bulletin(rep.news, w.leader)
    client = login(w.leader)
    form_page = page_text(client.get(url("bulletin_edit", bulletin.pk)))
    assert "Cattle of a county" in form_page
    assert "卓资县" in form_page
    response = client.post(
        url("section_add", bulletin.pk),
        {
            "gen-version": bulletin.version,
            "gen-source": "test_county",
            "gen-unit": w.zhuozi.pk,
            "gen-as_of": "2026-01-31",
        },
    )
    assert response.status_code == 302
    section = bulletin.sections.get(source="test_county")
    assert section.params == {"unit": w.zhuozi.pk, "as_of": "2026-01-31"}
    assert section.body.startswith("截至1月31日")
    assert section.position == 2
    editor = page_text(client.get(response["Location"]))
    assert f'href="/dispatch/indicators/?unit={w.zhuozi.pk}"' in editor
    assert ">7.8万头</a>" in editor
    assert "javascript:" not in editor  # a link off the site is not shown
    assert "2026-01-31" in editor


def test_drafting_from_data_reports_what_is_missing_and_adds_nothing(rep, login, county_drafter):
    w = rep.world
    bulletin = make_bulletin(rep.news, w.leader)
    today = timezone.localdate()
    response = login(w.leader).post(
        url("section_add", bulletin.pk),
        {
            "gen-version": bulletin.version,
            "gen-source": "test_round",
            "gen-as_of": (today + datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert set(response.context["generate_form"].errors) == {"round", "as_of"}
    assert bulletin.sections.count() == 1


def test_without_registered_generators_the_editor_says_so(rep, login):
    w = rep.world
    saved = dict(generators.GENERATORS)
    generators.GENERATORS.clear()
    try:
        bulletin = make_bulletin(rep.news, w.leader)
        response = login(w.leader).get(url("bulletin_edit", bulletin.pk))
    finally:
        generators.GENERATORS.update(saved)
    assert 'id="no-generators"' in page_text(response)
    assert response.context["generate_form"] is None


# --- publishing -------------------------------------------------------------------------------


def test_publishing_numbers_the_issue_and_the_page_shows_it_with_the_download(rep, login):
    w = rep.world
    publish(make_bulletin(rep.news, w.leader), w.leader, datetime.date(2026, 1, 3))
    bulletin = make_bulletin(rep.news, w.leader, title="二月动态")
    client = login(w.leader)
    response = client.post(
        url("bulletin_publish", bulletin.pk),
        {"pub-version": bulletin.version, "pub-issue_date": "2026-02-10"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("bulletin", bulletin.pk)
    bulletin.refresh_from_db()
    assert (bulletin.status, bulletin.year, bulletin.number) == (BulletinStatus.PUBLISHED, 2026, 2)
    assert bulletin.issue_date == datetime.date(2026, 2, 10)
    page = page_text(client.get(url("bulletin", bulletin.pk)))
    assert number_shown(bulletin) in page
    assert "信息动态" in page
    assert "乌兰察布市农牧局" in page
    assert url("bulletin_docx", bulletin.pk) in page
    assert url("bulletin_edit", bulletin.pk) not in page


def test_a_published_issue_s_edit_pages_send_back_to_it_and_change_nothing(rep, login):
    w = rep.world
    issue = publish(make_bulletin(rep.news, w.leader), w.leader)
    section = issue.sections.get()
    client = login(w.leader)
    for response in (
        client.get(url("bulletin_edit", issue.pk)),
        client.post(url("bulletin_edit", issue.pk), {"version": issue.version, "title": "改"}),
        client.post(
            url("section_add", issue.pk), {"new-version": issue.version, "new-body": "加一段"}
        ),
        client.post(
            url("section_edit", issue.pk, section.pk),
            {f"s{section.pk}-version": issue.version, f"s{section.pk}-body": "改"},
        ),
        client.post(url("section_delete", issue.pk, section.pk), {"version": issue.version}),
        client.post(url("bulletin_publish", issue.pk), {"pub-version": issue.version}),
        client.post(url("bulletin_delete", issue.pk), {"version": issue.version}),
    ):
        assert response.status_code == 302
        assert response["Location"] == url("bulletin", issue.pk)
    followed = client.get(url("bulletin", issue.pk))
    assert [m.level_tag for m in followed.context["messages"]] == ["error"] * 7
    issue.refresh_from_db()
    assert issue.title == "工作动态"
    assert issue.number == 1
    assert list(issue.sections.values_list("body", flat=True)) == ["正文。"]


def test_publishing_refuses_a_future_date_and_an_empty_issue_at_once(rep, login):
    w = rep.world
    bulletin = services.bulletin_create(actor=w.leader, series=rep.news, title="空的")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = login(w.leader).post(
        url("bulletin_publish", bulletin.pk),
        {"pub-version": bulletin.version, "pub-issue_date": tomorrow.isoformat()},
    )
    assert response.status_code == 422
    form = response.context["publish_form"]
    assert "issue_date" in form.errors
    assert form.non_field_errors()
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.DRAFT
    assert bulletin.number is None


# --- an issue's page and downloads ------------------------------------------------------------


def test_readers_read_a_published_issue_as_published(rep, login):
    w = rep.world
    issue = publish(
        make_bulletin(
            rep.news, w.leader, title="三月动态", sections=(("一、春播", "播种马铃薯12万亩。"),)
        ),
        w.leader,
        datetime.date(2026, 3, 5),
    )
    for reader in (w.zhuozi_liaison, w.brand_staff, w.inspector, w.office):
        page = page_text(login(reader).get(url("bulletin", issue.pk)))
        assert "三月动态" in page
        assert "一、春播" in page
        assert "播种马铃薯12万亩。" in page
        assert number_shown(issue) in page
        assert url("bulletin_edit", issue.pk) not in page


def test_a_reader_who_sees_an_issue_may_not_change_it(rep, login):
    w = rep.world
    draft = make_bulletin(rep.potato_news, w.office)
    published = publish(make_bulletin(rep.news, w.leader), w.leader)
    # The leader does not compose the potato office's series: its draft is not found.
    leader = login(w.leader)
    assert leader.get(url("bulletin", draft.pk)).status_code == 404
    assert leader.get(url("bulletin_edit", draft.pk)).status_code == 404
    assert (
        leader.post(url("bulletin_delete", draft.pk), {"version": draft.version}).status_code == 404
    )
    # The potato office reads the bureau's published issue but composes none of its series.
    office = login(w.office)
    assert office.get(url("bulletin", published.pk)).status_code == 200
    assert office.get(url("bulletin_edit", published.pk)).status_code == 403
    # A liaison may read the draft of no one and change nothing.
    liaison = login(w.zhuozi_liaison)
    assert liaison.get(url("bulletin", draft.pk)).status_code == 404
    section = draft.sections.get()
    assert (
        liaison.post(
            url("section_edit", draft.pk, section.pk), {f"s{section.pk}-body": "改"}
        ).status_code
        == 404
    )
    assert Bulletin.objects.filter(pk=draft.pk).exists()


def test_administrators_and_enterprises_find_nothing(rep, login):
    w = rep.world
    issue = publish(make_bulletin(rep.news, w.leader), w.leader)
    draft = make_bulletin(rep.news, w.leader)
    for nobody in (w.sysadmin, w.secadmin, w.auditor, enterprise_login(w)):
        client = login(nobody)
        for address in (
            url("bulletins"),
            url("bulletin", issue.pk),
            url("bulletin_docx", issue.pk),
            url("bulletin_pdf", issue.pk),
            url("bulletin", draft.pk),
            url("bulletin_edit", draft.pk),
        ):
            assert client.get(address).status_code == 404, (nobody.username, address)
        assert (
            client.post(url("bulletin_delete", draft.pk), {"version": draft.version}).status_code
            == 404
        )
    assert Bulletin.objects.count() == 2


def test_the_docx_is_served_and_the_download_recorded(rep, login):
    w = rep.world
    issue = publish(make_bulletin(rep.news, w.leader), w.leader, datetime.date(2026, 4, 1))
    response = login(w.huade_liaison).get(url("bulletin_docx", issue.pk))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert ".docx" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert data[:2] == b"PK"  # a Word document (a zip)
    recorded = AuditEvent.objects.filter(
        action=AuditAction.DOWNLOAD, object_type="reports.bulletin", object_id=str(issue.pk)
    )
    assert list(recorded.values_list("actor", "message")) == [(w.huade_liaison.pk, "docx")]
    # No PDF was made: its address is not found.
    assert login(w.huade_liaison).get(url("bulletin_pdf", issue.pk)).status_code == 404


def test_a_draft_has_nothing_to_download(rep, login):
    w = rep.world
    draft = make_bulletin(rep.news, w.leader)
    assert login(w.leader).get(url("bulletin_docx", draft.pk)).status_code == 404


# --- deleting a draft -------------------------------------------------------------------------


def test_a_composer_deletes_a_draft(rep, login):
    w = rep.world
    draft = make_bulletin(rep.potato_news, w.office, title="作废的草稿")
    colleague = login(w.potato_director)  # the office's director composes its series too
    response = colleague.post(url("bulletin_delete", draft.pk), {"version": draft.version})
    assert response.status_code == 302
    assert response["Location"] == url("bulletins")
    assert not Bulletin.objects.exists()
    assert not Section.objects.exists()


def test_wrong_methods_are_refused(rep, login):
    w = rep.world
    draft = make_bulletin(rep.news, w.leader)
    section = draft.sections.get()
    client = login(w.leader)
    assert client.get(url("bulletin_publish", draft.pk)).status_code == 405
    assert client.get(url("bulletin_delete", draft.pk)).status_code == 405
    assert client.get(url("section_delete", draft.pk, section.pk)).status_code == 405
    assert client.post(url("bulletins")).status_code == 405
    assert client.post(url("bulletin", draft.pk)).status_code == 405
    assert client.post(url("bulletin_docx", draft.pk)).status_code == 405


def test_the_outsider_and_anonymous_visitors_are_kept_out(rep, client, login):
    w = rep.world
    issue = publish(make_bulletin(rep.news, w.leader), w.leader)
    response = client.get(url("bulletin", issue.pk))
    assert response.status_code == 302
    assert "login" in response["Location"]
    outsider = login(w.outsider)
    # A login with neither unit nor role belongs to no one in the bureau: it finds nothing.
    for address in (url("bulletins"), url("bulletin_create"), url("bulletin", issue.pk)):
        assert outsider.get(address).status_code == 404
