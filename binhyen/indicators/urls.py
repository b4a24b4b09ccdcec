"""Pages of the indicators app, mounted at /indicators/."""

from django.urls import path

from binhyen.indicators import views

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
]
