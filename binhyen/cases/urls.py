"""Pages of the cases app, mounted at /cases/."""

from django.urls import path

from binhyen.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("export/<str:code>.xlsx", views.case_export, name="export"),
    path("types/", views.type_list, name="types"),
    path("types/new/", views.type_create, name="type_create"),
    path("figures/", views.figures_home, name="figures_home"),
    path("figures/<str:code>/", views.case_figures, name="figures"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/reveal/", views.case_reveal, name="reveal"),
    path("<int:pk>/history/", views.access_history, name="history"),
    path("<int:pk>/helpers/", views.helper_add, name="helper_add"),
    path("<int:pk>/helpers/<int:item>/end/", views.helper_end, name="helper_end"),
    path("<int:pk>/tasks/", views.task_add, name="task_add"),
    path("<int:pk>/tasks/<int:item>/done/", views.task_done, name="task_done"),
    path("<int:pk>/reviews/", views.review_add, name="review_add"),
    path("<int:pk>/outcomes/", views.outcome_add, name="outcome_add"),
    path("<int:pk>/close/", views.case_close, name="close"),
    path("<int:pk>/anonymise/", views.case_anonymise, name="anonymise"),
    path("<int:pk>/handover/", views.handover_request, name="handover"),
    path("<int:pk>/requests/", views.request_add, name="request_add"),
    path("handovers/<int:pk>/accept/", views.handover_accept, name="handover_accept"),
    path("handovers/<int:pk>/cancel/", views.handover_cancel, name="handover_cancel"),
    path("requests/<int:pk>/complete/", views.request_complete, name="request_complete"),
    path("requests/<int:pk>/export.xlsx", views.request_export, name="request_export"),
]
