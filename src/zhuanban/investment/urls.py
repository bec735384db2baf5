from django.urls import path

from zhuanban.investment import views, views_activities, views_exports, views_upward

app_name = "investment"

urlpatterns = [
    # The pipeline, projects and stage clocks (views.py)
    path("", views.pipeline, name="home"),
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/notice/", views.projects_notice, name="projects_notice"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/move/", views.project_move, name="project_move"),
    path("projects/<int:pk>/report/", views.project_report, name="project_report"),
    path("projects/<int:pk>/urge/", views.project_urge, name="project_urge"),
    path("evidence/<int:event_pk>/<int:file_pk>/", views.evidence_download, name="evidence"),
    path("clocks/", views.clock_list, name="clocks"),
    path("clocks/<str:stage>/", views.clock_edit, name="clock_edit"),
    # Promotion activities (views_activities.py)
    path("activities/", views_activities.activity_list, name="activities"),
    path("activities/new/", views_activities.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views_activities.activity_detail, name="activity"),
    path("activities/<int:pk>/edit/", views_activities.activity_edit, name="activity_edit"),
    # Upward applications (views_upward.py)
    path("upward/", views_upward.upward_list, name="upward_list"),
    path("upward/new/", views_upward.upward_create, name="upward_create"),
    path("upward/<int:pk>/", views_upward.upward_detail, name="upward"),
    path("upward/<int:pk>/edit/", views_upward.upward_edit, name="upward_edit"),
    path("upward/<int:pk>/act/", views_upward.upward_act, name="upward_act"),
    # The two ledgers (views_exports.py)
    path("export/signed.xlsx", views_exports.signed_projects_xlsx, name="export_signed"),
    path("export/upward.xlsx", views_exports.upward_xlsx, name="export_upward"),
]
