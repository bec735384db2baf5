"""Documents and their versions through the services: who creates and edits them, every
move of the lifecycle table for every party, issue and revision, the audit trail, and
uploads that are refused without leaving anything behind."""

import datetime
import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext

from zhuanban.core.errors import ConcurrentEditError
from zhuanban.core.models import AuditAction, AuditEvent, AuditOutcome, StoredFile
from zhuanban.documents import services
from zhuanban.documents.lifecycle import (
    DOCUMENT_TRANSITIONS,
    ROUND_ACTIONS,
    DocAction,
    DocParty,
    Stage,
)
from zhuanban.documents.models import Document, DocumentEvent, DocumentVersion, Kind
from zhuanban.documents.tests.conftest import (
    DEADLINE,
    MIMETYPE,
    PLAN_V1,
    PLAN_V2,
    TODAY,
    docx_bytes,
    docx_upload,
)

pytestmark = pytest.mark.django_db

NUMBER = "乌政办发〔2023〕12号"


def codes(error: ValidationError) -> dict[str, set[str]]:
    return {field: {e.code for e in errors} for field, errors in error.error_dict.items()}


def at_stage(document: Document, stage: str, **fields) -> Document:
    """Put a document at a stage directly, to try one move of the table from there."""
    Document.objects.filter(pk=document.pk).update(stage=stage, **fields)
    document.refresh_from_db()
    return document


def new_document(world, actor=None, **data) -> Document:
    values = {
        "title": "乌兰察布市农牧业招商引资手册",
        "kind": Kind.HANDBOOK,
        "lead_author": world.office,
        "issuing_authority": "乌兰察布市农牧局",
    } | data
    return services.document_save(actor=actor or world.office, office=world.potato, data=values)


def audit_of(instance) -> AuditEvent:
    return (
        AuditEvent.objects.filter(
            object_type=instance._meta.label_lower, object_id=str(instance.pk)
        )
        .order_by("-seq")
        .first()
    )


def last_event(document: Document) -> DocumentEvent:
    return document.events.order_by("-pk").first()


def act(actor, document, action, **kwargs):
    values = {
        "comment": "按会议意见修改",
        "issue_number": NUMBER,
        "issued_on": TODAY,
        "today": TODAY,
    } | kwargs
    return services.document_act(actor=actor, document=document, action=action, **values)


def issued(world, document: Document) -> Document:
    at_stage(document, Stage.APPROVED)
    return act(world.office, document, DocAction.ISSUE)


# --- create and edit ---------------------------------------------------------------------------


def test_office_staff_create_a_document_holding_the_pen(world):
    document = new_document(world, summary="动态更新")
    assert document.office == world.potato
    assert document.stage == Stage.DRAFTING
    # The lead author holds the pen unless someone else is named.
    assert document.pen_holder == world.office
    assert document.created_by == world.office
    event = last_event(document)
    assert (event.action, event.from_stage, event.to_stage) == ("create", "", Stage.DRAFTING)
    record = audit_of(document)
    assert record.action == AuditAction.CREATE
    assert record.before is None
    assert record.after["title"] == "乌兰察布市农牧业招商引资手册"
    assert record.after["office_id"] == world.potato.pk


@pytest.mark.parametrize(
    "who", ["brand_staff", "zhuozi_liaison", "leader", "inspector", "sysadmin", "outsider"]
)
def test_only_the_offices_staff_create_its_documents(world, who):
    with pytest.raises(PermissionDenied):
        new_document(world, actor=getattr(world, who))
    assert not Document.objects.exists()


def test_a_document_is_created_for_an_office_only(world):
    with pytest.raises(PermissionDenied):
        services.document_save(
            actor=world.office, office=world.crops, data={"title": "x", "kind": Kind.PLAN}
        )


def test_the_lead_author_and_the_pen_holder_are_staff_of_the_office(world):
    with pytest.raises(ValidationError) as refused:
        new_document(world, lead_author=world.brand_staff, pen_holder=world.zhuozi_liaison)
    assert codes(refused.value) == {
        "lead_author": {"not_office_staff"},
        "pen_holder": {"not_office_staff"},
    }
    assert refused.value.message_dict["lead_author"] == [
        gettext("%(name)s holds no position in %(office)s.")
        % {"name": "萧然", "office": "马铃薯产业办"}
    ]
    assert "乔文慧" not in refused.value.message_dict["pen_holder"][0]
    assert "郭晓军" in refused.value.message_dict["pen_holder"][0]
    assert not Document.objects.exists()


