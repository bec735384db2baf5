from django.urls import path

from zhuanban.documents import views, views_export, views_meetings, views_rounds

app_name = "documents"

urlpatterns = [
    # Documents and their versions (views.py)
    path("", views.document_list, name="home"),
    path("new/", views.document_create, name="document_create"),
    path("<int:pk>/", views.document_detail, name="document"),
    path("<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("<int:pk>/act/", views.document_act, name="document_act"),
    path("<int:pk>/versions/new/", views.version_add, name="version_add"),
    path("<int:pk>/compare/", views.compare, name="compare"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("versions/<int:pk>/edit/", views.version_edit, name="version_edit"),
    path("versions/<int:pk>/download/", views.version_download, name="version_download"),
    # Opinion rounds (views_rounds.py)
    path("<int:pk>/rounds/new/", views_rounds.round_open, name="round_open"),
    path("rounds/<int:pk>/", views_rounds.round_detail, name="round"),
    path("rounds/<int:pk>/urge/", views_rounds.round_urge, name="round_urge"),
    path("rounds/<int:pk>/close/", views_rounds.round_close, name="round_close"),
    path("answers/<int:pk>/", views_rounds.answer, name="answer"),
    path("opinions/<int:pk>/decide/", views_rounds.opinion_decide, name="opinion_decide"),
    path("my-opinions/", views_rounds.inbox, name="inbox"),
    # The opinion adoption table (views_export.py)
    path("<int:pk>/adoption.xlsx", views_export.adoption_xlsx, name="adoption_xlsx"),
    path("<int:pk>/adoption.docx", views_export.adoption_docx, name="adoption_docx"),
    # Meetings and agenda topics (views_meetings.py)
    path("meetings/", views_meetings.meeting_list, name="meetings"),
    path("meetings/new/", views_meetings.meeting_create, name="meeting_create"),
    path("meetings/counts/", views_meetings.topic_counts, name="topic_counts"),
    path("meetings/<int:pk>/", views_meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views_meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/act/", views_meetings.meeting_act, name="meeting_act"),
    path("meetings/<int:pk>/minutes.docx", views_export.minutes_docx, name="minutes_docx"),
    path("meetings/<int:pk>/topics/new/", views_meetings.topic_submit, name="topic_submit"),
    path("topics/<int:pk>/", views_meetings.topic_detail, name="topic"),
    path("topics/<int:pk>/edit/", views_meetings.topic_edit, name="topic_edit"),
    path("topics/<int:pk>/act/", views_meetings.topic_act, name="topic_act"),
    path("topics/<int:pk>/decide/", views_meetings.topic_decide, name="topic_decide"),
    path("topics/<int:pk>/tasks/new/", views_meetings.decision_task, name="decision_task"),
    path(
        "topics/<int:pk>/materials/<int:file_pk>/",
        views_meetings.topic_material,
        name="topic_material",
    ),
]
