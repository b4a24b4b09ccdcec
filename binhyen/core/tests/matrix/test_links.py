"""The link crawl: no link the product shows a user leads that user to a 404 or a 5xx.

For each role of the demo world, start from the home page and follow, breadth first, every
same-origin ``href`` the pages render (GET only). Skipped: signing out, language switches,
files (exports, templates, photos: they are checked by the matrix), Django's admin and the
API's own pages. Bounded so that the crawl stays fast: at most ``MAX_PAGES`` pages per role
and ``PER_PATTERN`` different URLs of one URL pattern (13 villages share one template).
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable
from html import unescape
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.urls import Resolver404, resolve

from binhyen.core.tests.matrix.world import ROLE_KEYS

# The page texts and links do not depend on the engine: checked once, on SQLite.
pytestmark = [pytest.mark.django_db, pytest.mark.engine_independent]

MAX_PAGES = 400
PER_PATTERN = 3
HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
SKIP_PREFIXES = ("/accounts/logout/", "/i18n/", "/django-admin/", "/api/", "/static/", "/media/")
SKIP_SUFFIXES = (".xlsx", ".docx", ".pdf", ".json", ".csv", ".png", ".jpg", ".jpeg", ".zip")
SKIP_PARAMS = {"lang", "language", "next", "download"}


def normalise(href: str) -> str | None:
    """Return the path and sorted query of a same-origin link worth following, else None."""
    href = unescape(href.strip())
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "//", "data:")):
        return None
    parts = urlsplit(href)
    if parts.scheme and parts.netloc not in ("testserver", ""):
        return None
    path = parts.path
    if not path.startswith("/"):
        return None
    if path.startswith(SKIP_PREFIXES) or path.lower().endswith(SKIP_SUFFIXES):
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    if any(k in SKIP_PARAMS for k, _ in query):
        return None
    return path + ("?" + urlencode(sorted(query)) if query else "")


def pattern_of(url: str) -> str:
    """Return the URL pattern a link resolves to, with the names of its query parameters."""
    parts = urlsplit(url)
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        name = parts.path
    keys = sorted({k for k, _ in parse_qsl(parts.query)})
    return f"{name}?{'&'.join(keys)}"


def crawl(
    client, start: str = "/", on_page: Callable[[str, str], None] | None = None
) -> tuple[list[str], int]:
    """Visit what ``client`` can reach from ``start``; return the broken links and the count.

    ``on_page(url, html)`` is called with every HTML page reached.
    """
    broken: list[str] = []
    seen: set[str] = {start}
    per_pattern: Counter[str] = Counter()
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    visited = 0
    while queue and visited < MAX_PAGES:
        url, source = queue.popleft()
        response = client.get(url)
        visited += 1
        if response.status_code == 302:
            target = normalise(response["Location"])
            if target and target not in seen and not target.startswith("/accounts/login/"):
                seen.add(target)
                queue.appendleft((target, source))
            continue
        if response.status_code == 404 or response.status_code >= 500:
            broken.append(f"{source} links to {url}: {response.status_code}")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode(errors="replace")
        if on_page is not None:
            on_page(url, html)
        for href in HREF.findall(html):
            target = normalise(href)
            if target is None or target in seen:
                continue
            seen.add(target)
            pattern = pattern_of(target)
            if per_pattern[pattern] >= PER_PATTERN:
                continue
            per_pattern[pattern] += 1
            queue.append((target, url))
    return broken, visited


def test_no_link_shown_to_a_role_leads_to_a_404(world, clients, record_property):
    # given every role of the demo world, signed in
    report: list[str] = []
    totals: dict[str, int] = {}
    # when each follows every link its pages show, from its home page
    for who in ROLE_KEYS:
        broken, visited = crawl(clients[who])
        totals[who] = visited
        report += [f"{who}: {line}" for line in broken]
    # then no link leads to a 404 or a server error
    summary = f"link crawl: {sum(totals.values())} pages visited per role {totals}"
    print(summary)  # noqa: T201  (the closing note quotes these counts)
    record_property("links", summary)
    assert not report, f"{len(report)} broken links\n" + "\n".join(report) + "\n" + summary
