from django.urls import path

from jiceng.cobuild import form_views, views

app_name = "cobuild"

urlpatterns = [
    path("", views.overview, name="overview"),
    # Residents, no account needed.
    path("needs/report/", form_views.need_report, name="need_report"),
    path("needs/report/done/", form_views.need_report_done, name="need_report_done"),
    path("places/<str:level>/", form_views.places, name="places"),
    # Staff and unit orgs.
    path("needs/new/", form_views.need_new, name="need_new"),
    path("needs/<int:pk>/", form_views.need_detail, name="need"),
    path(
        "needs/from-appeal/<int:appeal_id>/",
        form_views.need_from_appeal,
        name="need_from_appeal",
    ),
    path("resources/new/", form_views.resource_new, name="resource_new"),
    path("resources/<int:pk>/", form_views.resource_detail, name="resource"),
    path("matching/", views.matching, name="matching"),
    path("matching/run/", views.matching_run, name="matching_run"),
    # Before the decision route, which would take "change" for a decision.
    path("proposals/<int:pk>/change/", form_views.proposal_change, name="proposal_change"),
    path("proposals/<int:pk>/<str:decision>/", views.proposal_decide, name="proposal_decide"),
    path("projects/<int:pk>/", form_views.project_detail, name="project"),
    path("agreements/new/", form_views.agreement_new, name="agreement_new"),
    path("agreements/<int:pk>/", form_views.agreement_detail, name="agreement"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", form_views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", form_views.meeting_detail, name="meeting"),
    path("venues/", views.venues, name="venues"),
    path("venues/new/", form_views.venue_new, name="venue_new"),
    path("venues/<int:pk>/", form_views.venue_detail, name="venue"),
]
