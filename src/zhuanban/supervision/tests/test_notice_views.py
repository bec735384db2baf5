"""The notice screens: who sees and does what, the page as it will print, the documents,
replies with attachments, and a list whose queries do not grow with its rows."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from zhuanban.core.files import store_upload
from zhuanban.core.models import StoredFile
from zhuanban.rectification.models import Rectification
from zhuanban.supervision import notice_services as services
from zhuanban.supervision.lifecycle import NoticeStatus
from zhuanban.supervision.models import IssuingAuthority, Notice, NoticeRecipient

from .notice_fixtures import authority, draft, issued, submitted, today, with_reason

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def a_pdf(world, name):
    """A reply attachment of 卓资县's, stored as the reply view stores it."""
    return store_upload(SimpleUploadedFile(name, PDF + name.encode()), user=world.zhuozi_liaison)


def url(name, *args):
    return reverse(f"supervision:{name}", args=args)


def form_data(world, issuer, **overrides):
    data = {
        "office": world.potato.pk,
        "authority": issuer.pk,
        "kind": "supervision",
        "title": "关于种薯基地建设滞后的督办通报",
        "addressees": "各旗县市区农牧局",
        "units": [world.zhuozi.pk, world.huade.pk],
        "opening": "现将有关情况通报如下。",
        "requirements": "立即整改\n按期回复",
        "reply_deadline": (today() + datetime.timedelta(days=10)).isoformat(),
        "closing": "特此通报。",
    }
    return data | overrides


# --- drafting on screen ------------------------------------------------------------------


def test_the_office_drafts_fills_submits_and_another_reviewer_issues(world, login):
    issuer = authority()
    client = login(world.office)
    response = client.post(url("notice_create"), form_data(world, issuer))
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(url("notice", notice.pk))
    assert set(notice.units.all()) == {world.zhuozi, world.huade}
    assert list(notice.requirements.values_list("text", flat=True)) == ["立即整改", "按期回复"]

    client.post(url("notice_reason", notice.pk), {"unit": world.zhuozi.pk, "text": "进度滞后"})
    client.post(url("notice_fill", notice.pk))
    assert list(notice.reasons.values_list("text", flat=True)) == ["进度滞后"]
    page = client.get(url("notice", notice.pk)).content.decode()
    assert gettext("Draft") in page or "草稿" in page
    assert "进度滞后" in page
    assert url("notice_issue", notice.pk) not in page  # the drafter does not review

    client.post(url("notice_act", notice.pk, "submit"))
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.IN_REVIEW

    reviewer = login(world.potato_director)
    page = reviewer.get(url("notice", notice.pk)).content.decode()
    assert url("notice_issue", notice.pk) in page
    assert url("notice_act", notice.pk, "return") in page
    response = reviewer.post(url("notice_issue", notice.pk))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ISSUED
    page = reviewer.get(url("notice", notice.pk)).content.decode()
    assert notice.number in page
    assert notice.content_sha256 in page
    assert url("notice_file", notice.pk, "docx") in page
    assert Rectification.objects.filter(source_id=notice.pk).count() == 4
    assert url("notice_issue", notice.pk) not in page


def test_a_draft_without_units_shows_every_error_and_saves_nothing(world, login):
    issuer = authority()
    response = login(world.office).post(
        url("notice_create"),
        form_data(world, issuer, units=[], requirements="", reply_deadline=""),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"units", "requirements", "reply_deadline"}
    assert gettext("Choose at least one unit concerned.") in response.content.decode()
    assert not Notice.objects.exists()


def test_the_submitter_sees_no_issue_button_and_cannot_issue(world, login):
    authority()
    notice = submitted(world, by=world.potato_director)
    client = login(world.potato_director)
    page = client.get(url("notice", notice.pk)).content.decode()
    assert url("notice_issue", notice.pk) not in page
    response = client.post(url("notice_issue", notice.pk), follow=True)
    assert gettext("You submitted this notice for review; another reviewer issues it.") in (
        response.content.decode()
    )
    notice.refresh_from_db()
    assert (notice.status, notice.sequence) == (NoticeStatus.IN_REVIEW, None)
    # The office member may see the notice but not issue it.
    assert login(world.office).post(url("notice_issue", notice.pk)).status_code == 403


