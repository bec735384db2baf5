"""Visits and findings: dates, groups' periods and counties, photos that are not photos,
a finding and its rectification in one step (or nothing), who sees and who writes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from zhuanban.core.errors import ConcurrentEditError
from zhuanban.core.models import AuditEvent, AuditOutcome, Notification, StoredFile
from zhuanban.rectification.lifecycle import Status as RectificationStatus
from zhuanban.rectification.models import Rectification, SourceKind
from zhuanban.supervision import services
from zhuanban.supervision.models import Finding, FindingKind, Visit, VisitKind, VisitStatus

from .conftest import JPEG, PDF, jpeg, pdf_as_jpg, png

D = datetime.timedelta
MB = 1_048_576


def codes(error: ValidationError) -> dict[str, set[str]]:
    return {field: {e.code for e in errors} for field, errors in error.error_dict.items()}


def nothing_stored():
    return not (
        Finding.objects.exists() or StoredFile.objects.exists() or Rectification.objects.exists()
    )


# --- dates, periods, counties ---------------------------------------------------------------


def test_a_visit_carried_out_cannot_be_dated_in_the_future(world, make_visit, today):
    tomorrow = today + D(days=1)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        make_visit(days=1)
    assert codes(caught.value) == {"date": {"future"}}
    message = caught.value.message_dict["date"][0]
    assert tomorrow.isoformat() in message
    assert today.isoformat() in message
    assert not Visit.objects.exists()
    # The same date is fine for a visit still to come.
    planned = make_visit(days=1, status=VisitStatus.PLANNED)
    assert planned.status == VisitStatus.PLANNED


def test_a_groups_visit_stays_in_its_counties_and_period(world, group, make_visit, today):
    other_county = services.group_create(
        actor=world.office,
        office=world.potato,
        name="化德专项组",
        year=group.year,
        leader=world.leader,
        counties=[world.huade],
        starts_on=group.starts_on,
        ends_on=group.ends_on,
    )
    with pytest.raises(ValidationError) as caught:
        make_visit(world.zhuozi, group=other_county, days=-(today - group.starts_on).days - 1)
    assert codes(caught.value) == {"date": {"outside_period"}, "county": {"outside_group"}}
    county_message = caught.value.message_dict["county"][0]
    assert "卓资县" in county_message
    assert "化德县" in county_message
    assert "化德专项组" in county_message
    assert group.starts_on.isoformat() in caught.value.message_dict["date"][0]
    with pytest.raises(ValidationError) as caught:
        make_visit(None)
    assert codes(caught.value) == {"county": {"outside_group"}}
    assert not Visit.objects.exists()


def test_a_visit_without_a_group_needs_an_office_one_may_act_for(world, today):
    values = {
        "kind": VisitKind.RESEARCH,
        "date": today,
        "place": "市农牧局会议室",
    }
    with pytest.raises(ValidationError) as caught:
        services.visit_create(actor=world.office, **values)
    assert codes(caught.value) == {"office": {"required"}}
    with pytest.raises(PermissionDenied):
        services.visit_create(actor=world.brand_staff, office=world.potato, **values)
    with pytest.raises(PermissionDenied):
        services.visit_create(actor=world.zhuozi_liaison, office=world.potato, **values)
    visit = services.visit_create(actor=world.inspector, office=world.potato, **values)
    assert visit.county is None
    assert visit.group is None


def test_participants_are_bureau_staff(world, make_visit):
    with pytest.raises(ValidationError) as caught:
        make_visit(participants=[world.inspector, world.huade_liaison])
    assert codes(caught.value) == {"participants": {"not_staff"}}
    assert "乔文慧" in caught.value.message_dict["participants"][0]


def test_marking_a_planned_visit_carried_out(world, planned_visit, today):
    with pytest.raises(ValidationError) as caught:
        services.visit_mark_done(actor=world.office, visit=planned_visit)
    assert codes(caught.value) == {"date": {"future"}}
    done = services.visit_mark_done(actor=world.inspector, visit=planned_visit, date=today)
    assert (done.status, done.date, done.version) == (VisitStatus.DONE, today, 2)
    with pytest.raises(ValidationError):
        services.visit_mark_done(actor=world.inspector, visit=done)
    assert AuditEvent.objects.filter(
        object_type="supervision.visit", object_id=str(done.pk), action="update"
    ).exists()


def test_a_concurrent_edit_of_a_visit_is_refused(world, visit):
    loaded = visit.version
    services.visit_update(
        actor=world.office, visit=visit, expected_version=loaded, summary="整体进度较好"
    )
    with pytest.raises(ConcurrentEditError):
        services.visit_update(
            actor=world.inspector, visit=visit, expected_version=loaded, summary="旧稿"
        )
    with pytest.raises(ConcurrentEditError):
        services.visit_report(actor=world.inspector, visit=visit, text="报告", expected_version=1)
    visit.refresh_from_db()
    assert (visit.summary, visit.report_text, visit.version) == ("整体进度较好", "", loaded + 1)


# --- photos and the report ------------------------------------------------------------------


def test_photos_are_images_only_and_one_bad_file_saves_nothing(world, visit):
    refused_before = AuditEvent.objects.filter(outcome=AuditOutcome.FAILURE).count()
    huge = jpeg("巨大.jpg")
    huge.size = 200 * MB
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.visit_add_photos(
            actor=world.inspector, visit=visit, uploads=[jpeg(), pdf_as_jpg(), huge]
        )
    assert codes(caught.value) == {"photos": {"mismatch", "too_large"}}
    messages = " ".join(caught.value.message_dict["photos"])
    assert "伪装照片.jpg" in messages
    assert "巨大.jpg" in messages
    assert not StoredFile.objects.exists()
    assert not visit.photos.exists()
    # Both refusals are on the audit trail, although the request saved nothing.
    assert AuditEvent.objects.filter(outcome=AuditOutcome.FAILURE).count() == refused_before + 2
    files = services.visit_add_photos(actor=world.inspector, visit=visit, uploads=[jpeg(), png()])
    assert sorted(f.content_type for f in files) == ["image/jpeg", "image/png"]
    assert visit.photos.count() == 2


def test_photos_through_the_page_with_the_error_by_field(login, world, visit):
    client = login(world.inspector)
    url = reverse("supervision:visit_photos", args=[visit.pk])
    response = client.post(url, {"photos": [jpeg("好的.jpg"), pdf_as_jpg()]})
    assert response.status_code == 200
    errors = response.context["photos_form"].errors["photos"]
    assert any("伪装照片.jpg" in e for e in errors)
    assert not StoredFile.objects.exists()
    response = client.post(url, {"photos": [jpeg("好的.jpg"), png("另一张.png")]})
    assert response.status_code == 302
    assert visit.photos.count() == 2


def test_the_research_report_is_text_or_a_docx_or_pdf(world, visit):
    with pytest.raises(ValidationError) as caught:
        services.visit_report(actor=world.inspector, visit=visit, text="  ")
    assert codes(caught.value) == {"report_text": {"required"}}
    with pytest.raises(ValidationError) as caught:
        services.visit_report(actor=world.inspector, visit=visit, text="", upload=jpeg("报告.jpg"))
    assert codes(caught.value) == {"report_file": {"type"}}
    saved = services.visit_report(
        actor=world.inspector,
        visit=visit,
        text="卓资县种薯基地建设调研报告",
        upload=SimpleUploadedFile("调研报告.pdf", PDF),
    )
    assert saved.report_file.name == "调研报告.pdf"
    assert saved.report_text == "卓资县种薯基地建设调研报告"


def test_nothing_but_findings_on_a_visit_once_carried_out(world, planned_visit, today):
    with pytest.raises(ValidationError) as caught:
        services.finding_add(
            actor=world.inspector,
            visit=planned_visit,
            kind=FindingKind.PROBLEM,
            text="提前记录的问题",
        )
    assert "planned" in {e.code for e in caught.value.error_dict["__all__"]}
    with pytest.raises(ValidationError):
        services.visit_add_photos(actor=world.inspector, visit=planned_visit, uploads=[jpeg()])
    assert nothing_stored()


# --- findings and rectification -------------------------------------------------------------


def test_a_finding_and_its_rectification_in_one_step_from_the_phone(login, world, visit, today):
    client = login(world.inspector)
    page = client.get(reverse("supervision:visit", args=[visit.pk])).content.decode()
    # The phone form: the camera, several photos, the reveal script from a static file.
    assert 'accept="image/*"' in page
    assert 'capture="environment"' in page
    assert "multiple" in page
    assert "supervision/finding.js" in page
    assert "<script>" not in page
    due = today + D(days=30)
    response = client.post(
        reverse("supervision:finding_add", args=[visit.pk]),
        {
            "kind": FindingKind.PROBLEM,
            "text": "种薯库房消防设施不全，灭火器过期",
            "unit": world.zhuozi.pk,
            "photos": [jpeg("库房.jpg"), jpeg("灭火器.jpg")],
            "rectify": "on",
            "requirement": "补齐灭火器和应急照明，建立消防台账",
            "due_date": due.isoformat(),
        },
    )
    finding = Finding.objects.get()
    assert response.status_code == 302
    assert response.url == f"{reverse('supervision:visit', args=[visit.pk])}#finding-{finding.pk}"
    assert (finding.kind, finding.unit, finding.recorded_by) == (
        FindingKind.PROBLEM,
        world.zhuozi,
        world.inspector,
    )
    assert sorted(finding.photos.values_list("name", flat=True)) == ["库房.jpg", "灭火器.jpg"]
    item = finding.rectifications.get()
    assert (item.source_kind, item.office, item.unit, item.county, item.due_date) == (
        SourceKind.VISIT,
        world.potato,
        world.zhuozi,
        world.zhuozi,
        due,
    )
    assert item.problem == finding.text
    assert item.status == RectificationStatus.OPEN
    assert item.source_label == f"督导检查 {visit.date:%Y-%m-%d} 卓资县"
    # 卓资县's liaison is told, and sees the finding with its item on the visit page.
    assert Notification.objects.filter(recipient=world.zhuozi_liaison).exists()
    html = login(world.zhuozi_liaison).get(reverse("supervision:visit", args=[visit.pk]))
    text = html.content.decode()
    assert "灭火器过期" in text
    assert reverse("rectification:detail", args=[item.pk]) in text
    assert reverse("supervision:finding_add", args=[visit.pk]) not in text


def test_an_invalid_rectification_part_saves_no_finding(login, world, visit, today):
    client = login(world.inspector)
    response = client.post(
        reverse("supervision:finding_add", args=[visit.pk]),
        {
            "kind": FindingKind.PROBLEM,
            "text": "冷库温控记录缺失",
            "unit": "",
            "photos": [jpeg()],
            "rectify": "on",
            "requirement": "",
            "due_date": (today - D(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    errors = response.context["finding_form"].errors
    assert set(errors) == {"unit", "requirement", "due_date"}
    assert nothing_stored()
    # What was typed is still there, to be corrected.
    assert "冷库温控记录缺失" in response.content.decode()


def test_the_service_gives_every_problem_of_a_finding_at_once(world, visit, today):
    with pytest.raises(ValidationError) as caught:
        services.finding_add(
            actor=world.inspector,
            visit=visit,
            kind=FindingKind.GOOD_PRACTICE,
            text="",
            photos=[pdf_as_jpg()],
            rectify=True,
            requirement="",
            due_date=None,
        )
    assert codes(caught.value) == {
        "text": {"required"},
        "rectify": {"not_a_problem"},
        "unit": {"required"},
        "requirement": {"required"},
        "due_date": {"required"},
        "photos": {"mismatch"},
    }
    assert nothing_stored()


def test_a_problem_is_sent_for_rectification_later_and_only_once(world, visit, today):
    finding = services.finding_add(
        actor=world.office,
        visit=visit,
        kind=FindingKind.PROBLEM,
        text="基地道路未硬化",
    )
    assert not Rectification.objects.exists()
    with pytest.raises(ValidationError) as caught:
        services.finding_rectify(
            actor=world.office, finding=finding, requirement="硬化道路", due_date=None
        )
    assert codes(caught.value) == {"unit": {"required"}, "due_date": {"required"}}
    item = services.finding_rectify(
        actor=world.office,
        finding=finding,
        requirement="年底前完成道路硬化",
        due_date=today + D(days=60),
        unit=world.zhuozi_town,
    )
    assert (item.unit, item.county) == (world.zhuozi_town, world.zhuozi)
    finding.refresh_from_db()
    assert finding.unit == world.zhuozi_town
    with pytest.raises(ValidationError):
        services.finding_rectify(
            actor=world.office, finding=finding, requirement="再来一次", due_date=today
        )
    assert Rectification.objects.count() == 1


def test_finding_rectify_through_the_page(login, world, visit, today):
    finding = services.finding_add(
        actor=world.office,
        visit=visit,
        kind=FindingKind.PROBLEM,
        text="台账不全",
        unit=world.zhuozi,
    )
    url = reverse("supervision:finding_rectify", args=[finding.pk])
    assert login(world.zhuozi_liaison).post(url, {"requirement": "x"}).status_code == 403
    client = login(world.office)
    response = client.post(url, {"unit": world.zhuozi.pk, "requirement": "", "due_date": ""})
    assert response.status_code == 200
    assert set(response.context["rectify_form"].errors) == {"requirement", "due_date"}
    assert not Rectification.objects.exists()
    data = {
        "unit": world.zhuozi.pk,
        "requirement": "补齐台账",
        "due_date": (today + D(days=10)).isoformat(),
    }
    assert client.post(url, data).status_code == 302
    assert finding.rectifications.get().requirement == "补齐台账"


# --- who sees, who writes -------------------------------------------------------------------


def test_a_liaison_sees_carried_out_visits_to_their_county_only(
    login, world, visit, huade_visit, planned_visit
):
    client = login(world.zhuozi_liaison)
    assert client.get(reverse("supervision:visit", args=[visit.pk])).status_code == 200
    assert client.get(reverse("supervision:visit", args=[huade_visit.pk])).status_code == 404
    assert client.get(reverse("supervision:visit", args=[planned_visit.pk])).status_code == 404
    html = client.get(reverse("supervision:visits")).content.decode()
    assert "巴音锡勒镇种薯繁育基地" in html
    assert "化德县冷库建设现场" not in html
    assert "卓资县马铃薯仓储库" not in html
    assert login(world.auditor).get(reverse("supervision:visits")).status_code == 403
    assert (
        login(world.outsider).get(reverse("supervision:visit", args=[visit.pk])).status_code == 404
    )


def test_a_liaison_cannot_add_findings_nor_change_the_visit(login, world, visit, today):
    client = login(world.zhuozi_liaison)
    finding = {"kind": FindingKind.PROBLEM, "text": "联络员不应能记录", "photos": [jpeg()]}
    assert (
        client.post(reverse("supervision:finding_add", args=[visit.pk]), finding).status_code == 403
    )
    assert (
        client.post(
            reverse("supervision:visit_photos", args=[visit.pk]), {"photos": [jpeg()]}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("supervision:visit_report", args=[visit.pk]), {"report_text": "x"}
        ).status_code
        == 403
    )
    assert client.get(reverse("supervision:visit_edit", args=[visit.pk])).status_code == 403
    assert nothing_stored()
    with pytest.raises(PermissionDenied):
        services.finding_add(
            actor=world.zhuozi_liaison, visit=visit, kind=FindingKind.PROBLEM, text="x"
        )
    # Another county's liaison does not even learn that the visit exists.
    other = login(world.huade_liaison)
    assert (
        other.post(reverse("supervision:finding_add", args=[visit.pk]), finding).status_code == 404
    )
    # Office staff of another office may not write either; a participant may.
    assert (
        login(world.brand_staff)
        .post(reverse("supervision:finding_add", args=[visit.pk]), finding)
        .status_code
        == 403
    )
    assert not Finding.objects.exists()


def test_group_members_and_participants_may_write(world, visit, group):
    services.visit_update(
        actor=world.office,
        visit=visit,
        expected_version=visit.version,
        participants=[world.brand_staff],
    )
    visit.refresh_from_db()
    finding = services.finding_add(
        actor=world.brand_staff, visit=visit, kind=FindingKind.GOOD_PRACTICE, text="品牌宣传到位"
    )
    assert finding.recorded_by == world.brand_staff


def test_photos_are_served_to_who_sees_the_visit_and_only_through_it(
    login, world, visit, huade_visit
):
    (photo,) = services.visit_add_photos(actor=world.inspector, visit=visit, uploads=[jpeg()])
    url = reverse("supervision:visit_file", args=[visit.pk, photo.pk])
    response = login(world.zhuozi_liaison).get(url)
    assert b"".join(response.streaming_content) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert login(world.huade_liaison).get(url).status_code == 404
    # A file of one visit is not served under another visit's address.
    assert (
        login(world.leader)
        .get(reverse("supervision:visit_file", args=[huade_visit.pk, photo.pk]))
        .status_code
        == 404
    )
    page = login(world.zhuozi_liaison).get(reverse("supervision:visit", args=[visit.pk]))
    assert f'src="{url}"' in page.content.decode()


def test_wrong_methods_are_refused(login, world, visit):
    client = login(world.inspector)
    for name in ("visit_done", "visit_photos", "visit_report", "finding_add"):
        assert client.get(reverse(f"supervision:{name}", args=[visit.pk])).status_code == 405
    assert client.post(reverse("supervision:visit", args=[visit.pk])).status_code == 405
    assert client.post(reverse("supervision:visits")).status_code == 405


# --- recording and editing through the pages -----------------------------------------------


def test_recording_a_visit_from_the_groups_page(login, world, group, today):
    client = login(world.office)
    form = client.get(reverse("supervision:visit_create"), {"group": group.pk}).context["form"]
    assert form.initial["group"] == group
    data = {
        "group": group.pk,
        "kind": VisitKind.UNANNOUNCED,
        "status": VisitStatus.DONE,
        "date": (today + D(days=2)).isoformat(),
        "place": "化德县某冷库",
        "county": world.huade.pk,
        "participants": [world.inspector.pk],
    }
    response = client.post(reverse("supervision:visit_create"), data)
    assert response.status_code == 200
    assert "date" in response.context["form"].errors
    assert not Visit.objects.exists()
    data |= {"status": VisitStatus.PLANNED}
    response = client.post(reverse("supervision:visit_create"), data)
    visit = Visit.objects.get()
    assert response.url == reverse("supervision:visit", args=[visit.pk])
    assert (visit.office, visit.group, visit.status) == (world.potato, group, VisitStatus.PLANNED)
    # A group's page cannot be used to reach a group one may not see.
    assert (
        login(world.zhuozi_liaison)
        .get(reverse("supervision:visit_create"), {"group": group.pk})
        .status_code
        == 403
    )


def test_editing_a_visit_with_a_stale_version_changes_nothing(login, world, visit):
    client = login(world.office)
    url = reverse("supervision:visit_edit", args=[visit.pk])
    data = {
        "group": visit.group_id,
        "kind": visit.kind,
        "date": visit.date.isoformat(),
        "place": visit.place,
        "county": world.zhuozi.pk,
        "participants": [world.inspector.pk],
        "summary": "新的小结",
        "version": visit.version,
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, data | {"summary": "过时的小结"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    visit.refresh_from_db()
    assert visit.summary == "新的小结"


def test_marking_done_through_the_page(login, world, planned_visit, today):
    client = login(world.office)
    url = reverse("supervision:visit_done", args=[planned_visit.pk])
    response = client.post(url, {"version": planned_visit.version})
    assert response.status_code == 200
    assert "date" in response.context["done_form"].errors
    response = client.post(url, {"date": today.isoformat(), "version": planned_visit.version})
    assert response.status_code == 302
    planned_visit.refresh_from_db()
    assert planned_visit.status == VisitStatus.DONE


# --- the list -------------------------------------------------------------------------------


def test_the_visit_list_filters(login, world, visit, huade_visit, planned_visit, today):
    client = login(world.leader)

    def places(**query):
        return {v.place for v in client.get(reverse("supervision:visits"), query).context["page"]}

    assert places(county=world.huade.pk) == {"化德县冷库建设现场"}
    assert places(status=VisitStatus.PLANNED) == {"卓资县马铃薯仓储库"}
    assert places(group=visit.group_id, kind=VisitKind.INSPECTION) == {
        "巴音锡勒镇种薯繁育基地",
        "化德县冷库建设现场",
        "卓资县马铃薯仓储库",
    }
    assert places(kind=VisitKind.FORUM) == set()
    assert places(office=world.brand.pk) == set()
    month = planned_visit.date.strftime("%Y-%m")
    assert "卓资县马铃薯仓储库" in places(month=month)
    # Values that do not parse filter nothing, and never fail.
    assert len(places(county="x", month="2023-13", status="nope")) == 3


def test_the_visit_list_keeps_its_query_count_as_visits_grow(
    login, world, visit, make_visit, today
):
    client = login(world.zhuozi_liaison)
    services.finding_add(
        actor=world.office,
        visit=visit,
        kind=FindingKind.PROBLEM,
        text="问题",
        unit=world.zhuozi,
        rectify=True,
        requirement="整改",
        due_date=today + D(days=5),
    )

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("supervision:visits"))
            assert response.status_code == 200
        return len(ctx.captured_queries), len(response.context["page"])

    few, rows = count()
    for n in range(8):
        more = make_visit(days=-(n + 2), place=f"基地{n}")
        services.finding_add(
            actor=world.office, visit=more, kind=FindingKind.GOOD_PRACTICE, text="好"
        )
    many, more_rows = count()
    assert (more_rows, many) == (rows + 8, few)


def test_the_form_offers_only_groups_one_may_record_for(login, world, group):
    offered = login(world.brand_staff).get(reverse("supervision:visit_create")).context["form"]
    assert group not in offered.fields["group"].queryset
    assert (
        group
        in login(world.inspector)
        .get(reverse("supervision:visit_create"))
        .context["form"]
        .fields["group"]
        .queryset
    )
    services.group_update(
        actor=world.office,
        group=group,
        expected_version=group.version,
        members=[world.brand_staff],
    )
    offered = login(world.brand_staff).get(reverse("supervision:visit_create")).context["form"]
    assert group in offered.fields["group"].queryset


def test_the_report_and_a_findings_photo_are_served_through_the_visit(login, world, visit):
    services.visit_report(
        actor=world.inspector,
        visit=visit,
        text="",
        upload=SimpleUploadedFile("调研报告.pdf", PDF),
    )
    finding = services.finding_add(
        actor=world.inspector,
        visit=visit,
        kind=FindingKind.GOOD_PRACTICE,
        text="库房管理规范",
        photos=[jpeg("库房.jpg")],
    )
    visit.refresh_from_db()
    client = login(world.zhuozi_liaison)
    report = client.get(reverse("supervision:visit_file", args=[visit.pk, visit.report_file_id]))
    assert b"".join(report.streaming_content) == PDF
    photo = finding.photos.get()
    served = client.get(reverse("supervision:visit_file", args=[visit.pk, photo.pk]))
    assert b"".join(served.streaming_content) == JPEG
    assert AuditEvent.objects.filter(action="download", object_id=str(photo.pk)).exists()
