"""The opinion-round screens: opening a round, the round page (what the bureau and a
consulted county each see), answering (late, after the end, once handled), urging,
ending the round, recording adoption, and the inbox; who may not do what."""

import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext, pgettext

from zhuanban.core.models import Notification
from zhuanban.documents import services
from zhuanban.documents.lifecycle import Stage
from zhuanban.documents.models import (
    Disposition,
    Document,
    DocumentVersion,
    Kind,
    Opinion,
    OpinionRequest,
    OpinionRound,
)
from zhuanban.org.roles import Role, UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese():
    """Pages render in the site's language (zh-hans); the test reads its messages in it."""
    with translation.override("zh-hans"):
        yield


def url(name: str, *args) -> str:
    return reverse(f"documents:{name}", args=args)


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def later(days: int = 10) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def open_round(world, document, *, units=None, people=(), deadline=None) -> OpinionRound:
    round = services.round_open(
        actor=world.office,
        document=document,
        deadline=deadline or later(),
        units=[world.zhuozi, world.huade] if units is None else units,
        people=list(people),
    )
    document.refresh_from_db()
    return round


def answer_data(*opinions, no_opinion=False, blank_rows=3) -> dict:
    """The answer form as a browser posts it: the opinions, then blank rows."""
    rows = list(opinions) + [("", "")] * blank_rows
    data = {
        "opinions-TOTAL_FORMS": str(len(rows)),
        "opinions-INITIAL_FORMS": "0",
        "opinions-MIN_NUM_FORMS": "0",
        "opinions-MAX_NUM_FORMS": "200",
    }
    for index, (location, text) in enumerate(rows):
        data[f"opinions-{index}-location"] = location
        data[f"opinions-{index}-text"] = text
    if no_opinion:
        data["no_opinion"] = "on"
    return data


def answer(world, ask, *opinions):
    return services.answer_submit(
        actor=world.zhuozi_liaison if ask.unit_id == world.zhuozi.pk else world.huade_liaison,
        request=ask,
        opinions=[{"location": loc, "text": text} for loc, text in opinions],
    )


# --- opening a round ------------------------------------------------------------------------------


def test_the_office_opens_a_round_with_all_counties_and_a_leader(world, login, draft):
    client = login(world.office)
    form = page_of(client.get(url("round_open", draft.pk)))
    assert world.leader.get_full_name() in form
    assert world.zhuozi.name in form
    assert world.crops.name in form
    assert f'value="{world.potato.pk}"' not in form  # the drafting office is not consulted
    assert 'name="all_of" value="county"' in form

    response = client.post(
        url("round_open", draft.pk),
        {
            "draft": draft.versions.get().pk,
            "deadline": later().isoformat(),
            "letter": "请于10日内反馈。",
            "people": [world.leader.pk],
            "all_of": ["county"],  # "all of them" ticked without JS
            "units": [world.crops.pk],
        },
    )
    round = OpinionRound.objects.get(document=draft)
    assert response.status_code == 302
    assert response["Location"] == url("round", round.pk)
    consulted = {
        ("unit", r.unit_id) if r.unit_id else ("person", r.person_id) for r in round.requests.all()
    }
    assert consulted == {
        ("unit", world.zhuozi.pk),
        ("unit", world.huade.pk),
        ("unit", world.crops.pk),
        ("person", world.leader.pk),
    }
    draft.refresh_from_db()
    assert draft.stage == Stage.CONSULTING
    page = page_of(client.get(response["Location"]))
    expected = ngettext(
        "Opinion round %(number)s is open: %(count)d party consulted.",
        "Opinion round %(number)s is open: %(count)d parties consulted.",
        4,
    ) % {"number": 1, "count": 4}
    assert expected in page
    assert "请于10日内反馈。" in page


def test_the_opening_form_shows_the_services_errors_by_field(world, login, draft):
    client = login(world.office)
    page = page_of(
        client.post(
            url("round_open", draft.pk),
            {"draft": draft.versions.get().pk, "deadline": "2020-01-01"},
        )
    )
    assert gettext("The deadline cannot be in the past.") in page
    assert gettext("Choose whom to consult.") in page
    assert not OpinionRound.objects.exists()


