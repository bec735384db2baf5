"""The work summary tells the seed's last paragraph from the demo's data: 76 measures with
25 completed, 120 activities attracting 104 projects, 83 licensees and 11 notices (the
demo's today), and cattle and dairy against their annual targets (its 2023 dispatch
history, as of the end of June) — each figure linked to the records behind it."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from zhuanban.reports import summary
from zhuanban.supervision.models import IssuingAuthority
from zhuanban.tasks.models import TaskList

BASE_LIST = "乌兰察布市建设重要农畜产品生产加工基地2023年重点任务单"


def _leader():
    return get_user_model().objects.get(username="leader")


def _links(draft) -> dict[str, str]:
    return {link.label: link.url for link in draft.links}


@pytest.mark.usefixtures("loaded", "db")
class TestSummaryDemo:
    def test_todays_summary_holds_the_seeds_figures_with_their_links(self):
        today = timezone.localdate()
        year = today.year
        draft = summary.work_summary(_leader(), unit=None, as_of=today)
        body, links = draft.body, _links(draft)
        base = TaskList.objects.get(title=BASE_LIST)
        authority = IssuingAuthority.objects.get(name="市委农牧办")
        # 全市建设…重点任务具体落实措施76项已完成25项
        assert f"{BASE_LIST}" in body
        assert "76项已完成25项" in body
        assert links["76项"] == f"/tasks/?task_list={base.pk}&leaves=1"
        assert links["已完成25项"] == f"/tasks/?task_list={base.pk}&status=closed&leaves=1"
        # 农牧领域共开展招商引资活动120次，招引项目104个
        assert "120次" in body
        assert links["120次"] == f"/investment/activities/?year={year}"
        assert "104个" in body
        assert links["104个"] == f"/investment/projects/?year={year}"
        # 品牌授权企业达83家
        assert "83家" in body
        assert links["83家"] == "/brand/?licensed=yes"
        # 以市委农牧办名义下发督办通报11份: the ten supervision notices and the commendation
        # the demo issued this year (a draft and one in review are not counted).
        assert "市委农牧办" in body
        assert "11份" in body
        assert "1份" in body.split("11份", 1)[1]  # of which one commendation
        assert links["11份"] == f"/supervision/notices/?year={year}&authority={authority.pk}"
        assert not re.search(r"(?<![\d.])0[项个次家份]", body)  # never a clause of nothing

    def test_cattle_and_dairy_at_the_end_of_june_2023(self):
        draft = summary.work_summary(_leader(), unit=None, as_of=datetime.date(2023, 6, 30))
        body, links = draft.body, _links(draft)
        # 肉牛存栏增加7.8万头、完成年度任务的三分之二以上 (7.80 of 11.5: 67.8%)
        assert "7.8万头、完成年度任务的三分之二以上" in body
        assert links["7.8万头"] == "/dispatch/indicators/beef_increase/?year=2023&as_of=2023-06-30"
        # 奶牛存栏增加0.75万头、完成年度任务的一半以上 (0.75 of 1.45: 51.7%)
        assert "0.75万头、完成年度任务的一半以上" in body
        assert links["0.75万头"] == (
            "/dispatch/indicators/dairy_increase/?year=2023&as_of=2023-06-30"
        )

    def test_a_county_liaison_reads_their_countys_summary_only(self):
        liaison = get_user_model().objects.get(username="zhuozi")
        (county,) = summary.summary_choices(liaison).counties
        draft = summary.work_summary(liaison, unit=county, as_of=datetime.date(2023, 6, 30))
        assert county.name in draft.body
        assert "居全市第" in draft.body
        assert "7.8万头" not in draft.body