def test_missing_details_are_reported_by_field(world):
    with pytest.raises(ValidationError) as refused:
        services.document_save(
            actor=world.office, office=world.potato, data={"title": "", "kind": "memo"}
        )
    assert set(codes(refused.value)) == {"title", "kind", "lead_author", "pen_holder"}
    assert not Document.objects.exists()


def test_the_office_edits_its_document_and_the_audit_keeps_before_and_after(world, draft):
    loaded = draft.version
    edited = services.document_save(
        actor=world.potato_director,
        document=draft,
        data={"summary": "建设100万亩标准化种植基地"},
        expected_version=loaded,
    )
    assert edited.version == loaded + 1
    record = audit_of(draft)
    assert record.action == AuditAction.UPDATE
    assert (record.before["summary"], record.after["summary"]) == ("", "建设100万亩标准化种植基地")
    # The pen did not change hands: no such event.
    assert not draft.events.filter(action="pen").exists()


def test_passing_the_pen_is_an_event(world, draft):
    services.document_save(
        actor=world.office, document=draft, data={"pen_holder": world.potato_director}
    )
    event = last_event(draft)
    assert event.action == "pen"
    assert event.comment == gettext("The pen passes to %(name)s.") % {"name": "张海龙"}
    draft.refresh_from_db()
    assert draft.pen_holder == world.potato_director


@pytest.mark.parametrize("who", ["brand_staff", "zhuozi_liaison", "leader", "inspector"])
def test_others_cannot_edit_the_document(world, draft, who):
    with pytest.raises(PermissionDenied):
        services.document_save(actor=getattr(world, who), document=draft, data={"title": "改"})
    draft.refresh_from_db()
    assert draft.title == "乌兰察布市马铃薯产业发展示范区建设方案"


def test_a_stale_edit_is_refused_and_changes_nothing(world, draft):
    loaded = draft.version
    services.document_save(actor=world.office, document=draft, data={"key_work": "示范区"})
    with pytest.raises(ConcurrentEditError):
        services.document_save(
            actor=world.potato_director,
            document=draft,
            data={"title": "另一个标题"},
            expected_version=loaded,
        )
    draft.refresh_from_db()
    assert (draft.title, draft.key_work, draft.version) == (
        "乌兰察布市马铃薯产业发展示范区建设方案",
        "示范区",
        loaded + 1,
    )


@pytest.mark.parametrize("stage", [Stage.ISSUED, Stage.REPEALED])
def test_an_issued_document_changes_only_through_a_revision(world, draft, stage):
    at_stage(draft, stage)
    with pytest.raises(ValidationError) as refused:
        services.document_save(actor=world.office, document=draft, data={"title": "改"})
    assert refused.value.code == "issued"


# --- the lifecycle table ----------------------------------------------------------------------

PARTIES = {DocParty.OFFICE: "office", DocParty.LEADER: "leader"}
MOVES = [
    pytest.param(stage, action, target, party, party in allowed, id=f"{stage}-{action}-{party}")
    for (stage, action), (target, allowed) in DOCUMENT_TRANSITIONS.items()
    if action not in ROUND_ACTIONS
    for party in PARTIES
]


@pytest.mark.parametrize(("stage", "action", "target", "party", "allowed"), MOVES)
def test_every_move_of_the_table_for_each_party(
    world, draft, stage, action, target, party, allowed
):
    at_stage(draft, stage)
    actor = getattr(world, PARTIES[party])
    events = draft.events.count()
    if not allowed:
        with pytest.raises(PermissionDenied):
            act(actor, draft, action)
        draft.refresh_from_db()
        assert draft.stage == stage
        assert draft.events.count() == events
        return
    moved = act(actor, draft, action)
    assert moved.stage == target
    event = last_event(draft)
    assert (event.action, event.from_stage, event.to_stage, event.actor) == (
        action,
        stage,
        target,
        actor,
    )
    record = audit_of(draft)
    assert (record.before["stage"], record.after["stage"], record.message) == (
        stage,
        target,
        action,
    )
    assert record.after["version"] == record.before["version"] + 1


