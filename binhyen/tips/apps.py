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

        # The to-do home: unclaimed tips and tips past their deadline.
        from binhyen.core.todo import todo_providers
        from binhyen.tips.todo import TipsTodo

        todo_providers.register(TipsTodo())

        # Intake keeps the units it routes to for a short while; a change of the map in this
        # process (a unit or lineage saved or deleted, a bulk import) empties that memory at
        # once (see selectors.routing).
        from django.db.models.signals import post_delete, post_save

        from binhyen.orgunits.models import Lineage, OrgUnit
        from binhyen.orgunits.structure import map_structure_changed
        from binhyen.tips.selectors.routing import unit_cache_clear

        for model in (OrgUnit, Lineage):
            post_save.connect(unit_cache_clear, sender=model, dispatch_uid=f"tips-units-{model}")
            post_delete.connect(
                unit_cache_clear, sender=model, dispatch_uid=f"tips-units-del-{model}"
            )
        map_structure_changed.connect(unit_cache_clear, dispatch_uid="tips-units-map")
