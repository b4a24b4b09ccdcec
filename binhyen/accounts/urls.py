"""Pages of the accounts app, mounted at /accounts/."""

from django.urls import path

from binhyen.accounts import views, views_webhooks

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("otp/backup-codes/", views.otp_backup_codes_regenerate, name="otp_backup_codes"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("tokens/", views.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/units/", views.unit_lookup, name="unit_lookup"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/roles/", views.role_grant, name="role_grant"),
    path(
        "users/<int:pk>/roles/<int:assignment_pk>/revoke/",
        views.role_revoke,
        name="role_revoke",
    ),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/otp-reset/", views.user_otp_reset, name="user_otp_reset"),
    path("audit/", views.audit_list, name="audit_list"),
    path("webhooks/", views_webhooks.webhook_list, name="webhook_list"),
    path("webhooks/new/", views_webhooks.webhook_create, name="webhook_create"),
    path("webhooks/<int:pk>/", views_webhooks.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/active/", views_webhooks.webhook_set_active, name="webhook_set_active"),
    path(
        "webhooks/<int:pk>/deliveries/",
        views_webhooks.webhook_deliveries,
        name="webhook_deliveries",
    ),
    path(
        "webhooks/deliveries/<int:pk>/retry/",
        views_webhooks.webhook_delivery_retry,
        name="webhook_delivery_retry",
    ),
]