@pytest.mark.parametrize(
    ("stage", "action"),
    [
        pytest.param(stage, action, id=f"{stage}-{action}")
        for (stage, action) in DOCUMENT_TRANSITIONS
        if action not in ROUND_ACTIONS
    ],
)
@pytest.mark.parametrize("who", ["brand_staff", "zhuozi_liaison", "inspector", "sysadmin"])
def test_no_move_for_anyone_else(world, draft, stage, action, who):
    at_stage(draft, stage)
    with pytest.raises(PermissionDenied):
        act(getattr(world, who), draft, action)
    draft.refresh_from_db()
    assert draft.stage == stage


NOT_IN_TABLE = [
    pytest.param(stage, action, id=f"{stage}-{action}")
    for stage in Stage.values
    for action in DocAction.values
    if action not in ROUND_ACTIONS and (stage, action) not in DOCUMENT_TRANSITIONS
]


@pytest.mark.parametrize(("stage", "action"), NOT_IN_TABLE)
def test_a_move_the_table_does_not_have_is_refused(world, draft, stage, action):
    at_stage(draft, stage)
    with pytest.raises(ValidationError) as refused:
        act(world.office, draft, action)
    assert refused.value.code == "bad_stage"
    assert refused.value.messages == [
        gettext("This cannot be done while the document is at the stage %(stage)s.")
        % {"stage": Stage(stage).label}
    ]
    draft.refresh_from_db()
    assert draft.stage == stage


@pytest.mark.parametrize("action", sorted(ROUND_ACTIONS))
def test_rounds_are_not_opened_or_ended_through_document_act(world, draft, action):
    with pytest.raises(ValidationError) as refused:
        act(world.office, draft, action)
    assert refused.value.code == "bad_action"


@pytest.mark.parametrize(
    ("stage", "action"),
    [
        (Stage.DELIBERATING, DocAction.SEND_BACK),
        (Stage.APPROVED, DocAction.SEND_BACK),
        (Stage.ISSUED, DocAction.REVISE),
        (Stage.ISSUED, DocAction.REPEAL),
    ],
)
def test_sending_back_revising_and_repealing_need_a_reason(world, draft, stage, action):
    at_stage(draft, stage)
    with pytest.raises(ValidationError) as refused:
        act(world.office, draft, action, comment="   ")
    assert codes(refused.value) == {"comment": {"reason_required"}}
    assert refused.value.message_dict["comment"] == [gettext("Please give a reason.")]
    draft.refresh_from_db()
    assert draft.stage == stage


def test_nothing_goes_forward_without_a_version(world):
    document = new_document(world)
    for action in (DocAction.SUBMIT, DocAction.APPROVE):
        with pytest.raises(ValidationError) as refused:
            act(world.leader if action == DocAction.APPROVE else world.office, document, action)
        assert codes(refused.value) == {"__all__": {"no_version"}}


def test_a_leader_approves_a_draft_without_a_meeting(world, draft):
    approved = act(
        world.leader,
        draft,
        DocAction.APPROVE,
        deliberation="局长审定",
        approved_on=datetime.date(2023, 5, 30),
    )
    assert (approved.stage, approved.deliberation, approved.approved_on) == (
        Stage.APPROVED,
        "局长审定",
        datetime.date(2023, 5, 30),
    )
    at_stage(draft, Stage.DRAFTING)
    with pytest.raises(ValidationError) as refused:
        act(world.leader, draft, DocAction.APPROVE, approved_on=TODAY + datetime.timedelta(days=1))
    assert codes(refused.value) == {"approved_on": {"future"}}
    # Without a date the approval is dated the day it is recorded.
    assert act(world.leader, draft, DocAction.APPROVE).approved_on == TODAY


# --- issue ----------------------------------------------------------------------------------


def test_issue_needs_a_number_a_date_and_an_authority(world, draft):
    at_stage(draft, Stage.APPROVED, issuing_authority="")
    with pytest.raises(ValidationError) as refused:
        act(world.office, draft, DocAction.ISSUE, issue_number=" ", issued_on=None)
    assert codes(refused.value) == {
        "issue_number": {"required"},
        "issued_on": {"required"},
        "issuing_authority": {"required"},
    }
    with pytest.raises(ValidationError) as refused:
        act(
            world.office,
            draft,
            DocAction.ISSUE,
            issued_on=TODAY + datetime.timedelta(days=1),
            issuing_authority="乌兰察布市人民政府办公室",
        )
    assert codes(refused.value) == {"issued_on": {"future"}}
    assert refused.value.message_dict["issued_on"] == [
        gettext("The date of issue cannot be in the future.")
    ]
    draft.refresh_from_db()
    assert (draft.stage, draft.issue_number, draft.issued_on) == (Stage.APPROVED, "", None)
    assert not draft.versions.filter(issued_at__isnull=False).exists()


