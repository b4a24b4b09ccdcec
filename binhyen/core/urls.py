from django.urls import path

from binhyen.core import views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views.metrics, name="metrics"),
    path("ops/", views.operations, name="operations"),
    path("ops/health/", views.health_detail, name="health"),
    path("exports/<uuid:pk>/", views.export_status, name="export"),
    path("exports/<uuid:pk>/download/", views.export_download, name="export_download"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
]
