"""Pages of the targets app, mounted at /targets/."""

from django.urls import path

from binhyen.targets import views

app_name = "targets"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/document/", views.plan_document, name="plan_document"),
    path("plans/<int:pk>/tasks/", views.task_add, name="task_add"),
    path("tasks/<int:pk>/", views.task_update, name="task_update"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("t/<int:pk>/", views.target_detail, name="target"),
    path("t/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("t/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("t/<int:pk>/allocate/", views.allocate, name="allocate"),
    path("t/<int:pk>/allocation.xlsx", views.allocation_sheet, name="allocation_sheet"),
    path("t/<int:pk>/allocate/import/", views.allocation_import, name="allocation_import"),
    path("u/<str:code>/", views.unit, name="unit"),
    path("u/<str:code>/export.xlsx", views.unit_export, name="unit_export"),
    path("u/<str:code>/new/", views.target_create, name="create"),
    path("u/<str:code>/import/", views.targets_import, name="import"),
    path("u/<str:code>/hotspot-targets/", views.hotspot_seed, name="hotspot_seed"),
]
