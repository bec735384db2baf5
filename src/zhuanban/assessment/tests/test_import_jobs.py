"""A scheme's large items file, checked and then imported in the background: the plan
by cell, exactly one import, and nobody but its owner sees or confirms it.
(settings.JOB_SYNC_ROWS is set small, so that a realistic scheme takes the background
path.)"""

import datetime
import io
import uuid
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhuanban.assessment import import_jobs, importer, services
from zhuanban.assessment.models import Item
from zhuanban.assessment.tests.test_import import (
    SCHEME_MERGES,
    scheme_rows,
    upload,
    workbook,
)
from zhuanban.assessment.tests.test_import import row as item_row
from zhuanban.core.models import AuditAction, AuditEvent, StoredFile
from zhuanban.ops import services as jobs
from zhuanban.ops.lifecycle import JobStatus
from zhuanban.ops.models import Job
from zhuanban.org.models import RoleAssignment
from zhuanban.org.roles import Role

SYNC_ROWS = 5
YEAR = 2023


@pytest.fixture(autouse=True)
def small_sync_limit(settings, tmp_path):
    settings.JOB_SYNC_ROWS = SYNC_ROWS
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def scheme(world):
    """A fresh draft scheme of the potato office, without items."""
    return services.scheme_save(
        actor=world.office,
        office=world.potato,
        data={
            "title": "2023年度马铃薯产业发展考核",
            "year": YEAR,
            "period_start": datetime.date(YEAR, 1, 1),
            "period_end": datetime.date(YEAR, 12, 31),
        },
    )


def realistic():
    """The scheme of test_import: 8 items on rows 4 to 14 (over SYNC_ROWS)."""
    return upload(workbook(scheme_rows(), merges=SCHEME_MERGES))


def import_url(scheme) -> str:
    return reverse("assessment:scheme_import", args=[scheme.pk])


def checked(client, scheme, file=None, **extra) -> Job:
    """Upload a large file and answer its (finished) check job."""
    response = client.post(import_url(scheme), {"file": file or realistic(), **extra})
    job = Job.objects.get(kind=import_jobs.CHECK)
    assert response.status_code == 302
    assert response.url == reverse("ops:job", args=[job.pk])
    job.refresh_from_db()
    return job


def held_back(monkeypatch) -> None:
    """Jobs started from now on stay queued, as with no worker running: the test runs
    them by hand (`jobs.execute`), after changing the world."""
    monkeypatch.setattr(jobs, "_enqueue", lambda job: None)


def nothing_imported(scheme, items: int = 0) -> None:
    assert scheme.items.count() == items
    assert not AuditEvent.objects.filter(message="assessment items import").exists()


# --- the whole way ----------------------------------------------------------------------


