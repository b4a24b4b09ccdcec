from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "binhyen.activities"
    label = "activities"
    verbose_name = _("Hoạt động phong trào")

    def ready(self) -> None:
        # Publish the activity metrics to the indicators engine.
        from binhyen.activities.providers import ActivityMetricsProvider
        from binhyen.indicators.providers import registry

        registry.register(ActivityMetricsProvider())

        # The monthly report shows these figures, linking to the activities.
        from binhyen.indicators.movement import RecordList, record_lists

        record_lists.register(
            RecordList("activities.log", _("Hoạt động phong trào"), "activities:list", "unit", 10)
        )
