from django.urls import path

from jiceng.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.home, name="home"),
    path("rectifications/", views.rectification_list, name="rectifications"),
]