def test_a_large_file_is_checked_in_the_background_then_imported(world, login, scheme):
    client = login(world.office)

    job = checked(client, scheme)

    assert (job.status, job.owner, job.kind) == (
        JobStatus.SUCCEEDED,
        world.office,
        import_jobs.CHECK,
    )
    assert (job.done, job.total) == (11, 11)  # rows 4 to 14
    assert job.input_file.name == "考核细则.xlsx"
    assert job.input_file.sha256 == StoredFile.objects.get().sha256
    assert job.result_url == f"{import_url(scheme)}?job={job.pk}"
    assert job.result_text == "文件校验通过，将创建8项考核指标。请查看结果，核对后确认导入。"
    data = job.result_data
    assert data["sha256"] == job.input_file.sha256
    assert [(i["row"], i["number"], i["title"]) for i in data["items"]][:3] == [
        (4, "一、", "重点任务落实"),
        (5, "(一)", "种薯繁育"),
        (6, "1.", "建设脱毒种薯繁育基地"),
    ]
    nothing_imported(scheme)
    assert "已处理 11 / 11 行" in client.get(reverse("ops:job", args=[job.pk])).content.decode()

    page = client.get(job.result_url)

    assert page.status_code == 200
    plan = page.context["plan"]
    assert plan.is_valid
    assert [(i.number, i.depth, i.title, i.points) for i in plan.items] == [
        ("一、", 0, "重点任务落实", "30"),
        ("(一)", 1, "种薯繁育", "20"),
        ("1.", 2, "建设脱毒种薯繁育基地", "12"),
        ("2.", 2, "完善种薯质量检测体系", "8"),
        ("(二)", 1, "调度数据按时报送", "10"),
        ("二、", 0, "产业发展成效", "60"),
        ("(一)", 1, "工作成效", "40"),
        ("(二)", 1, "督办通报扣分", "20"),
    ]
    assert plan.total_points == "90"
    html = page.content.decode()
    assert "完成5万亩得12分" in html
    assert "化德县、卓资县" in html  # the units matched
    assert "E8 评分方式" in html  # a warning, by cell
    assert f'name="job" value="{job.pk}"' in html
    assert 'name="confirm"' in html
    assert 'name="token"' not in html
    assert 'name="file"' not in html
    nothing_imported(scheme)

    done = client.post(job.result_url, {"confirm": "1", "job": str(job.pk)})

    commit = Job.objects.get(kind=import_jobs.COMMIT)
    assert done.url == reverse("ops:job", args=[commit.pk])
    assert commit.status == JobStatus.SUCCEEDED
    assert commit.input_file == job.input_file
    assert commit.result_url == scheme.get_absolute_url()
    assert commit.result_text == "已从考核细则.xlsx导入8项考核指标。"
    items = list(scheme.items.order_by("sort_path"))
    assert [(i.number, i.title, i.max_score) for i in items] == [
        ("一、", "重点任务落实", Decimal(30)),
        ("(一)", "种薯繁育", Decimal(20)),
        ("1.", "建设脱毒种薯繁育基地", Decimal(12)),
        ("2.", "完善种薯质量检测体系", Decimal(8)),
        ("(二)", "调度数据按时报送", Decimal(10)),
        ("二、", "产业发展成效", Decimal(60)),
        ("(一)", "工作成效", Decimal(40)),
        ("(二)", "督办通报扣分", Decimal(20)),
    ]
    assert set(items[3].responsible_units.all()) == {world.zhuozi, world.huade}

    # The audit trail: the file, both jobs and the import.
    assert (
        AuditEvent.objects.filter(action=AuditAction.UPLOAD, message="file uploaded").count() == 1
    )
    for one in (job, commit):
        assert [
            e.message for e in AuditEvent.objects.filter(object_id=str(one.pk)).order_by("pk")
        ] == ["background job queued", "background job finished"]
    imported = AuditEvent.objects.get(action=AuditAction.IMPORT, message="assessment items import")
    assert imported.actor == world.office
    assert imported.object_id == str(scheme.pk)
    assert imported.after["items"] == 8
    assert imported.after["file"] == "考核细则.xlsx"
    assert imported.after["sha256"] == job.input_file.sha256


def test_replacing_the_items_from_a_large_file(world, login, design):
    client = login(world.office)
    scheme = design.scheme
    before = list(scheme.items.values_list("pk", flat=True))

    job = checked(client, scheme, replace="on")

    assert job.result_data["replace"] is True
    assert job.result_data["existing_count"] == 6
    html = client.get(job.result_url).content.decode()
    assert "确认后将删除本方案现有的6项考核指标。" in html
    client.post(job.result_url, {"confirm": "1", "job": str(job.pk)})

    assert Job.objects.get(kind=import_jobs.COMMIT).status == JobStatus.SUCCEEDED
    assert scheme.items.count() == 8
    assert not Item.objects.filter(pk__in=before).exists()


def test_a_small_file_is_still_checked_at_once(world, login, scheme):
    client = login(world.office)

    response = client.post(
        import_url(scheme), {"file": upload(workbook([item_row("一、", "基础工作", 10)]))}
    )

    assert response.status_code == 200
    assert response.context["plan"].is_valid
    assert response.context["token"]
    assert not Job.objects.exists()
    assert not StoredFile.objects.exists()


