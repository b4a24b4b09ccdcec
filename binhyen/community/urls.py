"""Pages of the community app, mounted at /community/."""

from django.urls import path

from binhyen.community import views

app_name = "community"
urlpatterns = [
    path("", views.index, name="index"),
    path("schemes/", views.scheme_list, name="scheme_list"),
    path("schemes/export.xlsx", views.scheme_export, name="scheme_export"),
    path("schemes/new/", views.scheme_create, name="scheme_create"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("schemes/<int:pk>/status/", views.scheme_status, name="scheme_status"),
    path(
        "schemes/<int:pk>/carry-forward/",
        views.scheme_carry_forward,
        name="scheme_carry_forward",
    ),
    path(
        "schemes/carry-forward/<str:code>/",
        views.scheme_carry_forward_all,
        name="scheme_carry_forward_all",
    ),
    path("schemes/<int:pk>/sites/new/", views.scheme_site_add, name="scheme_site_add"),
    path("schemes/<int:pk>/members/new/", views.scheme_member_add, name="scheme_member_add"),
    path("schemes/<int:pk>/gradings/new/", views.scheme_grading_add, name="scheme_grading_add"),
    path("sites/<int:pk>/end/", views.scheme_site_end, name="scheme_site_end"),
    path("roster/<int:pk>/remove/", views.scheme_member_remove, name="scheme_member_remove"),
    path("types/", views.type_list, name="type_list"),
    path("types/new/", views.type_create, name="type_create"),
    path("types/<int:pk>/edit/", views.type_edit, name="type_edit"),
    path("types/<int:pk>/typical/", views.type_typical, name="type_typical"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/export.xlsx", views.team_export, name="team_export"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/carry-forward/", views.team_carry_forward, name="team_carry_forward"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("teams/<int:pk>/dissolve/", views.team_dissolve, name="team_dissolve"),
    path("teams/<int:pk>/members/new/", views.member_create, name="member_create"),
    path("teams/<int:pk>/trainings/new/", views.training_create, name="training_create"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("gradings/", views.grading_index, name="grading_index"),
    path("gradings/<str:code>/<int:year>/", views.grading_sheet, name="grading_sheet"),
    path("rules/<str:code>/", views.rules_edit, name="rules"),
    path("pledges/", views.pledge_list, name="pledge_list"),
    path("pledges/export.xlsx", views.pledge_export, name="pledge_export"),
    path("pledges/new/", views.pledge_create, name="pledge_create"),
    path("pledges/<int:pk>/", views.pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/edit/", views.pledge_edit, name="pledge_edit"),
    path("pledges/<int:pk>/delete/", views.pledge_delete, name="pledge_delete"),
    path("decisions/<int:pk>/file/", views.decision_file, name="decision_file"),
]
