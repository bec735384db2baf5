from django.urls import path

from zhuanban.org import views_audit

app_name = "audit"

urlpatterns = [
    path("", views_audit.event_list, name="list"),
    path("export.xlsx", views_audit.event_export, name="export"),
    path("verify/", views_audit.chain_verify, name="verify"),
    path("<int:pk>/", views_audit.event_detail, name="detail"),
]
