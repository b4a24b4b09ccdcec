"""Pages of the indicators app, mounted at /indicators/."""

from django.urls import path

from binhyen.indicators import views
from binhyen.indicators.views import history as history_views

app_name = "indicators"
REPORT = "reports/<str:form_code>/<str:unit_code>/<str:period_code>/"
urlpatterns = [
    path("", views.home, name="home"),
    path("u/<str:code>/", views.dashboard, name="dashboard"),
    path("reports/", views.report_list, name="report_list"),
    path(REPORT, views.report, name="report"),
    path(REPORT + "template.xlsx", views.report_template, name="report_template"),
    path(REPORT + "upload/", views.report_upload, name="report_upload"),
    path(
        "completeness/<str:form_code>/<str:unit_code>/<str:period_code>/",
        views.completeness,
        name="completeness",
    ),
    path(
        "completeness/<str:form_code>/<str:unit_code>/<str:period_code>/remind/",
        views.completeness_remind,
        name="completeness_remind",
    ),
    path("metrics/", views.metric_list, name="metric_list"),
    path("metrics/new/", views.metric_create, name="metric_create"),
    path("metrics/<str:code>/edit/", views.metric_edit, name="metric_edit"),
    path("forms/", views.form_list, name="form_list"),
    path("forms/new/", views.form_create, name="form_create"),
    path("forms/<str:code>/edit/", views.form_edit, name="form_edit"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rules/<str:code>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<str:code>/active/", views.rule_toggle, name="rule_toggle"),
    path("history/jobs/<uuid:pk>/", history_views.history_job, name="history_job"),
    path("history/<str:code>/", history_views.history_upload, name="history_upload"),
    path(
        "history/<str:code>/template.xlsx", history_views.history_template, name="history_template"
    ),
]
