from django.urls import path

from jiceng.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.weak_orgs, name="weak_orgs"),
    path("weak-orgs/<int:pk>/", views.weak_org_detail, name="weak_org"),
    path("weak-orgs/evaluate/", views.weak_org_evaluate, name="weak_org_evaluate"),
    path("weak-orgs/ledger/", views.weak_org_ledger, name="weak_org_ledger"),
    path("rules/", views.rules_page, name="rules"),
    path("rules/<str:code>/", views.rule_update, name="rule_update"),
    path("stars/", views.stars, name="stars"),
    path("stars/compute/", views.stars_compute, name="stars_compute"),
    path("stars/criteria/", views.criterion_save, name="criterion_new"),
    path("stars/criteria/<int:pk>/", views.criterion_save, name="criterion_update"),
    path("inspections/", views.inspections, name="inspections"),
    path("talks/", views.talks, name="talks"),
    path("fair-ranking/", views.fair_ranking, name="fair_ranking"),
    path("act/<str:lifecycle>/<int:pk>/<str:name>/", views.act, name="act"),
]
