"""Building notices for the tests, on top of the shared personas (`world`): the potato
office (马晓静, member) drafts; its director (张海龙) or a leader (王振华) reviews."""

import datetime

from django.utils import timezone

from zhuanban.supervision import notice_services as services
from zhuanban.supervision.lifecycle import NoticeAction
from zhuanban.supervision.models import IssuingAuthority, NoticeKind, ReasonKind


def today() -> datetime.date:
    return timezone.localdate()


def authority(prefix: str = "乌农牧督", name: str = "市委农牧办", **fields) -> IssuingAuthority:
    return IssuingAuthority.objects.create(
        name=name,
        header=fields.pop("header", "中共乌兰察布市委农村牧区工作办公室"),
        number_prefix=prefix,
        **fields,
    )


def draft(world, *, by=None, units=None, issuer=None, **fields):
    """A supervision notice draft of the potato office about 卓资县 (by default)."""
    values = {
        "office": world.potato,
        "authority": issuer or IssuingAuthority.objects.order_by("pk").first() or authority(),
        "kind": NoticeKind.SUPERVISION,
        "title": "关于马铃薯种薯基地建设进度滞后的督办通报",
        "addressees": "各旗县市区农牧局",
        "units": [world.zhuozi] if units is None else units,
        "opening": "为推动重点任务落实，市农牧局对各地任务完成情况进行了调度。",
        "closing": "特此通报。",
        "reply_deadline": today() + datetime.timedelta(days=14),
        "requirements": ["立即组织整改，明确完成时限"],
    }
    values |= fields
    return services.notice_create(actor=by or world.office, **values)


def with_reason(world, notice, unit=None, text="种薯基地建设进度滞后于计划。"):
    services.notice_reason_save(
        actor=world.office,
        notice=notice,
        unit=unit or world.zhuozi,
        kind=ReasonKind.OTHER,
        text=text,
    )
    return notice


def submitted(world, notice=None, *, by=None, **fields):
    notice = notice or with_reason(world, draft(world, **fields))
    return services.notice_act(actor=by or world.office, notice=notice, action=NoticeAction.SUBMIT)


def issued(world, notice=None, *, by=None, **fields):
    """Drafted and submitted by the office member, issued by the director."""
    notice = submitted(world, notice, **fields)
    return services.notice_issue(actor=by or world.potato_director, notice=notice)
