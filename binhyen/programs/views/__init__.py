"""Pages of the programmes app: programmes, criteria-set editor, files, verification, decisions.

Deny by default: every view needs a signed-in user; every record is fetched through a
``selectors`` function (404 for missing and forbidden alike); a page that writes also answers
404 when the user may not act, and a service's ``PermissionDenied`` becomes the same 404, so
existence never leaks. Views only parse input, call one service and render.

One module per sub-domain (``programmes``, ``criteria``, ``enrolment``, ``verification``,
``decisions``, ``overview``); ``urls`` imports from ``binhyen.programs.views``.
"""

from __future__ import annotations

from binhyen.programs.views.common import T
from binhyen.programs.views.criteria import (
    criterion_delete,
    criterion_form,
    rule_check,
    set_editor,
    set_export,
    set_import,
    set_new_version,
    set_publish,
    set_settings,
)
from binhyen.programs.views.decisions import (
    certificate_docx,
    decide_page,
    decision_detail,
    decision_list_docx,
    decision_scan,
    enrollment_withdraw,
)
from binhyen.programs.views.enrolment import (
    assessment_save,
    enrol,
    enrollment_detail,
    enrollment_submit,
    evidence_add,
    evidence_delete,
    evidence_file,
)
from binhyen.programs.views.overview import overview
from binhyen.programs.views.programmes import (
    program_adopt,
    program_create,
    program_detail,
    program_edit,
    program_list,
)
from binhyen.programs.views.verification import (
    enrollment_return,
    verdict_save,
    verify_finish,
    verify_page,
)

__all__ = [
    "T",
    "assessment_save",
    "certificate_docx",
    "criterion_delete",
    "criterion_form",
    "decide_page",
    "decision_detail",
    "decision_list_docx",
    "decision_scan",
    "enrol",
    "enrollment_detail",
    "enrollment_return",
    "enrollment_submit",
    "enrollment_withdraw",
    "evidence_add",
    "evidence_delete",
    "evidence_file",
    "overview",
    "program_adopt",
    "program_create",
    "program_detail",
    "program_edit",
    "program_list",
    "rule_check",
    "set_editor",
    "set_export",
    "set_import",
    "set_new_version",
    "set_publish",
    "set_settings",
    "verdict_save",
    "verify_finish",
    "verify_page",
]
