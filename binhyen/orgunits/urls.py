"""Pages of the administrative map, mounted at /units/ (the home page is routed at "/")."""

from django.urls import path

from binhyen.orgunits import views, views_population, views_shares

app_name = "orgunits"
urlpatterns = [
    path("", views.unit_list, name="list"),
    # Fixed paths first: a unit code never contains "/", but "picker" must not be read as one.
    path("picker/", views.unit_picker, name="picker"),
    path("<str:code>/", views.unit_detail, name="detail"),
    path("<str:code>/children/", views.unit_children, name="children"),
    path("<str:code>/children.xlsx", views.unit_export, name="export"),
    path("<str:code>/new/", views.unit_create, name="create"),
    path("<str:code>/edit/", views.unit_edit, name="edit"),
    path("<str:code>/close/", views.unit_close, name="close"),
    path("<str:code>/import/", views.unit_import, name="import"),
    path("<str:code>/import/template.xlsx", views.unit_import_template, name="import_template"),
    path("<str:code>/population/", views_population.population_import, name="population_import"),
    path(
        "<str:code>/population/template.xlsx",
        views_population.population_template,
        name="population_template",
    ),
    path("<str:code>/shares/", views_shares.shares_page, name="shares"),
    path("<str:code>/shares.xlsx", views_shares.shares_export, name="shares_export"),
    path("<str:code>/shares/import/", views_shares.shares_import, name="shares_import"),
]
