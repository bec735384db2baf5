"""Stub: being built."""

from django.http import Http404


def licence_detail(request, *args, **kwargs):
    raise Http404


def licence_remove(request, *args, **kwargs):
    raise Http404


def licence_qr(request, *args, **kwargs):
    raise Http404


def certificate_docx(request, *args, **kwargs):
    raise Http404


def certificate_pdf(request, *args, **kwargs):
    raise Http404


def logo_use_add(request, *args, **kwargs):
    raise Http404


def logo_photo(request, *args, **kwargs):
    raise Http404


def register_xlsx(request, *args, **kwargs):
    raise Http404