def test_only_the_drafting_office_opens_a_round(world, login, draft):
    assert login(world.leader).get(url("round_open", draft.pk)).status_code == 403
    assert login(world.brand_staff).get(url("round_open", draft.pk)).status_code == 403
    # A county does not even see a draft it is not consulted on.
    assert login(world.zhuozi_liaison).get(url("round_open", draft.pk)).status_code == 404
    assert login(world.outsider).get(url("round_open", draft.pk)).status_code == 404


# --- the round page ---------------------------------------------------------------------------------


def test_the_bureau_sees_every_party_and_the_progress(world, login, consulting):
    c = consulting
    answer(world, c.zhuozi, ("二、(一)", "建议基地规模调整为120万亩。"))
    services.answer_submit(actor=world.leader, request=c.leader, opinions=[], no_opinion=True)
    page = page_of(login(world.office).get(url("round", c.round.pk)))
    progress = gettext("Answered %(answered)s / %(total)s (%(late)s late)") % {
        "answered": 2,
        "total": 3,
        "late": 2,
    }
    assert progress in page
    for name in (world.zhuozi.name, world.huade.name, world.leader.get_full_name()):
        assert name in page
    assert "建议基地规模调整为120万亩。" in page
    assert gettext("Answered late") in page
    assert gettext("No opinion") in page
    assert url("version", c.round.draft_id) in page
    assert url("round_urge", c.round.pk) in page
    assert url("round_close", c.round.pk) in page
    assert url("opinion_decide", c.zhuozi.opinions.get().pk) in page
    assert url("adoption_xlsx", c.document.pk) in page
    assert url("adoption_docx", c.document.pk) in page


def test_a_county_sees_its_own_answer_only(world, login, consulting):
    c = consulting
    answer(world, c.huade, ("三", "化德县的意见"))
    page = page_of(login(world.zhuozi_liaison).get(url("round", c.round.pk)))
    assert world.zhuozi.name in page
    assert world.huade.name not in page
    assert "化德县的意见" not in page
    assert url("answer", c.zhuozi.pk) in page
    assert url("answer", c.huade.pk) not in page
    for hidden in ("round_urge", "round_close"):
        assert url(hidden, c.round.pk) not in page
    assert url("adoption_xlsx", c.document.pk) not in page


def test_a_county_not_consulted_in_a_round_cannot_see_it(world, login, draft):
    round = open_round(world, draft, units=[world.huade])
    assert login(world.zhuozi_liaison).get(url("round", round.pk)).status_code == 404
    assert login(world.outsider).get(url("round", round.pk)).status_code == 404
    assert login(world.sysadmin).get(url("round", round.pk)).status_code == 404
    assert login(world.huade_liaison).get(url("round", round.pk)).status_code == 200


def test_the_round_page_queries_do_not_grow_with_the_answers(world, login, draft):
    counties = [
        OrgUnitFactory(
            name=f"测试旗{n}", kind=UnitKind.COUNTY, parent=world.city, division_code=f"15093{n}"
        )
        for n in range(9)
    ]
    round = open_round(world, draft, units=[world.zhuozi, world.huade, *counties])
    requests = list(round.requests.order_by("pk"))
    client = login(world.office)

    def queries(answered: int) -> int:
        for ask in requests[:answered]:
            if not ask.answered:
                Opinion.objects.bulk_create(
                    Opinion(request=ask, position=n, location=f"第{n}条", text="意见")
                    for n in (1, 2)
                )
                OpinionRequest.objects.filter(pk=ask.pk).update(answered_at=timezone.now())
                ask.answered_at = timezone.now()
        with CaptureQueriesContext(connection) as captured:
            page_of(client.get(url("round", round.pk)))
        return len(captured)

    assert queries(2) == queries(6)


# --- answering -------------------------------------------------------------------------------------


