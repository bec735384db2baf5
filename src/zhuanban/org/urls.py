from django.urls import path

from zhuanban.org import views

app_name = "org"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("offices/<int:pk>/", views.office_detail, name="office"),
    path("offices/<int:pk>/edit/", views.office_edit, name="office_edit"),
    path("chains/", views.chain_list, name="chains"),
    path("chains/<slug:code>/", views.chain_detail, name="chain"),
]
