from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "binhyen.programs"
    label = "programs"
    verbose_name = _("Chương trình công nhận, xếp loại phong trào")

    def ready(self) -> None:
        # Publish enrolment and recognition counts to the indicators engine.
        from binhyen.programs import providers

        providers.register()

        # The monthly report shows these figures, linking to the programmes.
        from binhyen.indicators.movement import RecordList, record_lists

        record_lists.register(
            RecordList(
                "programs.results", _("Xây dựng mô hình, công nhận"), "programs:index", "", 60
            )
        )

        # The to-do home: files to self-assess, verify and decide.
        from binhyen.core.todo import todo_providers
        from binhyen.programs.todo import ProgramsTodo

        todo_providers.register(ProgramsTodo())
