"""The authorization matrix: every URL pattern and API operation, asked by every kind of user.

Invariants checked (docs/permissions.md, "The authorization matrix"):
- every URL pattern of the resolver and every operation of the OpenAPI document is declared in
  ``table.py`` (an undeclared one fails, with the line to add);
- anonymous users are sent to the login page (pages) or get 401 (API), public URLs excepted;
- the declared roles succeed on commune A's objects; everyone else is refused: 404, or 403 only
  for a user who sees the object anyway (never 403 on a reintegration case: every undeclared
  role, the province officer and the unassigned commune officer included, gets 404); the
  users of another commune and of another province get exactly what a missing object gives
  (404);
- a write (POST/PUT/PATCH/DELETE with an empty body) is refused to every undeclared role;
- nothing answers 5xx.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from binhyen.core.models import AuditEvent
from binhyen.core.tests.matrix import rules
from binhyen.core.tests.matrix.rules import COMMUNE_VALUES, PROVINCE_VALUES, Rule
from binhyen.core.tests.matrix.table import API, PAGES
from binhyen.core.tests.matrix.world import OUTSIDER_KEYS, ROLE_KEYS, World

pytestmark = pytest.mark.django_db

# Patterns not requested, with the reason.
SKIPPED = {
    "^media/(?P<path>.*)$": "uploaded files served by the development server only (DEBUG); "
    "production serves them through the scoped views declared here",
}
# Each outsider acts, on national URLs, as the role they hold.
OUTSIDER_ROLE = {"other_commune": rules.OFFICER, "other_province": rules.PROVINCE}
MISSING = {int: 987654321, str: "khong-ton-tai"}
WRITE_METHODS = ("post", "put", "patch", "delete")


@dataclass(frozen=True)
class Ask:
    """One request to make and what must come back."""

    who: str
    method: str
    url: str
    label: str
    expect: str  # "ok", "refused", "hidden", "login", "any"
    status: int = 200
    api: bool = False
    missing_url: str = ""  # the same request for an object that does not exist
    denied: frozenset[int] = frozenset()  # other refusals declared for this URL


def walk(patterns: list[Any], prefix: str = "", ns: str = "") -> list[tuple[str, str]]:
    """Return (name, route) for every pattern of the resolver, nested ones included."""
    found: list[tuple[str, str]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}{p.namespace}:" if p.namespace else ns
            found += walk(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            found.append((f"{ns}{p.name}" if p.name else "", prefix + str(p.pattern)))
    return found


def _values(rule: Rule, params: list[str], world: World, where: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for param in params:
        key = rule.args.get(param) or rules.DEFAULT_ARGS.get(param)
        if key is None:
            raise AssertionError(
                f'{where}: say which object fills <{param}>, e.g. {param}="scheme" '
                f"(one of {sorted(world.values)})"
            )
        values[param] = world.values[key]
    return values


def _keys(rule: Rule, params: list[str]) -> set[str]:
    return {rule.args.get(p) or rules.DEFAULT_ARGS.get(p, "") for p in params}


def _missing(values: dict[str, Any], rule: Rule, params: list[str]) -> dict[str, Any]:
    """Return ``values`` with each scoped object replaced by one that does not exist."""
    scoped = COMMUNE_VALUES | PROVINCE_VALUES
    out = dict(values)
    for param in params:
        key = rule.args.get(param) or rules.DEFAULT_ARGS.get(param, "")
        if key in scoped:
            out[param] = MISSING[type(values[param])]
    return out


def expectation(rule: Rule, who: str, method: str, home: str) -> str:
    """Return what ``who`` must get from ``method`` on a URL declared by ``rule``.

    "ok": the declared success; "any": no server error (a write with an empty body by a
    role that may write); "refused": 404 or 403 and nothing stored; "hidden": exactly what a
    missing object gives; "login": the login page (401 in the API).
    """
    if rule.kind == rules.PUBLIC:
        return "any"
    if who == "anonymous":
        return "login"
    if who in OUTSIDER_KEYS:
        if home in ("case", "commune") or (home == "province" and who == "other_province"):
            return "hidden"
        who = OUTSIDER_ROLE[who]
    writes = method in WRITE_METHODS
    if (writes and rule.may_write(who)) or (not writes and who in rule.ok):
        return "any" if writes or rule.kind == rules.ACTION else "ok"
    if home == "case" or (home == "commune" and who not in rules.SEES_COMMUNE):
        return "hidden"
    return "refused"


def page_asks(world: World, report: list[str]) -> tuple[list[Ask], int]:
    asks: list[Ask] = []
    patterns = 0
    declared_seen: set[str] = set()
    for name, route in walk(get_resolver().url_patterns):
        if route in SKIPPED or (name.startswith("api:") and name not in PAGES):
            continue
        patterns += 1
        if route.startswith("django-admin/"):
            declared_seen.add("admin:*")
            if "<" in route or "(?P" in route or name in ("admin:login", "admin:logout"):
                continue  # object pages share the gate of the lists; login/out are public
            url = reverse(name)
            # Every admin page as anonymous and as a non-staff user; the index as two more.
            others = ("admin", "viewer") if name == "admin:index" else ()
            for who in ("anonymous", "officer", *others):
                asks.append(Ask(who, "get", url, name, "staff"))
            continue
        rule = PAGES.get(name)
        if rule is None:
            report.append(
                f"UNDECLARED page {name!r} ({route}): add a line to PAGES in "
                f"binhyen/core/tests/matrix/table.py, e.g. "
                f'"{name}": read(SEES_COMMUNE, pk="scheme"),'
            )
            continue
        declared_seen.add(name)
        params = re.findall(r"<(?:\w+:)?(\w+)>", route)
        try:
            values = _values(rule, params, world, name)
        except AssertionError as exc:
            report.append(str(exc))
            continue
        url = reverse(name, kwargs=values)
        missing_url = reverse(name, kwargs=_missing(values, rule, params)) if params else ""
        home = rules.home_of(_keys(rule, params))
        methods = ["get"] if rule.kind in (rules.READ, rules.SIGNED_IN, rules.PUBLIC) else []
        if rule.kind in (rules.FORM, rules.ACTION):
            methods = ["get", "post"]
        for who in ("anonymous", *ROLE_KEYS, *OUTSIDER_KEYS):
            for method in methods:
                expect = expectation(rule, who, method, home)
                if rule.kind == rules.ACTION and method == "get" and expect != "login":
                    expect = "any" if expect == "any" else expect + "-or-405"
                asks.append(
                    Ask(
                        who, method, url, name, expect, rule.status, False, missing_url, rule.denied
                    )
                )
    for stale in sorted(set(PAGES) - declared_seen):
        report.append(f"STALE declaration {stale!r}: no such URL any more; remove its line")
    return asks, patterns


def api_asks(world: World, report: list[str]) -> tuple[list[Ask], int]:
    from config.api import api

    asks: list[Ask] = []
    operations = 0
    schema = api.get_openapi_schema()
    declared_seen: set[str] = set()
    for path, ops in schema["paths"].items():
        for method, _op in ops.items():
            operations += 1
            key = f"{method.upper()} {path}"
            rule = API.get(key)
            if rule is None:
                report.append(
                    f"UNDECLARED operation {key!r}: add a line to API in "
                    f"binhyen/core/tests/matrix/table.py, e.g. "
                    f'"{key}": action(MANAGE_COMMUNITY, pk="scheme"),'
                )
                continue
            declared_seen.add(key)
            params = re.findall(r"{(\w+)}", path)
            try:
                values = _values(rule, params, world, key)
            except AssertionError as exc:
                report.append(str(exc))
                continue
            url = path.format(**values)
            missing_url = path.format(**_missing(values, rule, params)) if params else ""
            home = rules.home_of(_keys(rule, params))
            for who in ("anonymous", *ROLE_KEYS, *OUTSIDER_KEYS):
                expect = expectation(rule, who, method, home)
                asks.append(
                    Ask(who, method, url, key, expect, rule.status, True, missing_url, rule.denied)
                )
    for stale in sorted(set(API) - declared_seen):
        report.append(f"STALE declaration {stale!r}: no such operation any more; remove its line")
    return asks, operations


def _request(client: Any, ask: Ask, url: str) -> Any:
    call = getattr(client, ask.method)
    if ask.api and ask.method != "get":
        return call(url, data="{}", content_type="application/json")
    return call(url)


def judge(ask: Ask, response: Any, missing: Any | None) -> str | None:
    """Return what is wrong with ``response`` to ``ask``, or None."""
    code = response.status_code
    location = response.get("Location", "")
    if code >= 500:
        return f"{code} (server error)"
    if ask.expect == "staff":
        if ask.who == "anonymous" or not getattr(response, "wsgi_request", None):
            return None if code == 302 and "/django-admin/login/" in location else f"{code}"
        user = response.wsgi_request.user
        if user.is_staff:
            return None if code == 200 else f"{code} for staff"
        return None if code == 302 and "/django-admin/login/" in location else f"{code}"
    if ask.expect == "any":
        return None
    if ask.expect == "login":
        if ask.api:
            return None if code == 401 else f"{code}, expected 401"
        return None if code == 302 and "/accounts/login/" in location else f"{code} {location}"
    if ask.expect == "ok":
        return None if code == ask.status else f"{code}, expected {ask.status}"
    writes = ask.method in WRITE_METHODS
    if ask.expect.startswith("hidden"):
        allowed = {404, 405} if ask.expect.endswith("-or-405") else {404}
        if code in allowed:
            return None
        if missing is not None and code == missing.status_code and code >= 400 and code != 403:
            return None  # the same answer as for an object that does not exist
        return f"{code}, expected 404 (what a missing object gives)"
    allowed = {403, 404} | set(ask.denied)
    if ask.expect.endswith("-or-405"):
        allowed.add(405)
    if ask.api and writes:
        allowed.add(422)  # the body is checked before the object is looked up
    return None if code in allowed else f"{code}, expected a refusal (404 or 403)"


def _last_audit_id() -> int:
    """The newest audit event's id (the log is append-only; one index lookup, asked ~2,000
    times, where a count would scan the growing table)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {AuditEvent._meta.db_table}")  # noqa: S608
        return int(cursor.fetchone()[0] or 0)


