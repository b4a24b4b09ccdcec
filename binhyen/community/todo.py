"""What the community app puts on the to-do home: security-team gradings of the last year.

When a team year (``TY<year>``, 15/11 – 14/11 by default) has ended, whoever grades teams
(``GRADE_TEAMS`` on the commune, the commune chief) must grade each team that was active long
enough in it (``MIN_ACTIVITY_MONTHS`` of the national rules). The item counts the teams of
each commune in scope without a grade for that year, "sắp đến hạn" during the grading window
(``settings.COMMUNITY["GRADING_DAYS"]`` days after the year ends, 30 by default) and
"quá hạn" after it, until the next team year ends. It links to the commune's grading sheet.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from binhyen.accounts import permissions as acc_perms
from binhyen.community import selectors
from binhyen.community.models import SecurityTeam, TeamGrading
from binhyen.core.todo import Severity, TodoItem
from binhyen.orgunits.models import OrgUnit

MAX_COMMUNES = 5


class TeamGradingsTodo:
    """Teams of the last ended team year still without a grade, per commune."""

    key = "community.gradings"

    def items(self, user: Any) -> Iterable[TodoItem]:
        paths = acc_perms.scope_paths(user, acc_perms.GRADE_TEAMS)
        if not paths:
            return []
        today = selectors.today()
        year = selectors.current_team_year(today) - 1
        period = selectors.team_period(year)
        due = period.end + timedelta(days=int(selectors.setting("GRADING_DAYS", 30)))
        months = selectors.national_rules().min_activity_months
        latest_start = selectors.add_months(period.end + timedelta(days=1), -months)
        in_scope = Q(pk__in=[])
        for path in paths:
            in_scope |= Q(village__path__startswith=path)
        rows = list(
            SecurityTeam.objects.filter(
                in_scope,
                village__in=OrgUnit.objects.visible_to(user),
                established_on__lte=latest_start,
            )
            .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=period.end))
            .exclude(Exists(TeamGrading.objects.filter(team=OuterRef("pk"), year=year)))
            .values("village__parent__code", "village__parent__name")
            .annotate(n=Count("id"))
            .order_by("-n", "village__parent__code")[:MAX_COMMUNES]
        )
        found = []
        for row in rows:
            n = row["n"]
            found.append(
                TodoItem(
                    key="community.team_gradings",
                    title=ngettext(
                        "%(n)s Tổ bảo vệ ANTT chưa được xếp loại năm %(year)s",
                        "%(n)s Tổ bảo vệ ANTT chưa được xếp loại năm %(year)s",
                        n,
                    )
                    % {"n": n, "year": year},
                    url=reverse(
                        "community:grading_sheet", args=[row["village__parent__code"], year]
                    ),
                    count=n,
                    severity=Severity.LATE if due < today else Severity.DUE,
                    due=due,
                    group=_("Tổ bảo vệ ANTT"),
                    detail=row["village__parent__name"],
                )
            )
        return found


class CarryForwardTodo:
    """Running schemes still recorded on units closed by the reform, per old commune.

    For whoever records community data (``MANAGE_COMMUNITY``): the schemes of the history of
    their scope (``orgunits.history.predecessor_ids``) that are active and cover a closed
    unit, counted per closed commune, linking to the page that moves them all at once.
    """

    key = "community.carry_forward"

    def items(self, user: Any) -> Iterable[TodoItem]:
        from binhyen.community.models import Scheme, SchemeStatus
        from binhyen.orgunits.history import predecessor_ids

        paths = acc_perms.scope_paths(user, acc_perms.MANAGE_COMMUNITY)
        if not paths:
            return []
        history = predecessor_ids(paths)
        if not history:
            return []
        from binhyen.orgunits.carry import per_old_commune

        found = []
        for commune, schemes in per_old_commune(
            Scheme.units.through.objects.filter(
                orgunit_id__in=history,
                orgunit__valid_to__isnull=False,
                scheme__status=SchemeStatus.ACTIVE,
            ).values_list("scheme_id", "orgunit_id", "orgunit__kind", "orgunit__parent_id"),
            limit=MAX_COMMUNES,
        ):
            n = len(schemes)
            found.append(
                TodoItem(
                    key="community.carry_forward",
                    title=ngettext(
                        "%(n)s mô hình đang hoạt động trên đơn vị cũ",
                        "%(n)s mô hình đang hoạt động trên đơn vị cũ",
                        n,
                    )
                    % {"n": n},
                    url=reverse("community:scheme_carry_forward_all", args=[commune.code]),
                    count=n,
                    group=_("Mô hình tự quản"),
                    detail=commune.name,
                )
            )
        return found


class TeamCarryTodo:
    """Active security teams still on villages closed by the reform, per old commune.

    For whoever records community data: the teams of the history of their scope whose
    village is closed (a team on an open village needs no move), linking to the team list of
    the old commune, where each team's page moves it onto the successor village.
    """

    key = "community.team_carry_forward"

    def items(self, user: Any) -> Iterable[TodoItem]:
        from binhyen.orgunits.carry import left_per_old_commune

        found = []
        for commune, teams in left_per_old_commune(
            SecurityTeam.objects.filter(dissolved_on__isnull=True),
            "village",
            paths=acc_perms.scope_paths(user, acc_perms.MANAGE_COMMUNITY),
            limit=MAX_COMMUNES,
        ):
            n = len(teams)
            found.append(
                TodoItem(
                    key=self.key,
                    title=ngettext(
                        "%(n)s Tổ bảo vệ ANTT đang hoạt động trên thôn, tổ dân phố cũ",
                        "%(n)s Tổ bảo vệ ANTT đang hoạt động trên thôn, tổ dân phố cũ",
                        n,
                    )
                    % {"n": n},
                    url=reverse("community:team_list") + f"?unit={commune.code}&status=active",
                    count=n,
                    group=_("Tổ bảo vệ ANTT"),
                    detail=commune.name,
                )
            )
        return found
