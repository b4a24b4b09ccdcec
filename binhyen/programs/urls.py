"""URLs of the programmes app, under /programs/."""

from django.urls import path

from binhyen.programs import views

app_name = "programs"

urlpatterns = [
    path("", views.program_list, name="index"),
    path("new/", views.program_create, name="create"),
    path("files/<int:pk>/", views.enrollment_detail, name="enrollment"),
    path("files/<int:pk>/c/<int:criterion_id>/", views.assessment_save, name="assess"),
    path("files/<int:pk>/c/<int:criterion_id>/evidence/", views.evidence_add, name="evidence_add"),
    path("files/<int:pk>/submit/", views.enrollment_submit, name="submit"),
    path("files/<int:pk>/verify/", views.verify_page, name="verify"),
    path("files/<int:pk>/verify/c/<int:criterion_id>/", views.verdict_save, name="verdict"),
    path("files/<int:pk>/verify/finish/", views.verify_finish, name="verify_finish"),
    path("files/<int:pk>/return/", views.enrollment_return, name="return"),
    path("files/<int:pk>/withdraw/", views.enrollment_withdraw, name="withdraw"),
    path("files/<int:pk>/certificate.docx", views.certificate_docx, name="certificate"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("decisions/<int:pk>/list.docx", views.decision_list_docx, name="decision_list"),
    path("decisions/<int:pk>/scan/", views.decision_scan, name="decision_scan"),
    path("<slug:code>/", views.program_detail, name="detail"),
    path("<slug:code>/edit/", views.program_edit, name="edit"),
    path("<slug:code>/adopt/", views.program_adopt, name="adopt"),
    path("<slug:code>/enrol/", views.enrol, name="enrol"),
    path("<slug:code>/overview/", views.overview, name="overview"),
    path("<slug:code>/decide/", views.decide_page, name="decide"),
    path("<slug:code>/new-version/", views.set_new_version, name="new_version"),
    path("<slug:code>/v<int:version>/", views.set_editor, name="set_editor"),
    path("<slug:code>/v<int:version>/settings/", views.set_settings, name="set_settings"),
    path("<slug:code>/v<int:version>/publish/", views.set_publish, name="set_publish"),
    path("<slug:code>/v<int:version>/check/", views.rule_check, name="rule_check"),
    path("<slug:code>/v<int:version>/import/", views.set_import, name="set_import"),
    path(
        "<slug:code>/v<int:version>/export.<str:fmt>",
        views.set_export,
        name="set_export",
    ),
    path("<slug:code>/v<int:version>/criteria/new/", views.criterion_form, name="criterion_new"),
    path(
        "<slug:code>/v<int:version>/criteria/<int:pk>/",
        views.criterion_form,
        name="criterion_edit",
    ),
    path(
        "<slug:code>/v<int:version>/criteria/<int:pk>/delete/",
        views.criterion_delete,
        name="criterion_delete",
    ),
]
