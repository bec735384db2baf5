from django.urls import include, path

app_name = "supervision"

# Visits and groups (urls_visits.py) and notices (urls_notices.py) under one namespace.
urlpatterns = [
    path("", include("zhuanban.supervision.urls_visits")),
    path("notices/", include("zhuanban.supervision.urls_notices")),
]
