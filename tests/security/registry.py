"""How to attack each URL pattern, by its key (the URL name; name + route where a name is
not unique; the route where there is no name).

A pattern that is missing here fails the suite: whoever adds an endpoint says what
"another county's object" is for it, or why it has none.

Checks:
  FOREIGN      another county's object (or an office's, for a write the liaison may not
               make): 卓资县's liaison gets 403/404 — by GET, and by the write method with a
               plausible body — and nothing changes in the database. Then the object's
               owner (the positive control, on by default) gets in on the same URL: so
               the 404 comes from authorization and not from a wrong id.
  SHARED       a reference page with parameters that every signed-in user sees: 200 and
               none of 化德县's private data.
  OWN_DATA     a page without parameters: 200, and only the liaison's own data (no text
               of 化德县's); `owner_sees` proves the check has teeth.
  OWN_ACTION   a POST without parameters on the user's own things: touches no one else's.
  FORBIDDEN    a page without parameters that the liaison's roles do not grant (office
               staff's, the audit administrator's): 403 (405 for a GET on a POST-only one).
  HIDDEN       the same, for a page whose very existence is not the liaison's business (the
               bureau's meetings): 404 (405 for the wrong method), nothing shown, nothing
               changed; `cases` name who gets the page instead (the positive control).
  ADMIN        the admin site: 403 for anyone who is not one of the administrators.
  NO_DATA      login, logout, language, the API's schema: no object and no business data.
"""

import datetime
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

import docx
import openpyxl
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from zhuanban.assessment.models import Participant, Scheme, Score
from zhuanban.brand import services as brand_services
from zhuanban.brand.models import LicenceState, Review
from zhuanban.core.models import AuditEvent, Notification
from zhuanban.documents.models import Opinion, Topic
from zhuanban.investment.lifecycle import Stage
from zhuanban.investment.models import Activity, Project, StageClock, UpwardApplication
from zhuanban.org.models import OrgUnit
from zhuanban.rectification.models import Rectification
from zhuanban.reports.models import Bulletin, ReportTemplate
from zhuanban.supervision.models import InspectionGroup, Notice, Visit

from .scene import (
    HUADE_BULLETIN,
    HUADE_CREDIT_CODE,
    HUADE_ENTERPRISE,
    HUADE_NOTIFICATION,
    HUADE_PRODUCT,
    HUADE_REMOVAL_REASON,
    HUADE_TOPIC,
    NEWS_BULLETIN,
    PDF,
    PUBLISHED_BULLETIN,
    REPORT_TEMPLATE,
    SHARED_SCHEME,
    UPWARD_REQUESTED,
    ZHUOZI_ACTIVITY,
    ZHUOZI_ENTERPRISE,
    ZHUOZI_PLANNED,
    ZHUOZI_PRODUCT,
    ZHUOZI_PROJECT,
    ZHUOZI_SALES,
    ZHUOZI_SELF_REASON,
    credit_code,
    found_secrets,
    png,
)

HUADE = "huade_liaison"
OFFICE = "office"
DIRECTOR = "potato_director"


class Check(StrEnum):
    FOREIGN = "foreign"
    SHARED = "shared"
    OWN_DATA = "own_data"
    OWN_ACTION = "own_action"
    FORBIDDEN = "forbidden"
    HIDDEN = "hidden"
    ADMIN = "admin"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Case:
    kwargs: dict
    # The persona (an attribute of `world`) who may use the URL: the positive control.
    owner: str | None = HUADE
    label: str = ""


@dataclass(frozen=True)
class Entry:
    check: Check
    reason: str = ""
    cases: Callable | None = None  # scene -> list[Case]
    # The write: None means GET, then POST if GET answers 405 (a POST-only view).
    method: str | None = None
    body: Callable | None = None  # scene -> the plausible body of the write
    owner_body: Callable | None = None  # what the owner sends (default: `body`)
    owner_sees: bool = False
    verify: Callable | None = None  # (scene, response) -> None: more about the answer
    # OWN_DATA: filters that point at 化德县's objects, asked for as well (scene -> dict).
    query: Callable | None = None
    after: Callable | None = None  # scene -> None: the database after the request


def _today_plus(scene, days: int) -> str:
    return (scene.today + datetime.timedelta(days=days)).isoformat()


# --- cases ---------------------------------------------------------------------------------


def huade_job(s):
    return [Case({"pk": s.huade_job.pk}, HUADE, "huade's finished export")]


def huade_unit(s):
    return [Case({"pk": s.world.huade.pk})]


def huade_tasks(s, owner=HUADE):
    return [
        Case({"pk": s.huade_task.pk}, owner, "task led by huade in a shared list"),
        Case({"pk": s.huade_only_task.pk}, owner, "task of a list only huade works on"),
    ]


def huade_list(s, owner=HUADE):
    return [Case({"pk": s.huade_list.pk}, owner, "list only huade works on")]


def managed_list(s):
    """The office's lists: invisible (404) or visible but not 卓资县's to change (403)."""
    return [
        *huade_list(s, owner=OFFICE),
        Case({"pk": s.shared_list.pk}, OFFICE, "shared list: a liaison does not manage it"),
    ]


def managed_template(s):
    return [
        Case({"pk": s.sheep.pk}, OFFICE, "table only huade fills"),
        Case({"pk": s.livestock.pk}, OFFICE, "shared table: a liaison does not manage it"),
    ]


def managed_round(s, key="pk"):
    return [
        Case({key: s.huade_round.pk}, OFFICE, "round of a table only huade fills"),
        Case({key: s.shared_round.pk}, OFFICE, "shared round: a liaison does not manage it"),
    ]


def huade_submission(s, owner=HUADE):
    return [
        Case(
            {"pk": s.shared_round.pk, "unit_id": s.world.huade.pk},
            owner,
            "huade's line in a round 卓资县 answers too",
        ),
        Case(
            {"pk": s.huade_round.pk, "unit_id": s.world.huade.pk},
            owner,
            "huade's line in a round of a table only huade fills",
        ),
    ]


def api_submission(s, owner=HUADE, **extra):
    return [
        Case(
            {"round_id": s.shared_round.pk, "unit_code": s.world.huade.code, **extra},
            owner,
            "huade's line in a shared round",
        ),
        Case(
            {"round_id": s.huade_round.pk, "unit_code": s.world.huade.code, **extra},
            owner,
            "huade's line in a round only huade answers",
        ),
    ]


def huade_audit_event(s):
    event = AuditEvent.objects.filter(
        object_type="tasks.task", object_id=str(s.huade_task.pk)
    ).first()
    return [Case({"pk": event.pk}, "auditor", "an audit event about huade's task")]


def indicator(s):
    return [Case({"code": s.indicator.code}, OFFICE, "an indicator the potato office keeps")]


def huade_task_filters(s):
    return {"task_list": s.huade_list.pk, "lead_unit": s.world.huade.pk, "county": s.world.huade.pk}


def huade_api_task_filters(s):
    return {"task_list": s.huade_list.pk, "county": s.world.huade.pk}


# --- bodies --------------------------------------------------------------------------------


def task_form(s):
    return {
        "content": "越权写入的任务",
        "lead_unit": s.world.zhuozi.pk,
        "start_date": _today_plus(s, -1),
        "due_date": _today_plus(s, 30),
        "version": s.huade_task.version,
    }


def submission_post(s):
    return {
        "action": "submit",
        "row_count": "1",
        "cell-0-beef": "0",
        "cell-0-sheep": "0",
        "cell-0-note": "越权提交",
        "lock_version": "1",
    }


def _huade_notification_unread(s):
    note = Notification.objects.get(pk=s.huade_notification.pk)
    assert note.title == HUADE_NOTIFICATION
    assert note.read_at is None, "marking one's own notifications read touched huade's"


def _counts_only_zhuozi(s, response):
    assert response.json()["total"] == 1  # 卓资县's own task, not 化德县's two


def _progress_only_own_line(s, response):
    rows = response.json()["rows"]
    assert [row["unit"]["code"] for row in rows] == [s.world.zhuozi.code]


# --- supervision and rectification ------------------------------------------------------------


STALE = 999_999  # an expected_version no object has


def _version(model, pk: int) -> int:
    # Read when the request is sent: the positive control of an earlier case may have
    # moved the object on.
    return model.objects.values_list("version", flat=True).get(pk=pk)


def huade_group(s, owner=HUADE):
    return [Case({"pk": s.huade_group.pk}, owner, "group covering only huade")]


def huade_visits(s, owner=OFFICE):
    return [
        Case({"pk": s.huade_visit.pk}, owner, "visit carried out in huade"),
        Case({"pk": s.planned_visit.pk}, OFFICE, "unannounced visit planned in huade"),
    ]


def huade_items(s, owner=HUADE):
    return [
        Case({"pk": s.huade_item.pk}, owner, "huade's item from a visit, reported"),
        Case({"pk": s.huade_notice_item.pk}, owner, "huade's item from a notice, open"),
    ]


def office_item_action(s, **kwargs):
    """Huade's items, and 卓资县's own: the liaison sees it but only the office acts."""
    return [
        Case({"pk": s.huade_item.pk, **kwargs}, OFFICE, "huade's item from a visit"),
        Case(
            {"pk": s.zhuozi_item.pk, **kwargs}, OFFICE, "卓资县's own item: the office's to verify"
        ),
    ]


def drafts(s):
    return [
        Case({"pk": s.draft_notice.pk}, OFFICE, "the potato office's draft about huade"),
        Case(
            {"pk": s.shared_notice.pk},
            OFFICE,
            "notice issued to 卓资县 too: a liaison does not draft it",
        ),
    ]


def group_form(s):
    return {
        "name": "越权修改的督导组",
        "year": s.today.year,
        "office": s.world.potato.pk,
        "leader": s.world.leader.pk,
        "counties": [s.world.zhuozi.pk],
        "starts_on": _today_plus(s, 0),
        "ends_on": _today_plus(s, 30),
        "version": _version(InspectionGroup, s.huade_group.pk),
    }


def visit_form(s):
    return {
        "kind": "inspection",
        "date": _today_plus(s, 0),
        "place": "越权修改的地点",
        "county": s.world.zhuozi.pk,
        "version": _version(Visit, s.huade_visit.pk),
    }


def photo_upload(s):
    return {"photos": png("越权上传.png")}


def notice_form(s):
    return {
        "authority": s.authority.pk,
        "kind": "supervision",
        "title": "越权修改的通报",
        "addressees": "各旗县市区农牧局",
        "units": [s.world.zhuozi.pk],
        "opening": "越权修改",
        "requirements": "越权要求",
        "reply_deadline": _today_plus(s, 14),
        "version": _version(Notice, s.draft_notice.pk),
    }


def huade_filters(s):
    return {"county": s.world.huade.pk, "unit": s.world.huade.pk}


def _overview_only_zhuozi(s, response):
    overview = response.context["overview"]
    assert [row.county for row in overview.by_county] == [s.world.zhuozi]
    assert (overview.visits_done, overview.visits_planned) == (1, 0)
    # 卓资县's item from its visit and its item of the notice issued to both counties.
    assert overview.rectifications["open"] == 2
    assert overview.notices_issued == 1


def _visit_counts_only_zhuozi(s, response):
    grid = response.context["grid"]
    assert [(row.county, row.total) for row in grid.rows] == [(s.world.zhuozi, 1)]


