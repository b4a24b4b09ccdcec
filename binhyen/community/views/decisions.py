"""The scanned file of a decision, served to users who see a record holding it.

Invariants (as for every community page):
- Every view needs a signed-in user; every record is fetched through a
  ``selectors.*_get`` (404 for missing and forbidden alike); a write page also answers 404
  when the user may not change the record, and a service's ``PermissionDenied`` becomes the
  same 404, so existence never leaks.
- Views only parse input, call one service and render; a service's ``ValidationError`` is
  shown on the form (status 400) and nothing is saved.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from binhyen.community import selectors
from binhyen.core import web

# --- decisions -------------------------------------------------------------------------------


@login_required
@require_GET
def decision_file(request: HttpRequest, pk: int) -> FileResponse:
    """Download the scanned file of a decision attached to a record the user may read."""
    decision = selectors.decision_get(user=request.user, pk=pk)
    if not decision.file:
        raise web.not_found()
    extension = (decision.file.name or "").rsplit(".", 1)[-1]
    return FileResponse(
        decision.file.open("rb"),
        as_attachment=True,
        filename=f"van-ban-{decision.pk}.{extension}",
        content_type=decision.content_type or "application/octet-stream",
    )