def test_an_issued_notice_cannot_be_edited_on_screen(world, login):
    issuer = authority()
    notice = issued(world)
    digest, number = notice.content_sha256, notice.number
    client = login(world.office)
    response = client.get(url("notice_edit", notice.pk))
    assert response.status_code == 302
    response = client.post(
        url("notice_edit", notice.pk),
        form_data(world, issuer, title="改了", version=notice.version),
    )
    assert response.status_code == 302
    response = client.post(url("notice_reason", notice.pk), {"unit": world.zhuozi.pk, "text": "x"})
    notice.refresh_from_db()
    assert (notice.title, notice.number, notice.content_sha256) == (
        "关于马铃薯种薯基地建设进度滞后的督办通报",
        number,
        digest,
    )
    assert notice.reasons.count() == 1
    page = client.get(url("notice", notice.pk)).content.decode()
    assert url("notice_edit", notice.pk) not in page
    assert url("notice_correct", notice.pk) in page


def test_a_correction_opens_as_a_draft_referencing_the_original(world, login):
    authority()
    original = issued(world)
    client = login(world.office)
    response = client.post(url("notice_correct", original.pk))
    correction = Notice.objects.exclude(pk=original.pk).get()
    assert response["Location"] == url("notice_edit", correction.pk)
    assert correction.corrects == original
    page = client.get(url("notice", correction.pk)).content.decode()
    assert original.number in page
    original_page = client.get(url("notice", original.pk)).content.decode()
    assert url("notice", correction.pk) in original_page
    # The unit concerned does not see the correction while it is a draft.
    unit_page = login(world.zhuozi_liaison).get(url("notice", original.pk)).content.decode()
    assert url("notice", correction.pk) not in unit_page


# --- who sees what -----------------------------------------------------------------------


def test_another_county_does_not_see_a_notice_about_zhuozi(world, login):
    authority()
    notice = issued(world, units=[world.zhuozi])
    client = login(world.huade_liaison)
    for name, args in (
        ("notice", ()),
        ("notice_file", ("docx",)),
    ):
        assert client.get(url(name, notice.pk, *args)).status_code == 404
    response = client.post(
        url("notice_reply", notice.pk),
        {"recipient": notice.recipients.get().pk, "text": "代为回复"},
    )
    assert response.status_code == 404
    assert "马铃薯种薯基地" not in client.get(url("notices")).content.decode()
    assert NoticeRecipient.objects.get().replied_at is None


def test_a_county_cannot_reply_for_another_on_a_notice_to_both(world, login):
    authority()
    notice = issued(world, units=[world.zhuozi, world.huade])
    zhuozi = notice.recipients.get(unit=world.zhuozi)
    files_before = StoredFile.objects.count()
    response = login(world.huade_liaison).post(
        url("notice_reply", notice.pk),
        {
            "recipient": zhuozi.pk,
            "text": "代卓资县回复",
            "evidence": SimpleUploadedFile("证明.pdf", PDF),
        },
    )
    assert response.status_code == 403
    zhuozi.refresh_from_db()
    assert (zhuozi.reply_text, zhuozi.replied_at) == ("", None)
    assert StoredFile.objects.count() == files_before  # nothing stored before the refusal


def test_drafts_are_invisible_to_units_and_outsiders(world, login):
    authority()
    notice = draft(world)
    in_review = submitted(world, title="审核中的通报")
    for persona in (world.zhuozi_liaison, world.outsider, world.brand_staff):
        client = login(persona)
        for pk in (notice.pk, in_review.pk):
            assert client.get(url("notice", pk)).status_code == 404
        assert "马铃薯种薯基地" not in client.get(url("notices")).content.decode()
    assert login(world.auditor).get(url("notices")).status_code == 403
    assert login(world.auditor).get(url("notice", notice.pk)).status_code == 404
    assert login(world.zhuozi_liaison).get(url("notice_create")).status_code == 403


def test_only_the_drafting_office_edits_a_draft(world, login):
    issuer = authority()
    notice = draft(world)
    assert login(world.leader).get(url("notice_edit", notice.pk)).status_code == 403
    response = login(world.leader).post(
        url("notice_edit", notice.pk), form_data(world, issuer, title="领导改的", version=1)
    )
    assert response.status_code == 403
    assert login(world.leader).post(url("notice_fill", notice.pk)).status_code == 403
    notice.refresh_from_db()
    assert notice.title == "关于马铃薯种薯基地建设进度滞后的督办通报"


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("notice_fill", ()),
        ("notice_reason", ()),
        ("notice_act", ("submit",)),
        ("notice_issue", ()),
        ("notice_reply", ()),
        ("notice_correct", ()),
    ],
)
def test_the_writes_take_post_only(world, login, name, args):
    authority()
    notice = draft(world)
    assert login(world.office).get(url(name, notice.pk, *args)).status_code == 405


