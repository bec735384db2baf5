"""A URLconf with one endpoint that forgets its access check, for the suite's own test:
the checks must catch it."""

from django.http import HttpResponse
from django.urls import include, path

from zhuanban.tasks.models import Task


def leaky_task(request, pk: int):
    # No access helper: any signed-in user reads any task. What the suite must catch.
    return HttpResponse(Task.objects.get(pk=pk).content)


urlpatterns = [
    path("leaky/<int:pk>/", leaky_task, name="leaky"),
    path("", include("zhuanban.urls")),
]
