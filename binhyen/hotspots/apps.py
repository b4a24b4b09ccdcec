from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotspotsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "binhyen.hotspots"
    label = "hotspots"
    verbose_name = _("Địa bàn trọng điểm")

    def ready(self) -> None:
        # Publish the hotspot counts to the indicators engine.
        from binhyen.hotspots.providers import HotspotMetricsProvider
        from binhyen.indicators.providers import registry

        registry.register(HotspotMetricsProvider())

        # The monthly report shows these figures, linking to the designations.
        from binhyen.indicators.movement import RecordList, record_lists

        record_lists.register(
            RecordList("hotspots.designations", _("Địa bàn trọng điểm"), "hotspots:list", "", 50)
        )

        # The to-do home: plan tasks past their deadline.
        from binhyen.core.todo import todo_providers
        from binhyen.hotspots.todo import DesignationCarryTodo, HotspotTasksTodo

        todo_providers.register(HotspotTasksTodo())
        todo_providers.register(DesignationCarryTodo())
