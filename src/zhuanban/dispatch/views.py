"""Dispatch screens."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404


home = indicators = indicator_detail = templates = template_create = template_detail = _todo
template_edit = round_create = round_detail = round_urge = round_lock = consolidation = _todo
snapshot = submission = submission_act = submission_versions = _todo
