from django.urls import path

from jiceng.members import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.member_new, name="new"),
    path("me/", views.member_me, name="me"),
    path("<int:pk>/account/", views.member_account, name="account"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/reveal/", views.member_reveal, name="reveal"),
    path("<int:pk>/data-access/", views.member_data_access, name="data_access"),
    path("<int:pk>/transfer/", views.member_transfer, name="transfer"),
    path("<int:pk>/outflow/", views.member_outflow, name="outflow"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/<str:decision>/", views.transfer_decide, name="transfer_decide"),
    path("mobile/", views.mobile, name="mobile"),
    path("mobile/<str:kind>/<int:pk>/", views.mobile_action, name="mobile_action"),
    path("dual/", views.dual, name="dual"),
    path("dual/<int:pk>/<str:kind>/", views.dual_action, name="dual_action"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export.xlsx", views.statistics_export, name="statistics_export"),
    path("import/", views.member_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("export.xlsx", views.member_export, name="export"),
    path("export/full/", views.member_export_full, name="export_full"),
]
