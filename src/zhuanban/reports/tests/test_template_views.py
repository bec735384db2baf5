"""Reports for superiors (汇报材料): the templates a person may use, by office; a template
filled from data as of a date (drafted by its generators as the person asking, fixed text
where there is no data), edited and downloaded as .docx; who may not; stale and invalid
posts.

A generator of the test's own is registered (and removed after): the real ones are
another part's business."""

import datetime
from io import BytesIO
from urllib.parse import quote

import docx
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhuanban.core import word
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.org.roles import UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory, person
from zhuanban.reports import generators
from zhuanban.reports.generators import Draft, Generator, Link
from zhuanban.reports.models import ReportTemplate

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2023, 6, 20)
POTATO_TITLE = "马铃薯产业发展示范区建设进展情况"
BRAND_TITLE = "农畜产品区域公用品牌建设情况"
OPENING = "按照市委、市政府部署，现将示范区建设进展情况汇报如下。"
GUIDANCE = "写明示范区面积和年度目标完成情况。"
PROBLEMS = "部分种薯露天存放，贮藏能力不足。"
NEXT_STEPS = "加快贮藏窖建设。"


@pytest.fixture
def calls():
    """The test generators, registered for one test: what they were asked is noted."""
    noted: list[tuple] = []

    def figures(user, params, as_of):
        noted.append((user, params, as_of))
        return Draft(
            heading="示范区建设情况",
            body=f"截至{as_of.month}月{as_of.day}日，{params['crop']}示范区种植面积12万亩。"
            "\n\n完成年度任务的三分之二以上。",
            links=[Link("12万亩", "/tasks/?list=7"), Link("三分之二以上", "/tasks/?list=8")],
        )

    def refuses(user, params, as_of):
        raise ValidationError({"round": "这一轮调度尚未汇总。"})

    generators.register(Generator(key="h4_figures", label="test figures", draft=figures))
    generators.register(Generator(key="h4_refuses", label="test refusal", draft=refuses))
    yield noted
    generators.GENERATORS.pop("h4_figures", None)
    generators.GENERATORS.pop("h4_refuses", None)


def potato_template(world, title=POTATO_TITLE) -> ReportTemplate:
    return ReportTemplate.objects.create(
        title=title,
        office=world.potato,
        opening=OPENING,
        sections=[
            {
                "heading": "一、基本情况",
                "source": "h4_figures",
                "params": {"crop": "马铃薯"},
                "text": GUIDANCE,
            },
            {"heading": "二、存在的问题", "source": "", "params": {}, "text": PROBLEMS},
            {"heading": "下一步工作", "source": "not_registered", "params": {}, "text": NEXT_STEPS},
            {"heading": "", "source": "h4_refuses", "params": {}, "text": "调度情况另行汇报。"},
        ],
    )


@pytest.fixture
def templates(rep, calls):
    world = rep.world
    return (
        potato_template(world),
        ReportTemplate.objects.create(
            title=BRAND_TITLE,
            office=world.brand,
            sections=[{"heading": "品牌授权", "source": "", "text": "授权企业83家。"}],
        ),
    )


def page(response) -> str:
    return response.content.decode()


