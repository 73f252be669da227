from django.urls import path

from jiceng.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("areas/<int:pk>/", views.area, name="area"),
]