def test_a_county_answers_its_own_request_late(world, login, consulting):
    c = consulting  # its deadline, 2023-06-10, has passed
    client = login(world.zhuozi_liaison)
    form = page_of(client.get(url("answer", c.zhuozi.pk)))
    late = gettext("The deadline was %(date)s: your answer is still taken, but marked late.")
    assert late % {"date": "2023-06-10"} in form
    assert form.count('name="opinions-') >= 6  # three blank rows (clause and text) at least
    assert "乌兰察布市马铃薯产业发展示范区建设方案" in form  # the text consulted on

    response = client.post(
        url("answer", c.zhuozi.pk),
        answer_data(("二、(一)", "建议基地规模调整为120万亩。"), ("", "加强资金保障。")),
    )
    assert response.status_code == 302
    assert response["Location"] == url("round", c.round.pk)
    c.zhuozi.refresh_from_db()
    assert c.zhuozi.is_late
    assert c.zhuozi.answered_by == world.zhuozi_liaison
    assert list(c.zhuozi.opinions.values_list("position", "location", "text")) == [
        (1, "二、(一)", "建议基地规模调整为120万亩。"),
        (2, "", "加强资金保障。"),
    ]  # the blank rows are ignored
    page = page_of(client.get(response["Location"]))
    assert gettext("Your answer was recorded. It came after the deadline and is marked late.") in (
        page
    )
    assert gettext("Answered late") in page


def test_an_answer_on_time_is_not_marked_late(world, login, draft):
    round = open_round(world, draft)
    ask = round.requests.get(unit=world.zhuozi)
    client = login(world.zhuozi_liaison)
    form = page_of(client.get(url("answer", ask.pk)))
    assert 'id="answer-late"' not in form
    client.post(url("answer", ask.pk), answer_data(no_opinion=True))
    ask.refresh_from_db()
    assert ask.no_opinion
    assert ask.answered
    assert not ask.is_late
    assert gettext("Your answer was recorded.") in page_of(client.get(url("round", round.pk)))


def test_a_county_cannot_open_another_countys_answer(world, login, consulting):
    client = login(world.zhuozi_liaison)
    assert client.get(url("answer", consulting.huade.pk)).status_code == 404
    response = client.post(url("answer", consulting.huade.pk), answer_data(("一", "冒名意见")))
    assert response.status_code == 404
    assert not Opinion.objects.exists()


def test_the_bureau_reads_an_answer_but_does_not_give_it(world, login, consulting):
    answer(world, consulting.zhuozi, ("一", "卓资县意见"))
    client = login(world.office)
    page = page_of(client.get(url("answer", consulting.zhuozi.pk)))
    assert "卓资县意见" in page
    assert 'id="answer-form"' not in page
    response = client.post(url("answer", consulting.zhuozi.pk), answer_data(("一", "改写")))
    assert response.status_code == 403
    assert Opinion.objects.get().text == "卓资县意见"


def test_an_answer_needs_opinions_or_no_opinion(world, login, consulting):
    client = login(world.zhuozi_liaison)
    page = page_of(client.post(url("answer", consulting.zhuozi.pk), answer_data()))
    assert gettext("Give at least one opinion, or answer “no opinion”.") in page
    page = page_of(
        client.post(url("answer", consulting.zhuozi.pk), answer_data(("二", ""), ("", "意见")))
    )
    assert gettext("Opinion %(number)s has a clause but no text.") % {"number": 1} in page
    consulting.zhuozi.refresh_from_db()
    assert not consulting.zhuozi.answered
    assert not Opinion.objects.exists()


def test_an_answer_after_the_round_ended_is_refused(world, login, consulting):
    c = consulting
    client = login(world.zhuozi_liaison)
    services.round_close(actor=world.office, round=c.round)
    c.round.refresh_from_db()
    ended = gettext("This opinion round ended on %(date)s: answers are no longer taken.") % {
        "date": timezone.localdate(c.round.closed_at).strftime("%Y-%m-%d")
    }
    page = page_of(client.get(url("answer", c.zhuozi.pk)))
    assert ended in page
    assert 'id="answer-form"' not in page
    page = page_of(client.post(url("answer", c.zhuozi.pk), answer_data(("一", "迟到的意见"))))
    assert ended in page
    c.zhuozi.refresh_from_db()
    assert not c.zhuozi.answered
    assert not Opinion.objects.exists()


