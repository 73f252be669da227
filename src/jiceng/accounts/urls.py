from django.urls import path

from jiceng.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("verify/", views.verify, name="verify"),
    path("enroll/", views.enroll, name="enroll"),
    path("logout/", views.logout_view, name="logout"),
    path("users/", views.account_list, name="account_list"),
    path("users/new/", views.account_new, name="account_new"),
    path("users/roles/<int:pk>/revoke/", views.account_revoke, name="account_revoke"),
]
