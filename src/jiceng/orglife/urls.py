from django.urls import path

from jiceng.orglife import views

app_name = "orglife"

urlpatterns = [
    path("", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("compliance/", views.compliance, name="compliance"),
    path("compliance/orgs/<int:org_id>/", views.org_compliance, name="org_compliance"),
    path("ledger/<int:org_id>/<int:year>/", views.ledger, name="ledger"),
    path("export/<str:name>/", views.export, name="export"),
    path("topics/", views.topic_list, name="topics"),
    path("topics/new/", views.topic_new, name="topic_new"),
    path("topics/<int:pk>/", views.topic_detail, name="topic"),
    path("issues/new/", views.issue_new, name="issue_new"),
    path("issues/from-appeal/<int:appeal_id>/", views.issue_from_appeal, name="issue_from_appeal"),
    path("contact-points/", views.contact_points, name="contact_points"),
    path("contact-points/new/", views.contact_point_new, name="contact_point_new"),
    path("contact-points/<int:pk>/", views.contact_point_detail, name="contact_point"),
    path("households/", views.households, name="households"),
    path("households/links/new/", views.household_link_new, name="household_link_new"),
    path("households/links/<int:link_id>/visits/", views.household_visit_new, name="visit_new"),
    path("act/<str:lifecycle>/<int:pk>/<str:name>/", views.act, name="act"),
    # Residents, no account needed.
    path("public/", views.public_index, name="public_index"),
    path("public/<int:community_id>/", views.public_community, name="public_community"),
]
