from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgUnitsConfig(AppConfig):
    name = "binhyen.orgunits"
    label = "orgunits"
    verbose_name = _("Đơn vị hành chính")

    def ready(self) -> None:
        from binhyen.orgunits import structure  # noqa: F401 - connects the signals
