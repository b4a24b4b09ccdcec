from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "binhyen.awards"
    label = "awards"
    verbose_name = _("Thi đua, khen thưởng")

    def ready(self) -> None:
        # Numbers for the indicators engine, the to-do home, and the tip tracking page.
        from binhyen.awards import notices, providers, todo

        providers.register()
        todo.register()
        notices.register()
