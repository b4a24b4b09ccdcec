"""Pages of the hotspots app, mounted at /hotspots/."""

from django.urls import path

from binhyen.hotspots import views

app_name = "hotspots"
urlpatterns = [
    path("", views.designation_list, name="list"),
    path("export.xlsx", views.designation_export, name="export"),
    path("board/", views.board, name="board"),
    path("new/", views.designation_create, name="create"),
    path("<int:pk>/", views.designation_detail, name="detail"),
    path("<int:pk>/edit/", views.designation_edit, name="edit"),
    path("<int:pk>/carry-forward/", views.designation_carry_forward, name="carry_forward"),
    path("<int:pk>/files/<str:which>/", views.attachment, name="attachment"),
    path("<int:pk>/responsibilities/", views.responsibility_add, name="responsibility_add"),
    path(
        "<int:pk>/responsibilities/<int:item>/delete/",
        views.responsibility_delete,
        name="responsibility_delete",
    ),
    path("<int:pk>/tasks/", views.task_add, name="task_add"),
    path("<int:pk>/removal-proposal/", views.removal_propose, name="removal_propose"),
    path("<int:pk>/removal/", views.removal_decide, name="removal"),
    path("<int:pk>/relapses/", views.relapse_add, name="relapse_add"),
    path("tasks/<int:pk>/", views.task_edit, name="task"),
    path("tasks/<int:pk>/evidence/", views.task_evidence, name="task_evidence"),
]
