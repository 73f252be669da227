from django.urls import path

from jiceng.cobuild.views import (
    agreements,
    meetings,
    needs,
    overview,
    projects,
    proposals,
    resources,
    venues,
)

app_name = "cobuild"

urlpatterns = [
    path("", overview.overview, name="overview"),
    # Residents, no account needed.
    path("needs/report/", needs.need_report, name="need_report"),
    path("needs/report/done/", needs.need_report_done, name="need_report_done"),
    path("places/<str:level>/", needs.places, name="places"),
    # Staff and unit orgs. A detail page's URL also takes its forms' posts named by a
    # hidden "form" field, as before each action had its own URL.
    path("needs/new/", needs.need_new, name="need_new"),
    path("needs/<int:pk>/", needs.need_detail, name="need"),
    path("needs/<int:pk>/close/", needs.need_close, name="need_close"),
    path("needs/<int:pk>/project/", needs.need_project, name="need_project"),
    path("needs/from-appeal/<int:appeal_id>/", needs.need_from_appeal, name="need_from_appeal"),
    path("resources/new/", resources.resource_new, name="resource_new"),
    path("resources/<int:pk>/", resources.resource_detail, name="resource"),
    path("resources/<int:pk>/edit/", resources.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/withdraw/", resources.resource_withdraw, name="resource_withdraw"),
    path("matching/", proposals.matching, name="matching"),
    path("matching/run/", proposals.matching_run, name="matching_run"),
    # Before the decision route, which would take "change" for a decision.
    path("proposals/<int:pk>/change/", proposals.proposal_change, name="proposal_change"),
    path("proposals/<int:pk>/<str:decision>/", proposals.proposal_decide, name="proposal_decide"),
    path("projects/<int:pk>/", projects.project_detail, name="project"),
    path("projects/<int:pk>/steps/<str:step>/", projects.project_step, name="project_step"),
    path("projects/<int:pk>/evaluate/", projects.project_evaluate, name="project_evaluate"),
    path("projects/<int:pk>/plan/", projects.project_plan, name="project_plan"),
    path("agreements/new/", agreements.agreement_new, name="agreement_new"),
    path("agreements/<int:pk>/", agreements.agreement_detail, name="agreement"),
    path("agreements/<int:pk>/commitments/", agreements.commitment_add, name="commitment_add"),
    path("agreements/<int:pk>/achieved/", agreements.commitment_record, name="commitment_record"),
    path("agreements/<int:pk>/review/", agreements.agreement_review, name="agreement_review"),
    path("agreements/<int:pk>/end/", agreements.agreement_end, name="agreement_end"),
    path("meetings/", meetings.meetings, name="meetings"),
    path("meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/attendance/", meetings.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/tasks/", meetings.meeting_task_add, name="meeting_task_add"),
    path("meetings/<int:pk>/tasks/done/", meetings.meeting_task_done, name="meeting_task_done"),
    path("venues/", venues.venues, name="venues"),
    path("venues/new/", venues.venue_new, name="venue_new"),
    path("venues/<int:pk>/", venues.venue_detail, name="venue"),
    path("venues/<int:pk>/edit/", venues.venue_edit, name="venue_edit"),
    path("venues/<int:pk>/close/", venues.venue_close, name="venue_close"),
    path("venues/<int:pk>/rooms/", venues.room_add, name="room_add"),
    path("venues/<int:pk>/bookings/", venues.booking_create, name="booking_create"),
    path("venues/<int:pk>/bookings/cancel/", venues.booking_cancel, name="booking_cancel"),
]