def test_the_jobs_report_each_row_and_item(world, login, scheme, monkeypatch):
    monkeypatch.setattr(jobs.Progress, "INTERVAL", 0)  # every advance written
    written = []
    real_write = jobs.Progress._write

    def write(self):
        real_write(self)
        written.append((str(self.job.kind), self.job.stage, self.job.done, self.job.total))

    monkeypatch.setattr(jobs.Progress, "_write", write)
    client = login(world.office)

    job = checked(client, scheme)
    client.post(job.result_url, {"confirm": "1", "job": str(job.pk)})

    check = [w[1:] for w in written if w[0] == import_jobs.CHECK]
    assert check[0] == ("正在打开文件", 0, None)
    # Rows 4 to 14 below the header: a data row at a time (row 11 continues row 10,
    # the total row and the note are read but not imported).
    reading = [done for stage, done, _total in check if stage == "正在读取数据行"]
    assert reading[0] == 0
    assert reading[-1] == 11
    assert reading == sorted(set(reading))
    assert len(reading) >= 9
    assert check[-1] == ("正在校验考核指标", 11, 11)
    saving = [w[1:] for w in written if w[0] == import_jobs.COMMIT and w[1] == "正在保存考核指标"]
    # One level of the tree at a time: 2 top-level items, 4 below them, 2 below those.
    assert [done for _stage, done, _total in saving] == [0, 2, 6, 8]
    assert {total for _stage, _done, total in saving} == {8}


# --- problems ----------------------------------------------------------------------------------


def test_the_check_lists_every_problem_by_cell_and_offers_no_confirm(world, login, scheme):
    client = login(world.office)
    rows = [item_row("一、", "基础工作", "十分")] + [
        item_row(f"（{n}）", f"指标{n}", 5) for n in "一二三四五"
    ]
    rows.append(item_row("二、", "工作成效", 10, None, "领导打分"))  # E10: unknown method

    job = checked(client, scheme, upload(workbook(rows)))

    assert job.status == JobStatus.SUCCEEDED  # the check worked; the file is wrong
    errors = {(p[1] + str(p[0]), p[4]) for p in job.result_data["problems"] if p[5] == "error"}
    assert errors == {("C4", "bad_score"), ("E10", "bad_method")}
    assert job.result_text == "文件有2处错误，未导入任何内容。请查看结果中按单元格列出的错误。"

    page = client.get(job.result_url)
    html = page.content.decode()
    assert not page.context["plan"].is_valid
    assert "“十分”" in html
    assert "C4" in html
    assert "E10" in html
    assert 'name="confirm"' not in html
    assert 'name="file"' in html  # upload the corrected file

    client.post(job.result_url, {"confirm": "1", "job": str(job.pk)})  # forged
    assert not Job.objects.filter(kind=import_jobs.COMMIT).exists()
    nothing_imported(scheme)


def test_a_commit_that_finds_errors_fails_with_them_and_saves_nothing(world, login, scheme):
    client = login(world.office)
    job = checked(client, scheme)
    # Meanwhile a colleague adds an item by hand: the file would now be imported into a
    # scheme with items, which it does not replace.
    services.item_save(
        actor=world.office, scheme=scheme, data={"title": "新增", "max_score": Decimal(5)}
    )

    client.post(job.result_url, {"confirm": "1", "job": str(job.pk)})

    commit = Job.objects.get(kind=import_jobs.COMMIT)
    assert commit.status == JobStatus.FAILED
    first, reason = commit.error.splitlines()
    assert first == "文件有1处错误，未导入任何内容。"
    assert reason == (
        "该考核方案已有1项考核指标。请勾选“替换现有考核指标”以文件内容替换，或导入到尚无考核指标的方案。"
    )
    nothing_imported(scheme, items=1)


def test_the_commit_is_refused_when_what_it_replaces_changed(world, login, design):
    client = login(world.office)
    scheme = design.scheme
    job = checked(client, scheme, replace="on")  # replaces 6 items
    services.item_save(
        actor=world.office, scheme=scheme, data={"title": "新增", "max_score": Decimal(5)}
    )

    client.post(job.result_url, {"confirm": "1", "job": str(job.pk)})

    commit = Job.objects.get(kind=import_jobs.COMMIT)
    assert commit.status == JobStatus.FAILED
    assert commit.error == "校验文件期间考核方案已被修改，请重新上传。"
    assert scheme.items.count() == 7
    assert not scheme.items.filter(title="建设脱毒种薯繁育基地").exists()


