"""Pages of the documents app, mounted at /documents/."""

from django.urls import path

from binhyen.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("new/", views.document_create, name="create"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/edit/", views.document_edit, name="edit"),
    path("<int:pk>/issue/", views.document_issue, name="issue"),
    path("<int:pk>/render/", views.document_render, name="render"),
    path("<int:pk>/word/", views.document_word, name="word"),
    path("jobs/<uuid:pk>/", views.job_status, name="job"),
    path("jobs/<uuid:pk>/download/", views.job_download, name="job_download"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<str:code>/download/", views.template_download, name="template_download"),
    path("templates/<str:code>/upload/", views.template_upload, name="template_upload"),
    path("profile/<str:code>/", views.profile_edit, name="profile"),
    path("pack/", views.pack_create, name="pack"),
]