def test_every_url_and_operation_is_declared_and_enforced(world, clients, record_property):
    # given every URL pattern and API operation, with commune A's objects as arguments
    report: list[str] = []
    pages, patterns = page_asks(world, report)
    apis, operations = api_asks(world, report)

    # when each is asked by anonymous, every role and the two outsiders
    # (reads first, then refused writes, then the writes that may succeed and change data)
    def phase(ask: Ask) -> int:
        if ask.method == "get":
            return 0
        return 2 if ask.expect == "any" else 1

    asks = sorted(pages + apis, key=phase)
    statuses: Counter[int] = Counter()
    for ask in asks:
        client = clients[ask.who]
        refused_write = ask.method in WRITE_METHODS and ask.expect not in ("any", "login")
        before = _last_audit_id() if refused_write else 0
        response = _request(client, ask, ask.url)
        if refused_write and _last_audit_id() != before:
            report.append(f"{ask.label}: {ask.method.upper()} {ask.url} as {ask.who}: WROTE")
        statuses[response.status_code] += 1
        missing = None
        wrong = judge(ask, response, None)
        if wrong and ask.missing_url and ask.expect.startswith("hidden"):
            missing = _request(client, ask, ask.missing_url)
            wrong = judge(ask, response, missing)
        if wrong:
            report.append(f"{ask.label}: {ask.method.upper()} {ask.url} as {ask.who}: {wrong}")
    # then nothing is undeclared, leaked, wrongly refused or broken
    server_errors = sum(n for code, n in statuses.items() if code >= 500)
    identities = 1 + len(ROLE_KEYS) + len(OUTSIDER_KEYS)
    summary = (
        f"authorization matrix: {patterns} URL patterns and {operations} API operations "
        f"x {identities} users (anonymous, {len(ROLE_KEYS)} roles, 2 outsiders); "
        f"{len(asks)} requests; 5xx: {server_errors}; statuses {dict(sorted(statuses.items()))}"
    )
    print(summary)  # noqa: T201  (the closing note quotes these counts)
    record_property("matrix", summary)
    assert not report, f"{len(report)} problems\n" + "\n".join(report) + "\n" + summary