def test_the_commit_is_refused_when_the_stored_file_is_not_the_one_checked(world, login, scheme):
    client = login(world.office)
    job = checked(client, scheme)
    other = workbook([item_row(f"{n}", f"指标{n}", 5) for n in range(1, 20)])
    with open(job.input_file.file.path, "wb") as handle:
        handle.write(other)

    client.post(job.result_url, {"confirm": "1", "job": str(job.pk)})

    commit = Job.objects.get(kind=import_jobs.COMMIT)
    assert commit.status == JobStatus.FAILED
    assert commit.error == "服务器上保存的文件与校验时的文件不一致，未保存任何内容。请重新上传。"
    nothing_imported(scheme)


# --- exactly once -------------------------------------------------------------------------------


def test_confirming_twice_imports_once(world, login, scheme):
    client = login(world.office)
    job = checked(client, scheme)

    first = client.post(job.result_url, {"confirm": "1", "job": str(job.pk)})
    second = client.post(job.result_url, {"confirm": "1", "job": str(job.pk)})

    (commit,) = Job.objects.filter(kind=import_jobs.COMMIT)
    assert first.url == second.url == reverse("ops:job", args=[commit.pk])
    assert scheme.items.count() == 8
    assert AuditEvent.objects.filter(message="assessment items import").count() == 1


def test_a_worker_killed_after_the_commit_never_imports_again(world, login, scheme, monkeypatch):
    client = login(world.office)
    job = checked(client, scheme)
    held_back(monkeypatch)
    client.post(job.result_url, {"confirm": "1", "job": str(job.pk)})
    commit = Job.objects.get(kind=import_jobs.COMMIT)
    assert commit.status == JobStatus.QUEUED

    def killed(self):
        raise SystemExit("the worker is killed after the job's transaction committed")

    with monkeypatch.context() as patch:
        patch.setattr(jobs.Progress, "flush", killed)
        with pytest.raises(SystemExit):
            jobs.execute(commit.pk, "w1")

    commit.refresh_from_db()
    assert commit.status == JobStatus.SUCCEEDED  # marked inside the import's transaction
    assert jobs.execute(commit.pk, "w2") is None
    assert scheme.items.count() == 8
    assert AuditEvent.objects.filter(message="assessment items import").count() == 1


# --- who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona",
    [
        "potato_director",  # organises the scheme too, but did not start the job
        "brand_staff",
        "leader",
        "zhuozi_liaison",
        "sysadmin",
        "outsider",
    ],
)
def test_nobody_else_sees_or_confirms_the_plan(world, login, scheme, persona):
    job = checked(login(world.office), scheme)
    client = login(getattr(world, persona))

    assert client.get(job.result_url).status_code == 404
    assert client.post(import_url(scheme), {"confirm": "1", "job": str(job.pk)}).status_code == 404
    assert client.get(reverse("ops:job", args=[job.pk])).status_code == 404
    assert not Job.objects.filter(kind=import_jobs.COMMIT).exists()
    nothing_imported(scheme)


def test_a_plan_is_shown_only_on_its_own_schemes_page(world, login, scheme):
    client = login(world.office)
    job = checked(client, scheme)
    other = services.scheme_save(
        actor=world.office,
        office=world.potato,
        data={
            "title": "2023年度蔬菜产业考核",
            "year": YEAR,
            "period_start": datetime.date(YEAR, 1, 1),
            "period_end": datetime.date(YEAR, 12, 31),
        },
    )

    assert client.get(f"{import_url(other)}?job={job.pk}").status_code == 404
    assert client.post(import_url(other), {"confirm": "1", "job": str(job.pk)}).status_code == 404
    assert client.get(f"{import_url(scheme)}?job=nope").status_code == 404
    assert client.get(f"{import_url(scheme)}?job={uuid.uuid4()}").status_code == 404
    assert not Job.objects.filter(kind=import_jobs.COMMIT).exists()
    nothing_imported(other)


