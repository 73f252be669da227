from django.urls import path

from jiceng.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.home, name="home"),
    path("schemes/new/", views.scheme_new, name="scheme_new"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("schemes/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("problems/", views.problem_list, name="problems"),
    path("problems/new/", views.problem_new, name="problem_new"),
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("export/<str:name>/", views.export, name="export"),
    path("act/<str:lifecycle>/<int:pk>/<str:name>/", views.act, name="act"),
]
