"""Sections drafted from live data. Each generator reads through the other apps'
selectors, as the user who asks (so a draft never holds what its author may not see),
and answers a `Draft`: a heading, Chinese text in the bureau's style, and the links to
the records behind each figure. Staff then edit the text; a published issue keeps it.

GENERATORS is the registry the bulletin editor and the report templates offer.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass
class Link:
    label: str  # the figure as the text prints it: "76项"
    url: str  # the screen that lists the records behind it


@dataclass
class Draft:
    heading: str
    body: str  # paragraphs separated by a blank line
    links: list[Link] = field(default_factory=list)

    def links_json(self) -> list[dict]:
        return [{"label": link.label, "url": link.url} for link in self.links]


@dataclass(frozen=True)
class Generator:
    key: str
    label: str  # translated lazily: what the editor's menu shows
    draft: object  # (user, params: dict, as_of: date) -> Draft; raises ValidationError
    params: tuple[str, ...] = ()  # the parameters it takes ("task_list", "round", "unit")


GENERATORS: dict[str, Generator] = {}


def register(generator: Generator) -> Generator:
    GENERATORS[generator.key] = generator
    return generator


def generate(source: str, *, user, params: dict, as_of: datetime.date) -> Draft:
    generator = GENERATORS.get(source)
    if generator is None:
        raise ValidationError({"source": _("Choose what to draft the section from.")})
    return generator.draft(user, params, as_of)
