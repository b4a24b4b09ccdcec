"""Pages of the community app: schemes, security teams, gradings, pledges, catalogue, rules.

One module per sub-domain, re-exported here so ``urls.py`` writes ``views.<name>``:
``overview``, ``schemes``, ``scheme_types``, ``teams`` (members, training), ``gradings``
(and rules), ``pledges``, ``decisions``; ``base`` holds what they share.

Deny by default: every view needs a signed-in user; every record is fetched through a
``selectors.*_get`` (404 for missing and forbidden alike); a write page also answers 404
when the user may not change the record, and a service's ``PermissionDenied`` becomes the
same 404, so existence never leaks. Views only parse input, call one service and render.
"""

from binhyen.community.views.base import (
    RECORD_CHILD_KINDS,
)
from binhyen.community.views.decisions import (
    decision_file,
)
from binhyen.community.views.gradings import (
    grading_index,
    grading_sheet,
    rules_edit,
)
from binhyen.community.views.overview import (
    index,
)
from binhyen.community.views.pledges import (
    pledge_create,
    pledge_delete,
    pledge_detail,
    pledge_edit,
    pledge_export,
    pledge_list,
)
from binhyen.community.views.scheme_types import (
    type_create,
    type_edit,
    type_list,
    type_typical,
)
from binhyen.community.views.schemes import (
    scheme_carry_forward,
    scheme_carry_forward_all,
    scheme_create,
    scheme_detail,
    scheme_edit,
    scheme_export,
    scheme_grading_add,
    scheme_list,
    scheme_member_add,
    scheme_member_remove,
    scheme_site_add,
    scheme_site_end,
    scheme_status,
)
from binhyen.community.views.teams import (
    member_create,
    member_edit,
    team_carry_forward,
    team_create,
    team_detail,
    team_dissolve,
    team_edit,
    team_export,
    team_list,
    training_create,
)

__all__ = [
    "RECORD_CHILD_KINDS",
    "decision_file",
    "grading_index",
    "grading_sheet",
    "index",
    "member_create",
    "member_edit",
    "pledge_create",
    "pledge_delete",
    "pledge_detail",
    "pledge_edit",
    "pledge_export",
    "pledge_list",
    "rules_edit",
    "scheme_carry_forward",
    "scheme_carry_forward_all",
    "scheme_create",
    "scheme_detail",
    "scheme_edit",
    "scheme_export",
    "scheme_grading_add",
    "scheme_list",
    "scheme_member_add",
    "scheme_member_remove",
    "scheme_site_add",
    "scheme_site_end",
    "scheme_status",
    "team_carry_forward",
    "team_create",
    "team_detail",
    "team_dissolve",
    "team_edit",
    "team_export",
    "team_list",
    "training_create",
    "type_create",
    "type_edit",
    "type_list",
    "type_typical",
]
