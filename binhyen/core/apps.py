from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "binhyen.core"
    label = "core"
    verbose_name = _("Lõi hệ thống")

    def ready(self) -> None:
        # Read-your-writes with a replica (binhyen/core/db_router.py): note writes on the
        # primary's connections, forget them at each request or task boundary.
        from django.core.signals import request_finished, request_started
        from django.db.backends.signals import connection_created
        from django_tasks.signals import task_finished, task_started

        from binhyen.core import collation, db_router, search, task_recovery

        connection_created.connect(db_router.install_write_tracking, weak=False)
        # Search without diacritics: SQLite gets the folding function (binhyen/core/search.py).
        connection_created.connect(search.install_sqlite_function, weak=False)
        # Vietnamese order in SQL (binhyen/core/collation.py).
        connection_created.connect(collation.install_sqlite_collation, weak=False)
        request_started.connect(db_router.request_started, weak=False)
        request_finished.connect(db_router.request_finished, weak=False)
        task_started.connect(db_router.task_boundary, weak=False)
        task_finished.connect(db_router.task_boundary, weak=False)
        # A worker holds a lock per running task, so a dead worker's task can be run again.
        task_started.connect(task_recovery.on_task_started, weak=False)
        task_finished.connect(task_recovery.on_task_finished, weak=False)
        # The to-do home shows unread reminders (binhyen/core/notifications.py).
        from binhyen.core.notifications import RemindersTodo
        from binhyen.core.todo import todo_providers

        todo_providers.register(RemindersTodo())
