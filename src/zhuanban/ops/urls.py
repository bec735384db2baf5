from django.urls import path

from zhuanban.ops import views

app_name = "ops"

urlpatterns = [
    path("", views.jobs, name="jobs"),
    path("<uuid:pk>/", views.job, name="job"),
    path("<uuid:pk>/progress/", views.job_progress, name="job_progress"),
    path("<uuid:pk>/download/", views.job_download, name="job_download"),
    path("operations/", views.overview, name="overview"),
    path("operations/backup/", views.backup_start, name="backup_start"),
]
