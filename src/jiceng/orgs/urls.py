from django.urls import path

from jiceng.orgs import views

app_name = "orgs"

urlpatterns = [
    path("", views.org_tree, name="org_tree"),
    path("<int:pk>/", views.org_detail, name="org_detail"),
    path("<int:pk>/children/", views.org_children_partial, name="org_children"),
    path("units/", views.unit_list_view, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/export.xlsx", views.coverage_export, name="coverage_export"),
]
