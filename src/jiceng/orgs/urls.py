from django.urls import path

from jiceng.orgs import views

app_name = "orgs"

urlpatterns = [
    path("", views.org_tree, name="org_tree"),
    path("new/", views.org_new, name="org_new"),
    path("<int:pk>/", views.org_detail, name="org_detail"),
    path("<int:pk>/children/", views.org_children_partial, name="org_children"),
    path("<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("<int:pk>/move/", views.org_move, name="org_move"),
    path("<int:pk>/close/", views.org_close, name="org_close"),
    path("units/", views.unit_list_view, name="unit_list"),
    path("units/new/", views.unit_new, name="unit_new"),
    path("units/import/", views.unit_import, name="unit_import"),
    path("units/import/template.xlsx", views.unit_import_template, name="unit_import_template"),
    path("units/export/", views.unit_export, name="unit_export"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/move/", views.unit_move, name="unit_move"),
    path("units/<int:pk>/coverage/", views.unit_coverage, name="unit_coverage"),
    path("grids/", views.grid_list_view, name="grid_list"),
    path("grids/<int:pk>/", views.grid_detail, name="grid_detail"),
    path("grids/import/", views.grid_import, name="grid_import"),
    path("grids/import/template.xlsx", views.grid_import_template, name="grid_import_template"),
    path("grid-posts/<int:pk>/end/", views.grid_post_end, name="grid_post_end"),
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/<int:pk>/", views.committee_detail, name="committee_detail"),
    path(
        "part-time-members/<int:pk>/end/",
        views.part_time_member_end,
        name="part_time_member_end",
    ),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/export.xlsx", views.coverage_export, name="coverage_export"),
]
