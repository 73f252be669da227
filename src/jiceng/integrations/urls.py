from django.urls import path

from jiceng.integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("subscriptions/", views.subscriptions, name="subscriptions"),
    path("subscriptions/<int:pk>/revoke/", views.subscription_revoke, name="subscription_revoke"),
    path("deliveries/<int:pk>/replay/", views.delivery_replay, name="delivery_replay"),
    path("hotline/", views.hotline, name="hotline"),
    path("hotline/export/", views.hotline_export, name="hotline_export"),
]
