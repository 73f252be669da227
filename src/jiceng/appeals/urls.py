from django.urls import path

from jiceng.appeals import views

app_name = "appeals"

urlpatterns = [
    # Residents, no account needed.
    path("report/", views.report, name="report"),
    path("places/<str:level>/", views.places, name="places"),
    # Staff.
    path("", views.appeal_list, name="list"),
    path("intake/", views.intake, name="intake"),
    path("queue/", views.queue, name="queue"),
    path("street/", views.street_board, name="street"),
    path("rates/", views.rates, name="rates"),
    path("rates/cases/", views.rate_cases, name="rate_cases"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
    path("summons/<int:target_id>/<str:step>/", views.summons_answer, name="summons_answer"),
]

# The public tracking page lives at /track/ (see jiceng.urls), short enough to type.
track_urlpatterns = (
    [
        path("", views.track, name="lookup"),
        path("<str:code>/", views.track_code, name="code"),
        path("<str:code>/rate/", views.track_rate, name="rate"),
        path("<str:code>/reopen/", views.track_reopen, name="reopen"),
    ],
    "track",
)
