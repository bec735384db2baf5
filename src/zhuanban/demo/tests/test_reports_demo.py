"""The reports demo: the bulletin series the seed names, their issues numbered 第1期… per
series and year without a gap, each published as a .docx in the bulletin format, sections
drafted from the demo's own data (the base's 76 measures with 25 done, the 120 promotion
activities, the licensees, the June livestock round), a fourth 信息动态 being composed, and
the two report templates filled from data."""

import datetime
import shutil
from collections import defaultdict
from io import BytesIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from docx import Document

from zhuanban.brand.models import Licence
from zhuanban.demo import dispatch_data, reports_data
from zhuanban.dispatch.models import REPORTED_STATES, DispatchRound
from zhuanban.investment.models import Activity
from zhuanban.reports import generators
from zhuanban.reports.lifecycle import BulletinStatus
from zhuanban.reports.models import Bulletin, ReportTemplate, Section, Series, SeriesYear
from zhuanban.reports.scoping import visible_bulletins
from zhuanban.tasks.lifecycle import Status
from zhuanban.tasks.models import Task


def _user(username):
    return get_user_model().objects.get(username=username)


def _text(stored) -> str:
    with stored.file.open("rb") as handle:
        document = Document(BytesIO(handle.read()))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs]
    return "\n".join(parts)


def _measures(title: str):
    return Task.objects.filter(task_list__title=title).leaves()


