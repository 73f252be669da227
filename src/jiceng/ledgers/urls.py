from django.urls import path

from jiceng.ledgers import views

app_name = "ledgers"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:key>/", views.ledger, name="ledger"),
    # A download, not a page: its path ends as the file does.
    path("<slug:key>.xlsx", views.ledger_xlsx, name="xlsx"),
    # The workbook as a background job (a POST: it starts something).
    path("<slug:key>/job", views.ledger_job, name="job"),
]
