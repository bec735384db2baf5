from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from zhuanban.core import notify
from zhuanban.core.models import Notification


@require_GET
@login_required
def notifications(request):
    page = Paginator(Notification.objects.filter(recipient=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "core/notifications.html", {"page": page})


@require_POST
@login_required
def notifications_read(request):
    notify.mark_read(request.user)
    return redirect("core:notifications")


@require_GET
@login_required
def notification_open(request, pk: int):
    """Mark one notification read and follow its link (only to this site)."""
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notify.mark_read(request.user, [note.pk])
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("core:notifications")