def _visit_counts_export_only_zhuozi(s, response):
    """The visit counts as a file: 卓资县's row and the total, nothing of 化德县's. The
    secrets check has read the file already: ask for it again as the same user."""
    client = Client()
    client.force_login(s.world.zhuozi_liaison)
    again = client.get(response.wsgi_request.get_full_path())
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(again.streaming_content))).active
    rows = [(row[0], row[-1]) for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert rows[:-1] == [(s.world.zhuozi.name, 1)]
    assert rows[-1][1] == 1  # the total counts no other county's visit


def _api_keys(cases: list[Case], key: str) -> list[Case]:
    """The screens' cases ({"pk": ...}) with the API's path parameter name."""
    return [
        Case({key if k == "pk" else k: v for k, v in c.kwargs.items()}, c.owner, c.label)
        for c in cases
    ]


def _api_rectification_counts_only_zhuozi(s, response):
    body = response.json()
    assert all(row["county_id"] == s.world.zhuozi.pk for row in body["by_county"]), body
    # 卓资县's item from its visit and its item of the notice issued to both counties.
    assert body["total"] in (0, 2), body  # 0: asked for 化德县's county


def _api_visit_counts_only_zhuozi(s, response):
    rows = response.json()["rows"]
    assert [(row["county"]["code"], row["total"]) for row in rows] == [(s.world.zhuozi.code, 1)]


# --- assessment -------------------------------------------------------------------------------


def hidden_schemes(s, key="pk"):
    """The schemes 卓资县 does not take part in, or may not see yet."""
    return [
        Case({key: s.review_scheme.pk}, HUADE, "scheme assessing huade alone, under review"),
        Case({key: s.draft_scheme.pk}, OFFICE, "the office's scheme being designed"),
    ]


def managed_schemes(s):
    """Every scheme, 卓资县's included: only the organising office designs and runs them."""
    return [
        Case({"pk": s.draft_scheme.pk}, OFFICE, "the office's scheme being designed"),
        Case({"pk": s.review_scheme.pk}, OFFICE, "scheme assessing huade alone, under review"),
        Case(
            {"pk": s.shared_scheme.pk},
            OFFICE,
            "the scheme assessing 卓资县 too: a liaison does not run it",
        ),
    ]


def managed_items(s):
    return [
        Case({"pk": s.draft_item.pk}, OFFICE, "item of the office's scheme being designed"),
        Case({"pk": s.review_item.pk}, OFFICE, "item of the scheme assessing huade alone"),
        Case(
            {"pk": s.manual_item.pk},
            OFFICE,
            "item of the scheme assessing 卓资县 too, which 卓资县 supplies evidence for",
        ),
    ]


def huade_cards(s, key="pk"):
    return [
        Case({key: s.huade_card.pk}, HUADE, "huade's scorecard in the scheme 卓资县 is in too"),
        Case({key: s.review_card.pk}, HUADE, "huade's scorecard in the scheme under review"),
        Case({key: s.draft_card.pk}, OFFICE, "huade's line of the office's draft"),
    ]


def scheme_form(s):
    return {
        "title": "越权修改的考核方案",
        "year": "2023",
        "assessor": "市农牧局",
        "period_start": "2023-01-01",
        "period_end": "2023-12-31",
        "good_from": "90",
        "fairly_good_from": "80",
        "average_from": "60",
        "version": _version(Scheme, s.draft_scheme.pk),
    }


def item_form(s):
    return {"title": "越权写入的考核指标", "max_score": "5", "method": "manual"}


def evidence_file(s):
    return {
        "file": SimpleUploadedFile("越权上传的佐证.pdf", PDF, content_type="application/pdf"),
        "description": "越权上传",
    }


def _scheme_list_is_the_open_one(s, response):
    """卓资县's liaison lists the open scheme that assesses 卓资县, not the one assessing
    化德县 alone nor the draft; and the pages of that scheme it may open show 卓资县's own
    line only (what a SHARED entry would check, for URLs whose entries attack the schemes
    卓资县 may not see)."""
    assert list(response.context["schemes"]) == [s.shared_scheme]
    _shared_scheme_pages_show_only_zhuozi(s)


def _api_scheme_list_is_the_open_one(s, response):
    assert [row["title"] for row in response.json()["items"]] == [SHARED_SCHEME]


def _readable(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if "zip" in kind:
        with zipfile.ZipFile(io.BytesIO(content)) as bundle:
            names = bundle.namelist()
            index = [n for n in names if n.endswith(".xlsx")]
            cells = []
            for name in index:
                workbook = openpyxl.load_workbook(io.BytesIO(bundle.read(name)), read_only=True)
                cells += [
                    str(value)
                    for sheet in workbook.worksheets
                    for row in sheet.iter_rows(values_only=True)
                    for value in row
                    if value is not None
                ]
            return "\n".join(names + cells)
    text = content.decode("utf-8", errors="replace")
    if "json" in kind:
        return json.dumps(json.loads(text), ensure_ascii=False)
    return text


def _shared_scheme_pages_show_only_zhuozi(s):
    world = s.world
    client = Client()
    client.force_login(world.zhuozi_liaison)
    scheme, card = s.shared_scheme, s.zhuozi_card
    pages = [
        reverse("assessment:scheme", args=[scheme.pk]),
        reverse("assessment:export_scores", args=[scheme.pk]),
        reverse("assessment:participant", args=[card.pk]),
        reverse("assessment:export_participant", args=[card.pk]),
        reverse("assessment:export_bundle", args=[card.pk]),
        *(
            reverse("assessment:score_basis", args=[score.pk])
            for score in card.scores.exclude(item__method="manual")
        ),
        f"/api/v1/assessment/schemes/{scheme.pk}",
        f"/api/v1/assessment/schemes/{scheme.pk}/ranking",
        f"/api/v1/assessment/units/{card.pk}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        text = _readable(response)
        leaked = found_secrets(text)
        assert not leaked, f"{url} shows 卓资县's liaison 化德县's data: {leaked}"
    page = client.get(pages[0])
    assert [row.unit for row in page.context["ranking"]] == [world.zhuozi]
    ranking = client.get(pages[-2]).json()
    assert [row["unit"]["code"] for row in ranking] == [world.zhuozi.code]
    # The score sheet: 卓资县's row alone; its reason, not 化德县's, in the detail.
    sheet = _readable(client.get(pages[1]))
    assert ZHUOZI_SELF_REASON in sheet
    assert world.huade.name not in sheet
    card_page = _readable(client.get(pages[2]))
    assert ZHUOZI_SELF_REASON in card_page
    assert s.zhuozi_scheme_evidence.file.name in card_page


# --- documents and meetings ------------------------------------------------------------------

LEADER = "leader"


def hidden_documents(s, owner=HUADE, key="pk"):
    """The documents 卓资县 is neither consulted on nor can read as issued."""
    return [
        Case({key: s.huade_draft.pk}, OFFICE, "the office's draft, put to nobody yet"),
        Case({key: s.consulted_doc.pk}, owner, "document consulting huade alone"),
    ]


def managed_documents(s):
    """Every document, those 卓资县 reads included: only the drafting office changes them."""
    return [
        *hidden_documents(s, owner=OFFICE),
        Case({"pk": s.shared_doc.pk}, OFFICE, "document 卓资县 is consulted on: the office's"),
        Case({"pk": s.issued_doc.pk}, OFFICE, "issued document every county reads"),
    ]


def hidden_versions(s):
    return [
        Case({"pk": s.huade_draft_v1.pk}, OFFICE, "the office's draft, put to nobody yet"),
        Case({"pk": s.consulted_v1.pk}, HUADE, "the version put to huade alone"),
        Case({"pk": s.undisclosed_v1.pk}, OFFICE, "an issued document's first draft, undisclosed"),
    ]


def api_hidden_versions(s):
    return [
        Case({"document_id": v.document_id, "version_number": v.number}, case.owner, case.label)
        for case, v in zip(
            hidden_versions(s), (s.huade_draft_v1, s.consulted_v1, s.undisclosed_v1), strict=True
        )
    ]


def managed_rounds(s):
    return [
        Case({"pk": s.huade_doc_round.pk}, OFFICE, "round consulting huade alone"),
        Case({"pk": s.shared_doc_round.pk}, OFFICE, "round consulting 卓资县 too: the office's"),
    ]


def huade_answers(s):
    return [
        Case({"pk": s.huade_request.pk}, HUADE, "huade's answer in a round consulting it alone"),
        Case({"pk": s.shared_huade_request.pk}, HUADE, "huade's answer in a round 卓资县 is in"),
    ]


def adoption_tables(s):
    return [
        Case({"pk": s.consulted_doc.pk}, OFFICE, "huade's answers: the bureau's table"),
        Case({"pk": s.shared_doc.pk}, OFFICE, "every county's answers to a round 卓资县 is in"),
        Case({"pk": s.huade_draft.pk}, OFFICE, "the office's draft, no round yet"),
    ]


def meetings(s, owner=OFFICE, key="pk"):
    return [
        Case({key: s.held_meeting.pk}, owner, "the bureau meeting held with huade's topic"),
        Case({key: s.planned_meeting.pk}, owner, "the director's meeting collecting topics"),
    ]


def topics(s, owner=OFFICE):
    return [
        Case({"pk": s.decided_topic.pk}, owner, "huade's topic, decided, a task made of it"),
        Case({"pk": s.pending_topic.pk}, owner, "the office's topic about huade, waiting"),
    ]


def document_form(s):
    return {
        "title": "越权修改的文件",
        "kind": "plan",
        "lead_author": s.world.office.pk,
        "key_work": "越权",
    }


def issue_form(s):
    return {
        "action": "issue",
        "issue-issue_number": "乌农牧发〔2023〕99号",
        "issue-issued_on": _today_plus(s, 0),
        "issue-issuing_authority": "乌兰察布市农牧局",
    }


def answer_form(s):
    return {
        "opinions-TOTAL_FORMS": "1",
        "opinions-INITIAL_FORMS": "0",
        "opinions-MIN_NUM_FORMS": "0",
        "opinions-MAX_NUM_FORMS": "1000",
        "opinions-0-location": "第一条",
        "opinions-0-text": "越权提交的意见",
    }


def _document_ids(response) -> set[int]:
    if "json" in response.get("Content-Type", ""):
        return {row["id"] for row in response.json()["items"]}
    return {document.pk for document in response.context["page"]}


def _documents_only_readable_ones(s, response):
    """卓资县 lists the document it is consulted on and the issued one, nothing else."""
    ids = _document_ids(response)
    assert ids <= {s.shared_doc.pk, s.issued_doc.pk}, ids


def _as_office(s, url: str):
    client = Client()
    client.force_login(s.world.office)
    return client.get(url)


def _no_meetings(s, response):
    """A county's list is empty; the same list is the office's meetings (the bureau
    meeting, and the director's meeting unless only bureau meetings are asked for)."""
    assert response.json()["items"] == []
    asked = response.wsgi_request
    expected = 1 if asked.GET.get("kind") == "bureau" else 2
    assert _as_office(s, asked.get_full_path()).json()["count"] == expected


def _no_topic_counts(s, response):
    """A county gets no figures; the office the potato office's two topics and one task."""
    assert response.json() == []
    rows = _as_office(s, response.wsgi_request.get_full_path()).json()
    assert [(row["office"]["id"], row["submitted"], row["tasks"]) for row in rows] == [
        (s.world.potato.pk, 2, 1)
    ]


def _opinion_version(s) -> int:
    return _version(Opinion, s.huade_opinion.pk)


def _topic_version(s) -> int:
    return _version(Topic, s.decided_topic.pk)


# --- brand register ---------------------------------------------------------------------------

BRAND = "brand_staff"  # the brand office's member, who keeps the register
ENTERPRISE = "huade_applicant"  # 化德县's 塞外薯业's own login (scene._build_brand)


def huade_enterprises(s, owner=HUADE):
    return [
        Case({"pk": s.huade_enterprise.pk}, owner, "huade's licensed enterprise"),
        Case({"pk": s.pending_enterprise.pk}, owner, "huade's enterprise not authorized yet"),
    ]


def huade_licence(s, owner=HUADE):
    return [Case({"pk": s.huade_licence.pk}, owner, "huade's licence, in rectification")]


def brand_item(s, owner=ENTERPRISE):
    return [
        Case(
            {"pk": s.huade_brand_item.pk},
            owner,
            "the rectification item of huade's enterprise, from its brand re-review",
        )
    ]


def enterprise_form(s):
    """A complete record (a new, valid credit code and name): only the access check can
    refuse it. Every enterprise of the scene is at version 1."""
    return {
        "name": "越权修改的企业",
        "credit_code": credit_code(9_999_999, s.world.zhuozi.division_code),
        "county": s.world.zhuozi.pk,
        "kind": "other",
        "contact_name": "越权",
        "contact_phone": "0474-0000000",
        "version": "1",
    }


def product_rows(s):
    return {
        "products-TOTAL_FORMS": "1",
        "products-INITIAL_FORMS": "0",
        "products-MIN_NUM_FORMS": "0",
        "products-MAX_NUM_FORMS": "50",
        "products-0-name": "越权申请的产品",
        "products-0-category": "potato",
        "products-0-standard": "GB/T 40772",
        "products-0-origin_base": "越权",
        "products-0-annual_output": "1",
    }


def review_report(s, version=1):
    return {
        "sales": "1.00",
        "output": "1.00",
        "complaints": "0",
        "inspection": "passed",
        "logo_note": "越权填报的用标情况",
        "evidence": SimpleUploadedFile("越权上传的佐证.pdf", PDF, content_type="application/pdf"),
        "version": str(version),
    }


def _html(response) -> str:
    return response.content.decode()


def _register_only_zhuozi(s, response):
    """卓资县's liaison lists 卓资县's enterprise (its figures counted alone), nothing of
    化德县's, whatever the filters ask for."""
    listed = {enterprise.pk for enterprise in response.context["page"]}
    assert listed <= {s.zhuozi_enterprise.pk}, listed
    assert HUADE_ENTERPRISE not in _html(response)
    if not response.wsgi_request.GET:
        assert listed == {s.zhuozi_enterprise.pk}
        assert ZHUOZI_ENTERPRISE in _html(response)
        figures = response.context["figures"]
        assert (figures["enterprises"], figures["licensed"]) == (1, 1), figures


def _applications_only_zhuozi(s, response):
    """Every status: 卓资县's approved application alone (the chips count it alone)."""
    listed = {application.pk for application in response.context["page"]}
    assert listed <= {s.zhuozi_application.pk}, listed
    assert HUADE_ENTERPRISE not in _html(response)
    client = Client()
    client.force_login(s.world.zhuozi_liaison)
    every = client.get(reverse("brand:applications"), {"status": "all"})
    assert [a.pk for a in every.context["page"]] == [s.zhuozi_application.pk]
    chips = {chip["value"]: chip["count"] for chip in every.context["chips"]}
    assert (chips["all"], chips["county_review"], chips["draft"]) == (1, 0, 0), chips


def _rounds_count_only_zhuozi(s, response):
    """The year's round counts 卓资县's one review (awaiting its report), not 化德县's in
    rectification; the office's list counts both."""
    rows = [(r.year, r.total, r.reported, r.n_rectifying) for r in response.context["rounds"]]
    assert rows == [(s.review_round.year, 1, 0, 0)], rows
    office = [(r.total, r.n_rectifying) for r in _as_office(s, "/brand/reviews/").context["rounds"]]
    assert office == [(2, 1)], office


def _round_shows_only_zhuozi(s, response):
    counts = response.context["counts"]
    assert (counts["total"], counts["reported"], counts["rectifying"]) == (1, 0, 0), counts
    assert [review.pk for review in response.context["page"]] == [s.zhuozi_review.pk]
    assert ZHUOZI_ENTERPRISE in _html(response)
    assert HUADE_ENTERPRISE not in _html(response)
    client = Client()
    client.force_login(s.world.zhuozi_liaison)
    asked = client.get(
        response.wsgi_request.path, {"status": "rectifying", "county": s.world.huade.pk}
    )
    assert asked.status_code == 200
    assert list(asked.context["page"]) == []
    assert not found_secrets(_html(asked))
    assert HUADE_ENTERPRISE not in _html(asked)


def _sales_only_zhuozi(s, response):
    """This year: 卓资县's figure alone, in the ranking, the totals and the county lines;
    the years offered are those of 卓资县's figures (not 化德县's last year)."""
    context = response.context
    rows = [row.pk for row in context["page"]]
    assert set(rows) <= {s.zhuozi_enterprise.pk}, rows
    assert {row["county_id"] for row in context["counties"]} <= {s.world.zhuozi.pk}
    assert context["years"] == [s.today.year], context["years"]
    assert HUADE_ENTERPRISE not in _html(response)
    if "year" not in response.wsgi_request.GET:
        assert rows == [s.zhuozi_enterprise.pk]
        assert context["overview"]["total"] == ZHUOZI_SALES


def _register_export_only_zhuozi(s, response):
    """The register's file holds 卓资县's enterprise alone (asked again as the same user:
    the secrets check has read the stream)."""
    client = Client()
    client.force_login(s.world.zhuozi_liaison)
    text = _readable(client.get(response.wsgi_request.get_full_path()))
    assert HUADE_ENTERPRISE not in text
    if not response.wsgi_request.GET:
        assert ZHUOZI_ENTERPRISE in text
        assert ZHUOZI_PRODUCT in text


def _anonymous_get(url: str, data=None):
    response = Client().get(url, data or {})
    assert response.status_code == 200, f"{url} {data}: {response.status_code}"
    html = _html(response)
    leaked = found_secrets(html)
    assert not leaked, f"{url} {data} shows anyone {leaked}"
    return response, html


def _public_search(s, response):
    """Anyone (no login) finds 化德县's licence by its number and by the enterprise's
    name, with its products and the credit code masked; the enterprise not authorized is
    never found (its name is a secret: checked with every page)."""
    for query in (s.huade_licence.number, "化德县"):
        found, html = _anonymous_get(reverse("verify:search"), {"q": query})
        assert [lic.number for lic in found.context["results"]] == [s.huade_licence.number]
        assert HUADE_PRODUCT in html
        assert HUADE_CREDIT_CODE[-4:] in html


def _public_list(s, response):
    """The public list: the two enterprises holding a valid licence, nothing private."""
    listed, html = _anonymous_get(reverse("verify:enterprises"))
    numbers = {lic.number for group in listed.context["groups"] for lic in group["licences"]}
    assert numbers == {s.huade_licence.number, s.zhuozi_licence.number}, numbers
    assert HUADE_ENTERPRISE in html
    assert ZHUOZI_ENTERPRISE in html


def _public_licence_page(s, response):
    """The page the QR code opens: valid, its products; once removed (清退), shown as
    removed, without the reason, and off the public list."""
    url = response.wsgi_request.path
    assert HUADE_ENTERPRISE in _html(response)
    assert HUADE_PRODUCT in _html(response)
    page, _html_text = _anonymous_get(url)
    assert page.context["licence"].state == LicenceState.VALID
    brand_services.licence_remove(
        actor=s.world.brand_staff, licence=s.huade_licence, reason=HUADE_REMOVAL_REASON
    )
    removed, html = _anonymous_get(url)
    assert removed.context["licence"].state == LicenceState.REVOKED
    assert HUADE_ENTERPRISE in html
    _listed, html = _anonymous_get(reverse("verify:enterprises"))
    assert HUADE_ENTERPRISE not in html
    unknown = Client().get(reverse("verify:licence", args=["YW-2023-<script>猜测"]))
    assert unknown.status_code == 404
    assert "猜测" not in _html(unknown)


def _review_version(s) -> int:
    return _version(Review, s.zhuozi_review.pk)


# --- investment pipeline -----------------------------------------------------------------------

INVEST = "investment_staff"  # the investment office's member (scene._build_investment)


def huade_projects(s, owner=HUADE):
    return [
        Case({"pk": s.huade_project.pk}, owner, "huade's project stalled at its signing (red)"),
        Case({"pk": s.huade_dropped_project.pk}, owner, "huade's dropped project, its reason"),
    ]


def huade_red_project(s, owner=HUADE):
    return [Case({"pk": s.huade_project.pk}, owner, "huade's project stalled at its signing")]


def huade_activity(s, owner=HUADE):
    return [Case({"pk": s.huade_activity.pk}, owner, "huade's promotion event and its summary")]


def upward_application(s):
    return [
        Case(
            {"pk": s.upward.pk},
            OFFICE,
            "the potato office's upward application: the bureau's, no county's",
        )
    ]


def project_form(s):
    """A complete record of a project in 卓资县: only the access check can refuse it."""
    return {
        "name": "越权修改的项目",
        "year": str(s.today.year),
        "chain": s.investment_chain.pk,
        "county": s.world.zhuozi.pk,
        "investor": "越权",
        "planned_investment": "1",
        "planned_unit": "wan",
        "version": _version(Project, s.huade_project.pk),
    }


def move_form(s):
    return {
        "move-to_stage": Stage.LANDED,
        "move-on": _today_plus(s, 0),
        "move-version": _version(Project, s.huade_project.pk),
        "move-evidence": SimpleUploadedFile(
            "越权上传的用地证明.pdf", PDF, content_type="application/pdf"
        ),
    }


def activity_form(s):
    return {
        "kind": "promotion",
        "title": "越权修改的活动",
        "date": _today_plus(s, 0),
        "place": "越权",
        "county": s.world.zhuozi.pk,
        "version": _version(Activity, s.huade_activity.pk),
    }


def upward_form(s):
    return {
        "title": "越权修改的向上争取事项",
        "kind": "funds",
        "authority": "越权",
        "chain": s.investment_chain.pk,
        "office": s.world.potato.pk,
        "year": str(s.today.year),
        "amount_requested": "1",
        "amount_requested_unit": "wan",
        "version": _version(UpwardApplication, s.upward.pk),
    }


def _pipeline_only_zhuozi(s, response):
    """The overview counts 卓资县's project and activity alone, names no other county and
    shows no upward funding (the bureau's)."""
    context = response.context
    figures = context["figures"]
    assert (figures.projects, figures.signed_or_later) == (1, 1), figures
    assert (figures.planned, figures.received) == (ZHUOZI_PLANNED, 0), figures
    assert [row["key"] for row in context["by_county"]["rows"]] == [s.world.zhuozi]
    assert dict(context["lights"])["red"] == 0
    assert context["activities"].activities == 1
    assert context["upward"] is None
    assert not context["sees_upward"]


def _project_list_only_zhuozi(s, response):
    """卓资县's project alone, whatever the filters ask for; the county filter offers
    卓资县 alone."""
    listed = [project.pk for project in response.context["rows"]]
    assert set(listed) <= {s.zhuozi_project.pk}, listed
    form = response.context["form"]
    assert list(form.fields["county"].queryset) == [s.world.zhuozi]
    if not response.wsgi_request.GET:
        assert listed == [s.zhuozi_project.pk]
        assert ZHUOZI_PROJECT in _html(response)


def _entry_only_own_county(s, response):
    """The form offers 卓资县 alone; a project posted for 化德县 is refused, nothing
    saved."""
    form = response.context["form"]
    assert list(form.fields["county"].queryset) == [s.world.zhuozi]
    client = Client()
    client.force_login(s.world.zhuozi_liaison)
    before = Project.objects.count()
    refused = client.post(
        response.wsgi_request.path,
        {
            "name": "越权录入的化德县项目",
            "year": str(s.today.year),
            "chain": s.investment_chain.pk,
            "county": s.world.huade.pk,
            "planned_investment": "1",
            "planned_unit": "wan",
            "stage": Stage.PLANNED,
        },
    )
    assert refused.status_code == 422, refused.status_code
    assert Project.objects.count() == before


def _activities_only_zhuozi(s, response):
    """卓资县's event alone (the one held there), counted alone; no 化德县 line."""
    context = response.context
    listed = [activity.pk for activity in context["page"]]
    assert set(listed) <= {s.zhuozi_activity.pk}, listed
    assert {row["county"] for row in context["by_county"]} <= {s.world.zhuozi.pk}
    # The year's figures, whatever the other filters: 卓资县's one event.
    assert context["summary"].activities == 1
    if not response.wsgi_request.GET:
        assert listed == [s.zhuozi_activity.pk]
        assert ZHUOZI_ACTIVITY in _html(response)


def _activity_entry_only_own_county(s, response):
    """The form fixes 卓资县 and offers 卓资县's project alone; an activity posted as
    producing 化德县's project is refused, nothing saved."""
    form = response.context["form"]
    assert "organiser" not in form.fields
    assert list(form.fields["county"].queryset) == [s.world.zhuozi]
    offered = {pk for _group, choices in form.fields["projects"].choices for pk, _ in choices}
    assert offered == {s.zhuozi_project.pk}, offered
    client = Client()
    client.force_login(s.world.zhuozi_liaison)
    before = Activity.objects.count()
    refused = client.post(
        response.wsgi_request.path,
        {
            "kind": "promotion",
            "title": "越权记录的活动",
            "date": _today_plus(s, 0),
            "place": "卓资县",
            "county": s.world.zhuozi.pk,
            "projects": [s.huade_project.pk],
        },
    )
    assert refused.status_code == 422, refused.status_code
    assert Activity.objects.count() == before
    assert list(s.huade_project.activities.order_by("pk")) == [
        s.huade_activity,
        s.zhuozi_activity,
    ]


def _signed_export_only_zhuozi(s, response):
    """The 签约落地项目情况表 holds 卓资县's project alone (asked again as the same user:
    the secrets check has read the stream)."""
    client = Client()
    client.force_login(s.world.zhuozi_liaison)
    text = _readable(client.get(response.wsgi_request.get_full_path()))
    if not response.wsgi_request.GET:
        assert ZHUOZI_PROJECT in text
        assert "化德县" not in text
    else:  # 化德县 asked for: not one row
        assert ZHUOZI_PROJECT not in text


def _api_projects_only_zhuozi(s, response):
    body = response.json()
    assert {item["county"]["code"] for item in body["items"]} <= {s.world.zhuozi.code}, body
    if not response.wsgi_request.GET:
        assert [item["name"] for item in body["items"]] == [ZHUOZI_PROJECT]
        assert body["count"] == 1


def _api_funnel_only_zhuozi(s, response):
    body = response.json()
    assert [row["id"] for row in body["by_county"]] == [s.world.zhuozi.pk], body
    assert body["stages"] == {Stage.SIGNED: 1}, body
    assert body["lights"]["red"] == 0, body
    assert body["activities"] == 1, body


def _api_no_upward_totals(s, response):
    """A county gets no upward figures; the bureau does (the check has teeth)."""
    assert response.json() == []
    bureau = _as_office(s, response.wsgi_request.path).json()
    assert [(row["year"], Decimal(row["requested"])) for row in bureau] == [
        (s.today.year, UPWARD_REQUESTED)
    ], bureau


# --- reports: dashboards, bulletins, reports for superiors ------------------------------------


def huade_bulletin(s, owner=OFFICE):
    return [Case({"pk": s.huade_bulletin.pk}, owner, "the potato office's draft about 化德县")]


def huade_bulletin_section(s):
    return [
        Case(
            {"pk": s.huade_bulletin.pk, "section": s.huade_bulletin_section.pk},
            OFFICE,
            "a section of the potato office's draft about 化德县",
        ),
        Case(
            {"pk": s.published_bulletin.pk, "section": s.huade_bulletin_section.pk},
            None,
            "the draft's section asked for through a published issue 卓资县 reads: "
            "nobody gets it there",
        ),
    ]


def report_template(s):
    return [Case({"pk": s.report_template.pk}, OFFICE, "the potato office's report template")]


def _bulletin_version(s) -> int:
    return _version(Bulletin, s.huade_bulletin.pk)


def bulletin_form(s):
    return {
        "title": "越权修改的专报标题",
        "compiled_by": "越权",
        "signed_by": "",
        "distribution": "",
        "version": _bulletin_version(s),
    }


def section_form(s, prefix: str = "new"):
    """A section written by hand, as the editor's form posts it (`new`: the one added)."""
    return {
        f"{prefix}-heading": "越权添加",
        f"{prefix}-body": "越权写入的段落",
        f"{prefix}-version": _bulletin_version(s),
    }


def edited_section_form(s):
    return section_form(s, prefix=f"s{s.huade_bulletin_section.pk}")


def report_form(s):
    """The report as its page posts it (the template's one section), as of today."""
    return {
        "version": _version(ReportTemplate, s.report_template.pk),
        "as_of": _today_plus(s, 0),
        "title": REPORT_TEMPLATE,
        "opening": "越权导出的汇报材料",
        "heading_0": "一、基本情况",
        "text_0": "示范区建设稳步推进。",
    }


def _bulletins_only_published(s, response):
    """The archive lists the circulated issues, never the potato office's draft, which
    the office's own staff find on the same page (the check has teeth)."""
    html = _html(response)
    assert HUADE_BULLETIN not in html
    if not response.wsgi_request.GET:
        assert PUBLISHED_BULLETIN in html
        assert NEWS_BULLETIN in html
    assert HUADE_BULLETIN in _html(_as_office(s, response.wsgi_request.path))


def _circulated_document(s, response, kind: str):
    """The published issue's document (its own text, none of the draft's); the draft's
    URL answers 404 to 卓资县's liaison as to its own office (nothing to download). Asked
    again as the same user: the secrets check has read the stream."""
    client = Client()
    client.force_login(s.world.zhuozi_liaison)
    again = client.get(response.wsgi_request.path)
    content = b"".join(again.streaming_content) if again.streaming else again.content
    if kind == "docx":
        document = docx.Document(io.BytesIO(content))
        text = "\n".join(paragraph.text for paragraph in document.paragraphs)
        assert PUBLISHED_BULLETIN in text
        assert not found_secrets(text)
    else:
        assert content.startswith(b"%PDF-")
    url = reverse(f"reports:bulletin_{kind}", args=[s.huade_bulletin.pk])
    for user in (s.world.zhuozi_liaison, s.world.office):
        client.force_login(user)
        refused = client.get(url)
        assert refused.status_code == 404, (user, refused.status_code)
        assert not found_secrets(_readable(refused))


def _summary_only_own_county(s, response):
    """The summary offers 卓资县 alone; 化德县's, asked for by hand, is refused (422, no
    text); drafting an issue from it is refused (403: a county composes no series)."""
    world = s.world
    scope = response.context["form"].fields["scope"]
    offered = [value for value, _label in scope.choices[0][1]]
    assert offered == [str(world.zhuozi.pk)], scope.choices
    assert response.context["draft"] is not None
    client = Client()
    client.force_login(world.zhuozi_liaison)
    path = response.wsgi_request.path
    asked = {"as_of": _today_plus(s, 0), "scope": world.huade.pk}
    refused = client.get(path, asked)
    assert refused.status_code == 422, refused.status_code
    assert refused.context["draft"] is None
    assert not found_secrets(_html(refused))
    before = Bulletin.objects.count()
    drafted = client.post(
        path,
        {**asked, "scope": world.zhuozi.pk, "series": s.potato_news.pk, "title": "越权起草"},
    )
    assert drafted.status_code == 403, drafted.status_code
    assert Bulletin.objects.count() == before


# --- the registry --------------------------------------------------------------------------

OWN_ACCOUNT = "the signed-in user's own account pages"
AUDIT_ONLY = "the audit trail is for the audit administrator only"
NO_OWNER_FILE = "the file belongs to another task: nobody gets it through this task's URL"
NO_OWNER_VISIT_FILE = "huade's photo asked for through 卓资县's own visit: nobody gets it there"

REGISTRY: dict[str, Entry] = {
    # --- site, sign-in, language
    "home": Entry(
        Check.OWN_DATA,
        "the organisation directory (units, offices, chains): shared by every signed-in user",
    ),
    "org:overview": Entry(
        Check.OWN_DATA,
        "the same directory under 组织机构 (a leader's home is the dashboard)",
    ),
    "login": Entry(Check.NO_DATA, "the sign-in page (redirects a signed-in user)"),
    "logout": Entry(Check.NO_DATA, "signing out (POST only; not sent, it would end the session)"),
    # --- the signed-in user's own account: no id in the URL or the form, request.user only
    "accounts:account": Entry(Check.NO_DATA, OWN_ACCOUNT),
    "accounts:verify": Entry(Check.NO_DATA, OWN_ACCOUNT),
    "accounts:enrol": Entry(Check.NO_DATA, OWN_ACCOUNT),
    "accounts:two_factor_disable": Entry(Check.NO_DATA, OWN_ACCOUNT + " (POST only)"),
    "accounts:recovery_codes": Entry(Check.NO_DATA, OWN_ACCOUNT + " (POST only)"),
    "accounts:password_change": Entry(Check.NO_DATA, OWN_ACCOUNT),
    "set_language": Entry(Check.NO_DATA, "choosing the interface language"),
    # --- health probes (ops/health.py): public, no login, a JSON status and nothing else
    "healthz": Entry(Check.NO_DATA, "the public liveness probe: {'status': 'ok'}"),
    "readyz": Entry(
        Check.NO_DATA,
        "the public readiness probe: which checks pass (database, migrations, worker), "
        "never an object or a reason's text",
    ),
    # --- org
    "org:unit": Entry(Check.FOREIGN, cases=huade_unit),
    "org:office": Entry(
        Check.SHARED,
        "every signed-in user sees an office's page (offices dispatch to everyone; "
        "org.access.get_office_for_user)",
        cases=lambda s: [Case({"pk": s.world.potato.pk})],
    ),
    "org:office_edit": Entry(
        Check.FOREIGN,
        cases=lambda s: [Case({"pk": s.world.potato.pk}, OFFICE, "another office's profile")],
        body=lambda s: {"duties": "越权修改的职责", "phone": "0474-0000000"},
    ),
    "org:chains": Entry(Check.OWN_DATA, "industry chains and their six ones are bureau-wide"),
    "org:chain": Entry(
        Check.SHARED,
        "an industry chain's six ones are bureau-wide reference",
        cases=lambda s: [Case({"code": s.chain.code})],
    ),
    # --- tasks
    "tasks:ledger": Entry(Check.OWN_DATA, owner_sees=True, query=huade_task_filters),
    "tasks:export": Entry(Check.OWN_DATA, owner_sees=True, query=huade_task_filters),
    "tasks:inbox": Entry(Check.OWN_DATA, owner_sees=True),
    "tasks:candidates": Entry(Check.OWN_DATA, owner_sees=True),
    "tasks:lists": Entry(Check.OWN_DATA, owner_sees=True),
    "tasks:list_create": Entry(Check.FORBIDDEN, "only office staff create task lists"),
    "tasks:list": Entry(Check.FOREIGN, cases=huade_list),
    "tasks:task_create": Entry(Check.FOREIGN, cases=managed_list, body=task_form),
    "tasks:import": Entry(Check.FOREIGN, cases=managed_list, body=lambda s: {"cancel": "1"}),
    "tasks:detail": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            *huade_tasks(s),
            Case({"pk": s.decision_task.pk}, HUADE, "task made of a meeting's decision for huade"),
        ],
    ),
    "tasks:edit": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            *huade_tasks(s, owner=OFFICE),
            Case({"pk": s.zhuozi_task.pk}, OFFICE, "卓资县's own task: only its office edits it"),
        ],
        body=task_form,
    ),
    "tasks:act": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_task.pk, "action": "request_close"}, HUADE, "huade's task"),
            Case({"pk": s.huade_only_task.pk, "action": "accept"}, HUADE, "huade-only list"),
            Case({"pk": s.zhuozi_task.pk, "action": "urge"}, OFFICE, "urging is the office's"),
        ],
        body=lambda s: {"comment": "越权操作"},
    ),
    "tasks:report": Entry(
        Check.FOREIGN,
        cases=huade_tasks,
        body=lambda s: {"text": "越权反馈", "progress": "95"},
        owner_body=lambda s: {},  # an empty form: refused with a message, nothing stored
    ),
    "tasks:extension": Entry(
        Check.FOREIGN,
        cases=huade_tasks,
        body=lambda s: {
            "reason": "越权延期",
            "new_due_date": _today_plus(s, 200),
            "progress_so_far": "无",
        },
        owner_body=lambda s: {},
    ),
    "tasks:extension_decide": Entry(
        Check.FOREIGN,
        cases=lambda s: [Case({"pk": s.extension.pk}, OFFICE, "huade's extension request")],
        body=lambda s: {"approve": "1", "comment": "越权批准"},
        owner_body=lambda s: {"approve": "0", "comment": ""},  # refused: a reason is needed
    ),
    "tasks:comment": Entry(
        Check.FOREIGN, cases=huade_tasks, body=lambda s: {"comment": "越权评论"}
    ),
    "tasks:file": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_task.pk, "file_id": s.attachment.pk}, HUADE, "attachment"),
            Case({"pk": s.huade_task.pk, "file_id": s.evidence.pk}, HUADE, "report evidence"),
            Case({"pk": s.zhuozi_task.pk, "file_id": s.attachment.pk}, None, NO_OWNER_FILE),
        ],
    ),
    # --- dispatch
    "dispatch:home": Entry(Check.OWN_DATA, owner_sees=True),
    "dispatch:indicators": Entry(
        Check.OWN_DATA, "city totals of bureau-wide indicators; a county's figure is not listed"
    ),
    "dispatch:indicator_create": Entry(Check.FORBIDDEN, "only office staff keep indicators"),
    "dispatch:indicator": Entry(
        Check.SHARED,
        "indicators are bureau-wide; a county sees its own line only (views._restrict_rows)",
        cases=lambda s: [Case({"code": s.indicator.code})],
    ),
    "dispatch:indicator_edit": Entry(
        Check.FOREIGN, cases=indicator, body=lambda s: {"name": "越权修改", "decimals": "2"}
    ),
    "dispatch:targets": Entry(
        Check.FOREIGN,
        cases=indicator,
        body=lambda s: {"year": "2023", f"unit-{s.world.huade.pk}": "1"},
    ),
    "dispatch:values": Entry(
        Check.FOREIGN,
        cases=indicator,
        body=lambda s: {"period": "2023-M06", f"unit-{s.world.huade.pk}": "1"},
    ),
    "dispatch:templates": Entry(Check.OWN_DATA, owner_sees=True),
    "dispatch:template_create": Entry(Check.FORBIDDEN, "only office staff create tables"),
    "dispatch:template": Entry(
        Check.FOREIGN, cases=lambda s: [Case({"pk": s.sheep.pk}, HUADE, "table only huade fills")]
    ),
    "dispatch:template_edit": Entry(
        Check.FOREIGN, cases=managed_template, body=lambda s: {"title": "越权修改", "units": []}
    ),
    "dispatch:round_create": Entry(
        Check.FOREIGN,
        cases=managed_template,
        body=lambda s: {"cadence": "monthly_dispatch", "period": "2023-M07"},
    ),
    "dispatch:schedule": Entry(
        Check.FOREIGN, cases=managed_template, body=lambda s: {"cadence": "monthly_dispatch"}
    ),
    "dispatch:round": Entry(
        Check.FOREIGN,
        cases=lambda s: [Case({"pk": s.huade_round.pk}, HUADE, "round only huade answers")],
    ),
    "dispatch:round_urge": Entry(
        Check.FOREIGN, cases=managed_round, body=lambda s: {"unit": [s.world.huade.pk]}
    ),
    "dispatch:round_lock": Entry(Check.FOREIGN, cases=managed_round, body=lambda s: {}),
    "dispatch:consolidation": Entry(Check.FOREIGN, cases=managed_round),
    "dispatch:consolidation_export": Entry(Check.FOREIGN, cases=managed_round),
    "dispatch:snapshot": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case(
                {"pk": s.huade_locked_round.pk, "snapshot_id": s.huade_snapshot.pk},
                OFFICE,
                "snapshot of a round only huade answers",
            ),
            Case(
                {"pk": s.shared_locked_round.pk, "snapshot_id": s.shared_snapshot.pk},
                OFFICE,
                "snapshot of a shared round: every unit's figures side by side",
            ),
        ],
    ),
    "dispatch:submission": Entry(Check.FOREIGN, cases=huade_submission, body=submission_post),
    "dispatch:submission_act": Entry(
        Check.FOREIGN,
        cases=lambda s: huade_submission(s, owner=OFFICE),
        body=lambda s: {"action": "return", "comment": "越权退回"},
        owner_body=lambda s: {"action": "return", "comment": ""},  # refused: no reason
    ),
    "dispatch:submission_versions": Entry(Check.FOREIGN, cases=huade_submission),
    "dispatch:submission_download": Entry(Check.FOREIGN, cases=huade_submission),
    "dispatch:submission_upload": Entry(
        Check.FOREIGN, cases=huade_submission, body=lambda s: {"cancel": "1"}
    ),
    # --- supervision: groups and visits
    "supervision:home": Entry(
        Check.OWN_DATA,
        "the overview counts within the user's scope; a county's row is its own",
        verify=_overview_only_zhuozi,
        query=lambda s: {"year": s.today.year},
    ),
    "supervision:groups": Entry(Check.OWN_DATA, owner_sees=True),
    "supervision:group_create": Entry(
        Check.FORBIDDEN, "only office staff and leaders set up groups"
    ),
    "supervision:group": Entry(Check.FOREIGN, cases=huade_group),
    "supervision:group_edit": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            *huade_group(s, owner=OFFICE),
            Case({"pk": s.zhuozi_group.pk}, OFFICE, "group covering 卓资县: the office's plan"),
        ],
        body=group_form,
    ),
    "supervision:visits": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {"county": s.world.huade.pk, "group": s.huade_group.pk},
    ),
    "supervision:visit_create": Entry(Check.FORBIDDEN, "liaisons do not record visits"),
    "supervision:visit_counts": Entry(
        Check.OWN_DATA,
        "counts per county and month; a county reads its own row",
        verify=_visit_counts_only_zhuozi,
        query=lambda s: {"year": s.today.year},
    ),
    "supervision:visit": Entry(Check.FOREIGN, cases=lambda s: huade_visits(s, owner=HUADE)),
    "supervision:visit_edit": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            *huade_visits(s),
            Case({"pk": s.zhuozi_visit.pk}, OFFICE, "卓资县's own visit: written up by the office"),
        ],
        body=visit_form,
    ),
    "supervision:visit_done": Entry(
        Check.FOREIGN,
        cases=lambda s: [Case({"pk": s.planned_visit.pk}, OFFICE, "visit planned in huade")],
        body=lambda s: {"date": _today_plus(s, 0), "version": _version(Visit, s.planned_visit.pk)},
    ),
    "supervision:visit_photos": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            *huade_visits(s),
            Case({"pk": s.zhuozi_visit.pk}, OFFICE, "卓资县's own visit: the office's photos"),
        ],
        body=photo_upload,
    ),
    "supervision:visit_report": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            *huade_visits(s),
            Case({"pk": s.zhuozi_visit.pk}, OFFICE, "卓资县's own visit: the office's report"),
        ],
        body=lambda s: {
            "report_text": "越权改写的调研报告",
            "version": _version(Visit, s.huade_visit.pk),
        },
    ),
    "supervision:finding_add": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            *huade_visits(s),
            Case(
                {"pk": s.zhuozi_visit.pk}, OFFICE, "卓资县's own visit: findings are the office's"
            ),
        ],
        body=lambda s: {"kind": "problem", "text": "越权写入的发现", "unit": s.world.zhuozi.pk},
    ),
    "supervision:finding_rectify": Entry(
        Check.FOREIGN,
        cases=lambda s: [Case({"pk": s.loose_finding.pk}, OFFICE, "huade's problem without item")],
        body=lambda s: {
            "unit": s.world.huade.pk,
            "requirement": "越权开出的整改",
            "due_date": _today_plus(s, 30),
        },
    ),
    "supervision:visit_file": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_visit.pk, "file_id": s.visit_photo.pk}, HUADE, "visit photo"),
            Case({"pk": s.huade_visit.pk, "file_id": s.finding_photo.pk}, HUADE, "finding photo"),
            Case(
                {"pk": s.huade_visit.pk, "file_id": s.huade_visit.report_file_id},
                HUADE,
                "research report file",
            ),
            Case({"pk": s.zhuozi_visit.pk, "file_id": s.visit_photo.pk}, None, NO_OWNER_VISIT_FILE),
        ],
    ),
    # --- supervision: notices
    "supervision:notices": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {"unit": s.world.huade.pk, "status": "issued"},
    ),
    "supervision:notice_create": Entry(Check.FORBIDDEN, "only office staff draft notices"),
    "supervision:notice": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_notice.pk}, HUADE, "notice issued to huade alone"),
            Case({"pk": s.draft_notice.pk}, OFFICE, "the potato office's draft"),
            Case({"pk": s.review_notice.pk}, DIRECTOR, "the potato office's notice in review"),
        ],
    ),
    "supervision:notice_edit": Entry(Check.FOREIGN, cases=drafts, body=notice_form),
    "supervision:notice_fill": Entry(Check.FOREIGN, cases=drafts, body=lambda s: {}),
    "supervision:notice_reason": Entry(
        Check.FOREIGN,
        cases=drafts,
        # No unit: the form is valid for any notice, so that the refusal is the service's.
        body=lambda s: {"kind": "other", "text": "越权写入的理由"},
        owner_body=lambda s: {"unit": s.world.huade.pk, "kind": "other", "text": "补充理由"},
    ),
    "supervision:notice_act": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.draft_notice.pk, "action": "submit"}, OFFICE, "the office's draft"),
            Case({"pk": s.review_notice.pk, "action": "return"}, DIRECTOR, "notice in review"),
            Case({"pk": s.huade_notice.pk, "action": "close"}, OFFICE, "notice issued to huade"),
            Case(
                {"pk": s.shared_notice.pk, "action": "close"},
                OFFICE,
                "notice issued to 卓资县 too: only the office closes it",
            ),
        ],
        body=lambda s: {"comment": "越权操作"},
    ),
    "supervision:notice_issue": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.review_notice.pk}, DIRECTOR, "the potato office's notice in review")
        ],
        body=lambda s: {},
    ),
    "supervision:notice_reply": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_notice.pk}, HUADE, "notice issued to huade alone"),
            Case(
                {"pk": s.shared_notice.pk},
                None,
                "huade's line in a notice 卓资县 received too: 卓资县 does not reply for huade",
            ),
        ],
        body=lambda s: {"recipient": s.shared_recipient.pk, "text": "越权回复"},
        # 化德县 has replied already: refused with a message, after the access check.
        owner_body=lambda s: {"recipient": s.huade_recipient.pk, "text": "再次回复"},
    ),
    "supervision:notice_correct": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_notice.pk}, OFFICE, "notice issued to huade alone"),
            Case({"pk": s.shared_notice.pk}, OFFICE, "notice issued to 卓资县 too"),
        ],
        body=lambda s: {},
    ),
    "supervision:notice_file": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_notice.pk, "kind": "docx"}, HUADE, "the issued notice to huade")
        ],
    ),
    "supervision:notice_reply_file": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case(
                {"pk": s.huade_notice.pk, "rid": s.huade_recipient.pk, "fid": s.reply_file.pk},
                HUADE,
                "huade's reply to the notice issued to it alone",
            ),
            Case(
                {
                    "pk": s.shared_notice.pk,
                    "rid": s.shared_recipient.pk,
                    "fid": s.shared_reply_file.pk,
                },
                HUADE,
                "huade's reply to the notice 卓资县 received too",
            ),
            Case(
                {
                    "pk": s.shared_notice.pk,
                    "rid": s.shared_zhuozi_recipient.pk,
                    "fid": s.shared_reply_file.pk,
                },
                None,
                "huade's attachment asked for under 卓资县's own line: nobody gets it there",
            ),
        ],
    ),
    # --- rectification
    "rectification:list": Entry(Check.OWN_DATA, owner_sees=True, query=huade_filters),
    "rectification:detail": Entry(
        Check.FOREIGN, cases=lambda s: [*huade_items(s), *brand_item(s, owner=HUADE)]
    ),
    "rectification:respond": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_notice_item.pk}, HUADE, "huade's item from a notice, open"),
            Case({"pk": s.huade_item.pk}, HUADE, "huade's item from a visit, reported"),
            # The enterprise answers its own item (not its county's liaison).
            *brand_item(s, owner=ENTERPRISE),
        ],
        body=lambda s: {
            "text": "越权整改反馈",
            "expected_version": _version(Rectification, s.huade_notice_item.pk),
        },
        # A stale version: refused with 409 after the access check, nothing stored (the
        # reported item would answer 422, its state allowing no report, which is not the
        # access check's answer either).
        owner_body=lambda s: {"text": "整改反馈", "expected_version": STALE},
    ),
    "rectification:act": Entry(
        Check.FOREIGN,
        cases=lambda s: office_item_action(s, action="accept"),
        body=lambda s: {
            "comment": "",
            "expected_version": _version(Rectification, s.huade_item.pk),
        },
    ),
    "rectification:extend": Entry(
        Check.FOREIGN,
        cases=office_item_action,
        body=lambda s: {
            "due_date": _today_plus(s, 60),
            "comment": "越权延期",
            "expected_version": _version(Rectification, s.huade_item.pk),
        },
    ),
    "rectification:comment": Entry(
        Check.FOREIGN, cases=huade_items, body=lambda s: {"text": "越权评论"}
    ),
    "rectification:file": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case(
                {"pk": s.huade_item.pk, "file_id": s.rectification_evidence.pk},
                HUADE,
                "evidence of huade's report",
            ),
            Case(
                {"pk": s.zhuozi_item.pk, "file_id": s.rectification_evidence.pk},
                None,
                "huade's evidence asked for through 卓资县's own item: nobody gets it there",
            ),
        ],
    ),
    # --- supervision exports
    "rectification:export": Entry(Check.OWN_DATA, owner_sees=True, query=huade_filters),
    "supervision:notices_export": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {"unit": s.world.huade.pk, "status": "issued"},
    ),
    "supervision:visit_counts_export": Entry(
        Check.OWN_DATA,
        "counts per county and month; a county's file holds its own row",
        verify=_visit_counts_export_only_zhuozi,
        query=lambda s: {"year": s.today.year},
    ),
    # --- supervision documents
    "supervision:visit_report_docx": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_visit.pk}, HUADE, "research report written on huade's visit")
        ],
    ),
    "supervision:group_plan_export": Entry(Check.FOREIGN, cases=huade_group),
    # --- notifications
    "core:notifications": Entry(Check.OWN_DATA, owner_sees=True),
    "core:notifications_read": Entry(
        Check.OWN_ACTION,
        "marks the user's own notifications read",
        body=lambda s: {},
        after=_huade_notification_unread,
    ),
    "core:notification_open": Entry(
        Check.FOREIGN,
        cases=lambda s: [Case({"pk": s.huade_notification.pk}, HUADE, "huade's notification")],
    ),
    # --- background jobs (ops): a job and its file are its owner's alone
    "ops:jobs": Entry(Check.OWN_DATA, owner_sees=True),
    "ops:job": Entry(Check.FOREIGN, cases=huade_job),
    "ops:job_progress": Entry(Check.FOREIGN, cases=huade_job),
    "ops:job_download": Entry(Check.FOREIGN, cases=huade_job),
    "ops:overview": Entry(
        Check.HIDDEN,
        "workers, the schedule and everyone's jobs are the system administrator's",
        cases=lambda s: [Case({}, "sysadmin", "the system administrator")],
    ),
    "ops:backup_start": Entry(
        Check.HIDDEN, "only the system administrator starts a backup (POST only)"
    ),
    # --- the audit trail: the audit administrator's alone (三员分立)
    "audit:list": Entry(Check.FORBIDDEN, AUDIT_ONLY),
    "audit:export": Entry(Check.FORBIDDEN, AUDIT_ONLY),
    "audit:verify": Entry(Check.FORBIDDEN, AUDIT_ONLY),
    "audit:detail": Entry(Check.FOREIGN, cases=huade_audit_event),
    # --- assessment: schemes (views.py)
    "assessment:home": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {"year": 2023},
        verify=_scheme_list_is_the_open_one,
    ),
    "assessment:scheme_create": Entry(
        Check.FORBIDDEN, "only an office's staff create assessment schemes"
    ),
    # 卓资县's liaison opens the scheme assessing 卓资县 too (its items and 卓资县's own line
    # of the ranking): that page is checked by the verify of "assessment:home".
    "assessment:scheme": Entry(Check.FOREIGN, cases=hidden_schemes),
    "assessment:scheme_edit": Entry(Check.FOREIGN, cases=managed_schemes, body=scheme_form),
    "assessment:scheme_units": Entry(
        Check.FOREIGN,
        cases=managed_schemes,
        body=lambda s: {"units": [s.world.zhuozi.pk]},
    ),
    "assessment:scheme_act": Entry(
        Check.FOREIGN,
        cases=managed_schemes,
        body=lambda s: {
            "action": "open",
            "reason": "越权操作",
            "version": _version(Scheme, s.draft_scheme.pk),
        },
    ),
    "assessment:scheme_compute": Entry(Check.FOREIGN, cases=managed_schemes, body=lambda s: {}),
    "assessment:item_create": Entry(Check.FOREIGN, cases=managed_schemes, body=item_form),
    "assessment:item_edit": Entry(Check.FOREIGN, cases=managed_items, body=item_form),
    "assessment:item_delete": Entry(Check.FOREIGN, cases=managed_items, body=lambda s: {}),
    "assessment:evidence_gaps": Entry(
        Check.FOREIGN,
        # Every unit's gaps: the organising office's (and the bureau's) to see.
        cases=lambda s: [
            *[Case(c.kwargs, OFFICE, c.label) for c in hidden_schemes(s)],
            Case({"pk": s.shared_scheme.pk}, OFFICE, "the scheme assessing 卓资县 too"),
        ],
    ),
    # --- assessment: import (views_import.py)
    "assessment:scheme_import": Entry(
        Check.FOREIGN, cases=managed_schemes, body=lambda s: {"cancel": "1"}
    ),
    "assessment:import_template": Entry(
        Check.FORBIDDEN, "the blank import form is for an office's staff, who design schemes"
    ),
    # --- assessment: a unit's scorecard, scores and evidence (views_scores.py)
    "assessment:participant": Entry(Check.FOREIGN, cases=huade_cards),
    "assessment:participant_act": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_card.pk}, HUADE, "huade's self-assessment, every item scored"),
            Case(
                {"pk": s.zhuozi_card.pk},
                None,
                "卓资县's own self-assessment: returning it is the organising office's",
            ),
        ],
        body=lambda s: {
            "action": "return",
            "reason": "越权退回",
            "version": _version(Participant, s.huade_card.pk),
        },
        owner_body=lambda s: {
            "action": "submit",
            "version": _version(Participant, s.huade_card.pk),
        },
    ),
    "assessment:evidence_add": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case(
                {"pk": s.huade_card.pk, "item_pk": s.manual_item.pk},
                HUADE,
                "huade's scorecard, an item both counties supply evidence for",
            ),
            Case(
                {"pk": s.review_card.pk, "item_pk": s.review_item.pk},
                HUADE,
                "huade's scorecard in the scheme under review",
            ),
            Case(
                {"pk": s.zhuozi_card.pk, "item_pk": s.review_item.pk},
                None,
                "an item of the scheme assessing huade alone, through 卓资县's own scorecard: "
                "nobody files there",
            ),
        ],
        body=evidence_file,
    ),
    "assessment:score_self": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_manual_score.pk}, HUADE, "huade's score in the open scheme"),
            Case(
                {"pk": s.review_card_score.pk},
                None,
                "huade's score in the scheme under review: self-assessment is over",
            ),
        ],
        body=lambda s: {
            "self_score": "20",
            "self_reason": "越权自评",
            "version": _version(Score, s.huade_manual_score.pk),
        },
    ),
    "assessment:score_review": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.review_card_score.pk}, DIRECTOR, "huade's score, the named reviewer's"),
            Case(
                {"pk": s.huade_manual_score.pk},
                None,
                "huade's score in the open scheme: not under review yet",
            ),
            Case(
                {"pk": s.zhuozi_manual_score.pk},
                None,
                "卓资县's own score: a county does not review itself",
            ),
        ],
        body=lambda s: {
            "review_score": "15",
            "review_reason": "越权评审",
            "version": _version(Score, s.review_card_score.pk),
        },
    ),
    "assessment:score_basis": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_tasks_score.pk}, HUADE, "huade's tasks behind its score"),
            Case({"pk": s.huade_indicator_score.pk}, HUADE, "huade's indicator figures"),
            Case({"pk": s.huade_notices_score.pk}, HUADE, "the notices huade received"),
        ],
    ),
    "assessment:score_rectify": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_tasks_score.pk}, OFFICE, "huade's deduction, the office's"),
            Case({"pk": s.review_card_score.pk}, DIRECTOR, "huade's deduction, its reviewer's"),
            Case(
                {"pk": s.zhuozi_indicator_score.pk},
                OFFICE,
                "卓资县's own deduction: the office opens its rectification",
            ),
        ],
        body=lambda s: {"requirement": "越权开出的整改", "due_date": _today_plus(s, 30)},
    ),
    "assessment:evidence_download": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_scheme_evidence.pk}, HUADE, "huade's uploaded evidence"),
            Case({"pk": s.huade_linked_evidence.pk}, HUADE, "huade's task evidence, linked"),
            Case({"pk": s.review_evidence.pk}, HUADE, "evidence in the scheme under review"),
        ],
    ),
    "assessment:evidence_remove": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_scheme_evidence.pk}, HUADE, "huade's uploaded evidence"),
            Case({"pk": s.review_evidence.pk}, HUADE, "evidence in the scheme under review"),
        ],
        body=lambda s: {},
    ),
    # --- assessment: downloads (views_export.py)
    # The score sheet of the scheme assessing 卓资县 too holds 卓资县's row alone: checked
    # by the verify of "assessment:home".
    "assessment:export_scores": Entry(Check.FOREIGN, cases=hidden_schemes),
    "assessment:export_participant": Entry(Check.FOREIGN, cases=huade_cards),
    "assessment:export_bundle": Entry(Check.FOREIGN, cases=huade_cards),
    # --- the API
    "api:openapi-json": Entry(Check.NO_DATA, "the API's schema"),
    "api:openapi-view": Entry(Check.NO_DATA, "the API's documentation page"),
    "api:api-root": Entry(Check.NO_DATA, "django-ninja's root (always 404)"),
    "api:list_units": Entry(Check.OWN_DATA, "the organisation tree is visible to everyone"),
    "api:get_unit": Entry(
        Check.FOREIGN, cases=lambda s: [Case({"unit_id": s.world.huade.pk}, HUADE, "huade")]
    ),
    "api:list_offices": Entry(Check.OWN_DATA, "offices and their staff are bureau-wide"),
    "api:list_chains": Entry(Check.OWN_DATA, "industry chains are bureau-wide"),
    "api:get_chain": Entry(
        Check.SHARED,
        "an industry chain's six ones are bureau-wide reference",
        cases=lambda s: [Case({"code": s.chain.code})],
    ),
    "api:list_tasks": Entry(Check.OWN_DATA, owner_sees=True, query=huade_api_task_filters),
    "api:task_counts": Entry(Check.OWN_DATA, verify=_counts_only_zhuozi),
    "api:get_task": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            *(Case({"task_id": c.kwargs["pk"]}, c.owner, c.label) for c in huade_tasks(s)),
            Case({"task_id": s.decision_task.pk}, HUADE, "task made of a meeting's decision"),
        ],
    ),
    "api:act api/v1/tasks/<task_id>/actions/<action>": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"task_id": s.huade_task.pk, "action": "request_close"}, HUADE, "huade's"),
            Case({"task_id": s.huade_only_task.pk, "action": "accept"}, HUADE, "huade-only"),
            Case({"task_id": s.zhuozi_task.pk, "action": "urge"}, OFFICE, "urging: office's"),
        ],
        method="POST",
        body=lambda s: {"comment": "越权操作"},
    ),
    "api:report": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"task_id": c.kwargs["pk"]}, c.owner, c.label) for c in huade_tasks(s)
        ],
        method="POST",
        body=lambda s: {"text": "越权反馈", "progress": 95},
    ),
    "api:list_rounds": Entry(
        Check.OWN_DATA, owner_sees=True, query=lambda s: {"template": s.sheep.code}
    ),
    "api:get_round api/v1/dispatch/rounds/<round_id>": Entry(
        Check.FOREIGN,
        cases=lambda s: [Case({"round_id": s.huade_round.pk}, HUADE, "round only huade answers")],
    ),
    "api:urge": Entry(
        Check.FOREIGN,
        cases=lambda s: managed_round(s, key="round_id"),
        method="POST",
        body=lambda s: {},
    ),
    "api:consolidation": Entry(Check.FOREIGN, cases=lambda s: managed_round(s, key="round_id")),
    "api:get_submission": Entry(Check.FOREIGN, cases=api_submission),
    "api:put_submission": Entry(
        Check.FOREIGN,
        cases=api_submission,
        method="PUT",
        body=lambda s: {"rows": [{"beef": "0", "sheep": "0"}], "lock_version": 1, "submit": True},
        # A stale version: refused with 409 after the access check, nothing stored.
        owner_body=lambda s: {"rows": [], "lock_version": 0},
    ),
    "api:act api/v1/dispatch/rounds/<round_id>/submissions/<unit_code>/actions/<action>": Entry(
        Check.FOREIGN,
        cases=lambda s: api_submission(s, owner=OFFICE, action="return"),
        method="POST",
        body=lambda s: {"comment": "越权退回"},
    ),
    "api:list_indicators": Entry(Check.OWN_DATA, "indicators are bureau-wide"),
    "api:indicator_progress": Entry(
        Check.SHARED,
        "indicators are bureau-wide; a county reads its own line only, as on the screen",
        cases=lambda s: [Case({"code": s.indicator.code})],
        verify=_progress_only_own_line,
    ),
    # --- the API: supervision and rectification
    "api:list_rectifications": Entry(Check.OWN_DATA, owner_sees=True, query=huade_filters),
    "api:rectification_counts": Entry(
        Check.OWN_DATA,
        verify=_api_rectification_counts_only_zhuozi,
        query=lambda s: {"county": s.world.huade.pk},
    ),
    "api:get_rectification": Entry(
        Check.FOREIGN, cases=lambda s: _api_keys(huade_items(s), "item_id")
    ),
    "api:respond_to_rectification": Entry(
        Check.FOREIGN,
        cases=lambda s: _api_keys(huade_items(s), "item_id"),
        method="POST",
        body=lambda s: {
            "text": "越权整改反馈",
            "expected_version": _version(Rectification, s.huade_notice_item.pk),
        },
        # A stale version: refused with 409 after the access check, nothing stored.
        owner_body=lambda s: {"text": "整改反馈", "expected_version": STALE},
    ),
    "api:act_on_rectification": Entry(
        Check.FOREIGN,
        cases=lambda s: _api_keys(office_item_action(s, action="accept"), "item_id"),
        method="POST",
        body=lambda s: {
            "comment": "",
            "expected_version": _version(Rectification, s.huade_item.pk),
        },
    ),
    "api:list_groups": Entry(
        Check.OWN_DATA, owner_sees=True, query=lambda s: {"year": s.today.year}
    ),
    "api:list_visits": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {"county": s.world.huade.pk, "group": s.huade_group.pk},
    ),
    "api:visit_counts": Entry(
        Check.OWN_DATA,
        "counts per county and month; a county reads its own row",
        verify=_api_visit_counts_only_zhuozi,
        query=lambda s: {"year": s.today.year},
    ),
    "api:get_visit": Entry(
        Check.FOREIGN, cases=lambda s: _api_keys(huade_visits(s, owner=HUADE), "visit_id")
    ),
    "api:list_notices": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {"unit": s.world.huade.pk, "status": "issued"},
    ),
    "api:get_notice": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"notice_id": s.huade_notice.pk}, HUADE, "notice issued to huade alone"),
            Case({"notice_id": s.draft_notice.pk}, OFFICE, "the potato office's draft"),
            Case(
                {"notice_id": s.review_notice.pk}, DIRECTOR, "the potato office's notice in review"
            ),
        ],
    ),
    # --- the API: assessment (read-only; the open scheme's pages: "assessment:home")
    "api:list_schemes": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {"year": 2023},
        verify=_api_scheme_list_is_the_open_one,
    ),
    "api:get_scheme": Entry(Check.FOREIGN, cases=lambda s: hidden_schemes(s, key="scheme_id")),
    "api:get_ranking": Entry(Check.FOREIGN, cases=lambda s: hidden_schemes(s, key="scheme_id")),
    "api:get_scorecard": Entry(Check.FOREIGN, cases=lambda s: huade_cards(s, key="participant_id")),
    # --- documents: documents and versions (views.py)
    "documents:home": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {"q": "化德", "office": s.world.potato.pk, "stage": "consulting"},
        verify=_documents_only_readable_ones,
    ),
    "documents:document_create": Entry(
        Check.FORBIDDEN, "only an office's staff draft policy documents"
    ),
    "documents:document": Entry(Check.FOREIGN, cases=hidden_documents),
    "documents:document_edit": Entry(Check.FOREIGN, cases=managed_documents, body=document_form),
    "documents:document_act": Entry(
        Check.FOREIGN,
        cases=managed_documents,
        body=issue_form,
        # A stale version: refused with 409 after the access check, nothing changed.
        owner_body=lambda s: {**issue_form(s), "issue-version": STALE},
    ),
    "documents:version_add": Entry(
        Check.FOREIGN, cases=managed_documents, body=lambda s: {"text": "越权写入的版本"}
    ),
    "documents:compare": Entry(Check.FOREIGN, cases=hidden_documents),
    "documents:version": Entry(Check.FOREIGN, cases=hidden_versions),
    "documents:version_edit": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            *[Case(c.kwargs, OFFICE, c.label) for c in hidden_versions(s)],
            Case({"pk": s.shared_v1.pk}, OFFICE, "the version put to 卓资县: the office labels it"),
            Case({"pk": s.issued_v2.pk}, None, "the issued version: it changes for nobody"),
        ],
        body=lambda s: {"label": "越权修改的版本说明", "change_note": "越权"},
    ),
    "documents:version_download": Entry(Check.FOREIGN, cases=hidden_versions),
    # --- documents: opinion rounds (views_rounds.py)
    "documents:round_open": Entry(
        Check.FOREIGN,
        cases=managed_documents,
        body=lambda s: {"deadline": _today_plus(s, 10), "units": [s.world.zhuozi.pk]},
    ),
    "documents:round": Entry(
        Check.FOREIGN,
        cases=lambda s: [Case({"pk": s.huade_doc_round.pk}, HUADE, "round consulting huade alone")],
    ),
    "documents:round_urge": Entry(Check.FOREIGN, cases=managed_rounds, body=lambda s: {}),
    "documents:round_close": Entry(Check.FOREIGN, cases=managed_rounds, body=lambda s: {}),
    "documents:answer": Entry(
        Check.FOREIGN,
        cases=huade_answers,
        body=answer_form,
        owner_body=lambda s: {},  # no management form: shown again, nothing stored
    ),
    "documents:opinion_decide": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_opinion.pk}, OFFICE, "huade's opinion, the office's to adopt"),
            Case({"pk": s.shared_huade_opinion.pk}, OFFICE, "huade's opinion in a shared round"),
            Case({"pk": s.zhuozi_opinion.pk}, OFFICE, "卓资县's own opinion: the office adopts it"),
        ],
        body=lambda s: {"disposition": "adopted", "reason": "", "version": _opinion_version(s)},
        # A stale version: refused after the access check, the round page shown again.
        owner_body=lambda s: {"disposition": "adopted", "reason": "", "version": STALE},
    ),
    "documents:inbox": Entry(Check.OWN_DATA, owner_sees=True),
    # --- documents: the opinion adoption table (views_export.py)
    "documents:adoption_xlsx": Entry(Check.FOREIGN, cases=adoption_tables),
    "documents:adoption_docx": Entry(Check.FOREIGN, cases=adoption_tables),
    # --- documents: meetings and agenda topics (views_meetings.py): the bureau's alone
    "documents:meetings": Entry(
        Check.HIDDEN,
        "meetings are the bureau's: a county is told there are none (404)",
        cases=lambda s: [Case({}, OFFICE, "the bureau's staff list the meetings")],
    ),
    "documents:meeting_create": Entry(
        Check.HIDDEN,
        "only the bureau convenes meetings; a county is told there are none (404)",
        cases=lambda s: [Case({}, LEADER, "a leader convenes the bureau's meetings")],
    ),
    "documents:topic_counts": Entry(
        Check.HIDDEN,
        "the offices' topic counts are the bureau's figures",
        cases=lambda s: [Case({}, OFFICE, "the bureau's staff read the counts")],
    ),
    "documents:meeting": Entry(Check.FOREIGN, cases=meetings),
    "documents:minutes_docx": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.held_meeting.pk}, OFFICE, "the minutes of the meeting on huade's topic")
        ],
    ),
    "documents:meeting_edit": Entry(
        Check.FOREIGN,
        cases=lambda s: meetings(s, owner=LEADER),
        body=lambda s: {
            "title": "越权修改的会议",
            "place": "越权",
            "starts_at": "2023-06-20T09:00",
        },
    ),
    "documents:meeting_act": Entry(
        Check.FOREIGN,
        cases=lambda s: meetings(s, owner=LEADER),
        body=lambda s: {"action": "cancel", "reason": "越权取消"},
        # Not allowed in either meeting's state: refused with a message, nothing changed.
        owner_body=lambda s: {"action": "reopen_agenda"},
    ),
    "documents:topic_submit": Entry(
        Check.FOREIGN,
        cases=meetings,
        body=lambda s: {"office": s.world.potato.pk, "title": "越权提交的议题"},
    ),
    "documents:topic": Entry(Check.FOREIGN, cases=topics),
    "documents:topic_edit": Entry(
        Check.FOREIGN, cases=topics, body=lambda s: {"title": "越权修改的议题"}
    ),
    "documents:topic_act": Entry(
        Check.FOREIGN,
        cases=lambda s: topics(s, owner=LEADER),
        body=lambda s: {"action": "withdraw"},
        # A deferral without a reason (or of a decided topic): refused, the page again.
        owner_body=lambda s: {"action": "defer"},
    ),
    "documents:topic_decide": Entry(
        Check.FOREIGN,
        cases=lambda s: topics(s, owner=LEADER),
        body=lambda s: {
            "outcome": "not_approved",
            "decision": "越权改写的议定事项",
            "version": _topic_version(s),
        },
        owner_body=lambda s: {"outcome": "approved", "decision": HUADE_TOPIC, "version": STALE},
    ),
    "documents:decision_task": Entry(
        Check.FOREIGN,
        cases=topics,
        body=lambda s: {
            "content": "越权创建的任务",
            "lead_unit": s.world.zhuozi.pk,
            "due_date": _today_plus(s, 30),
            "assign": "on",
        },
        owner_body=lambda s: {},  # an empty form: shown again, no task made
    ),
    "documents:topic_material": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case(
                {"pk": s.decided_topic.pk, "file_pk": s.topic_material.pk},
                OFFICE,
                "the material of huade's topic",
            ),
            Case(
                {"pk": s.pending_topic.pk, "file_pk": s.pending_material.pk},
                OFFICE,
                "the material of the waiting topic",
            ),
            Case(
                {"pk": s.pending_topic.pk, "file_pk": s.topic_material.pk},
                None,
                "one topic's material asked for through another: nobody gets it there",
            ),
        ],
    ),
    # --- the API: documents and meetings (read-only)
    "api:list_documents": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {"office": s.world.potato.pk, "stage": "consulting"},
        verify=_documents_only_readable_ones,
    ),
    "api:get_document": Entry(
        Check.FOREIGN, cases=lambda s: hidden_documents(s, key="document_id")
    ),
    "api:get_version_text": Entry(Check.FOREIGN, cases=api_hidden_versions),
    "api:get_round api/v1/documents/rounds/<opinion_round_id>": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"opinion_round_id": s.huade_doc_round.pk}, HUADE, "round consulting huade alone")
        ],
    ),
    "api:list_meetings": Entry(
        Check.OWN_DATA,
        "meetings are the bureau's: a county's list is empty",
        verify=_no_meetings,
        query=lambda s: {"year": s.held_meeting.year, "kind": "bureau"},
    ),
    "api:get_meeting": Entry(Check.FOREIGN, cases=lambda s: meetings(s, key="meeting_id")),
    "api:topic_counts": Entry(
        Check.OWN_DATA,
        "the offices' topic counts are the bureau's figures: a county gets none",
        verify=_no_topic_counts,
        query=lambda s: {"year": s.held_meeting.year},
    ),
    # --- brand register: the register, enterprises and applications (views.py)
    "brand:home": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {"q": "化德", "county": s.world.huade.pk, "licensed": "yes"},
        verify=_register_only_zhuozi,
    ),
    "brand:enterprise_create": Entry(
        Check.FORBIDDEN, "only the brand office enters enterprises in the register"
    ),
    "brand:enterprise": Entry(Check.FOREIGN, cases=huade_enterprises),
    "brand:enterprise_edit": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            *huade_enterprises(s, owner=BRAND),
            Case(
                {"pk": s.zhuozi_enterprise.pk},
                BRAND,
                "卓资县's own enterprise: the brand office keeps its record",
            ),
        ],
        body=enterprise_form,
        # A stale version: refused with 409 after the access check, nothing saved.
        owner_body=lambda s: {**enterprise_form(s), "version": str(STALE)},
    ),
    "brand:application_create": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_enterprise.pk}, ENTERPRISE, "huade's enterprise, its own login"),
            Case({"pk": s.pending_enterprise.pk}, BRAND, "huade's enterprise not authorized"),
            Case(
                {"pk": s.zhuozi_enterprise.pk},
                BRAND,
                "卓资县's own enterprise: the enterprise or the office applies, not the county",
            ),
        ],
        body=product_rows,
    ),
    "brand:applications": Entry(
        Check.OWN_DATA,
        "a county's queue holds its own enterprises' applications",
        query=lambda s: {"status": "all", "county": s.world.huade.pk},
        verify=_applications_only_zhuozi,
    ),
    "brand:application": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case(
                {"pk": s.huade_application.pk},
                HUADE,
                "huade's approved application: its opinions, its expert opinion",
            ),
            Case({"pk": s.huade_draft_application.pk}, ENTERPRISE, "the enterprise's draft"),
            Case({"pk": s.pending_application.pk}, HUADE, "awaiting huade's first review"),
        ],
    ),
    "brand:application_edit": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_draft_application.pk}, ENTERPRISE, "the enterprise's draft"),
            Case(
                {"pk": s.zhuozi_application.pk},
                BRAND,
                "卓资县's own application: the applicant's and the office's, not the county's",
            ),
        ],
        body=lambda s: {**product_rows(s), "version": "1"},
    ),
    "brand:application_attach": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_draft_application.pk}, ENTERPRISE, "the enterprise's draft"),
            Case(
                {"pk": s.zhuozi_application.pk},
                None,
                "卓资县's own approved application: no document is added after approval",
            ),
        ],
        body=lambda s: {
            "attach-kind": "other",
            "attach-files": SimpleUploadedFile(
                "越权上传的材料.pdf", PDF, content_type="application/pdf"
            ),
        },
    ),
    "brand:application_act": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.pending_application.pk}, HUADE, "awaiting huade's first review"),
            Case(
                {"pk": s.zhuozi_application.pk},
                BRAND,
                "卓资县's own application: the brand office decides it",
            ),
        ],
        body=lambda s: {
            "action": "approve",
            "approve-comment": "越权批准",
            "approve-valid_from": _today_plus(s, 0),
            "approve-version": "4",
        },
        # Sending back (the county in its first review, the office in its review) with a
        # stale version: refused with 409 after the access check, nothing changed.
        owner_body=lambda s: {
            "action": "return",
            "return-comment": "请补充材料",
            "return-version": str(STALE),
        },
    ),
    "brand:attachment": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_attachment.pk}, HUADE, "huade's quality inspection report"),
            Case({"pk": s.huade_expert_opinion.pk}, HUADE, "the expert opinion on huade's"),
        ],
    ),
    # --- brand register: licences, logo use, the register's file (views_licences.py)
    "brand:licence": Entry(Check.FOREIGN, cases=huade_licence),
    "brand:licence_remove": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            *huade_licence(s, owner=BRAND),
            Case(
                {"pk": s.zhuozi_licence.pk},
                BRAND,
                "卓资县's own licence: only the brand office removes it",
            ),
        ],
        body=lambda s: {"reason": "越权清退", "on": _today_plus(s, 0)},
    ),
    "brand:licence_qr": Entry(Check.FOREIGN, cases=huade_licence),
    "brand:certificate_docx": Entry(Check.FOREIGN, cases=huade_licence),
    "brand:certificate_pdf": Entry(
        Check.FOREIGN, cases=huade_licence, body=lambda s: {}
    ),  # POST: queues the certificate's PDF
    "brand:logo_use_add": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            *huade_licence(s, owner=ENTERPRISE),
            Case(
                {"pk": s.zhuozi_licence.pk},
                BRAND,
                "卓资县's own licence: the enterprise or the office records logo use",
            ),
        ],
        body=lambda s: {
            "product": s.zhuozi_application.products.get().pk,
            "packaging": "越权登记的包装",
            "channels": ["supermarket"],
            "since": _today_plus(s, 0),
            "photos": png("越权上传.png"),
        },
    ),
    "brand:logo_photo": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_logo_photo.pk}, HUADE, "the photo of huade's packaging"),
            Case(
                {"pk": s.huade_brand_evidence.pk},
                None,
                "huade's re-review evidence asked for as a logo photo: nobody gets it there",
            ),
        ],
    ),
    "brand:register_xlsx": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {"county": s.world.huade.pk},
        verify=_register_export_only_zhuozi,
    ),
    # --- brand register: the annual re-review and sales (views_reviews.py)
    "brand:rounds": Entry(
        Check.OWN_DATA,
        "the rounds, counted over the county's own enterprises",
        verify=_rounds_count_only_zhuozi,
    ),
    "brand:round_open": Entry(
        Check.HIDDEN,
        "only the brand office opens a re-review; who reads part of the register is told "
        "there is no such page (404)",
        cases=lambda s: [Case({}, BRAND, "the brand office opens the year's re-review")],
    ),
    "brand:round": Entry(
        Check.SHARED,
        "a county reads the year's re-review of its own enterprises",
        cases=lambda s: [Case({"year": s.review_round.year})],
        verify=_round_shows_only_zhuozi,
    ),
    "brand:review": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_review.pk}, HUADE, "huade's re-review, reported, rectifying")
        ],
    ),
    "brand:review_submit": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_review.pk}, ENTERPRISE, "the enterprise's own report"),
            Case(
                {"pk": s.zhuozi_review.pk},
                BRAND,
                "卓资县's own re-review: the enterprise or the office reports, not the county",
            ),
        ],
        body=review_report,
        # A stale version: refused with 409 after the access check, nothing stored.
        owner_body=lambda s: review_report(s, version=STALE),
    ),
    "brand:review_act": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_review.pk}, BRAND, "huade's re-review in rectification"),
            Case({"pk": s.zhuozi_review.pk}, BRAND, "卓资县's own re-review: the office concludes"),
        ],
        body=lambda s: {"action": "remove", "comment": "越权清退", "version": _review_version(s)},
        owner_body=lambda s: {"action": "remove", "comment": "清退", "version": STALE},
    ),
    "brand:review_evidence": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case(
                {"pk": s.huade_review.pk, "file_pk": s.huade_brand_evidence.pk},
                HUADE,
                "the logo-use evidence of huade's report",
            ),
            Case(
                {"pk": s.zhuozi_review.pk, "file_pk": s.huade_brand_evidence.pk},
                None,
                "huade's evidence asked for through 卓资县's own re-review: nobody gets it there",
            ),
        ],
    ),
    "brand:sales": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {"year": s.today.year - 1},
        verify=_sales_only_zhuozi,
    ),
    "brand:sales_save": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.huade_enterprise.pk}, BRAND, "huade's enterprise"),
            Case(
                {"pk": s.zhuozi_enterprise.pk},
                BRAND,
                "卓资县's own enterprise: the brand office enters its figures",
            ),
        ],
        body=lambda s: {"year": str(s.today.year), "amount": "1.00"},
    ),
    # --- the public verification pages (no login; urls_public.py)
    "verify:search": Entry(
        Check.OWN_DATA,
        "the public verification page: licences by number or enterprise name, for anyone",
        query=lambda s: {"q": HUADE_ENTERPRISE},
        verify=_public_search,
    ),
    "verify:enterprises": Entry(
        Check.OWN_DATA,
        "the public list of the enterprises holding a valid licence, for anyone",
        verify=_public_list,
    ),
    "verify:licence": Entry(
        Check.SHARED,
        "the public page of one licence (what its QR code opens), for anyone",
        cases=lambda s: [Case({"number": s.huade_licence.number})],
        verify=_public_licence_page,
    ),
    # --- investment pipeline: the overview, projects and stage clocks (views.py)
    "investment:home": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {"year": s.today.year},
        verify=_pipeline_only_zhuozi,
    ),
    "investment:projects": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {
            "county": s.world.huade.pk,
            "q": "淀粉",
            "stage": Stage.SIGNED,
            "light": "red",
            "key": "on",
        },
        verify=_project_list_only_zhuozi,
    ),
    "investment:project_create": Entry(
        Check.OWN_DATA,
        "a county enters its own projects: the form offers its own county alone",
        verify=_entry_only_own_county,
    ),
    "investment:projects_notice": Entry(
        Check.FORBIDDEN,
        "only the investment office puts stalled projects into a supervision notice",
    ),
    "investment:project": Entry(Check.FOREIGN, cases=huade_projects),
    "investment:project_edit": Entry(
        Check.FOREIGN,
        cases=huade_projects,
        body=project_form,
        # A stale version: refused with 409 after the access check, nothing saved.
        owner_body=lambda s: {**project_form(s), "county": s.world.huade.pk, "version": STALE},
    ),
    "investment:project_move": Entry(
        Check.FOREIGN,
        cases=huade_red_project,
        body=move_form,
        owner_body=lambda s: {
            "move-to_stage": Stage.LANDED,
            "move-on": _today_plus(s, 0),
            "move-version": STALE,
        },
    ),
    "investment:project_report": Entry(
        Check.FOREIGN,
        cases=huade_red_project,
        body=lambda s: {
            "report-on": _today_plus(s, 0),
            "report-text": "越权填报的项目进展",
            "report-received": "1",
            "report-received_unit": "wan",
        },
        # The county reports (a report has no version): saved, 302.
        owner_body=lambda s: {"report-on": _today_plus(s, 0), "report-text": "按月报送进展"},
    ),
    "investment:project_urge": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            *huade_red_project(s, owner=INVEST),
            Case(
                {"pk": s.zhuozi_project.pk},
                LEADER,
                "卓资县's own project: the office or a leader urges, not the county",
            ),
        ],
        body=lambda s: {"urge-text": "越权催办"},
        owner_body=lambda s: {"urge-text": "请于月底前落实项目用地"},
    ),
    "investment:evidence": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case(
                {"event_pk": s.huade_signing.pk, "file_pk": s.huade_agreement.pk},
                HUADE,
                "the signed agreement, evidence of huade's project reaching 签约",
            ),
            Case(
                {"event_pk": s.zhuozi_project_created.pk, "file_pk": s.huade_agreement.pk},
                None,
                "huade's agreement asked for through 卓资县's own project: nobody gets it there",
            ),
        ],
    ),
    "investment:clocks": Entry(
        Check.OWN_DATA,
        "the stage clocks are the office's published service times, read by every county",
    ),
    "investment:clock_edit": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case(
                {"stage": Stage.SIGNED},
                INVEST,
                "the investment office's clock: a county reads it, never sets it",
            )
        ],
        body=lambda s: {
            "limit_days": "1",
            "warn_days": "0",
            "commitment": "越权修改",
            "version": _version(StageClock, s.signed_clock.pk),
        },
    ),
    # --- investment pipeline: promotion activities (views_activities.py)
    "investment:activities": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {"year": "all", "county": s.world.huade.pk, "q": "推介会"},
        verify=_activities_only_zhuozi,
    ),
    "investment:activity_create": Entry(
        Check.OWN_DATA,
        "a county records its own activities, producing projects it sees",
        verify=_activity_entry_only_own_county,
    ),
    "investment:activity": Entry(Check.FOREIGN, cases=huade_activity),
    "investment:activity_edit": Entry(
        Check.FOREIGN,
        cases=huade_activity,
        body=activity_form,
        owner_body=lambda s: {**activity_form(s), "version": STALE},
    ),
    # --- investment pipeline: upward applications, the bureau's alone (views_upward.py)
    "investment:upward_list": Entry(
        Check.HIDDEN,
        "upward applications are the bureau's: a county is told there are none (404)",
        cases=lambda s: [Case({}, OFFICE, "an office's staff read the bureau's applications")],
    ),
    "investment:upward_create": Entry(
        Check.HIDDEN,
        "only an office's staff enter upward applications; a county never learns of them",
        cases=lambda s: [Case({}, OFFICE, "the potato office enters its applications")],
    ),
    "investment:upward": Entry(Check.FOREIGN, cases=upward_application),
    "investment:upward_edit": Entry(
        Check.FOREIGN,
        cases=upward_application,
        body=upward_form,
        owner_body=lambda s: {**upward_form(s), "version": STALE},
    ),
    "investment:upward_act": Entry(
        Check.FOREIGN,
        cases=upward_application,
        body=lambda s: {
            "action": "approve",
            "approve-on": _today_plus(s, 0),
            "approve-granted": "1",
            "approve-granted_unit": "wan",
            "approve-version": _version(UpwardApplication, s.upward.pk),
        },
        owner_body=lambda s: {
            "action": "approve",
            "approve-on": _today_plus(s, 0),
            "approve-granted": "1",
            "approve-version": STALE,
        },
    ),
    # --- investment pipeline: the two ledgers (views_exports.py)
    "investment:export_signed": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {"county": s.world.huade.pk, "year": s.today.year},
        verify=_signed_export_only_zhuozi,
    ),
    "investment:export_upward": Entry(
        Check.HIDDEN,
        "the upward ledger is the bureau's: a county is told there is none (404)",
        cases=lambda s: [Case({}, OFFICE, "an office's staff download the ledger")],
    ),
    # --- investment pipeline: the API (api.py), read-only
    "api:list_projects": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {
            "county": s.world.huade.pk,
            "stage": Stage.SIGNED,
            "light": "red",
            "key": "true",
        },
        verify=_api_projects_only_zhuozi,
    ),
    "api:get_project": Entry(
        Check.FOREIGN, cases=lambda s: _api_keys(huade_projects(s), "project_id")
    ),
    "api:funnel": Entry(
        Check.OWN_DATA,
        owner_sees=True,
        query=lambda s: {"year": s.today.year},
        verify=_api_funnel_only_zhuozi,
    ),
    "api:upward_totals": Entry(
        Check.OWN_DATA,
        "upward funding is the bureau's: a county gets an empty list",
        verify=_api_no_upward_totals,
    ),
    # --- reports: dashboards (views.py), the work summary (views_summary.py)
    "reports:dashboard": Entry(
        Check.NO_DATA,
        "sends each person to the dashboard of what they see: a county's liaison to their "
        "county's (302; its refusal for another county under reports:county_dashboard)",
    ),
    "reports:office_dashboard": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.world.potato.pk}, OFFICE, "the potato office's dashboard"),
            Case({"pk": s.world.brand.pk}, BRAND, "the brand office's dashboard"),
        ],
    ),
    "reports:county_dashboard": Entry(
        Check.FOREIGN,
        cases=lambda s: [
            Case({"pk": s.world.huade.pk}, HUADE, "化德县's dashboard"),
            Case({"pk": s.world.city.pk}, None, "the city is no county: nobody gets it here"),
        ],
    ),
    "reports:summary": Entry(
        Check.OWN_DATA,
        "the work summary of the liaison's own county; 化德县's is refused",
        verify=_summary_only_own_county,
    ),
    # --- reports: bulletins (views_bulletins.py)
    "reports:bulletins": Entry(
        Check.OWN_DATA,
        query=lambda s: {"q": "淀粉厂", "series": s.potato_news.pk},
        verify=_bulletins_only_published,
    ),
    "reports:bulletin_create": Entry(
        Check.FORBIDDEN,
        "only those who compose a series (its office's staff, the leaders for the bureau's) "
        "start an issue: a county reads the published ones",
    ),
    "reports:bulletin": Entry(Check.FOREIGN, cases=huade_bulletin),
    "reports:bulletin_edit": Entry(Check.FOREIGN, cases=huade_bulletin, body=bulletin_form),
    "reports:section_add": Entry(Check.FOREIGN, cases=huade_bulletin, body=section_form),
    "reports:section_edit": Entry(
        Check.FOREIGN, cases=huade_bulletin_section, body=edited_section_form
    ),
    "reports:section_delete": Entry(
        Check.FOREIGN,
        cases=huade_bulletin_section,
        body=lambda s: {"version": _bulletin_version(s)},
        # A stale version: refused with 409 after the access check, nothing deleted.
        owner_body=lambda s: {"version": STALE},
    ),
    "reports:bulletin_publish": Entry(
        Check.FOREIGN,
        cases=huade_bulletin,
        body=lambda s: {"pub-issue_date": _today_plus(s, 0), "pub-version": _bulletin_version(s)},
        owner_body=lambda s: {"pub-issue_date": _today_plus(s, 0), "pub-version": STALE},
    ),
    "reports:bulletin_delete": Entry(
        Check.FOREIGN,
        cases=huade_bulletin,
        body=lambda s: {"version": _bulletin_version(s)},
        owner_body=lambda s: {"version": STALE},
    ),
    # A draft has no document yet; a published issue's is every reader's.
    "reports:bulletin_docx": Entry(
        Check.SHARED,
        "a published issue's .docx is circulated to every reader; a draft has none",
        cases=lambda s: [Case({"pk": s.published_bulletin.pk})],
        verify=lambda s, response: _circulated_document(s, response, "docx"),
    ),
    "reports:bulletin_pdf": Entry(
        Check.SHARED,
        "a published issue's PDF is circulated to every reader; a draft has none",
        cases=lambda s: [Case({"pk": s.published_bulletin.pk})],
        verify=lambda s, response: _circulated_document(s, response, "pdf"),
    ),
    # --- reports: reports for superiors from templates (views_templates.py)
    "reports:templates": Entry(
        Check.HIDDEN,
        "report templates are the offices' working tools: a county is told there are none",
        cases=lambda s: [Case({}, OFFICE, "the potato office's staff fill their templates")],
    ),
    "reports:template": Entry(Check.FOREIGN, cases=report_template),
    "reports:template_docx": Entry(Check.FOREIGN, cases=report_template, body=report_form),
    # --- the admin site (every other admin:* pattern falls under NAMESPACES["admin"])
    "admin:login": Entry(Check.NO_DATA, "sends everyone to the platform's own sign-in page"),
}


def _admin_kwargs(world) -> dict:
    huade = world.huade
    return {
        "object_id": huade.pk,
        "pk": huade.pk,
        "id": world.huade_liaison.pk,
        "content_type_id": ContentType.objects.get_for_model(OrgUnit).pk,
        "app_label": "org",
        "url": "org/nothing-here/",
    }


# Whole namespaces guarded in one place. The admin site refuses (403) a signed-in user
# without an administrator role in ZhuanbanAdminSite.admin_view, which every admin URL
# goes through — each pattern is still requested, so an unguarded one would fail.
NAMESPACES: dict[str, Entry] = {
    "admin": Entry(
        Check.ADMIN,
        "the admin site is for the three administrators (org.admin_site)",
        cases=lambda world: [Case(_admin_kwargs(world), None, "an administrator's page")],
    ),
}


def entry_for(route) -> Entry | None:
    if route.key in REGISTRY:
        return REGISTRY[route.key]
    return NAMESPACES.get(route.namespace)
