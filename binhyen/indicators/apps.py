from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "binhyen.indicators"
    label = "indicators"
    verbose_name = _("Chỉ tiêu và báo cáo")

    def ready(self) -> None:
        # Register the providers this app ships (other apps register theirs the same way).
        from binhyen.core.formats import register_period_parser

        # rollups listens to map changes; the engine registers its distinct count with it.
        from binhyen.indicators import (  # noqa: F401
            engine,
            providers,
            rollups,
        )
        from binhyen.indicators.periods import parse_period

        providers.register_builtin_providers()
        register_period_parser(parse_period)

        # The to-do home: reports to send, to review, and units below that are late.
        from binhyen.core.todo import todo_providers
        from binhyen.indicators.todo import ReportsTodo

        todo_providers.register(ReportsTodo())

        # Reminders of late reports are notifications (binhyen/core/notifications.py).
        from binhyen.core.notifications import notification_messages
        from binhyen.indicators.services.reminders import REMINDER, REMINDER_MESSAGE

        notification_messages.register(REMINDER_MESSAGE, REMINDER)