def test_a_document_number_is_used_once(world, draft):
    other = new_document(world, title="乌兰察布市马铃薯种薯补贴方案", kind=Kind.SUBSIDY)
    services.version_add(actor=world.office, document=other, text="补贴方案正文")
    issued(world, other)
    at_stage(draft, Stage.APPROVED)
    with pytest.raises(ValidationError) as refused:
        act(world.office, draft, DocAction.ISSUE, issue_number=f" {NUMBER} ")
    assert codes(refused.value) == {"issue_number": {"duplicate"}}
    assert refused.value.message_dict["issue_number"] == [
        gettext("Another document already has this number.")
    ]
    assert act(world.office, draft, DocAction.ISSUE, issue_number="乌政办发〔2023〕13号").stage == (
        Stage.ISSUED
    )


@pytest.mark.parametrize("action", [DocAction.ISSUE, DocAction.SUBMIT, DocAction.APPROVE])
def test_nothing_moves_while_an_opinion_round_is_open(world, consulting, action):
    actor = world.leader if action == DocAction.APPROVE else world.office
    with pytest.raises(ValidationError) as refused:
        act(actor, consulting.document, action)
    assert refused.value.code == "open_round"
    assert refused.value.messages == [
        gettext(
            "Opinion round %(number)s is still open (answers due %(deadline)s): end it "
            "before the document moves on."
        )
        % {"number": 1, "deadline": DEADLINE}
    ]
    assert "1" in refused.value.messages[0]
    consulting.document.refresh_from_db()
    assert consulting.document.stage == Stage.CONSULTING


def test_issuing_locks_the_latest_version(world, draft):
    services.version_add(actor=world.office, document=draft, upload=docx_upload(PLAN_V2))
    document = issued(world, draft)
    assert (document.stage, document.issue_number, document.issued_on) == (
        Stage.ISSUED,
        NUMBER,
        TODAY,
    )
    first, second = draft.versions.order_by("number")
    assert first.issued_at is None
    assert second.issued_at is not None
    record = audit_of(draft)
    assert (record.before["issue_number"], record.after["issue_number"]) == ("", NUMBER)
    with pytest.raises(ValidationError) as refused:
        services.version_update(actor=world.office, version=second, label="印发稿", change_note="")
    assert refused.value.code == "issued_version"
    assert refused.value.messages == [
        gettext("Version %(number)s was issued and can no longer be changed.") % {"number": 2}
    ]
    second.refresh_from_db()
    assert second.label == ""
    # An issued document that is not a living one takes no new version.
    with pytest.raises(ValidationError) as refused:
        services.version_add(actor=world.office, document=draft, text="新的一稿")
    assert refused.value.code == "bad_stage"
    assert draft.versions.count() == 2


def test_a_revision_adds_versions_and_leaves_the_issued_one_alone(world, draft):
    issued(world, draft)
    version = draft.versions.get()
    issued_at = version.issued_at
    revising = act(world.office, draft, DocAction.REVISE, comment="根据新政策修订")
    assert (revising.stage, revising.approved_on, revising.issue_number) == (
        Stage.REVISING,
        None,
        NUMBER,
    )
    new = services.version_add(
        actor=world.office, document=draft, upload=docx_upload(PLAN_V2), label="修订稿"
    )
    assert (new.number, new.issued_at) == (2, None)
    version.refresh_from_db()
    assert version.issued_at == issued_at
    assert version.text.splitlines() == PLAN_V1
    # The revision is issued again under a new number; the old number stays its own.
    at_stage(draft, Stage.APPROVED)
    again = act(world.office, draft, DocAction.ISSUE, issue_number="乌政办发〔2024〕3号")
    assert again.issue_number == "乌政办发〔2024〕3号"
    assert list(
        draft.versions.filter(issued_at__isnull=False).values_list("number", flat=True)
    ) == [
        1,
        2,
    ]


def test_repealing_records_the_day(world, draft):
    issued(world, draft)
    repealed = act(world.leader, draft, DocAction.REPEAL, comment="已被新方案替代")
    assert (repealed.stage, repealed.repealed_on) == (Stage.REPEALED, TODAY)
    event = last_event(draft)
    assert (event.from_stage, event.to_stage, event.comment) == (
        Stage.ISSUED,
        Stage.REPEALED,
        "已被新方案替代",
    )


