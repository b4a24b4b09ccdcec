from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "binhyen.community"
    label = "community"
    verbose_name = _("Mô hình tự quản, Tổ bảo vệ ANTT, giao ước thi đua")

    def ready(self) -> None:
        # Publish this app's numbers to the indicators engine.
        from binhyen.community import providers

        providers.register()

        # The monthly report shows these figures, linking to the records.
        from binhyen.indicators.movement import RecordList, record_lists

        for entry in (
            RecordList(
                "community.schemes", _("Mô hình tự quản"), "community:scheme_list", "unit", 20
            ),
            RecordList("community.teams", _("Tổ bảo vệ ANTT"), "community:team_list", "unit", 30),
            RecordList(
                "community.pledges", _("Giao ước thi đua"), "community:pledge_list", "unit", 40
            ),
        ):
            record_lists.register(entry)

        # The to-do home: team gradings of the team year that has ended.
        from binhyen.community.todo import CarryForwardTodo, TeamCarryTodo, TeamGradingsTodo
        from binhyen.core.todo import todo_providers

        todo_providers.register(TeamGradingsTodo())
        todo_providers.register(CarryForwardTodo())
        todo_providers.register(TeamCarryTodo())
