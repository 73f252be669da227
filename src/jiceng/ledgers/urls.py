from django.urls import path

from jiceng.ledgers import views

app_name = "ledgers"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:key>/", views.ledger, name="ledger"),
    path("<slug:key>/xlsx/", views.ledger_xlsx, name="xlsx"),
]
