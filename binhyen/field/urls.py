from django.urls import path

from binhyen.field import views

app_name = "field"

urlpatterns = [
    path("field/", views.shell, name="shell"),
    path("field/bootstrap.json", views.bootstrap, name="bootstrap"),
    path("field/manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
]
