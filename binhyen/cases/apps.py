from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "binhyen.cases"
    label = "cases"
    verbose_name = _("Hồ sơ tái hòa nhập cộng đồng")

    def ready(self) -> None:
        # Publish the case counts (never names) to the indicators engine.
        from binhyen.cases.providers import CaseMetricsProvider
        from binhyen.indicators.providers import registry

        registry.register(CaseMetricsProvider())
