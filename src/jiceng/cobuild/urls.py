from django.urls import path

from jiceng.cobuild import views

app_name = "cobuild"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("matching/", views.matching, name="matching"),
    path("matching/run/", views.matching_run, name="matching_run"),
    path("proposals/<int:pk>/<str:decision>/", views.proposal_decide, name="proposal_decide"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("venues/", views.venues, name="venues"),
    path("meetings/", views.meetings, name="meetings"),
]
