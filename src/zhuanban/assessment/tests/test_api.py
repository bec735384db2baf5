"""/api/v1/assessment: what each caller reads, and what they may not."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhuanban.assessment import services
from zhuanban.assessment.tests.conftest import score_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_scheme_list_and_detail_for_the_office(world, login, opened):
    client = login(world.office)
    listed = client.get("/api/v1/assessment/schemes").json()
    assert [s["title"] for s in listed["items"]] == ["2023年度马铃薯产业发展考核"]
    assert listed["items"][0]["units"] == 2

    detail = client.get(f"/api/v1/assessment/schemes/{opened.scheme.pk}").json()
    assert detail["full_marks"] == "60.00"
    assert [(i["number"], i["max_score"]) for i in detail["items"]][:3] == [
        ("一、", "30.00"),
        ("(一)", "20.00"),
        ("(二)", "10.00"),
    ]
    assert detail["warnings"] == []


def test_weight_warning_says_by_how_much(world, login, design):
    design.items.heading.weight = 50
    design.items.heading.save()
    detail = login(world.office).get(f"/api/v1/assessment/schemes/{design.scheme.pk}").json()
    assert detail["warnings"] == [
        {"kind": "weights", "item_id": None, "expected": "100.00", "actual": "50.00"}
    ]


def test_ranking_for_the_office_and_for_a_county(world, login, opened):
    url = f"/api/v1/assessment/schemes/{opened.scheme.pk}/ranking"
    rows = login(world.office).get(url).json()
    # Computed so far: 化德县 20 + 10 + 10 + 5 = 45; 卓资县 21.83 (test_scoring).
    assert [(r["unit"]["name"], r["total"], r["rank"]) for r in rows] == [
        ("化德县", "45.00", 1),
        ("卓资县", "21.83", 2),
    ]
    client = login(world.zhuozi_liaison)
    rows = client.get(url).json()
    assert [(r["unit"]["name"], r["rank"]) for r in rows] == [("卓资县", 2)]


def test_scorecard_with_evidence_hash(world, login, opened):
    services.evidence_upload(
        actor=world.zhuozi_liaison,
        participant=opened.zhuozi,
        item=opened.items.manual,
        upload=SimpleUploadedFile("总结.pdf", PDF, content_type="application/pdf"),
    )
    card = login(world.zhuozi_liaison).get(f"/api/v1/assessment/units/{opened.zhuozi.pk}").json()
    assert card["unit"]["name"] == "卓资县"
    lines = {line["number"] + line["title"]: line for line in card["lines"]}
    tasks = lines["(一)重点任务按期办结"]
    assert tasks["auto_score"] == "10.00"
    assert tasks["auto_basis"] == {"due": 4, "on_time": 2}
    manual = lines["四、工作成效"]
    assert manual["final"] is None
    assert manual["evidence"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert score_of(opened.zhuozi, opened.items.manual).final is None


def test_a_county_cannot_read_another_county_or_a_draft(world, login, opened, design):
    client = login(world.zhuozi_liaison)
    assert client.get(f"/api/v1/assessment/units/{opened.huade.pk}").status_code == 404
    for who in (world.sysadmin, world.outsider):
        client = login(who)
        assert client.get(f"/api/v1/assessment/schemes/{opened.scheme.pk}").status_code in (
            401,
            403,
            404,
        )
        assert client.get(f"/api/v1/assessment/units/{opened.zhuozi.pk}").status_code in (
            403,
            404,
        )


def test_a_draft_scheme_is_not_shown_to_counties(world, login, design):
    client = login(world.zhuozi_liaison)
    assert client.get("/api/v1/assessment/schemes").json()["items"] == []
    assert client.get(f"/api/v1/assessment/schemes/{design.scheme.pk}").status_code == 404
