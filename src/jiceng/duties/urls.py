from django.urls import path

from jiceng.duties import views

app_name = "duties"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.duty_new, name="new"),
    path("<int:pk>/", views.duty_detail, name="detail"),
    path("streets/", views.street_list, name="street_list"),
    path("outside/", views.outside_list, name="outside"),
    path("assessments/", views.assessments, name="assessments"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("act/<str:lifecycle>/<int:pk>/<str:name>/", views.act, name="act"),
]
