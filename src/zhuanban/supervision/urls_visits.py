from django.urls import path

from zhuanban.supervision import views, views_export

# Included into the `supervision` namespace by supervision/urls.py.
urlpatterns = [
    path("", views.home, name="home"),
    path("groups/", views.group_list, name="groups"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/counts/", views.visit_counts, name="visit_counts"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/done/", views.visit_done, name="visit_done"),
    path("visits/<int:pk>/photos/", views.visit_photos, name="visit_photos"),
    path("visits/<int:pk>/report/", views.visit_report, name="visit_report"),
    path("visits/<int:pk>/findings/", views.finding_add, name="finding_add"),
    path("visits/<int:pk>/files/<int:file_id>/", views.visit_file, name="visit_file"),
    path("findings/<int:pk>/rectify/", views.finding_rectify, name="finding_rectify"),
    path("visits/counts.xlsx", views_export.visit_counts_export, name="visit_counts_export"),
    path("visits/<int:pk>/report.docx", views_export.visit_report_docx, name="visit_report_docx"),
    path("groups/<int:pk>/plan.xlsx", views_export.group_plan_export, name="group_plan_export"),
]
