from django.urls import path

from zhuanban.dispatch import views, views_excel, views_export

app_name = "dispatch"

urlpatterns = [
    path("", views.home, name="home"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/new/", views.indicator_edit, name="indicator_create"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator"),
    path("indicators/<slug:code>/edit/", views.indicator_edit, name="indicator_edit"),
    path("indicators/<slug:code>/targets/", views.targets_edit, name="targets"),
    path("indicators/<slug:code>/values/", views.values_edit, name="values"),
    path("tables/", views.templates, name="templates"),
    path("tables/new/", views.template_create, name="template_create"),
    path("tables/<int:pk>/", views.template_detail, name="template"),
    path("tables/<int:pk>/edit/", views.template_edit, name="template_edit"),
    path("tables/<int:pk>/rounds/new/", views.round_create, name="round_create"),
    path("tables/<int:pk>/schedule/", views.schedule_edit, name="schedule"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/urge/", views.round_urge, name="round_urge"),
    path("rounds/<int:pk>/lock/", views.round_lock, name="round_lock"),
    path("rounds/<int:pk>/summary/", views.consolidation, name="consolidation"),
    path(
        "rounds/<int:pk>/summary.xlsx",
        views_export.consolidation_export,
        name="consolidation_export",
    ),
    path("rounds/<int:pk>/snapshots/<int:snapshot_id>/", views.snapshot, name="snapshot"),
    path("rounds/<int:pk>/units/<int:unit_id>/", views.submission, name="submission"),
    path("rounds/<int:pk>/units/<int:unit_id>/act/", views.submission_act, name="submission_act"),
    path(
        "rounds/<int:pk>/units/<int:unit_id>/versions/",
        views.submission_versions,
        name="submission_versions",
    ),
    path(
        "rounds/<int:pk>/units/<int:unit_id>/download.xlsx",
        views_excel.download,
        name="submission_download",
    ),
    path(
        "rounds/<int:pk>/units/<int:unit_id>/upload/",
        views_excel.upload,
        name="submission_upload",
    ),
]
