from django.urls import path

from jiceng.core import job_views as views

app_name = "jobs"

urlpatterns = [
    path("<uuid:job_id>/", views.job_page, name="job"),
    # A download, not a page.
    path("<uuid:job_id>/result", views.job_result, name="result"),
]