def test_an_unknown_action_or_document_kind_is_not_found(world, login):
    authority()
    notice = issued(world)
    client = login(world.office)
    assert client.post(url("notice_act", notice.pk, "publish")).status_code == 404
    assert client.get(url("notice_file", notice.pk, "xlsx")).status_code == 404
    assert client.get(url("notice_file", notice.pk, "pdf")).status_code == 404  # none made


# --- replies -----------------------------------------------------------------------------


def test_the_unit_replies_with_an_attachment_that_the_office_can_download(world, login):
    authority()
    notice = issued(world, units=[world.zhuozi, world.huade])
    unit = login(world.zhuozi_liaison)
    page = unit.get(url("notice", notice.pk)).content.decode()
    assert 'id="reply-form"' in page
    assert "化德县" not in page.split('id="replies"')[1].split("</ul>")[0]  # only its own reply
    zhuozi = notice.recipients.get(unit=world.zhuozi)
    response = unit.post(
        url("notice_reply", notice.pk),
        {
            "recipient": zhuozi.pk,
            "text": "已完成整改",
            "evidence": SimpleUploadedFile("整改.pdf", PDF),
        },
    )
    assert response.status_code == 302
    zhuozi.refresh_from_db()
    assert zhuozi.reply_text == "已完成整改"
    stored = zhuozi.reply_evidence.get()
    file_url = url("notice_reply_file", notice.pk, zhuozi.pk, stored.pk)

    office = login(world.office)
    page = office.get(url("notice", notice.pk)).content.decode()
    assert "1/2" in page  # replied 1 of 2
    assert "化德县" in page.split('id="not-replied"')[1]
    assert file_url in page
    download = office.get(file_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert login(world.zhuozi_liaison).get(file_url).status_code == 200
    # 化德县 is concerned by the same notice but reads neither 卓资县's reply nor its file.
    huade = login(world.huade_liaison)
    assert huade.get(file_url).status_code == 404
    huade_page = huade.get(url("notice", notice.pk)).content.decode()
    assert "已完成整改" not in huade_page
    assert "整改.pdf" not in huade_page
    assert 'id="reply-form"' in huade_page  # its own reply is still to come


def test_a_reply_without_text_stores_no_attachment(world, login):
    authority()
    notice = issued(world)
    files_before = StoredFile.objects.count()
    response = login(world.zhuozi_liaison).post(
        url("notice_reply", notice.pk),
        {
            "recipient": notice.recipients.get().pk,
            "text": " ",
            "evidence": SimpleUploadedFile("a.pdf", PDF),
        },
        follow=True,
    )
    assert gettext("Write the reply.") in response.content.decode()
    assert StoredFile.objects.count() == files_before
    assert notice.recipients.get().replied_at is None


def test_a_reply_that_is_not_an_allowed_file_saves_nothing(world, login):
    authority()
    notice = issued(world)
    recipient = notice.recipients.get()
    response = login(world.zhuozi_liaison).post(
        url("notice_reply", notice.pk),
        {
            "recipient": recipient.pk,
            "text": "已整改",
            "evidence": SimpleUploadedFile("照片.jpg", b"not a picture"),
        },
        follow=True,
    )
    assert response.status_code == 200
    recipient.refresh_from_db()
    assert (recipient.reply_text, recipient.replied_at) == ("", None)


def test_a_reply_after_closing_is_refused_on_screen(world, login):
    authority()
    notice = issued(world)
    services.notice_act(actor=world.office, notice=notice, action="close", comment="现场核实")
    recipient = notice.recipients.get()
    response = login(world.zhuozi_liaison).post(
        url("notice_reply", notice.pk), {"recipient": recipient.pk, "text": "迟到"}, follow=True
    )
    assert gettext("The notice is closed and no longer accepts replies.") in (
        response.content.decode()
    )
    recipient.refresh_from_db()
    assert recipient.replied_at is None
    page = response.content.decode()
    assert 'id="reply-form"' not in page


def test_the_documents_download_for_whoever_sees_the_notice(world, login):
    authority()
    notice = issued(world)
    response = login(world.zhuozi_liaison).get(url("notice_file", notice.pk, "docx"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:2] == b"PK"


# --- the list ----------------------------------------------------------------------------


def _list_queries(client, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("notices"), params)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_list_filters_and_counts_without_more_queries_per_row(world, login):
    city = authority()
    county = authority(prefix="卓农牧督", name="卓资县农牧局")
    first = issued(world, issuer=city, units=[world.zhuozi, world.huade], title="第一份通报")
    services.notice_reply(
        actor=world.zhuozi_liaison,
        notice=first,
        recipient=first.recipients.get(unit=world.zhuozi),
        text="已整改",
    )
    client = login(world.office)
    few, html = _list_queries(client)
    assert "第一份通报" in html
    assert "1/2" in html
    for n in range(5):
        issued(world, issuer=county if n % 2 else city, title=f"批量通报{n}")
    with_reason(world, draft(world, title="一份草稿"))
    many, html = _list_queries(client)
    assert few == many
    assert html.count('href="/supervision/notices/') >= 7

    _n, html = _list_queries(client, authority=county.pk)
    assert "批量通报1" in html
    assert "批量通报0" not in html
    _n, html = _list_queries(client, status="draft")
    assert "一份草稿" in html
    assert "第一份通报" not in html
    _n, html = _list_queries(client, unit=world.huade.pk)
    assert "第一份通报" in html
    assert "批量通报0" not in html
    _n, html = _list_queries(client, year="abc")  # a bad filter is ignored, not an error
    assert "第一份通报" in html


# --- the administrator keeps the issuing authorities ------------------------------------


def test_the_system_administrator_keeps_issuing_authorities(world, login):
    client = login(world.sysadmin)
    response = client.post(
        reverse("admin:supervision_issuingauthority_add"),
        {
            "name": "市委农牧办",
            "header": "中共乌兰察布市委农村牧区工作办公室",
            "number_prefix": "乌农牧督",
            "active": "on",
        },
    )
    assert response.status_code == 302
    issuer = IssuingAuthority.objects.get()
    issued(world, issuer=issuer)
    change = reverse("admin:supervision_issuingauthority_change", args=[issuer.pk])
    client.post(
        change,
        {"name": "市委农牧办", "header": "改过的版头", "number_prefix": "改前缀", "active": ""},
    )
    issuer.refresh_from_db()
    # What an issued notice was issued under never changes.
    assert (issuer.number_prefix, issuer.header) == (
        "乌农牧督",
        "中共乌兰察布市委农村牧区工作办公室",
    )
    assert issuer.active is False
    for user in (world.office, world.leader, world.zhuozi_liaison):
        response = login(user).post(
            reverse("admin:supervision_issuingauthority_add"),
            {"name": "别的机关", "header": "x", "number_prefix": "别督"},
        )
        assert response.status_code in (302, 403), user
    assert IssuingAuthority.objects.count() == 1


def test_malformed_posts_come_back_as_messages_not_errors(world, login):
    authority()
    notice = issued(world, units=[world.zhuozi, world.huade])
    unit = login(world.zhuozi_liaison)
    response = unit.post(url("notice_reply", notice.pk), {"text": "没有选单位"}, follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])
    assert not notice.recipients.filter(replied_at__isnull=False).exists()
    assert unit.post(url("notice_reply", notice.pk), {"recipient": 99999}).status_code == 404

    a_draft = draft(world, units=[world.zhuozi])
    office = login(world.office)
    response = office.post(
        url("notice_reason", a_draft.pk),
        {"unit": world.huade.pk, "text": "不在通报里"},
        follow=True,
    )
    assert response.status_code == 200
    assert list(response.context["messages"])
    assert not a_draft.reasons.exists()
    assert office.post(url("notice_reason", a_draft.pk), {"reason": 99999}).status_code == 404


def test_the_notice_page_queries_do_not_grow_with_units_and_replies(world, login):
    authority()
    small = issued(world, units=[world.zhuozi])
    big = draft(world, units=[world.zhuozi, world.huade], requirements=["一", "二", "三"])
    for unit in (world.zhuozi, world.huade, world.huade):
        with_reason(world, big, unit, f"{unit.name}的问题")
    big = issued(world, big)
    for notice in (small, big):
        recipient = notice.recipients.get(unit=world.zhuozi)
        evidence = [a_pdf(world, f"{notice.pk}-{n}.pdf") for n in range(len(notice.units.all()))]
        services.notice_reply(
            actor=world.zhuozi_liaison,
            notice=notice,
            recipient=recipient,
            text="已整改",
            evidence=evidence,
        )
    client = login(world.office)

    def count(notice):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("notice", notice.pk))
        assert response.status_code == 200
        return len(queries)

    count(small)  # the first request of a session loads what later ones reuse
    assert count(small) == count(big)
