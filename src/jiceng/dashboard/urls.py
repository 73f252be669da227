from django.urls import path

from jiceng.dashboard import chart_views, views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("areas/<int:pk>/", views.area, name="area"),
    path("areas/<int:pk>/charts/", chart_views.charts, name="charts"),
    path("screen/<int:pk>/", chart_views.screen, name="screen"),
]
