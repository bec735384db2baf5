"""The public verification pages (no login): anyone checks a licence, by number, by
enterprise name or by the QR code printed on the packaging."""

from django.urls import path

from zhuanban.brand import views_public

app_name = "verify"

urlpatterns = [
    path("", views_public.search, name="search"),
    path("enterprises/", views_public.enterprises, name="enterprises"),
    path("<str:number>/", views_public.licence, name="licence"),
]
