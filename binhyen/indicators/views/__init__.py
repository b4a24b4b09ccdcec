"""Pages of the indicators app: unit dashboard, report entry and review, completeness, and
the catalogue (metrics, report forms, validation rules).

Views only parse input, call one selector or service, and render. Deny by default: every
page needs a signed-in user and a unit in their scope; an out-of-scope unit and a missing
one both give 404. Numbers come from ``selectors`` (the engine) only. The catalogue is read
by whoever may read numbers somewhere and changed only with ``MANAGE_METRICS``; its add and
edit pages answer 404 to everybody else.

One module per screen family (``dashboard``, ``reports``, ``catalogue``); ``urls`` and the
API import from ``binhyen.indicators.views``.
"""

from __future__ import annotations

from binhyen.indicators.views.catalogue import (
    form_create,
    form_edit,
    form_list,
    metric_create,
    metric_edit,
    metric_list,
    rule_create,
    rule_edit,
    rule_list,
    rule_toggle,
)
from binhyen.indicators.views.common import HISTORY_LABELS
from binhyen.indicators.views.dashboard import (
    DEFAULT_DASHBOARD_METRICS,
    TREND_MONTHS,
    dashboard,
    home,
)
from binhyen.indicators.views.reports import (
    completeness,
    completeness_remind,
    report,
    report_list,
    report_template,
    report_upload,
)

__all__ = [
    "DEFAULT_DASHBOARD_METRICS",
    "HISTORY_LABELS",
    "TREND_MONTHS",
    "completeness",
    "completeness_remind",
    "dashboard",
    "form_create",
    "form_edit",
    "form_list",
    "home",
    "metric_create",
    "metric_edit",
    "metric_list",
    "report",
    "report_list",
    "report_template",
    "report_upload",
    "rule_create",
    "rule_edit",
    "rule_list",
    "rule_toggle",
]
