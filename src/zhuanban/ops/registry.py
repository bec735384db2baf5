"""The kinds of background job. A domain app registers the function that does one kind
of long work; `ops.services.start` queues it and a worker runs it.

    @registry.register("tasks.import_check", unit=_("rows"))
    def check(job: Job, progress: Progress) -> Outcome: ...

The function reads its input from `job.params` / `job.input_file` (never from objects
passed in memory: the worker is another process), reports progress, and returns an
`Outcome`. It raises `JobError` with a message for the user when the work cannot be
done. A kind that changes data does its writes in one transaction and calls
`ops.services.succeed(job, outcome)` inside it, so that a worker killed after the
commit can never have the job run again."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class JobError(Exception):
    """A reason the user can act on ("上传的文件已不存在…"), shown as the job's failure."""


@dataclass
class Outcome:
    text: str = ""
    url: str = ""
    file: Any = None  # a core.StoredFile (see services.store_result)
    data: Any = None


@dataclass(frozen=True)
class JobKind:
    name: str
    run: Callable
    unit: str = ""  # what `done` and `total` count, e.g. gettext_lazy("rows")
    extra: dict = field(default_factory=dict)


_KINDS: dict[str, JobKind] = {}


def register(name: str, *, unit: str = "") -> Callable:
    def decorate(run: Callable) -> Callable:
        if name in _KINDS and _KINDS[name].run is not run:
            raise ValueError(f"job kind {name!r} is registered twice")
        _KINDS[name] = JobKind(name=name, run=run, unit=unit)
        return run

    return decorate


def get(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise JobError(f"unknown job kind {name!r}") from None


def names() -> list[str]:
    return sorted(_KINDS)