def test_an_answer_being_handled_is_read_only(world, login, consulting):
    c = consulting
    answer(world, c.zhuozi, ("一", "第一条意见"), ("二", "第二条意见"))
    services.opinion_decide(
        actor=world.office,
        opinion=c.zhuozi.opinions.get(position=1),
        disposition=Disposition.ADOPTED,
    )
    client = login(world.zhuozi_liaison)
    page = page_of(client.get(url("answer", c.zhuozi.pk)))
    handled = gettext(
        "The drafting office has begun handling this answer: it can no longer change."
    )
    assert handled in page
    assert 'id="answer-form"' not in page
    assert pgettext("opinion disposition", "Adopted") in page
    page = page_of(client.post(url("answer", c.zhuozi.pk), answer_data(("一", "改写"))))
    assert handled in page
    assert sorted(c.zhuozi.opinions.values_list("text", flat=True)) == ["第一条意见", "第二条意见"]


# --- urging and ending ------------------------------------------------------------------------------


def test_urging_reminds_the_unanswered_only(world, login, consulting):
    c = consulting
    answer(world, c.zhuozi, ("一", "意见"))
    before = set(Notification.objects.values_list("pk", flat=True))
    client = login(world.office)
    response = client.post(url("round_urge", c.round.pk))
    assert response.status_code == 302
    urged = Notification.objects.exclude(pk__in=before).filter(kind="opinion_urge")
    assert {n.recipient for n in urged} == {world.huade_liaison, world.leader}
    assert {r.pk: r.urge_count for r in c.round.requests.all()} == {
        c.zhuozi.pk: 0,
        c.huade.pk: 1,
        c.leader.pk: 1,
    }
    page = page_of(client.get(url("round", c.round.pk)))
    expected = ngettext(
        "%(count)d party that has not answered was reminded.",
        "%(count)d parties that have not answered were reminded.",
        2,
    ) % {"count": 2}
    assert expected in page


def test_the_office_ends_the_round(world, login, consulting):
    c = consulting
    client = login(world.office)
    response = client.post(url("round_close", c.round.pk))
    assert response.status_code == 302
    c.round.refresh_from_db()
    c.document.refresh_from_db()
    assert not c.round.is_open
    assert c.document.stage == Stage.REVISING
    page = page_of(client.get(response["Location"]))
    message = gettext("Opinion round %(number)s has ended: the document is back in revision.")
    assert message % {"number": 1} in page
    assert url("round_urge", c.round.pk) not in page
    assert url("round_close", c.round.pk) not in page
    # A second click (a stale page) gets the service's word, not an error page.
    page = page_of(client.post(url("round_close", c.round.pk), follow=True))
    assert gettext("This opinion round has ended.") in page


def test_the_round_actions_take_posts_only(world, login, consulting):
    client = login(world.office)
    for name, pk in (
        ("round_urge", consulting.round.pk),
        ("round_close", consulting.round.pk),
        ("opinion_decide", 1),
    ):
        assert client.get(url(name, pk)).status_code == 405


def test_a_leader_outside_the_drafting_office_neither_decides_nor_ends(world, login, consulting):
    c = consulting
    answer(world, c.zhuozi, ("一", "意见"))
    opinion = c.zhuozi.opinions.get()
    client = login(world.leader)
    page = page_of(client.get(url("round", c.round.pk)))
    assert url("opinion_decide", opinion.pk) not in page
    assert url("round_close", c.round.pk) not in page
    assert url("round_urge", c.round.pk) not in page
    decide = {"version": opinion.version, "disposition": Disposition.ADOPTED, "reason": ""}
    assert client.post(url("opinion_decide", opinion.pk), decide).status_code == 403
    assert client.post(url("round_close", c.round.pk)).status_code == 403
    assert client.post(url("round_urge", c.round.pk)).status_code == 403
    opinion.refresh_from_db()
    c.round.refresh_from_db()
    assert opinion.disposition == Disposition.PENDING
    assert c.round.is_open
    # A county never gets that far: it does not see the opinion at all.
    assert (
        login(world.huade_liaison).post(url("opinion_decide", opinion.pk), decide).status_code
        == 404
    )


