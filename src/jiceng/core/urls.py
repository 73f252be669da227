from django.urls import path

from jiceng.core import audit_views as views

app_name = "core"

urlpatterns = [
    path("", views.audit, name="audit"),
    path("export/", views.audit_export, name="audit_export"),
]
