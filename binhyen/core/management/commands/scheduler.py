"""Run the scheduler: enqueue the configured jobs on their cron times (one active at a time).

    manage.py scheduler [--once]

Start one on each of two machines for a standby; only the lease holder enqueues. ``--once``
takes the lease if free, catches up what is owed, prints the job table and exits.
"""

from __future__ import annotations

import signal
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from binhyen.core.models import ScheduledJob
from binhyen.core.scheduler import SchedulerProcess


class Command(BaseCommand):
    help = "Enqueue the scheduled jobs (SCHEDULER_JOBS) on their cron times; workers run them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Take the lease if free, enqueue what is owed, print the jobs and exit.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        process = SchedulerProcess()
        if options["once"]:
            active = process.heartbeat()
            process.stop()
            self.stdout.write(f"active: {active}")
            for job in ScheduledJob.objects.all():
                self.stdout.write(
                    f"{job.job_id:20} {job.cron:15} last={job.last_run_at} next={job.next_run_at}"
                    f" status={job.last_status or '-'}"
                )
            return
        scheduler = process.build()

        def shutdown(signum: int, frame: FrameType | None) -> None:
            # A second signal during the clean stop must not interrupt the lease release.
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            if scheduler.running:
                scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, shutdown)
        signal.signal(signal.SIGINT, shutdown)
        self.stdout.write(f"Scheduler {process.holder}: {len(process.specs)} job(s).")
        try:
            scheduler.start()
        finally:
            process.stop()
            self.stdout.write("Scheduler stopped.")
