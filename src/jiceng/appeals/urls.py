from django.urls import path

from jiceng.appeals import setup_views, views

app_name = "appeals"

urlpatterns = [
    # Residents, no account needed.
    path("report/", views.report, name="report"),
    path("places/<str:level>/", views.places, name="places"),
    path("locate/", views.locate, name="locate"),
    # Staff.
    path("", views.appeal_list, name="list"),
    path("intake/", views.intake, name="intake"),
    path("queue/", views.queue, name="queue"),
    path("street/", views.street_board, name="street"),
    path("placement/", views.placement, name="placement"),
    path("rates/", views.rates, name="rates"),
    path("rates/cases/", views.rate_cases, name="rate_cases"),
    path("setup/", setup_views.rules, name="setup_rules"),
    path("setup/rules/<int:pk>/delete/", setup_views.rule_delete, name="setup_rule_delete"),
    path("setup/units/", setup_views.units, name="setup_units"),
    path("setup/units/<int:pk>/active/", setup_views.unit_active, name="setup_unit_active"),
    path("setup/units/<int:pk>/handlers/", setup_views.handler_add, name="setup_handler_add"),
    path(
        "setup/handlers/<int:pk>/remove/", setup_views.handler_remove, name="setup_handler_remove"
    ),
    path("setup/categories/", setup_views.categories, name="setup_categories"),
    path("setup/categories/new/", setup_views.category_edit, name="setup_category_new"),
    path("setup/categories/<int:pk>/", setup_views.category_edit, name="setup_category_edit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/photo/", views.photo, name="photo"),
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
