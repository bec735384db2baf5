from django.urls import path

from zhuanban.core import views

app_name = "core"

urlpatterns = [
    path("", views.notifications, name="notifications"),
    path("read/", views.notifications_read, name="notifications_read"),
    path("<int:pk>/open/", views.notification_open, name="notification_open"),
]