# --- adoption ---------------------------------------------------------------------------------------


def test_partly_adopted_needs_a_reason(world, login, consulting):
    c = consulting
    answer(world, c.zhuozi, ("二、(一)", "建议基地规模调整为120万亩。"))
    opinion = c.zhuozi.opinions.get()
    client = login(world.office)
    data = {"version": opinion.version, "disposition": Disposition.PARTLY, "reason": " "}
    page = page_of(client.post(url("opinion_decide", opinion.pk), data))
    assert gettext("Say why it was not (fully) adopted.") in page
    assert f'id="opinion-{opinion.pk}"' in page
    opinion.refresh_from_db()
    assert opinion.disposition == Disposition.PENDING
    assert opinion.version == 1

    data["reason"] = "规模调整为110万亩，兼顾耕地保护。"
    response = client.post(url("opinion_decide", opinion.pk), data)
    assert response.status_code == 302
    assert response["Location"] == f"{url('round', c.round.pk)}#opinion-{opinion.pk}"
    opinion.refresh_from_db()
    assert (opinion.disposition, opinion.reason, opinion.decided_by) == (
        Disposition.PARTLY,
        "规模调整为110万亩，兼顾耕地保护。",
        world.office,
    )
    page = page_of(client.get(url("round", c.round.pk)))
    assert gettext("The adoption of the opinion was recorded.") in page
    assert pgettext("opinion disposition", "Partly adopted") in page


