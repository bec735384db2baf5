"""The document screens: who sees which documents, versions and actions; the lifecycle
driven from the page; uploads refused with nothing stored; the comparison of two real
.docx versions; a list whose queries do not grow with its rows."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from zhuanban.core.models import AuditAction, AuditEvent, AuditOutcome, StoredFile
from zhuanban.documents import services
from zhuanban.documents.lifecycle import DocAction, Stage
from zhuanban.documents.models import Document, DocumentVersion, Kind
from zhuanban.documents.tests.conftest import (
    DEADLINE,
    MIMETYPE,
    PLAN_V1,
    PLAN_V2,
    docx_bytes,
    docx_upload,
)
from zhuanban.org.models import Chain

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"documents:{name}", args=args)


def page_of(response) -> str:
    return response.content.decode()


def shows(text: str, page: str) -> bool:
    """Whether `text` (a message, escaped as the template escapes it) is on the page."""
    return escape(text) in page


def new_document(world, title, *, office=None, actor=None, kind=Kind.PLAN, text="", **data):
    """A document of the potato office (or `office`), with a written first version when
    `text` is given."""
    actor = actor or world.office
    document = services.document_save(
        actor=actor,
        office=office or world.potato,
        data={"title": title, "kind": kind, "lead_author": actor, **data},
    )
    if text:
        services.version_add(actor=actor, document=document, text=text)
        document.refresh_from_db()
    return document


def approved(world, document):
    services.document_act(actor=world.leader, document=document, action=DocAction.APPROVE)
    document.refresh_from_db()
    return document


def issued(world, document, number="乌政办发〔2023〕12号"):
    approved(world, document)
    services.document_act(
        actor=world.office,
        document=document,
        action=DocAction.ISSUE,
        issue_number=number,
        issued_on=timezone.localdate(),
        issuing_authority="乌兰察布市人民政府办公室",
    )
    document.refresh_from_db()
    return document


def action_url_in(page: str, action: str) -> bool:
    return f'name="action" value="{action}"' in page


# --- the list -----------------------------------------------------------------------------


def test_a_county_lists_only_issued_documents_and_those_it_is_consulted_on(
    world, login, consulting
):
    private = new_document(
        world, "品牌管理规则（内部稿）", office=world.brand, actor=world.brand_staff
    )
    public = issued(
        world, new_document(world, "农牧业招商引资手册", kind=Kind.HANDBOOK, text="总则")
    )
    page = page_of(login(world.zhuozi_liaison).get(url("home")))
    assert consulting.document.title in page
    assert public.title in page
    assert private.title not in page
    # The bureau's staff see every document.
    page = page_of(login(world.brand_staff).get(url("home")))
    assert all(doc.title in page for doc in (private, public, consulting.document))


def test_the_list_shows_stage_deadline_pen_holder_and_issue_number(world, login, consulting):
    handbook = issued(
        world, new_document(world, "农牧业招商引资手册", kind=Kind.HANDBOOK, text="总则")
    )
    client = login(world.office)
    page = page_of(client.get(url("home")))
    due = gettext("Seeking opinions, answers due %(date)s") % {"date": DEADLINE.isoformat()}
    assert due in page
    assert "乌政办发〔2023〕12号" in page
    assert handbook.issued_on.isoformat() in page
    assert "马晓静" in page  # holds the pen
    assert gettext("Version %(number)s") % {"number": 1} in page
    # The chips count documents per stage; a chip filters the list.
    chips = {chip["value"]: chip["count"] for chip in client.get(url("home")).context["chips"]}
    assert chips[""] == 2
    assert chips[Stage.CONSULTING] == 1
    assert chips[Stage.ISSUED] == 1
    assert chips[Stage.DRAFTING] == 0
    page = page_of(client.get(url("home"), {"stage": Stage.ISSUED}))
    assert handbook.title in page
    assert consulting.document.title not in page


def test_the_list_filters_by_kind_office_chain_and_title(world, login, draft):
    chain = Chain.objects.create(code="potato", name="马铃薯产业链", short_name="薯")
    rules = new_document(
        world,
        "区域公用品牌管理规则",
        office=world.brand,
        actor=world.brand_staff,
        kind=Kind.RULES,
        chain=chain,
    )
    client = login(world.leader)

    def titles(**query):
        return {doc.title for doc in client.get(url("home"), query).context["page"]}

    assert titles(kind=Kind.RULES) == {rules.title}
    assert titles(office=world.potato.pk) == {draft.title}
    assert titles(chain=chain.pk) == {rules.title}
    assert titles(q="示范区") == {draft.title}
    # A value that is not a choice (a hand-edited address) is ignored, not a 500.
    assert titles(kind="nonsense", office="x") == {draft.title, rules.title}


def test_the_new_document_button_is_for_office_staff_only(world, login):
    assert url("document_create") in page_of(login(world.office).get(url("home")))
    for persona in (world.leader, world.zhuozi_liaison, world.inspector):
        assert url("document_create") not in page_of(login(persona).get(url("home")))
        assert login(persona).get(url("document_create")).status_code == 403


def test_the_three_administrators_see_no_documents(world, login, draft):
    client = login(world.auditor)
    assert client.get(url("home")).status_code == 403
    assert client.get(url("document", draft.pk)).status_code == 404


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url("home"))
    assert response.status_code == 200
    return len(captured)


def test_the_list_runs_the_same_queries_for_3_or_9_documents(world, login):
    chain = Chain.objects.create(code="beef", name="肉牛产业链", short_name="牛")

    def add(count, start):
        for i in range(start, start + count):
            document = new_document(
                world, f"文件{i}", chain=chain if i % 2 else None, text=f"正文{i}"
            )
            if i % 3 == 0:
                services.round_open(
                    actor=world.office,
                    document=document,
                    deadline=DEADLINE,
                    units=[world.zhuozi],
                    today=datetime.date(2023, 6, 1),
                )

    client = login(world.office)
    add(3, 0)
    few = _list_queries(client)
    add(6, 3)
    assert _list_queries(client) == few


# --- one document: who sees which actions -------------------------------------------------


def test_the_office_sees_submit_and_the_leader_sees_approve(world, login, draft):
    page = page_of(login(world.office).get(url("document", draft.pk)))
    assert action_url_in(page, DocAction.SUBMIT)
    assert not action_url_in(page, DocAction.APPROVE)  # a leader approves without a meeting
    assert url("round_open", draft.pk) in page
    assert url("document_edit", draft.pk) in page
    assert url("version_add", draft.pk) in page
    assert str(Stage.DRAFTING.label) in page
    assert "马铃薯产业发展示范区" in page

    page = page_of(login(world.leader).get(url("document", draft.pk)))
    assert action_url_in(page, DocAction.APPROVE)
    assert not action_url_in(page, DocAction.SUBMIT)
    assert url("round_open", draft.pk) not in page
    assert url("document_edit", draft.pk) not in page

    # Another office's staff and an inspector see the document, and nothing to do.
    for persona in (world.brand_staff, world.inspector):
        page = page_of(login(persona).get(url("document", draft.pk)))
        assert draft.title in page
        assert 'name="action"' not in page
        assert url("version_add", draft.pk) not in page


def test_once_approved_the_office_issues_and_once_issued_the_leader_repeals(world, login, draft):
    approved(world, draft)
    page = page_of(login(world.office).get(url("document", draft.pk)))
    assert action_url_in(page, DocAction.ISSUE)
    assert "乌兰察布市人民政府办公室" in page  # the issuing authority, offered
    page = page_of(login(world.leader).get(url("document", draft.pk)))
    assert not action_url_in(page, DocAction.ISSUE)
    assert action_url_in(page, DocAction.SEND_BACK)
    services.document_act(
        actor=world.office,
        document=draft,
        action=DocAction.ISSUE,
        issue_number="乌政办发〔2023〕12号",
        issued_on=timezone.localdate(),
    )
    page = page_of(login(world.leader).get(url("document", draft.pk)))
    assert action_url_in(page, DocAction.REPEAL)
    page = page_of(login(world.office).get(url("document", draft.pk)))
    assert action_url_in(page, DocAction.REVISE)
    assert url("document_edit", draft.pk) not in page  # an issued document does not change


def test_a_consulted_county_sees_the_consulted_version_and_no_actions(world, login, consulting):
    document = consulting.document
    services.round_close(actor=world.office, round=consulting.round)
    v2 = services.version_add(actor=world.office, document=document, upload=docx_upload(PLAN_V2))
    round2 = services.round_open(
        actor=world.office,
        document=document,
        deadline=DEADLINE,
        units=[world.huade],
        today=datetime.date(2023, 6, 1),
    )
    v1 = document.versions.get(number=1)
    client = login(world.huade_liaison)
    response = client.get(url("document", document.pk))
    page = page_of(response)
    assert 'name="action"' not in page
    assert url("round_open", document.pk) not in page
    assert url("version", v1.pk) in page
    assert url("version", v2.pk) in page
    assert url("round", round2.pk) in page
    assert not response.context["events"]  # the drafting history is the bureau's

    # 卓资县 was consulted on version 1 only: version 2 is not its to read.
    client = login(world.zhuozi_liaison)
    page = page_of(client.get(url("document", document.pk)))
    assert url("version", v1.pk) in page
    assert url("version", v2.pk) not in page
    assert url("round", round2.pk) not in page
    assert client.get(url("version", v2.pk)).status_code == 404
    assert client.get(url("version_download", v2.pk)).status_code == 404
    assert client.get(url("version_download", v1.pk)).status_code == 200
    assert client.post(url("document_act", document.pk), {"action": "submit"}).status_code == 403


def test_an_outsider_gets_404_for_a_draft_and_its_versions(world, login, draft):
    version = draft.versions.get()
    client = login(world.outsider)
    for name, pk in (
        ("document", draft.pk),
        ("compare", draft.pk),
        ("version", version.pk),
        ("version_download", version.pk),
    ):
        assert client.get(url(name, pk)).status_code == 404
    assert client.post(url("document_act", draft.pk), {"action": "submit"}).status_code == 404
    assert draft.title not in page_of(client.get(url("home")))


def test_the_topics_that_put_it_before_a_meeting_are_shown_to_the_bureau(
    world, login, draft, meeting
):
    topic = services.topic_submit(
        actor=world.office,
        meeting=meeting,
        office=world.potato,
        data={"title": "研究示范区建设方案"},
        document=draft,
    )
    page = page_of(login(world.inspector).get(url("document", draft.pk)))
    assert url("topic", topic.pk) in page
    assert meeting.title in page
    assert str(Stage.DELIBERATING.label) in page


def test_the_leader_approves_on_the_page_with_the_meeting_and_date(world, login, draft):
    approved_on = timezone.localdate() - datetime.timedelta(days=3)
    response = login(world.leader).post(
        url("document_act", draft.pk),
        {
            "action": "approve",
            "approve-version": draft.version,
            "approve-deliberation": "市人民政府第12次常务会议",
            "approve-approved_on": approved_on.isoformat(),
        },
        follow=True,
    )
    draft.refresh_from_db()
    assert (draft.stage, draft.deliberation, draft.approved_on) == (
        Stage.APPROVED,
        "市人民政府第12次常务会议",
        approved_on,
    )
    page = page_of(response)
    assert "市人民政府第12次常务会议" in page
    assert approved_on.isoformat() in page


def test_the_history_shows_translated_actions_and_stages(world, login, draft):
    services.document_act(
        actor=world.office, document=draft, action=DocAction.SUBMIT, comment="提交局务会"
    )
    page = page_of(login(world.leader).get(url("document", draft.pk)))
    assert str(DocAction.SUBMIT.label) in page
    assert str(Stage.DELIBERATING.label) in page
    assert gettext("New version") in page
    assert "提交局务会" in page


# --- acting on the page -------------------------------------------------------------------


def test_issuing_on_the_page_sets_the_number_and_locks_the_version(world, login, draft):
    approved(world, draft)
    client = login(world.office)
    response = client.post(
        url("document_act", draft.pk),
        {
            "action": "issue",
            "issue-version": draft.version + 0,
            "issue-issue_number": "乌政办发〔2023〕12号",
            "issue-issued_on": timezone.localdate().isoformat(),
            "issue-issuing_authority": "乌兰察布市人民政府办公室",
        },
        follow=True,
    )
    draft.refresh_from_db()
    assert draft.stage == Stage.ISSUED
    assert draft.issue_number == "乌政办发〔2023〕12号"
    version = draft.versions.get()
    assert version.is_issued
    page = page_of(response)
    assert gettext("Done: %(action)s.") % {"action": DocAction.ISSUE.label} in page
    assert "乌政办发〔2023〕12号" in page
    assert gettext("Issued versions never change.") in page

    # The version's label can no longer be corrected: the service says why.
    response = client.post(url("version_edit", version.pk), {"label": "印发稿", "change_note": ""})
    assert response.status_code == 422
    message = gettext("Version %(number)s was issued and can no longer be changed.") % {"number": 1}
    assert shows(message, page_of(response))
    version.refresh_from_db()
    assert version.label == "初稿"


def test_issuing_while_a_round_is_open_shows_why_and_changes_nothing(world, login, consulting):
    document = consulting.document
    before = document.version
    response = login(world.office).post(
        url("document_act", document.pk),
        {
            "action": "issue",
            "issue-version": document.version,
            "issue-issue_number": "乌政办发〔2023〕13号",
            "issue-issued_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 422
    message = gettext(
        "Opinion round %(number)s is still open (answers due %(deadline)s): end it "
        "before the document moves on."
    ) % {"number": 1, "deadline": DEADLINE}
    assert shows(message, page_of(response))
    document.refresh_from_db()
    assert (document.stage, document.issue_number, document.version) == (
        Stage.CONSULTING,
        "",
        before,
    )
    assert not document.versions.filter(issued_at__isnull=False).exists()


def test_a_reason_is_required_to_send_back_and_shows_beside_the_field(world, login, draft):
    approved(world, draft)
    response = login(world.leader).post(
        url("document_act", draft.pk),
        {"action": "send_back", "send_back-version": draft.version, "send_back-comment": " "},
    )
    assert response.status_code == 422
    form = next(f for f in response.context["action_forms"] if f.action == "send_back")
    assert form.errors["comment"] == [gettext("Please give a reason.")]
    draft.refresh_from_db()
    assert draft.stage == Stage.APPROVED


def test_an_action_on_a_stale_page_is_refused(world, login, draft):
    stale = draft.version
    services.document_save(actor=world.office, document=draft, data={"key_work": "示范区建设"})
    response = login(world.office).post(
        url("document_act", draft.pk), {"action": "submit", "submit-version": stale}
    )
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.stage == Stage.DRAFTING


def test_the_leader_cannot_issue_and_a_county_cannot_act(world, login, draft):
    approved(world, draft)
    data = {
        "action": "issue",
        "issue-issue_number": "乌政办发〔2023〕14号",
        "issue-issued_on": timezone.localdate().isoformat(),
    }
    assert login(world.leader).post(url("document_act", draft.pk), data).status_code == 403
    assert login(world.office).get(url("document_act", draft.pk)).status_code == 405
    assert login(world.office).post(url("document_act", draft.pk), {"action": "x"}).status_code == (
        404
    )
    draft.refresh_from_db()
    assert draft.stage == Stage.APPROVED


# --- creating and editing -----------------------------------------------------------------


def document_data(world, **overrides):
    return {
        "title": "乌兰察布市“千万工程”经验实施意见",
        "kind": Kind.OPINIONS,
        "lead_author": world.office.pk,
        "pen_holder": "",
        "key_work": "千万工程",
        "issuing_authority": "中共乌兰察布市委办公室",
    } | overrides


def test_creating_a_document_with_its_first_version(world, login):
    response = login(world.office).post(
        url("document_create"),
        document_data(world, **{"v-file": docx_upload(PLAN_V1), "v-label": "初稿"}),
    )
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("document", document.pk)
    assert document.office == world.potato  # the office of its only office, fixed
    assert document.pen_holder == world.office
    version = document.versions.get()
    assert (version.number, version.label, version.text.splitlines()) == (1, "初稿", PLAN_V1)
    assert version.file.name == "方案.docx"


def test_the_form_offers_only_the_offices_staff_and_fixes_the_one_office(world, login):
    response = login(world.office).get(url("document_create"))
    form = response.context["form"]
    assert form.fields["office"].disabled
    offered = {value for value, _label in form.fields["lead_author"].choices if value}
    assert offered == {world.office.pk, world.potato_director.pk}
    assert "马铃薯产业办" in page_of(response)


def test_a_lead_author_from_another_office_is_refused_by_field(world, login):
    response = login(world.office).post(
        url("document_create"), document_data(world, lead_author=world.brand_staff.pk)
    )
    assert response.status_code == 422
    assert "lead_author" in response.context["form"].errors
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "field"),
    [
        ("方案.docm", docx_bytes(PLAN_V1), "file"),
        ("方案.docx", b"PK\x03\x04 this is not a Word document", "file"),
    ],
    ids=["macro-enabled", "corrupt"],
)
def test_a_refused_upload_on_create_stores_nothing(world, login, name, content, field):
    upload = SimpleUploadedFile(name, content, content_type=MIMETYPE)
    response = login(world.office).post(
        url("document_create"), document_data(world, **{"v-file": upload})
    )
    assert response.status_code == 422
    version_form = response.context["version_form"]
    assert version_form.errors[field]
    assert str(version_form.errors[field][0]) in page_of(response)
    assert not Document.objects.exists()
    assert not StoredFile.objects.exists()
    # The refusal is on the audit trail, though nothing else was written.
    assert AuditEvent.objects.filter(
        outcome=AuditOutcome.FAILURE, message="upload refused"
    ).exists()


def test_a_version_that_fails_leaves_no_document_behind(world, login):
    """The details are fine, the text is not (an empty .docx): neither is saved."""
    response = login(world.office).post(
        url("document_create"), document_data(world, **{"v-file": docx_upload([])})
    )
    assert response.status_code == 422
    assert response.context["version_form"].errors["file"] == [
        gettext("No text was found in this document.")
    ]
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()


def test_editing_the_details_passes_the_pen(world, login, draft):
    client = login(world.office)
    page = page_of(client.get(url("document_edit", draft.pk)))
    assert draft.title in page
    response = client.post(
        url("document_edit", draft.pk),
        document_data(
            world,
            title=draft.title,
            kind=Kind.PLAN,
            pen_holder=world.potato_director.pk,
            version=draft.version,
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.pen_holder == world.potato_director
    page = page_of(client.get(url("document", draft.pk)))
    assert gettext("The pen passes to %(name)s.") % {"name": "张海龙"} in page


def test_editing_on_a_stale_page_is_refused_and_keeps_the_other_change(world, login, draft):
    stale = draft.version
    services.document_save(actor=world.potato_director, document=draft, data={"key_work": "新"})
    response = login(world.office).post(
        url("document_edit", draft.pk),
        document_data(world, title="改名", kind=Kind.PLAN, version=stale),
    )
    assert response.status_code == 422
    assert shows(
        gettext("Someone else changed this in the meantime. Reload the page and try again."),
        page_of(response),
    )
    draft.refresh_from_db()
    assert (draft.title, draft.key_work) == ("乌兰察布市马铃薯产业发展示范区建设方案", "新")


def test_only_the_drafting_office_edits(world, login, draft):
    assert login(world.brand_staff).get(url("document_edit", draft.pk)).status_code == 403
    assert login(world.leader).get(url("document_edit", draft.pk)).status_code == 403
    assert login(world.zhuozi_liaison).get(url("document_edit", draft.pk)).status_code == 404


# --- versions -----------------------------------------------------------------------------


def test_adding_a_version_by_upload(world, login, draft):
    client = login(world.office)
    response = client.post(
        url("version_add", draft.pk), {"file": docx_upload(PLAN_V2), "label": "送审稿"}
    )
    version = draft.versions.get(number=2)
    assert response["Location"] == url("version", version.pk)
    page = page_of(client.get(url("version", version.pk)))
    assert "（三）建设脱毒种薯繁育体系。" in page
    assert url("version_download", version.pk) in page
    download = client.get(url("version_download", version.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == version.file.file.open("rb").read()
    assert AuditEvent.objects.filter(
        action=AuditAction.DOWNLOAD, object_id=str(version.file.pk), actor=world.office
    ).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("方案.docm", docx_bytes(PLAN_V2)), ("方案.docx", b"PK\x03\x04broken")],
    ids=["macro-enabled", "corrupt"],
)
def test_a_refused_version_upload_stores_nothing(world, login, draft, name, content):
    files = StoredFile.objects.count()
    response = login(world.office).post(
        url("version_add", draft.pk),
        {"file": SimpleUploadedFile(name, content, content_type=MIMETYPE)},
    )
    assert response.status_code == 422
    errors = response.context["form"].errors["file"]
    assert errors
    assert str(errors[0]) in page_of(response)
    assert draft.versions.count() == 1
    assert StoredFile.objects.count() == files


def test_a_version_with_the_same_text_or_none_is_refused(world, login, draft):
    client = login(world.office)
    response = client.post(url("version_add", draft.pk), {"text": "\n".join(PLAN_V1)})
    assert response.status_code == 422
    assert shows(
        gettext("The text is the same as version %(number)s.") % {"number": 1}, page_of(response)
    )
    response = client.post(url("version_add", draft.pk), {"text": "  "})
    assert shows(gettext("Upload the draft as a .docx file or write its text."), page_of(response))
    assert draft.versions.count() == 1


def test_a_written_version_and_its_note_can_be_corrected(world, login, draft):
    client = login(world.office)
    client.post(url("version_add", draft.pk), {"text": "第一段\n第二段", "label": "修改稿"})
    version = draft.versions.get(number=2)
    page = page_of(client.get(url("version", version.pk)))
    assert "<p>第一段</p>" in page
    assert "<p>第二段</p>" in page
    assert gettext("Written in the platform") in page
    assert url("version_download", version.pk) not in page
    assert client.get(url("version_download", version.pk)).status_code == 404
    client.post(url("version_edit", version.pk), {"label": "征求意见稿", "change_note": "调整结构"})
    version.refresh_from_db()
    assert (version.label, version.change_note) == ("征求意见稿", "调整结构")
    # Someone who may read it may not correct it.
    assert login(world.leader).post(
        url("version_edit", version.pk), {"label": "x"}
    ).status_code == (403)


def test_a_living_document_is_revised_in_place_with_what_changed(world, login):
    handbook = new_document(
        world, "农牧业招商引资手册", kind=Kind.HANDBOOK, is_living=True, text="第一章 招商政策"
    )
    issued(world, handbook, number="乌农牧发〔2023〕3号")
    client = login(world.office)
    page = page_of(client.get(url("version_add", handbook.pk)))
    assert gettext("Revise in place") in page
    response = client.post(
        url("version_add", handbook.pk), {"text": "第一章 招商政策（2023年修订）"}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["change_note"] == [
        gettext("Say what changed in this revision.")
    ]
    client.post(
        url("version_add", handbook.pk),
        {"text": "第一章 招商政策（2023年修订）", "change_note": "更新招商政策"},
    )
    response = client.get(url("document", handbook.pk))
    page = page_of(response)
    assert gettext("Revision history") in page
    assert [v.number for v in response.context["versions"]] == [2, 1]  # newest first
    assert "更新招商政策" in page
    handbook.refresh_from_db()
    assert handbook.stage == Stage.ISSUED
    assert handbook.versions.get(number=2).is_issued


def test_no_version_is_added_while_the_document_is_deliberated(world, login, draft):
    services.document_act(actor=world.office, document=draft, action=DocAction.SUBMIT)
    client = login(world.office)
    assert url("version_add", draft.pk) not in page_of(client.get(url("document", draft.pk)))
    response = client.get(url("version_add", draft.pk), follow=True)
    assert shows(
        gettext("A new version is added while drafting or revising, not at the stage %(stage)s.")
        % {"stage": Stage.DELIBERATING.label},
        page_of(response),
    )


# --- comparing ------------------------------------------------------------------------------


def test_comparing_two_real_docx_versions(world, login, draft):
    services.version_add(actor=world.office, document=draft, upload=docx_upload(PLAN_V2))
    v1, v2 = draft.versions.order_by("number")
    client = login(world.office)
    page = page_of(client.get(url("document", draft.pk)))
    assert f"{url('compare', draft.pk)}?a={v1.pk}&amp;b={v2.pk}" in page

    response = client.get(url("compare", draft.pk))  # by default the last two
    assert (response.context["older"], response.context["newer"]) == (v1, v2)
    page = page_of(response)
    assert "<ins>（三）建设脱毒种薯繁育体系。</ins>" in page
    assert "<del>各旗县市区要加强组织领导。</del>" in page
    # Inside the edited paragraph, only the changed characters are marked.
    assert "（一）建设标准化种植基地1<del>0</del>0万亩。" in page
    assert "（一）建设标准化种植基地1<ins>2</ins>0万亩。" in page
    for singular, plural in (
        ("%(n)s paragraph added", "%(n)s paragraphs added"),
        ("%(n)s paragraph deleted", "%(n)s paragraphs deleted"),
        ("%(n)s paragraph changed", "%(n)s paragraphs changed"),
    ):
        assert ngettext(singular, plural, 1) % {"n": 1} in page
    assert gettext("The two versions are identical.") not in page


def test_comparing_a_version_with_itself_says_identical(world, login, draft):
    services.version_add(actor=world.office, document=draft, upload=docx_upload(PLAN_V2))
    v1 = draft.versions.get(number=1)
    page = page_of(login(world.office).get(url("compare", draft.pk), {"a": v1.pk, "b": v1.pk}))
    assert gettext("The two versions are identical.") in page


def test_long_unchanged_runs_are_folded(world, login):
    document = new_document(world, "工作计划")
    base = [f"第{i}条 内容{i}。" for i in range(1, 13)]
    services.version_add(actor=world.office, document=document, text="\n".join(base))
    services.version_add(
        actor=world.office, document=document, text="\n".join([*base[:6], "新增条款。", *base[6:]])
    )
    page = page_of(login(world.office).get(url("compare", document.pk)))
    folded = ngettext("… %(n)s unchanged paragraph …", "… %(n)s unchanged paragraphs …", 4) % {
        "n": 4
    }
    assert page.count(escape(folded)) == 2  # 4 before and 4 after the two shown around it


def test_a_county_cannot_compare_a_version_it_was_not_consulted_on(world, login, consulting):
    document = consulting.document
    services.round_close(actor=world.office, round=consulting.round)
    v2 = services.version_add(actor=world.office, document=document, upload=docx_upload(PLAN_V2))
    services.round_open(
        actor=world.office,
        document=document,
        deadline=DEADLINE,
        units=[world.huade],
        people=[],
        draft=v2,
        today=datetime.date(2023, 6, 1),
    )
    v1 = document.versions.get(number=1)
    services.round_close(actor=world.office, round=document.rounds.get(number=2))
    # 化德县 was consulted on both; 卓资县 on version 1 only.
    client = login(world.huade_liaison)
    assert client.get(url("compare", document.pk), {"a": v1.pk, "b": v2.pk}).status_code == 200
    client = login(world.zhuozi_liaison)
    assert client.get(url("compare", document.pk), {"a": v1.pk, "b": v2.pk}).status_code == 404
    assert client.get(url("compare", document.pk), {"a": v1.pk, "b": v1.pk}).status_code == 200
    page = page_of(client.get(url("compare", document.pk)))
    assert gettext("Two versions are needed to compare.") in page
    assert "建设脱毒种薯繁育体系" not in page


# --- the sub-navigation -------------------------------------------------------------------


def test_the_subnav_marks_the_page_and_shows_meetings_to_the_bureau_only(world, login, draft):
    page = page_of(login(world.office).get(url("home")))
    assert f'href="{url("home")}" class="active"' in page
    assert url("meetings") in page
    assert url("topic_counts") in page
    page = page_of(login(world.zhuozi_liaison).get(url("home")))
    assert url("inbox") in page
    assert url("meetings") not in page
    assert url("topic_counts") not in page
