from django.urls import path

from zhuanban.assessment import views, views_export, views_import, views_scores

app_name = "assessment"

urlpatterns = [
    # Schemes (views.py)
    path("", views.scheme_list, name="home"),
    path("new/", views.scheme_create, name="scheme_create"),
    path("<int:pk>/", views.scheme_detail, name="scheme"),
    path("<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("<int:pk>/units/", views.scheme_units, name="scheme_units"),
    path("<int:pk>/act/", views.scheme_act, name="scheme_act"),
    path("<int:pk>/compute/", views.scheme_compute, name="scheme_compute"),
    path("<int:pk>/items/new/", views.item_create, name="item_create"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("<int:pk>/gaps/", views.evidence_gaps, name="evidence_gaps"),
    # Import (views_import.py)
    path("<int:pk>/import/", views_import.scheme_import, name="scheme_import"),
    path("import-template.xlsx", views_import.import_template, name="import_template"),
    # A unit's scorecard, scores and evidence (views_scores.py)
    path("units/<int:pk>/", views_scores.participant_detail, name="participant"),
    path("units/<int:pk>/act/", views_scores.participant_act, name="participant_act"),
    path(
        "units/<int:pk>/items/<int:item_pk>/evidence/",
        views_scores.evidence_add,
        name="evidence_add",
    ),
    path("scores/<int:pk>/self/", views_scores.score_self, name="score_self"),
    path("scores/<int:pk>/review/", views_scores.score_review, name="score_review"),
    path("scores/<int:pk>/basis/", views_scores.score_basis, name="score_basis"),
    path("scores/<int:pk>/rectify/", views_scores.score_rectify, name="score_rectify"),
    path("evidence/<int:pk>/", views_scores.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", views_scores.evidence_remove, name="evidence_remove"),
    # Exports (views_export.py)
    path("<int:pk>/scores.xlsx", views_export.scheme_scores, name="export_scores"),
    path("units/<int:pk>/scores.xlsx", views_export.participant_scores, name="export_participant"),
    path("units/<int:pk>/bundle.zip", views_export.evidence_bundle, name="export_bundle"),
]
