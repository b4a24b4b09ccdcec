"""Pages of the activity log, mounted at /activities/."""

from django.urls import path

from binhyen.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("export.xlsx", views.activity_export, name="export"),
    path("new/", views.activity_new, name="new"),
    path("new/<str:kind>/", views.activity_create, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/delete/", views.activity_delete, name="delete"),
    path("<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("photos/<int:pk>/", views.photo_view, name="photo"),
    path("photos/<int:pk>/delete/", views.photo_delete, name="photo_delete"),
    path("import/<str:code>/", views.activity_import, name="import"),
    path("import/<str:code>/template.xlsx", views.activity_import_template, name="import_template"),
]
