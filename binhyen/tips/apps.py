from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TipsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "binhyen.tips"
    label = "tips"
    verbose_name = _("Tin báo và phản ánh của người dân")

    def ready(self) -> None:
        # Publish the tip counts to the indicators engine (received, valuable, on time).
        from binhyen.indicators.providers import registry
        from binhyen.tips.providers import TipCountsProvider

        registry.register(TipCountsProvider())
