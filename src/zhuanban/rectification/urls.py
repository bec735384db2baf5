from django.urls import path

from zhuanban.rectification import views, views_export

app_name = "rectification"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/respond/", views.item_respond, name="respond"),
    path("<int:pk>/act/<slug:action>/", views.item_act, name="act"),
    path("<int:pk>/extend/", views.item_extend, name="extend"),
    path("<int:pk>/comment/", views.item_comment, name="comment"),
    path("<int:pk>/files/<int:file_id>/", views.item_file, name="file"),
    path("export.xlsx", views_export.ledger_export, name="export"),
]