def detail_url(template, **query) -> str:
    url = reverse("reports:template", args=[template.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def docx_url(template) -> str:
    return reverse("reports:template_docx", args=[template.pk])


def posted(template, **changes) -> dict:
    data = {
        "version": template.version,
        "as_of": AS_OF.isoformat(),
        "title": template.title,
        "opening": OPENING,
        "heading_0": "一、基本情况",
        "text_0": "示范区种植马铃薯12万亩，较上年增加2万亩。",
        "heading_1": "二、存在的问题",
        "text_1": PROBLEMS,
        "heading_2": "下一步工作",
        "text_2": NEXT_STEPS,
        "heading_3": "",
        "text_3": "",
    }
    data.update(changes)
    return data


def enterprise_login():
    company = OrgUnitFactory(code="ent-1", name="阴山优麦", kind=UnitKind.ENTERPRISE)
    return person("yinshan", company, name="阴山优麦申报员")


# --- the list ---------------------------------------------------------------------------------


def test_the_leader_sees_every_office_template_under_its_office(login, rep, templates):
    html = page(login(rep.world.leader).get(reverse("reports:templates")))
    assert POTATO_TITLE in html
    assert BRAND_TITLE in html
    assert f'id="office-{rep.world.potato.pk}"' in html
    assert f'id="office-{rep.world.brand.pk}"' in html
    assert html.index("马铃薯产业办") < html.index(POTATO_TITLE)
    assert detail_url(templates[0]) in html


def test_office_staff_see_their_own_office_templates_only(login, rep, templates):
    html = page(login(rep.world.office).get(reverse("reports:templates")))
    assert POTATO_TITLE in html
    assert BRAND_TITLE not in html
    html = page(login(rep.world.brand_staff).get(reverse("reports:templates")))
    assert BRAND_TITLE in html
    assert POTATO_TITLE not in html


def test_a_county_liaison_sees_no_office_template(login, rep, templates):
    client = login(rep.world.zhuozi_liaison)
    response = client.get(reverse("reports:templates"))
    assert response.status_code == 404
    assert POTATO_TITLE not in response.content.decode()
    assert client.get(detail_url(templates[0])).status_code == 404
    assert client.post(docx_url(templates[0]), posted(templates[0])).status_code == 404


def test_inactive_templates_are_not_listed(login, rep, templates):
    ReportTemplate.objects.filter(pk=templates[1].pk).update(is_active=False)
    html = page(login(rep.world.leader).get(reverse("reports:templates")))
    assert BRAND_TITLE not in html
    assert login(rep.world.leader).get(detail_url(templates[1])).status_code == 404


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor", "enterprise"])
def test_administrators_and_enterprise_logins_get_404_everywhere(login, rep, templates, who):
    user = enterprise_login() if who == "enterprise" else getattr(rep.world, who)
    client = login(user)
    template = templates[0]
    assert client.get(reverse("reports:templates")).status_code == 404
    assert client.get(detail_url(template)).status_code == 404
    assert client.post(docx_url(template), posted(template)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_person_without_a_role_sees_no_template(login, rep, templates):
    client = login(rep.world.outsider)
    # A login with neither unit nor role reads no reports at all.
    assert client.get(reverse("reports:templates")).status_code == 404
    assert client.get(detail_url(templates[0])).status_code == 404
    assert client.post(docx_url(templates[0]), posted(templates[0])).status_code == 404


def test_anonymous_people_are_sent_to_log_in(client, templates):
    response = client.get(reverse("reports:templates"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_list_takes_the_same_queries_for_2_or_10_templates(login, rep, calls):
    client = login(rep.world.leader)
    for n in range(2):
        potato_template(rep.world, title=f"专题{n}")
    client.get(reverse("reports:templates"))  # the session's first-page work
    with CaptureQueriesContext(connection) as few:
        assert "专题1" in page(client.get(reverse("reports:templates")))
    for n in range(2, 10):
        potato_template(rep.world, title=f"专题{n}")
    with CaptureQueriesContext(connection) as many:
        assert "专题9" in page(client.get(reverse("reports:templates")))
    assert len(many) == len(few)


# --- a template filled in ---------------------------------------------------------------------


def test_the_template_is_filled_from_data_as_of_the_date_asked(login, rep, templates, calls):
    user = rep.world.office
    html = page(login(user).get(detail_url(templates[0], as_of=AS_OF.isoformat())))
    # The drafted text in its text box, with the links to its figures.
    assert "截至6月20日，马铃薯示范区种植面积12万亩。" in html
    assert 'href="/tasks/?list=7">12万亩</a>' in html
    assert 'href="/tasks/?list=8">三分之二以上</a>' in html
    assert GUIDANCE in html  # the template's guidance beside the draft
    # A section without a source keeps its fixed text; so does one whose generator is missing.
    assert PROBLEMS in html
    assert NEXT_STEPS in html
    assert 'id="section-2-problem"' in html
    # A generator that refuses: its reason shown, the fixed text kept.
    assert "这一轮调度尚未汇总。" in html
    assert "调度情况另行汇报。" in html
    assert OPENING in html
    assert f'value="{AS_OF.isoformat()}"' in html
    # Drafted as the person asking, with the template's parameters, as of the date.
    assert calls == [(user, {"crop": "马铃薯"}, AS_OF)]


def test_the_draft_heading_fills_a_section_without_one(login, rep, calls):
    template = ReportTemplate.objects.create(
        title="示范区",
        office=rep.world.potato,
        sections=[{"source": "h4_figures", "params": {"crop": "燕麦"}}],
    )
    html = page(login(rep.world.leader).get(detail_url(template)))
    assert 'value="示范区建设情况"' in html
    assert "燕麦示范区种植面积12万亩" in html
    today = timezone.localdate()
    assert calls[0][2] == today


def test_a_date_in_the_future_or_not_a_date_is_refused(login, rep, templates):
    client = login(rep.world.office)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.get(detail_url(templates[0], as_of=tomorrow.isoformat()))
    assert response.status_code == 422
    assert 'class="rt-field has-errors"' in page(response)
    assert client.get(detail_url(templates[0], as_of="2023-13-45")).status_code == 422


def test_staff_of_another_office_get_404_for_the_template(login, rep, templates):
    client = login(rep.world.brand_staff)
    assert client.get(detail_url(templates[0])).status_code == 404
    assert client.post(docx_url(templates[0]), posted(templates[0])).status_code == 404


# --- the Word document ------------------------------------------------------------------------


def test_the_edited_report_comes_as_a_word_document_and_is_audited(login, rep, templates):
    template = templates[0]
    response = login(rep.world.office).post(docx_url(template), posted(template))
    assert response.status_code == 200
    assert response["Content-Type"] == word.DOCX_CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert quote(f"{POTATO_TITLE}（2023年6月20日）.docx") in disposition
    assert "no-store" in response["Cache-Control"]
    document = docx.Document(BytesIO(b"".join(response.streaming_content)))
    texts = [paragraph.text for paragraph in document.paragraphs if paragraph.text]
    assert texts == [
        POTATO_TITLE,
        "马铃薯产业办",
        "2023年6月20日",
        OPENING,
        "一、基本情况",
        "示范区种植马铃薯12万亩，较上年增加2万亩。",  # as edited
        "二、存在的问题",
        PROBLEMS,
        "三、下一步工作",
        NEXT_STEPS,
    ]
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("seq")
    assert (event.object_type, event.object_id) == ("reports.reporttemplate", str(template.pk))
    assert event.actor == rep.world.office
    assert event.after["as_of"] == "2023-06-20"


def test_a_stale_page_gets_409_and_keeps_the_text(login, rep, templates):
    template = templates[0]
    data = posted(template, text_0="我改写的一段。")
    ReportTemplate.objects.filter(pk=template.pk).update(version=template.version + 1)
    response = login(rep.world.office).post(docx_url(template), data)
    assert response.status_code == 409
    html = page(response)
    assert 'id="form-errors"' in html
    assert "我改写的一段。" in html
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_every_problem_of_a_post_is_shown_at_once(login, rep, templates):
    template = templates[0]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = posted(
        template,
        title="",
        opening="",
        as_of=tomorrow.isoformat(),
        text_0="",
        text_1="",
        text_2="",
        heading_1="题" * 201,
    )
    response = login(rep.world.office).post(docx_url(template), data)
    assert response.status_code == 422
    html = page(response)
    for name in ("title", "opening", "heading_1"):
        assert f'class="rt-field field-{name} has-errors"' in html, name
    assert "errorlist" in html
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_document_is_made_only_by_posting(login, rep, templates):
    client = login(rep.world.office)
    assert client.get(docx_url(templates[0])).status_code == 405
    assert client.post(detail_url(templates[0])).status_code == 405