def test_a_stale_move_is_refused_and_changes_nothing(world, draft):
    loaded = draft.version
    services.document_save(actor=world.office, document=draft, data={"key_work": "示范区"})
    events = draft.events.count()
    with pytest.raises(ConcurrentEditError):
        act(world.office, draft, DocAction.SUBMIT, expected_version=loaded)
    draft.refresh_from_db()
    assert draft.stage == Stage.DRAFTING
    assert draft.events.count() == events


# --- versions -----------------------------------------------------------------------------


def nothing_stored(document: Document, versions: int = 0) -> bool:
    return not StoredFile.objects.exists() and document.versions.count() == versions


def refusals() -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.UPLOAD, outcome=AuditOutcome.FAILURE
    ).count()


def test_an_uploaded_docx_gives_its_paragraphs_and_table_rows(world):
    document = new_document(world)
    data = docx_bytes(
        ["乌兰察布市农牧业招商引资手册", "一、投资环境"],
        table=[["产业", "规模"], ["马铃薯", "400万亩"]],
    )
    version = services.version_add(
        actor=world.office,
        document=document,
        upload=SimpleUploadedFile("手册.docx", data, content_type=MIMETYPE),
        label="初稿",
    )
    assert version.number == 1
    assert version.text.splitlines() == [
        "乌兰察布市农牧业招商引资手册",
        "一、投资环境",
        "产业 | 规模",
        "马铃薯 | 400万亩",
    ]
    assert (version.file.name, version.file.size) == ("手册.docx", len(data))
    assert version.file.sha256 == hashlib.sha256(data).hexdigest()
    record = audit_of(version)
    assert record.after["paragraphs"] == 4
    assert record.after["file"] == version.file.sha256
    event = last_event(document)
    assert event.action == "version"
    assert event.comment == gettext("Version %(number)s %(label)s") % {"number": 1, "label": "初稿"}


def test_a_macro_enabled_document_is_refused_and_nothing_is_stored(world):
    document = new_document(world)
    before = refusals()
    with pytest.raises(ValidationError) as refused:
        services.version_add(
            actor=world.office,
            document=document,
            upload=SimpleUploadedFile("方案.docm", docx_bytes(PLAN_V1)),
        )
    assert codes(refused.value) == {"file": {"macro"}}
    assert refused.value.message_dict["file"] == [
        gettext(
            "Files with macros are not accepted. Save the file as a workbook (.xlsx) or "
            "document (.docx) without macros and upload it again."
        )
    ]
    assert nothing_stored(document)
    # The refusal stays on the audit trail although nothing was saved.
    assert refusals() == before + 1


