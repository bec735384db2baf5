"""Who sees which documents, versions, rounds, answers, meetings and topics, and who may
do what with them: every persona of the shared world against one small library."""

from types import SimpleNamespace

import pytest
from django.http import Http404

from zhuanban.documents import access, scoping, services
from zhuanban.documents.lifecycle import DocAction, DocParty
from zhuanban.documents.models import Kind
from zhuanban.documents.tests.conftest import DEADLINE, PLAN_V2, TODAY, docx_upload

pytestmark = pytest.mark.django_db

BUREAU = ["leader", "office", "potato_director", "brand_staff", "inspector"]
NOBODY = ["sysadmin", "secadmin", "auditor", "outsider"]
EVERYONE = [*BUREAU, "zhuozi_liaison", "huade_liaison", *NOBODY]


def document(world, office, actor, title, kind=Kind.PLAN):
    created = services.document_save(
        actor=actor,
        office=office,
        data={
            "title": title,
            "kind": kind,
            "lead_author": actor,
            "issuing_authority": "乌兰察布市农牧局",
        },
    )
    services.version_add(actor=actor, document=created, text=f"{title}\n第一稿")
    return created


def issue(world, doc, actor, number):
    services.document_act(actor=world.leader, document=doc, action=DocAction.APPROVE, today=TODAY)
    services.document_act(
        actor=actor,
        document=doc,
        action=DocAction.ISSUE,
        issue_number=number,
        issued_on=TODAY,
        today=TODAY,
    )


@pytest.fixture
def library(world, consulting, meeting):
    """
    consulted: the potato plan; round 1 (卓资县, 化德县, the leader) on version 1, ended;
        round 2 (卓资县 only) on version 2.
    issued: the brand office's rules; version 1 a draft, version 2 issued.
    private: a potato draft consulting the IT section (where the administrators sit) and
        化德县.
    revising: a potato plan issued as version 1, now under revision (version 2).
    """
    c = consulting
    services.answer_submit(
        actor=world.zhuozi_liaison,
        request=c.zhuozi,
        opinions=[{"location": "", "text": "卓资意见"}],
    )
    services.answer_submit(
        actor=world.huade_liaison, request=c.huade, opinions=[{"location": "", "text": "化德意见"}]
    )
    services.round_close(actor=world.office, round=c.round)
    services.version_add(actor=world.office, document=c.document, upload=docx_upload(PLAN_V2))
    second = services.round_open(
        actor=world.office,
        document=c.document,
        deadline=DEADLINE,
        units=[world.zhuozi],
        today=TODAY,
    )

    issued = document(world, world.brand, world.brand_staff, "原味乌兰察布品牌管理规则", Kind.RULES)
    services.version_add(actor=world.brand_staff, document=issued, text="品牌管理规则\n第二稿")
    issue(world, issued, world.brand_staff, "乌农牧发〔2023〕8号")

    private = document(world, world.potato, world.office, "马铃薯种薯补贴方案", Kind.SUBSIDY)
    private_round = services.round_open(
        actor=world.office,
        document=private,
        deadline=DEADLINE,
        units=[world.it, world.huade],
        today=TODAY,
    )

    revising = document(world, world.potato, world.office, "马铃薯产业实施意见", Kind.OPINIONS)
    issue(world, revising, world.office, "乌政发〔2022〕30号")
    services.document_act(
        actor=world.office,
        document=revising,
        action=DocAction.REVISE,
        comment="按新政策修订",
        today=TODAY,
    )
    services.version_add(actor=world.office, document=revising, text="实施意见\n修订稿")

    topic = services.topic_submit(
        actor=world.office, meeting=meeting, office=world.potato, data={"title": "示范区方案"}
    )
    return SimpleNamespace(
        consulted=c.document,
        first=c.round,
        second=second,
        issued=issued,
        private=private,
        private_round=private_round,
        revising=revising,
        requests=c,
        meeting=meeting,
        topic=topic,
    )


def names(queryset) -> set[str]:
    return {d.title for d in queryset}


def numbers(queryset) -> set[int]:
    return set(queryset.values_list("number", flat=True))


# --- documents --------------------------------------------------------------------------------

