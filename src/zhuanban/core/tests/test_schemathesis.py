"""Schema fuzzing: Schemathesis generates requests for every operation in the API's own
OpenAPI schema, valid and invalid, and sends them to the Django application in-process as
a member of the potato office (a bearer token). No response may be a server error, and
every response must have a status code and a body the schema documents.

Each operation runs twice: with its path parameters naming objects that exist (a task, a
round, a county's code, the office's unit, an indicator, a policy document with its version
and opinion round, a meeting, an investment project), so that the requests get past 404 to the handlers, and with
everything generated. Bounded and derandomised (the same
cases on every run), a few seconds per operation.

(Schemathesis' own pytest integration, `schema.parametrize()`, does not run under
pytest 9 yet, hence the explicit loop over operations with `as_strategy`.)
"""

import datetime
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from zhuanban.api import api
from zhuanban.assessment import services as assessment
from zhuanban.assessment.lifecycle import SchemeAction
from zhuanban.core.tests.hardening import bearer, business_data
from zhuanban.dispatch.models import Indicator
from zhuanban.documents import services as documents
from zhuanban.documents.models import Kind, MeetingKind
from zhuanban.investment import services as investment
from zhuanban.investment.lifecycle import Stage
from zhuanban.org.tests.factories import ChainFactory
from zhuanban.rectification.models import SourceKind
from zhuanban.rectification.services import rectification_raise
from zhuanban.supervision.models import VisitKind
from zhuanban.supervision.services import visit_create
from zhuanban.supervision.tests.notice_fixtures import issued
from zhuanban.wsgi import application

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
MAX_EXAMPLES = 25

OPERATIONS = [
    (method.upper(), path, ids)
    for path, item in api.get_openapi_schema()["paths"].items()
    for method in item
    for ids in (["existing", "generated"] if "{" in path else ["generated"])
]


@pytest.fixture
def wsgi_app():
    """The project's WSGI application on the test's database connection: like Django's
    test client, keep the request signals from closing it inside the test transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def existing(world, settings):
    """Objects for the path parameters to name, and the office member's token."""
    settings.RATELIMIT_API = "100000/m"  # the fuzzer is one user sending many requests
    data = business_data(world)
    Indicator.objects.create(
        code="beef_increase", name="肉牛存栏增量", unit_of_measure="万头", office=world.potato
    )
    today = timezone.localdate()
    visit = visit_create(
        actor=world.office,
        office=world.potato,
        kind=VisitKind.INSPECTION,
        county=world.zhuozi,
        date=today - datetime.timedelta(days=1),
        place="巴音锡勒镇种薯繁育基地",
    )
    item = rectification_raise(
        actor=world.office,
        source=visit,
        source_kind=SourceKind.VISIT,
        source_label=str(visit),
        office=world.potato,
        unit=world.zhuozi,
        problem="种薯窖通风设施不全",
        requirement="补齐通风设施",
        due_date=today + datetime.timedelta(days=30),
    )
    participant = _assessed(world, today)
    round, meeting = _consulting_and_meeting(world, today)
    project = investment.project_create(
        actor=None,
        name="马铃薯全粉加工项目",
        year=today.year,
        chain=ChainFactory(code="potato", name="马铃薯产业链"),
        county=world.zhuozi,
        planned_investment=Decimal("9800"),
        stage=Stage.SIGNED,
        stage_on=today - datetime.timedelta(days=100),
    )
    return {
        "project_id": project.pk,
        "scheme_id": participant.scheme_id,
        "participant_id": participant.pk,
        "task_id": data.task.pk,
        "round_id": data.round.pk,
        "unit_code": world.zhuozi.code,
        "unit_id": world.crops.pk,
        "code": "beef_increase",
        "item_id": item.pk,
        "visit_id": visit.pk,
        "notice_id": issued(world).pk,
        "document_id": round.document_id,
        "version_number": round.draft.number,
        "opinion_round_id": round.pk,
        "meeting_id": meeting.pk,
    }


def _consulting_and_meeting(world, today):
    """A potato office plan written in the app with 卓资县 consulted on it, and a bureau
    meeting with the office's topic."""
    document = documents.document_save(
        actor=world.office,
        office=world.potato,
        data={"title": "马铃薯产业发展实施方案", "kind": Kind.PLAN, "lead_author": world.office},
    )
    documents.version_add(actor=world.office, document=document, text="一、总体要求\n二、主要任务")
    round = documents.round_open(
        actor=world.office,
        document=document,
        deadline=today + datetime.timedelta(days=10),
        units=[world.zhuozi],
    )
    meeting = documents.meeting_save(
        actor=world.leader,
        convener=world.bureau,
        data={"kind": MeetingKind.BUREAU, "starts_at": timezone.now() + datetime.timedelta(days=7)},
    )
    documents.topic_submit(
        actor=world.office, meeting=meeting, office=world.potato, data={"title": "种薯繁育基地建设"}
    )
    return round, meeting


def _assessed(world, today):
    """卓资县 under an opened scheme with one manual item."""
    scheme = assessment.scheme_save(
        actor=world.office,
        office=world.potato,
        data={
            "title": "马铃薯产业发展考核",
            "year": today.year,
            "period_start": today.replace(month=1, day=1),
            "period_end": today.replace(month=12, day=31),
        },
    )
    assessment.item_save(
        actor=world.office, scheme=scheme, data={"title": "工作成效", "max_score": 10}
    )
    assessment.participants_set(actor=world.office, scheme=scheme, units=[world.zhuozi])
    assessment.scheme_act(actor=world.office, scheme=scheme, action=SchemeAction.OPEN)
    return scheme.participants.get()


def cases(operation, path_parameters: dict | None):
    """Valid and invalid requests; invalid ones only where something besides the path
    can be invalid (with the path fixed, there may be nothing left to break)."""
    strategies = [operation.as_strategy(GenerationMode.POSITIVE, path_parameters=path_parameters)]
    breakable = operation.body or operation.query
    if path_parameters is None or breakable:
        strategies.append(
            operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=path_parameters)
        )
    return st.one_of(strategies)


@pytest.mark.parametrize(
    ("method", "path", "ids"), OPERATIONS, ids=[f"{m} {p} {i}" for m, p, i in OPERATIONS]
)
def test_the_api_answers_every_request_as_documented(world, wsgi_app, existing, method, path, ids):
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = wsgi_app
    operation = schema[path][method]
    path_parameters = None
    if ids == "existing":
        names = {p.name for p in operation.path_parameters}
        path_parameters = {k: v for k, v in existing.items() if k in names}
    headers = bearer(world.office)
    auth = {"Authorization": headers["HTTP_AUTHORIZATION"]}

    @given(case=cases(operation, path_parameters))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=auth, checks=CHECKS)

    run()