@pytest.mark.usefixtures("loaded", "db")
class TestReportsDemo:
    def test_the_series_the_seed_names_with_their_issuing_units(self):
        series = {s.name: (s.kind, s.issuer.code) for s in Series.objects.select_related("issuer")}
        assert series == {
            "信息动态": ("news", "bureau"),
            "专报": ("special", "bureau"),
            "工作台账": ("ledger", "office-base"),
            "调度通报": ("dispatch", "office-base"),
            "马铃薯工作动态": ("news", "office-potato"),
        }

    def test_issues_are_numbered_from_one_per_series_and_year_without_a_gap(self):
        today = timezone.localdate()
        numbers = defaultdict(list)
        published = Bulletin.objects.filter(status=BulletinStatus.PUBLISHED)
        for issue in published.order_by("issue_date", "pk"):
            assert issue.issue_date <= today, issue
            assert issue.year == issue.issue_date.year
            numbers[(issue.series.name, issue.year)].append(issue.number)
        # Numbered in the order they were published, 1..N, none given twice or skipped.
        for key, got in numbers.items():
            assert got == list(range(1, len(got) + 1)), key
        # The counters agree: the next number of each series' year is N + 1.
        for (name, year), got in numbers.items():
            counter = SeriesYear.objects.get(series__name=name, year=year)
            assert counter.last_number == len(got), (name, year)
        per_series = defaultdict(int)
        for (name, _year), got in numbers.items():
            per_series[name] += len(got)
        assert dict(per_series) == {
            "信息动态": 3,
            "专报": 2,
            "工作台账": 3,
            "调度通报": 2,
            "马铃薯工作动态": 2,
        }
        # The 调度通报 are 2023's, on the May and June rounds.
        assert numbers[("调度通报", dispatch_data.YEAR)] == [1, 2]

    def test_the_fourth_news_issue_is_being_composed(self):
        (draft,) = Bulletin.objects.filter(status=BulletinStatus.DRAFT)
        assert draft.series.name == "信息动态"
        assert (draft.number, draft.year, draft.issue_date, draft.docx_id) == (
            None,
            None,
            None,
            None,
        )
        assert draft.sections.count() == 2
        # The leaders compose it; a county reads the published issues, not the draft.
        assert visible_bulletins(_user("leader")).filter(pk=draft.pk).exists()
        zhuozi = visible_bulletins(_user("zhuozi"))
        assert not zhuozi.filter(pk=draft.pk).exists()
        assert zhuozi.count() == Bulletin.objects.filter(status=BulletinStatus.PUBLISHED).count()

    def test_each_published_issue_is_a_docx_with_its_series_number_and_text(self):
        issues = Bulletin.objects.filter(status=BulletinStatus.PUBLISHED).select_related(
            "series", "docx", "pdf"
        )
        assert issues.count() == 12
        for issue in issues:
            text = _text(issue.docx)
            assert issue.series.name in text, issue
            assert f"第{issue.number}期" in text, issue
            assert issue.title in text, issue
            first = issue.sections.order_by("position", "pk").first()
            assert first.body.split("\n")[0][:20] in text, issue
            assert issue.docx.name.endswith(".docx")
            # What the archive searches: the text as published.
            assert first.body[:20] in issue.search_text

    def test_the_latest_news_issue_has_its_pdf_the_others_their_docx(self):
        if not (settings.BULLETIN_PDF and shutil.which(settings.SOFFICE_BINARY)):
            pytest.skip("LibreOffice is not installed: the issues have their .docx only")
        published = Bulletin.objects.filter(status=BulletinStatus.PUBLISHED)
        latest = published.filter(series__name="信息动态").first()
        with latest.pdf.file.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"
        # The others keep their .docx, the document of record (the demo's load time).
        assert list(published.filter(pdf__isnull=False)) == [latest]

    def test_issues_are_dated_on_their_day(self):
        for issue in Bulletin.objects.filter(status=BulletinStatus.PUBLISHED):
            assert timezone.localtime(issue.published_at).date() == issue.issue_date
            assert issue.created_at < issue.published_at
        for section in Section.objects.filter(generated_at__isnull=False).select_related(
            "bulletin"
        ):
            if section.bulletin.issue_date:
                assert timezone.localtime(section.generated_at).date() < section.bulletin.issue_date

    def test_every_source_the_demo_names_was_drafted_from_data(self):
        named = {
            section.source
            for issue in reports_data.ISSUES
            for section in issue.sections
            if isinstance(section, reports_data.Drafted)
        }
        assert named <= set(generators.GENERATORS), "a generator is missing: drafted by hand"
        drafted = set(Section.objects.exclude(source="").values_list("source", flat=True))
        assert drafted == named
        for section in Section.objects.exclude(source=""):
            assert section.body, section.source
            # Each figure links to the records behind it (a "no unit lags" has none).
            if section.source != "lagging":
                assert section.links, section.source
            assert all(link["url"].startswith("/") for link in section.links)

    def test_the_ledger_counts_the_base_lists_measures(self):
        measures = _measures(reports_data.BASE_LIST)
        total, closed = measures.count(), measures.filter(status=Status.CLOSED).count()
        assert (total, closed) == (76, 25)
        sections = Section.objects.filter(bulletin__series__name="工作台账", source="task_progress")
        assert sections.count() == 3
        for section in sections:
            assert f"{total}项" in section.body
            assert f"已完成{closed}项" in section.body
            assert reports_data.BASE_LIST in section.body

    def test_the_investment_news_counts_the_years_activities(self):
        for issue in Bulletin.objects.filter(series__name="专报"):
            day = issue.issue_date
            held = Activity.objects.filter(date__year=day.year, date__lte=day).count()
            section = issue.sections.get(source="investment")
            assert f"{held}次" in section.body, (day, held)
        latest = Bulletin.objects.filter(series__name="专报").first()
        # By the story's day every one of the seed's 120 activities was held.
        assert "120次" in latest.sections.get(source="investment").body

    def test_the_brand_section_counts_the_licences_valid_on_the_day(self):
        section = Section.objects.get(source="brand")
        day = section.bulletin.issue_date
        assert f"{Licence.objects.valid_on(day).count()}家" in section.body

    def test_the_dispatch_bulletin_names_who_did_not_report_in_june(self):
        june = DispatchRound.objects.get(
            template__code=reports_data.LIVESTOCK_TABLE, year=dispatch_data.YEAR, period_number=6
        )
        missing = list(
            june.submissions.exclude(status__in=REPORTED_STATES).values_list(
                "unit__name", flat=True
            )
        )
        assert missing == ["四子王旗"]
        issue = Bulletin.objects.get(series__name="调度通报", number=2, year=dispatch_data.YEAR)
        section = issue.sections.get(source="dispatch_round")
        assert section.params["round"] == june.pk
        assert "四子王旗" in section.body
        assert issue.issue_date == datetime.date(dispatch_data.YEAR, 7, 12)

    def test_the_report_templates_fill_from_data(self, client):
        potato = ReportTemplate.objects.get(title="马铃薯产业发展示范区建设进展情况")
        cattle = ReportTemplate.objects.get(title="肉牛奶牛产业发展情况")
        assert (potato.office.code, cattle.office.code) == ("office-potato", "office-cattle")
        assert [s["heading"] for s in potato.sections] == [
            "一、基本情况",
            "二、重点任务进展",
            "三、指标完成情况",
            "四、招商引资",
            "五、下一步工作",
        ]
        sources = [s["source"] for s in potato.sections]
        assert sources == ["", "task_progress", "work_summary", "investment", ""]
        cattle_sources = [s["source"] for s in cattle.sections]
        assert cattle_sources == ["", "dispatch_round", "work_summary", "lagging", ""]
        # Filled for the potato office's member: the list's measures counted from data.
        measures = _measures(reports_data.POTATO_LIST).count()
        client.force_login(_user("office"))
        page = client.get(reverse("reports:template", args=[potato.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert f"{measures}项" in html
        assert "马铃薯国家优势特色产业集群项目成功获批" in html  # the fixed text
        # The cattle office fills its own from the June livestock round: who did not report.
        june = DispatchRound.objects.get(pk=cattle.sections[1]["params"]["round"])
        assert (june.template.code, june.year, june.period_number) == (
            reports_data.LIVESTOCK_TABLE,
            dispatch_data.YEAR,
            6,
        )
        missing = june.submissions.exclude(status__in=REPORTED_STATES).values_list(
            "unit__name", flat=True
        )
        client.force_login(_user("cattle-dir"))
        html = client.get(reverse("reports:template", args=[cattle.pk])).content.decode()
        assert list(missing) == ["四子王旗"]
        assert "四子王旗" in html
        # A county liaison finds neither.
        client.force_login(_user("zhuozi"))
        assert client.get(reverse("reports:template", args=[potato.pk])).status_code == 404