def test_adoption_through_htmx_swaps_the_row(world, login, consulting):
    answer(world, consulting.zhuozi, ("一", "意见"))
    opinion = consulting.zhuozi.opinions.get()
    client = login(world.office)
    headers = {"HX-Request": "true"}
    refused = client.post(
        url("opinion_decide", opinion.pk),
        {"version": opinion.version, "disposition": Disposition.NOT_ADOPTED},
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused["X-Opinion-Row"] == "1"
    body = html.unescape(refused.content.decode())
    assert body.lstrip().startswith(
        f'<li class="opinion opinion-pending" id="opinion-{opinion.pk}"'
    )
    assert gettext("Say why it was not (fully) adopted.") in body
    done = client.post(
        url("opinion_decide", opinion.pk),
        {"version": opinion.version, "disposition": Disposition.ADOPTED},
        headers=headers,
    )
    assert done.status_code == 200
    assert pgettext("opinion disposition", "Adopted") in done.content.decode()
    assert "<html" not in done.content.decode()


def test_a_stale_adoption_is_refused(world, login, consulting):
    answer(world, consulting.zhuozi, ("一", "意见"))
    opinion = consulting.zhuozi.opinions.get()
    services.opinion_decide(actor=world.potato_director, opinion=opinion, disposition="adopted")
    client = login(world.office)
    page = page_of(
        client.post(
            url("opinion_decide", opinion.pk),
            {"version": 1, "disposition": Disposition.NOT_ADOPTED, "reason": "重复"},
        )
    )
    assert gettext("Someone else changed this in the meantime. Reload the page and try again.") in (
        page
    )
    opinion.refresh_from_db()
    assert opinion.disposition == Disposition.ADOPTED


def test_no_adoption_form_once_the_document_is_issued(world, login, consulting):
    c = consulting
    answer(world, c.zhuozi, ("一", "意见"))
    opinion = c.zhuozi.opinions.get()
    services.round_close(actor=world.office, round=c.round)
    Document.objects.filter(pk=c.document.pk).update(stage=Stage.ISSUED)
    client = login(world.office)
    assert url("opinion_decide", opinion.pk) not in page_of(client.get(url("round", c.round.pk)))
    page = page_of(
        client.post(
            url("opinion_decide", opinion.pk),
            {"version": opinion.version, "disposition": Disposition.ADOPTED},
        )
    )
    assert gettext("The document is issued: how its opinions were handled is on record.") in page
    with pytest.raises(ValidationError):
        services.opinion_decide(actor=world.office, opinion=opinion, disposition="adopted")


# --- the inbox ----------------------------------------------------------------------------------------


def _consult(world, title: str, *, deadline, units) -> OpinionRound:
    """A document consulted on, written straight to the database (the inbox reads only)."""
    document = Document.objects.create(
        title=title,
        kind=Kind.PLAN,
        office=world.potato,
        lead_author=world.office,
        pen_holder=world.office,
        stage=Stage.CONSULTING,
    )
    draft = DocumentVersion.objects.create(document=document, number=1, text=title)
    round = OpinionRound.objects.create(document=document, number=1, draft=draft, deadline=deadline)
    OpinionRequest.objects.bulk_create(OpinionRequest(round=round, unit=unit) for unit in units)
    return round


def test_the_inbox_splits_waiting_answered_and_ended(world, login):
    today = timezone.localdate()
    overdue = _consult(
        world, "逾期未答方案", deadline=today - datetime.timedelta(days=2), units=[world.zhuozi]
    )
    soon = _consult(
        world, "即将到期方案", deadline=today + datetime.timedelta(days=3), units=[world.zhuozi]
    )
    answered = _consult(
        world, "已答方案", deadline=today + datetime.timedelta(days=5), units=[world.zhuozi]
    )
    ended = _consult(world, "已结束方案", deadline=today, units=[world.zhuozi])
    other = _consult(world, "化德县的方案", deadline=today, units=[world.huade])
    OpinionRequest.objects.filter(round=answered).update(
        answered_at=timezone.now(), no_opinion=True
    )
    OpinionRound.objects.filter(pk=ended.pk).update(closed_at=timezone.now())

    page = page_of(login(world.zhuozi_liaison).get(url("inbox")))
    waiting = page.split('id="inbox-waiting"')[1].split("</table>")[0]
    assert waiting.index("逾期未答方案") < waiting.index("即将到期方案")  # soonest deadline first
    assert 'class="overdue"' in waiting
    assert waiting.count('class="overdue"') == 1
    assert url("answer", overdue.requests.get().pk) in waiting
    assert "已答方案" in page.split('id="inbox-answered"')[1].split("</table>")[0]
    assert "已结束方案" in page.split('id="inbox-ended"')[1].split("</table>")[0]
    assert "化德县的方案" not in page
    assert url("round", soon.pk) in page
    assert other.pk  # (not the zhuozi liaison's)


def test_the_inbox_queries_do_not_grow(world, login):
    client = login(world.zhuozi_liaison)
    today = timezone.localdate()

    def queries(n: int) -> int:
        for index in range(n):
            _consult(world, f"待答{index}", deadline=today, units=[world.zhuozi])
            done = _consult(world, f"已答{index}", deadline=today, units=[world.zhuozi])
            OpinionRequest.objects.filter(round=done).update(answered_at=timezone.now())
            gone = _consult(world, f"结束{index}", deadline=today, units=[world.zhuozi])
            OpinionRound.objects.filter(pk=gone.pk).update(closed_at=timezone.now())
        with CaptureQueriesContext(connection) as captured:
            page_of(client.get(url("inbox")))
        return len(captured)

    assert queries(2) == queries(4)


def test_the_three_administrators_have_no_inbox(world, login):
    assert login(world.sysadmin).get(url("inbox")).status_code == 403
    assert login(world.auditor).get(url("inbox")).status_code == 403


def test_a_leader_consulted_in_person_finds_it_in_the_inbox(world, login, consulting):
    page = page_of(login(world.leader).get(url("inbox")))
    assert url("answer", consulting.leader.pk) in page
    assert consulting.document.title in page


def test_a_department_liaison_answers_for_its_department(world, login, draft):
    liaison = person(
        "crops-liaison", world.crops, (Role.DEPARTMENT_LIAISON, world.crops), name="种植科联络员"
    )
    round = open_round(world, draft, units=[world.crops])
    ask = round.requests.get()
    client = login(liaison)
    assert url("answer", ask.pk) in page_of(client.get(url("inbox")))
    client.post(url("answer", ask.pk), answer_data(("一", "种植科意见")))
    assert Opinion.objects.get().text == "种植科意见"