ALL_TITLES = {
    "乌兰察布市马铃薯产业发展示范区建设方案",
    "原味乌兰察布品牌管理规则",
    "马铃薯种薯补贴方案",
    "马铃薯产业实施意见",
}
PUBLIC = {"原味乌兰察布品牌管理规则", "马铃薯产业实施意见"}
VISIBLE_DOCUMENTS = {
    **dict.fromkeys(BUREAU, ALL_TITLES),
    # Issued documents (in force also while revised) and those a county is consulted on.
    "zhuozi_liaison": PUBLIC | {"乌兰察布市马铃薯产业发展示范区建设方案"},
    "huade_liaison": PUBLIC | {"乌兰察布市马铃薯产业发展示范区建设方案", "马铃薯种薯补贴方案"},
    **dict.fromkeys(NOBODY, frozenset()),
}


def test_visible_documents(world, library, subtests):
    for who in EVERYONE:
        with subtests.test(who=who):
            user = getattr(world, who)
            assert names(scoping.visible_documents(user)) == VISIBLE_DOCUMENTS[who]
            for doc in (library.consulted, library.issued, library.private, library.revising):
                if doc.title in VISIBLE_DOCUMENTS[who]:
                    assert access.get_document_for_user(user, doc.pk) == doc
                else:
                    with pytest.raises(Http404):
                        access.get_document_for_user(user, doc.pk)


# --- versions ---------------------------------------------------------------------------------

VISIBLE_VERSIONS = {
    # (consulted, issued, private, revising)
    **dict.fromkeys(BUREAU, ({1, 2}, {1, 2}, {1}, {1, 2})),
    # 卓资县 was asked about both versions of the plan, 化德县 about the first only; the
    # other documents show their issued version (none yet for the private one).
    "zhuozi_liaison": ({1, 2}, {2}, set(), {1}),
    "huade_liaison": ({1}, {2}, {1}, {1}),
    **dict.fromkeys(NOBODY, (set(), set(), set(), set())),
}


def test_visible_versions(world, library, subtests):
    for who in EVERYONE:
        with subtests.test(who=who):
            user = getattr(world, who)
            docs = (library.consulted, library.issued, library.private, library.revising)
            for doc, expected in zip(docs, VISIBLE_VERSIONS[who], strict=True):
                assert numbers(scoping.visible_versions(user, doc)) == expected, doc.title
                for version in doc.versions.all():
                    if version.number in expected and doc.title in VISIBLE_DOCUMENTS[who]:
                        assert access.get_version_for_user(user, version.pk) == version
                    else:
                        with pytest.raises(Http404):
                            access.get_version_for_user(user, version.pk)


# --- rounds and answers -------------------------------------------------------------------------

VISIBLE_ROUNDS = {
    # (consulted, private)
    **dict.fromkeys(BUREAU, ({1, 2}, {1})),
    "zhuozi_liaison": ({1, 2}, set()),
    "huade_liaison": ({1}, {1}),
    # The administrators sit in the IT section the private draft consults: still nothing.
    **dict.fromkeys(NOBODY, (set(), set())),
}


def test_visible_rounds(world, library, subtests):
    for who in EVERYONE:
        with subtests.test(who=who):
            user = getattr(world, who)
            consulted, private = VISIBLE_ROUNDS[who]
            assert numbers(scoping.visible_rounds(user, library.consulted)) == consulted
            assert numbers(scoping.visible_rounds(user, library.private)) == private
            if 1 in private:
                assert (
                    access.get_round_for_user(user, library.private_round.pk)
                    == library.private_round
                )
            else:
                with pytest.raises(Http404):
                    access.get_round_for_user(user, library.private_round.pk)


def consulted_names(queryset) -> set[str]:
    return {r.consulted_name for r in queryset.select_related("unit", "person")}


VISIBLE_ANSWERS = {
    **dict.fromkeys(BUREAU, frozenset({"卓资县", "化德县", "王振华"})),
    "zhuozi_liaison": {"卓资县"},
    "huade_liaison": {"化德县"},
    **dict.fromkeys(NOBODY, frozenset()),
}


def test_a_county_reads_its_own_answers_only(world, library, subtests):
    for who in EVERYONE:
        with subtests.test(who=who):
            user = getattr(world, who)
            assert (
                consulted_names(scoping.visible_requests(user, library.first))
                == VISIBLE_ANSWERS[who]
            )
            for request in library.first.requests.all():
                opinion = request.opinions.first()
                if request.consulted_name in VISIBLE_ANSWERS[who]:
                    assert access.get_request_for_user(user, request.pk) == request
                    if opinion is not None:
                        assert access.get_opinion_for_user(user, opinion.pk) == opinion
                else:
                    with pytest.raises(Http404):
                        access.get_request_for_user(user, request.pk)
                    if opinion is not None:
                        with pytest.raises(Http404):
                            access.get_opinion_for_user(user, opinion.pk)


