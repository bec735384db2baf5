from django.urls import path

from zhuanban.brand import views, views_licences, views_reviews

app_name = "brand"

urlpatterns = [
    # The register, enterprises and authorization applications (views.py)
    path("", views.register, name="home"),
    path("enterprises/new/", views.enterprise_create, name="enterprise_create"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:pk>/apply/", views.application_create, name="application_create"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/attach/", views.application_attach, name="application_attach"),
    path("applications/<int:pk>/act/", views.application_act, name="application_act"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    # Licences, logo use and the exports (views_licences.py)
    path("licences/<int:pk>/", views_licences.licence_detail, name="licence"),
    path("licences/<int:pk>/remove/", views_licences.licence_remove, name="licence_remove"),
    path("licences/<int:pk>/qr.svg", views_licences.licence_qr, name="licence_qr"),
    path(
        "licences/<int:pk>/certificate.docx",
        views_licences.certificate_docx,
        name="certificate_docx",
    ),
    path(
        "licences/<int:pk>/certificate.pdf", views_licences.certificate_pdf, name="certificate_pdf"
    ),
    path("licences/<int:pk>/logo/new/", views_licences.logo_use_add, name="logo_use_add"),
    path("logo-photos/<int:pk>/", views_licences.logo_photo, name="logo_photo"),
    path("register.xlsx", views_licences.register_xlsx, name="register_xlsx"),
    # Annual re-review and sales (views_reviews.py)
    path("reviews/", views_reviews.round_list, name="rounds"),
    path("reviews/new/", views_reviews.round_open, name="round_open"),
    path("reviews/<int:year>/", views_reviews.round_detail, name="round"),
    path("reviews/item/<int:pk>/", views_reviews.review_detail, name="review"),
    path("reviews/item/<int:pk>/report/", views_reviews.review_submit, name="review_submit"),
    path("reviews/item/<int:pk>/act/", views_reviews.review_act, name="review_act"),
    path(
        "reviews/item/<int:pk>/evidence/<int:file_pk>/",
        views_reviews.review_evidence,
        name="review_evidence",
    ),
    path("sales/", views_reviews.sales, name="sales"),
    path("sales/<int:pk>/", views_reviews.sales_save, name="sales_save"),
]