def test_a_truncated_docx_is_refused_and_nothing_is_stored(world):
    document = new_document(world)
    data = docx_bytes(PLAN_V1)
    with pytest.raises(ValidationError) as refused:
        services.version_add(
            actor=world.office,
            document=document,
            upload=SimpleUploadedFile("方案.docx", data[: len(data) // 2]),
        )
    assert codes(refused.value) == {"file": {"bad_zip"}}
    assert refused.value.message_dict["file"] == [
        gettext("The file is damaged or is not an Office document.")
    ]
    assert nothing_stored(document)


def test_a_zip_without_a_word_document_is_refused(world):
    document = new_document(world)
    source = zipfile.ZipFile(io.BytesIO(docx_bytes(PLAN_V1)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                package.writestr(info, source.read(info))
    with pytest.raises(ValidationError) as refused:
        services.version_add(
            actor=world.office,
            document=document,
            upload=SimpleUploadedFile("方案.docx", buffer.getvalue()),
        )
    assert codes(refused.value) == {"file": {"mismatch"}}
    assert "方案.docx" in refused.value.message_dict["file"][0]
    assert nothing_stored(document)


def test_a_docx_whose_text_cannot_be_read_is_refused(world):
    document = new_document(world)
    source = zipfile.ZipFile(io.BytesIO(docx_bytes(PLAN_V1)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for info in source.infolist():
            broken = info.filename == "word/document.xml"
            package.writestr(info, b"<w:document>" if broken else source.read(info))
    before = refusals()
    with pytest.raises(ValidationError) as refused:
        services.version_add(
            actor=world.office,
            document=document,
            upload=SimpleUploadedFile("方案.docx", buffer.getvalue()),
        )
    assert codes(refused.value) == {"file": {"unreadable"}}
    assert nothing_stored(document)
    assert refusals() == before + 1


def test_a_docx_without_text_is_refused(world):
    document = new_document(world)
    with pytest.raises(ValidationError) as refused:
        services.version_add(actor=world.office, document=document, upload=docx_upload(["", " "]))
    assert codes(refused.value) == {"file": {"no_text"}}
    assert nothing_stored(document)


def test_a_version_is_a_file_or_a_text_not_both_nor_neither(world):
    document = new_document(world)
    with pytest.raises(ValidationError) as refused:
        services.version_add(
            actor=world.office, document=document, upload=docx_upload(PLAN_V1), text="正文"
        )
    assert codes(refused.value) == {"text": {"both"}}
    with pytest.raises(ValidationError) as refused:
        services.version_add(actor=world.office, document=document, text=" \n ")
    assert codes(refused.value) == {"__all__": {"empty"}}
    assert refused.value.messages == [
        gettext("Upload the draft as a .docx file or write its text.")
    ]
    assert nothing_stored(document)


def test_the_same_text_again_is_no_new_version(world, draft):
    with pytest.raises(ValidationError) as refused:
        services.version_add(actor=world.office, document=draft, text="\n\n".join(PLAN_V1))
    assert refused.value.code == "unchanged"
    assert refused.value.messages == [
        gettext("The text is the same as version %(number)s.") % {"number": 1}
    ]
    with pytest.raises(ValidationError):
        services.version_add(actor=world.office, document=draft, upload=docx_upload(PLAN_V1))
    assert draft.versions.count() == 1
    assert StoredFile.objects.count() == 1


def test_version_numbers_follow_each_other(world, draft):
    services.version_add(actor=world.office, document=draft, text="\n".join(PLAN_V2))
    third = services.version_add(
        actor=world.potato_director, document=draft, upload=docx_upload([*PLAN_V2, "附件"])
    )
    assert third.number == 3
    assert list(draft.versions.values_list("number", flat=True)) == [1, 2, 3]
    assert DocumentVersion.objects.filter(document=draft, file__isnull=True).count() == 1


def test_no_new_version_while_opinions_are_sought(world, consulting):
    with pytest.raises(ValidationError) as refused:
        services.version_add(
            actor=world.office, document=consulting.document, upload=docx_upload(PLAN_V2)
        )
    assert refused.value.code == "bad_stage"


@pytest.mark.parametrize("who", ["brand_staff", "zhuozi_liaison", "leader"])
def test_only_the_office_adds_and_labels_versions(world, draft, who):
    with pytest.raises(PermissionDenied):
        services.version_add(actor=getattr(world, who), document=draft, text="另一稿")
    with pytest.raises(PermissionDenied):
        services.version_update(
            actor=getattr(world, who), version=draft.versions.get(), label="x", change_note=""
        )
    assert draft.versions.get().label == "初稿"


def test_a_version_label_and_note_are_corrected_until_issued(world, draft):
    version = draft.versions.get()
    services.version_update(
        actor=world.office, version=version, label=" 征求意见稿 ", change_note="补充保障措施"
    )
    version.refresh_from_db()
    assert (version.label, version.change_note) == ("征求意见稿", "补充保障措施")
    record = audit_of(version)
    assert (record.before["label"], record.after["label"]) == ("初稿", "征求意见稿")


def test_a_living_document_takes_each_new_version_at_once(world):
    handbook = new_document(world, is_living=True)
    services.version_add(actor=world.office, document=handbook, text="手册\n一、投资环境")
    issued(world, handbook)
    with pytest.raises(ValidationError) as refused:
        services.version_add(
            actor=world.office, document=handbook, text="手册\n一、投资环境（2023年版）"
        )
    assert codes(refused.value) == {"change_note": {"required"}}
    assert handbook.versions.count() == 1
    version = services.version_add(
        actor=world.office,
        document=handbook,
        text="手册\n一、投资环境（2023年版）",
        change_note="更新投资环境数据",
    )
    assert version.number == 2
    assert version.issued_at is not None
    handbook.refresh_from_db()
    assert (handbook.stage, handbook.revised_on) == (Stage.ISSUED, timezone.localdate())
    assert handbook.versions.get(number=1).issued_at is not None
    assert audit_of(version).after["takes_effect"] is True
