from django.urls import path

from zhuanban.supervision import views_export
from zhuanban.supervision import views_notices as views

# Included under the `supervision` namespace at /supervision/notices/.
urlpatterns = [
    path("", views.notice_list, name="notices"),
    path("new/", views.notice_create, name="notice_create"),
    path("<int:pk>/", views.notice_detail, name="notice"),
    path("<int:pk>/edit/", views.notice_edit, name="notice_edit"),
    path("<int:pk>/fill/", views.notice_fill, name="notice_fill"),
    path("<int:pk>/reasons/", views.notice_reason, name="notice_reason"),
    path("<int:pk>/act/<slug:action>/", views.notice_act, name="notice_act"),
    path("<int:pk>/issue/", views.notice_issue, name="notice_issue"),
    path("<int:pk>/reply/", views.notice_reply, name="notice_reply"),
    path("<int:pk>/correct/", views.notice_correct, name="notice_correct"),
    path("<int:pk>/files/<slug:kind>/", views.notice_file, name="notice_file"),
    path(
        "<int:pk>/replies/<int:rid>/files/<int:fid>/",
        views.notice_reply_file,
        name="notice_reply_file",
    ),
    path("export.xlsx", views_export.notices_export, name="notices_export"),
]
