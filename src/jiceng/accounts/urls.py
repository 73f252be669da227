from django.urls import path

from jiceng.accounts import password_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("verify/", views.verify, name="verify"),
    path("enroll/", views.enroll, name="enroll"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", password_views.password_change_view, name="password_change"),
    path(
        "users/<int:user_id>/password-reset/",
        password_views.password_reset_view,
        name="password_reset",
    ),
    path("users/", views.account_list, name="account_list"),
    path("users/new/", views.account_new, name="account_new"),
    path("users/roles/<int:pk>/revoke/", views.account_revoke, name="account_revoke"),
]
