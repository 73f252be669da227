from django.urls import path

from jiceng.linkage import views

app_name = "linkage"

urlpatterns = [
    path("", views.received_list, name="inbox_tasks"),
    path("received/<int:pk>/", views.received_detail, name="received"),
    path(
        "received/<int:pk>/attachments/<int:attachment_id>/",
        views.received_attachment,
        name="received_attachment",
    ),
    path("dispatches/", views.dispatch_list, name="dispatches"),
    path("dispatches/new/", views.dispatch_new, name="dispatch_new"),
    path("dispatches/<int:pk>/", views.dispatch_detail, name="dispatch"),
    path("dispatches/<int:pk>/reports/<int:report_id>/", views.report_detail, name="report"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("act/<str:lifecycle>/<int:pk>/<str:name>/", views.act, name="act"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("notifications/preferences/", views.preferences, name="preferences"),
]
