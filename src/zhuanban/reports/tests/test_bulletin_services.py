"""The bulletin services as the screens use them: every problem at once, permission
checked again, sections drafted from data, the archive's text frozen on publishing."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from zhuanban.core.errors import ConcurrentEditError
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.reports import generators, services
from zhuanban.reports.models import Bulletin, Section
from zhuanban.reports.tests.conftest import make_bulletin

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pdf(settings):
    settings.BULLETIN_PDF = False


@pytest.fixture
def echo():
    """A generator registered for the test (and removed after)."""

    def draft(user, params, as_of):
        if params.get("round") == 0:
            raise ValidationError({"params": "这个调度轮次看不到。"})
        return generators.Draft(
            heading="二、调度情况" + "长" * 300,
            body=f"{as_of.isoformat()} 已报送{params.get('round')}个单位。",
            links=[generators.Link(label="9个", url="/dispatch/rounds/1/")],
        )

    generator = generators.register(
        generators.Generator(key="test_echo", label="Echo", draft=draft, params=("round",))
    )
    yield generator
    generators.GENERATORS.pop(generator.key, None)


def test_publishing_reports_an_empty_issue_and_a_future_date_together(rep):
    leader = rep.world.leader
    bulletin = services.bulletin_create(actor=leader, series=rep.news, title="空")
    with pytest.raises(ValidationError) as refused:
        services.bulletin_publish(
            actor=leader,
            bulletin=bulletin,
            expected_version=bulletin.version,
            issue_date=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert set(refused.value.error_dict) == {NON_FIELD_ERRORS, "issue_date"}
    bulletin.refresh_from_db()
    assert bulletin.number is None
    assert not rep.news.years.exists()  # no number was taken


def test_an_issue_whose_creator_was_removed_can_still_be_edited(rep):
    w = rep.world
    bulletin = make_bulletin(rep.news, w.leader)
    Bulletin.objects.filter(pk=bulletin.pk).update(created_by=None)
    bulletin.refresh_from_db()
    services.bulletin_update(
        actor=w.leader, bulletin=bulletin, expected_version=bulletin.version, title="改后的标题"
    )
    bulletin.refresh_from_db()
    assert bulletin.title == "改后的标题"


def test_a_drafted_section_keeps_its_source_params_and_links_and_goes_last(rep, echo):
    leader = rep.world.leader
    bulletin = make_bulletin(rep.news, leader)
    section = services.section_generate(
        actor=leader,
        bulletin=bulletin,
        expected_version=bulletin.version,
        source="test_echo",
        params={"round": 9},
        as_of=datetime.date(2026, 6, 30),
    )
    assert section.position == 2
    assert len(section.heading) == 200  # cut to the field's length
    assert section.body == "2026-06-30 已报送9个单位。"
    assert section.params == {"round": 9, "as_of": "2026-06-30"}
    assert section.links == [{"label": "9个", "url": "/dispatch/rounds/1/"}]
    assert section.generated_at is not None
    bulletin.refresh_from_db()
    assert bulletin.version == 3  # created 1, a section 2, the drafted one 3


def test_a_generator_s_refusal_adds_nothing(rep, echo):
    leader = rep.world.leader
    bulletin = make_bulletin(rep.news, leader)
    with pytest.raises(ValidationError) as refused:
        services.section_generate(
            actor=leader,
            bulletin=bulletin,
            expected_version=bulletin.version,
            source="test_echo",
            params={"round": 0},
            as_of=datetime.date(2026, 6, 30),
        )
    assert "params" in refused.value.error_dict
    with pytest.raises(ValidationError):
        services.section_generate(
            actor=leader,
            bulletin=bulletin,
            expected_version=bulletin.version,
            source="no_such_source",
            params={},
            as_of=datetime.date(2026, 6, 30),
        )
    assert bulletin.sections.count() == 1
    bulletin.refresh_from_db()
    assert bulletin.version == 2


def test_a_stale_version_changes_nothing(rep):
    leader = rep.world.leader
    bulletin = make_bulletin(rep.news, leader)
    section = bulletin.sections.get()
    stale = bulletin.version - 1
    calls = (
        lambda: services.bulletin_update(
            actor=leader, bulletin=bulletin, expected_version=stale, title="x"
        ),
        lambda: services.section_save(
            actor=leader, bulletin=bulletin, expected_version=stale, section=section, body="x"
        ),
        lambda: services.section_delete(
            actor=leader, bulletin=bulletin, section=section, expected_version=stale
        ),
        lambda: services.bulletin_publish(actor=leader, bulletin=bulletin, expected_version=stale),
        lambda: services.bulletin_delete(actor=leader, bulletin=bulletin, expected_version=stale),
    )
    for call in calls:
        with pytest.raises(ConcurrentEditError):
            call()
    section.refresh_from_db()
    bulletin.refresh_from_db()
    assert (bulletin.title, section.body, bulletin.number) == ("工作动态", "正文。", None)


def test_who_does_not_compose_the_series_is_refused_by_the_services_too(rep):
    w = rep.world
    bulletin = make_bulletin(rep.potato_news, w.office)
    for stranger in (w.leader, w.zhuozi_liaison, w.sysadmin):
        with pytest.raises(PermissionError):
            services.section_save(
                actor=stranger, bulletin=bulletin, expected_version=None, body="外人写的"
            )
        with pytest.raises(PermissionError):
            services.bulletin_create(actor=stranger, series=rep.potato_news, title="外人")
    assert Section.objects.filter(body="外人写的").count() == 0
    assert Bulletin.objects.count() == 1


def test_publishing_freezes_title_and_sections_in_order_as_the_archive_s_text(rep):
    leader = rep.world.leader
    bulletin = make_bulletin(
        rep.news, leader, title="七月动态", sections=(("二、乙", "乙文。"), ("一、甲", "甲文。"))
    )
    second = bulletin.sections.get(heading="一、甲")
    services.section_save(
        actor=leader,
        bulletin=bulletin,
        expected_version=bulletin.version,
        section=second,
        heading="一、甲",
        body="甲文。",
        position=0,
    )
    bulletin.refresh_from_db()
    issue = services.bulletin_publish(
        actor=leader, bulletin=bulletin, expected_version=bulletin.version
    )
    assert issue.search_text == "七月动态\n一、甲\n甲文。\n二、乙\n乙文。"


def test_a_download_is_recorded(rep):
    leader = rep.world.leader
    issue = services.bulletin_publish(
        actor=leader,
        bulletin=(bulletin := make_bulletin(rep.news, leader)),
        expected_version=bulletin.version,
    )
    services.record_download(actor=rep.world.zhuozi_liaison, bulletin=issue, kind="pdf")
    event = AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).get()
    assert (event.actor, event.object_id, event.message) == (
        rep.world.zhuozi_liaison,
        str(issue.pk),
        "pdf",
    )