MY_REQUESTS = {
    "leader": [("乌兰察布市马铃薯产业发展示范区建设方案", 1, "王振华")],
    "zhuozi_liaison": [
        ("乌兰察布市马铃薯产业发展示范区建设方案", 1, "卓资县"),
        ("乌兰察布市马铃薯产业发展示范区建设方案", 2, "卓资县"),
    ],
    "huade_liaison": [
        ("乌兰察布市马铃薯产业发展示范区建设方案", 1, "化德县"),
        ("马铃薯种薯补贴方案", 1, "化德县"),
    ],
    # 萧然 belongs to the IT section, which is consulted on the private draft.
    "brand_staff": [("马铃薯种薯补贴方案", 1, "市场与信息化科")],
}


def test_my_requests(world, library, subtests):
    for who in EVERYONE:
        with subtests.test(who=who):
            mine = scoping.my_requests(getattr(world, who)).select_related(
                "round__document", "unit", "person"
            )
            assert sorted(
                (r.round.document.title, r.round.number, r.consulted_name) for r in mine
            ) == (MY_REQUESTS.get(who, []))


@pytest.mark.parametrize(
    ("who", "request_of", "may"),
    [
        ("zhuozi_liaison", "zhuozi", True),
        ("huade_liaison", "zhuozi", False),
        ("huade_liaison", "huade", True),
        ("leader", "leader", True),
        ("leader", "zhuozi", False),
        ("office", "leader", False),
        ("brand_staff", "it", True),
        ("sysadmin", "it", False),
        ("auditor", "it", False),
        ("outsider", "zhuozi", False),
    ],
)
def test_who_answers_a_request(world, library, who, request_of, may):
    if request_of == "it":
        request = library.private_round.requests.get(unit=world.it)
    else:
        request = getattr(library.requests, request_of)
    assert scoping.can_answer(getattr(world, who), request) is may


# --- what each may do to a document ----------------------------------------------------------

PARTIES = {
    "office": {DocParty.OFFICE},
    "potato_director": {DocParty.OFFICE},
    "leader": {DocParty.LEADER},
}
CREATORS = {"office", "potato_director", "brand_staff"}


def test_who_manages_the_potato_offices_document(world, library, subtests):
    for who in EVERYONE:
        with subtests.test(who=who):
            user = getattr(world, who)
            parties = PARTIES.get(who, set())
            assert scoping.document_parties(user, library.consulted) == parties
            assert scoping.can_manage_document(user, library.consulted) is (
                DocParty.OFFICE in parties
            )
            assert scoping.can_create_document(user) is (who in CREATORS)
            assert scoping.is_office_staff(user, world.potato.pk) is (
                who in {"office", "potato_director"}
            )
            assert scoping.can_follow_up(user, library.topic) is (
                who in {"office", "potato_director"}
            )
            # The brand office's own document is 萧然's to manage.
            assert scoping.can_manage_document(user, library.issued) is (who == "brand_staff")


# --- meetings and topics ----------------------------------------------------------------------


def test_meetings_and_topics_are_the_bureaus(world, library, subtests):
    for who in EVERYONE:
        with subtests.test(who=who):
            user = getattr(world, who)
            sees = who in BUREAU
            assert list(scoping.visible_meetings(user)) == ([library.meeting] if sees else [])
            assert list(scoping.visible_topics(user)) == ([library.topic] if sees else [])
            if sees:
                assert access.get_meeting_for_user(user, library.meeting.pk) == library.meeting
                assert access.get_topic_for_user(user, library.topic.pk) == library.topic
            else:
                with pytest.raises(Http404):
                    access.get_meeting_for_user(user, library.meeting.pk)
                with pytest.raises(Http404):
                    access.get_topic_for_user(user, library.topic.pk)
            # The bureau's meeting is managed by a leader only; the potato office's own by its staff.
            assert scoping.can_manage_meeting(user, library.meeting) is (who == "leader")
            assert scoping.can_convene(user, world.potato.pk) is (
                who in {"leader", "office", "potato_director"}
            )


def test_nothing_is_found_by_id_that_does_not_exist(world, library):
    for fetch in (
        access.get_document_for_user,
        access.get_version_for_user,
        access.get_round_for_user,
        access.get_request_for_user,
        access.get_opinion_for_user,
        access.get_meeting_for_user,
        access.get_topic_for_user,
    ):
        with pytest.raises(Http404):
            fetch(world.leader, 999_999)
