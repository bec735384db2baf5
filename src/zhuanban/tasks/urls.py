from django.urls import path

from zhuanban.tasks import views, views_export, views_import

app_name = "tasks"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("export.xlsx", views_export.ledger_export, name="export"),
    path("inbox/", views.inbox, name="inbox"),
    path("candidates/", views.candidates, name="candidates"),
    path("lists/", views.list_index, name="lists"),
    path("lists/new/", views.list_create, name="list_create"),
    path("lists/<int:pk>/", views.list_detail, name="list"),
    path("lists/<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("lists/<int:pk>/import/", views_import.import_upload, name="import"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/edit/", views.task_edit, name="edit"),
    path("<int:pk>/act/<slug:action>/", views.task_act, name="act"),
    path("<int:pk>/report/", views.task_report, name="report"),
    path("<int:pk>/extension/", views.extension_request, name="extension"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("<int:pk>/comment/", views.task_comment, name="comment"),
    path("<int:pk>/files/<int:file_id>/", views.task_file, name="file"),
]
