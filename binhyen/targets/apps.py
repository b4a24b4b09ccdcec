from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "binhyen.targets"
    label = "targets"
    verbose_name = _("Kế hoạch, chỉ tiêu và đợt cao điểm")

    def ready(self) -> None:
        # Campaign report forms accept only the campaign's periods and units.
        from binhyen.indicators.owners import form_owners
        from binhyen.targets.reporting import CampaignFormOwner

        form_owners.register(CampaignFormOwner())

        # Actual against target on the dashboards, in criteria rules and on the hotspot board.
        from binhyen.indicators.target_sources import target_sources
        from binhyen.targets.sources import TargetsSource

        target_sources.register(TargetsSource())

        # Targets behind, children without targets, campaign reports due: the to-do home.
        from binhyen.core.todo import todo_providers
        from binhyen.targets.todo import TargetsTodo

        todo_providers.register(TargetsTodo())
