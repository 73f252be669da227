from django.urls import path

from jiceng.places import views

app_name = "places"

urlpatterns = [
    path("", views.registry, name="registry"),
    path("<int:pk>/", views.address, name="address"),
    path("<int:pk>/aliases/", views.alias_add, name="alias_add"),
    path("aliases/<int:pk>/delete/", views.alias_delete, name="alias_delete"),
    path("import/", views.address_import, name="import"),
    path("import/template/", views.import_template, name="import_template"),
]
