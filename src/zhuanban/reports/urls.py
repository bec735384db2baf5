from django.urls import path

from zhuanban.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("office/<int:pk>/", views.office_dashboard, name="office_dashboard"),
    path("county/<int:pk>/", views.county_dashboard, name="county_dashboard"),
    path("summary/", views.work_summary, name="summary"),
    path("bulletins/", views.bulletin_list, name="bulletins"),
    path("bulletins/new/", views.bulletin_create, name="bulletin_create"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/edit/", views.bulletin_edit, name="bulletin_edit"),
    path("bulletins/<int:pk>/sections/new/", views.section_add, name="section_add"),
    path("bulletins/<int:pk>/sections/<int:section>/", views.section_edit, name="section_edit"),
    path(
        "bulletins/<int:pk>/sections/<int:section>/delete/",
        views.section_delete,
        name="section_delete",
    ),
    path("bulletins/<int:pk>/publish/", views.bulletin_publish, name="bulletin_publish"),
    path("bulletins/<int:pk>/delete/", views.bulletin_delete, name="bulletin_delete"),
    path("bulletins/<int:pk>/docx/", views.bulletin_docx, name="bulletin_docx"),
    path("bulletins/<int:pk>/pdf/", views.bulletin_pdf, name="bulletin_pdf"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/", views.template_detail, name="template"),
    path("templates/<int:pk>/docx/", views.template_docx, name="template_docx"),
]