def lose_access(world) -> None:
    """The office member leaves the potato office."""
    RoleAssignment.objects.filter(user=world.office, role=Role.OFFICE_MEMBER).delete()


def test_an_owner_who_lost_access_before_the_commit_ran_gets_nothing_imported(
    world, login, scheme, monkeypatch
):
    client = login(world.office)
    job = checked(client, scheme)
    held_back(monkeypatch)
    client.post(job.result_url, {"confirm": "1", "job": str(job.pk)})
    commit = Job.objects.get(kind=import_jobs.COMMIT)
    lose_access(world)

    assert jobs.execute(commit.pk, "w1") == JobStatus.FAILED

    commit.refresh_from_db()
    assert commit.error == "您已无权管理该考核方案，未导入任何内容。"
    nothing_imported(scheme)


def test_an_owner_who_lost_access_before_the_check_ran_gets_no_plan(
    world, login, scheme, monkeypatch
):
    client = login(world.office)
    held_back(monkeypatch)
    client.post(import_url(scheme), {"file": realistic()})
    job = Job.objects.get(kind=import_jobs.CHECK)
    assert client.get(f"{import_url(scheme)}?job={job.pk}").url == reverse("ops:job", args=[job.pk])
    lose_access(world)

    assert jobs.execute(job.pk, "w1") == JobStatus.FAILED

    job.refresh_from_db()
    assert job.result_data is None
    assert job.error == "您已无权管理该考核方案，未导入任何内容。"


# --- costs ---------------------------------------------------------------------------------------


def test_the_jobs_and_the_plan_cost_the_same_whatever_the_items(world, login, scheme, monkeypatch):
    monkeypatch.setattr(jobs.Progress, "INTERVAL", 3600)  # progress at each stage only
    client = login(world.office)

    def sheet(parts: int):
        rows = []
        for n in range(1, parts + 1):
            rows.append(item_row(f"{n}", f"第{n}部分", 10, None, None, None, None, "卓资县"))
            rows += [
                item_row(f"{n}.{m}", f"指标{n}.{m}", 5, None, None, "标准", "材料", "化德县")
                for m in (1, 2)
            ]
        return upload(workbook(rows))

    def costs(parts: int) -> tuple[int, int, int]:
        Job.objects.all().delete()
        scheme.items.all().delete()
        with monkeypatch.context() as patch:
            held_back(patch)
            client.post(import_url(scheme), {"file": sheet(parts)})
            job = Job.objects.get(kind=import_jobs.CHECK)
            with CaptureQueriesContext(connection) as check:
                assert jobs.execute(job.pk, "w1") == JobStatus.SUCCEEDED
            with CaptureQueriesContext(connection) as page:
                client.get(f"{import_url(scheme)}?job={job.pk}")
            client.post(import_url(scheme), {"confirm": "1", "job": str(job.pk)})
            commit = Job.objects.get(kind=import_jobs.COMMIT)
            with CaptureQueriesContext(connection) as saving:
                assert jobs.execute(commit.pk, "w1") == JobStatus.SUCCEEDED
        assert scheme.items.count() == parts * 3
        return len(check), len(page), len(saving)

    # 6 items against 36 (one insert per level of the tree, as test_import measures).
    assert costs(2) == costs(12)


# --- the count that decides ---------------------------------------------------------------


def test_rows_to_read_without_reading_them():
    assert importer.rows_to_read(realistic()) == 14
    assert importer.rows_to_read(upload(b"not a workbook")) == 0
    assert importer.rows_to_read(upload(b"PK\x03\x04macros", "考核细则.xlsm")) == 0
    # A sheet that does not declare its size (some tools write none) cannot be counted
    # without reading it: it goes to the background.
    book = openpyxl.Workbook(write_only=True)
    book.create_sheet().append(["序号", "考核内容", "分值"])
    out = io.BytesIO()
    book.save(out)
    assert importer.rows_to_read(upload(out.getvalue())) is None
