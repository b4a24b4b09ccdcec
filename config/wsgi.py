"""WSGI entry point (gunicorn config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from binhyen.core.memory import freeze_startup_objects  # noqa: E402  (needs Django set up)

freeze_startup_objects()
