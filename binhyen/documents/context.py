"""The content of a document: every figure from the indicators engine, tables from the apps.

``build(user=…, spec=…, unit=…, period=…, …)`` returns a JSON-safe dict (strings, numbers,
lists, dicts) with the fields the catalogue declares for the template code. Issuing a
document stores that dict, so an issued document is re-rendered from it and its figures
never move when data changes later.

Invariants:
- Every number comes from ``binhyen.indicators.selectors.analytics`` (the one engine):
  value, previous period, same period last year and their changes. Nothing here sums rows.
- Other apps are read through their selectors with the requesting user, so a document shows
  only what its author may see.
- Numbers, dates, changes and period labels are written by ``binhyen.core.formats``.
- The tip summary carries aggregates only: no tip, person or contact ever reaches it.
- Targets come from the hook ``settings.DOCUMENTS["TARGETS"]`` (a dotted path to
  ``f(*, user, unit, period, metric_codes) -> {metric_code: value}``); with no hook the column
  stays empty. Reward lists come from ``settings.DOCUMENTS["REWARDS"]`` the same way
  (``f(*, user, unit, period) -> [{"name", "parent", "result"}]``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from binhyen.activities import selectors as activity_selectors
from binhyen.community import selectors as community_selectors
from binhyen.core import formats as vn
from binhyen.core.collation import vi_key
from binhyen.documents.catalogue import Spec
from binhyen.documents.selectors import Profile
from binhyen.hotspots import selectors as hotspot_selectors
from binhyen.indicators import selectors as indicator_selectors
from binhyen.indicators.periods import Period
from binhyen.orgunits.models import OrgUnit
from binhyen.programs import selectors as programme_selectors

ProgressFn = Callable[[int, str], None]


NBSP = "\u00a0"


def _change(pct: float | None) -> str:
    """Return "tăng 12,5 %" with a non-breaking space, so a line never ends before "%"."""
    return vn.format_change(pct).replace(" %", NBSP + "%")


def _conf(name: str, default: Any = None) -> Any:
    return getattr(settings, "DOCUMENTS", {}).get(name, default)


def _hook(name: str) -> Callable[..., Any] | None:
    path = _conf(name, "")
    return import_string(path) if path else None


# --- heading, signature ---------------------------------------------------------------------


def heading(
    *,
    spec: Spec,
    unit: OrgUnit,
    period: Period,
    profile: Profile,
    number: int | None,
    issued_on: date | None,
    summary: str,
    draft: bool,
    on: date,
) -> dict[str, Any]:
    """Return the fixed objects: body, doc, signer, period, unit and the recipients."""
    day = issued_on or on
    symbol = f"{spec.type_code}-{profile.symbol}"
    reference = f"{number}/{symbol}" if number else f"     /{symbol}"
    notes = []
    if draft:
        notes.append(_("DỰ THẢO"))
        if period.end >= on:
            notes.append(
                _("Kỳ báo cáo chưa kết thúc (đến hết %(end)s): số liệu còn có thể thay đổi.")
                % {"end": vn.format_date(period.end)}
            )
    prefix = profile.signer_prefix.strip()
    if prefix:
        line1 = f"{prefix} {profile.signer_authority.upper()}"
        line2 = (profile.signer_title or "").upper()
    else:
        line1 = (profile.signer_title or profile.signer_authority).upper()
        line2 = ""
    label = vn.period_label(period)
    return {
        "body": {
            "name": profile.body_name,
            "name_upper": profile.body_name.upper(),
            "parent": profile.parent_body_name,
            "parent_upper": profile.parent_body_name.upper(),
            "symbol": profile.symbol,
            "place": profile.place,
            "unit_code": unit.code,
        },
        "doc": {
            "number": number or "",
            "reference": reference,
            "number_line": _("Số: %(ref)s") % {"ref": reference},
            "place_date": f"{profile.place}, {vn.format_date_long(day)}",
            "date": vn.format_date(day),
            "date_long": vn.format_date_long(day),
            "type_upper": str(spec.type_name).upper(),
            "summary": summary,
            "draft_note": " — ".join(notes),
            "is_draft": draft,
        },
        "signer": {
            "prefix": prefix,
            "line1": line1,
            "line2": line2,
            "name": profile.signer_name,
            "authority_upper": profile.signer_authority.upper(),
        },
        "period": {
            "code": period.code,
            "label": label,
            "label_lower": label[:1].lower() + label[1:],
            "start": vn.format_date(period.start),
            "end": vn.format_date(period.end),
            "kind": period.kind,
            "closed": period.end < on,
        },
        "unit": {"code": unit.code, "name": unit.name, "kind": unit.kind},
        "recipients": list(profile.recipients),
    }


def summary_for(spec: Spec, unit: OrgUnit, period: Period) -> str:
    label = vn.period_label(period)
    return str(spec.summary) % {
        "period": label[:1].lower() + label[1:],
        "unit": unit.name,
    }


# --- figures from the engine ------------------------------------------------------------------


def report_metric_codes() -> list[str]:
    """Return the metrics of the periodic report (configured, else the monthly form's)."""
    configured = _conf("REPORT_METRICS")
    if configured:
        return list(configured)
    code = _conf("REPORT_FORM", "bao_cao_thang")
    try:
        form = indicator_selectors.form_get(code)
    except Exception:
        return []
    return [m.code for m in indicator_selectors.form_metrics(form)]


def _existing(codes: Sequence[str]) -> list[str]:
    """Return the codes of ``codes`` that name active metrics (one query when all do)."""
    if not codes:
        return []
    try:
        return [m.code for m in indicator_selectors.metrics_get(codes)]
    except indicator_selectors.AnalyticsInputError:
        pass
    found = []
    for code in codes:
        try:
            indicator_selectors.metrics_get([code])
        except indicator_selectors.AnalyticsInputError:
            continue
        found.append(code)
    return found


def figures(
    *, user: Any, unit: OrgUnit, period: Period, codes: Sequence[str]
) -> tuple[list[dict[str, Any]], list[str], str]:
    """Return the figures table, the highlight sentences and the targets note."""
    codes = _existing(codes)
    if not codes:
        return [], [], ""
    result = indicator_selectors.analytics(
        user=user, metric_codes=codes, unit_codes=[unit.code], period_codes=[period.code]
    )
    by_code = {m.code: m for m in result.metrics}
    targets_hook = _hook("TARGETS")
    targets: dict[str, float] = (
        targets_hook(user=user, unit=unit, period=period, metric_codes=codes)
        if targets_hook
        else {}
    )
    rows, sentences = [], []
    kept = [r for r in result.rows if (r.value, r.previous, r.last_year) != (None, None, None)]
    for n, row in enumerate(kept, start=1):
        metric = by_code[row.metric]
        target = targets.get(row.metric)
        reached = ""
        if target and row.value is not None:
            reached = _("đạt %(pct)s %%") % {"pct": vn.format_number(row.value / target * 100, 1)}
            reached = reached.replace(" %", NBSP + "%")
        rows.append(
            {
                "n": n,
                "code": row.metric,
                "name": metric.name,
                "unit": metric.unit_of_measure,
                "value": vn.format_number(row.value) if row.value is not None else "—",
                "raw": row.value,
                "previous": vn.format_number(row.previous),
                "change": _change(row.change_pct),
                "last_year": vn.format_number(row.last_year),
                "yoy": _change(row.yoy_pct),
                "target": " ".join(p for p in (vn.format_number(target), reached) if p),
            }
        )
        if row.value is not None:
            parts = [f"{metric.name}: {vn.format_number(row.value)} {metric.unit_of_measure}"]
            if row.change_pct is not None:
                parts.append(_("%(change)s so với kỳ trước") % {"change": _change(row.change_pct)})
            if row.yoy_pct is not None:
                parts.append(
                    _("%(change)s so với cùng kỳ năm trước") % {"change": _change(row.yoy_pct)}
                )
            sentences.append(", ".join(parts).strip() + ".")
    note = (
        _("Cột chỉ tiêu giao để trống: chưa có chỉ tiêu cho kỳ này.")
        if targets_hook and not targets
        else ""
    )
    return rows, sentences[: _conf("HIGHLIGHTS", 8)], note


# --- tables from the domain apps ----------------------------------------------------------


def _activities(*, user: Any, unit: OrgUnit, period: Period) -> list[dict[str, Any]]:
    limit = _conf("TABLE_ROWS", 30)
    qs = activity_selectors.activity_list(
        user=user, unit=unit, date_from=period.start, date_to=period.end
    )
    return [
        {
            "n": n,
            "title": a.title,
            "date": vn.format_date(a.date),
            "unit": a.orgunit.name,
            "kind": str(a.get_kind_display()),
        }
        for n, a in enumerate(qs[:limit], start=1)
    ]


def _schemes(*, user: Any, unit: OrgUnit) -> list[dict[str, Any]]:
    limit = _conf("TABLE_ROWS", 30)
    qs = community_selectors.scheme_list(user=user, unit=unit, status="active").select_related(
        "scheme_type"
    )
    return [
        {
            "n": n,
            "name": s.name,
            "type": s.scheme_type.name if s.scheme_type_id else "",
            "unit": ", ".join(sorted((u.name for u in s.units.all()), key=vi_key))[:120],
        }
        for n, s in enumerate(qs.prefetch_related("units")[:limit], start=1)
    ]


def _teams(*, user: Any, unit: OrgUnit, period: Period) -> dict[str, Any]:
    """Return the security teams and their members at the end of ``period`` (the engine's)."""
    codes = _existing(["security_teams", "team_members"])
    values: dict[str, float | None] = {}
    if codes:
        result = indicator_selectors.analytics(
            user=user,
            metric_codes=codes,
            unit_codes=[unit.code],
            period_codes=[period.code],
            compare=False,
        )
        values = {r.metric: r.value for r in result.rows}
    teams, members = values.get("security_teams"), values.get("team_members")
    if teams is None:
        sentence = _("Chưa có số liệu về tổ bảo vệ an ninh, trật tự trong kỳ.")
    elif members is None:
        sentence = _("Trên địa bàn có %(n)s tổ bảo vệ an ninh, trật tự đang hoạt động.") % {
            "n": vn.format_number(teams)
        }
    else:
        sentence = _(
            "Trên địa bàn có %(n)s tổ bảo vệ an ninh, trật tự đang hoạt động với %(m)s thành viên."
        ) % {"n": vn.format_number(teams), "m": vn.format_number(members)}
    return {"count": teams, "members": members, "sentence": sentence}


def _programmes(*, user: Any, unit: OrgUnit, period: Period) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    qs = programme_selectors.enrollment_list(user=user, under=unit).filter(
        period__startswith=str(period.year)
    )
    for e in qs[:5000]:
        row = rows.setdefault(
            e.program.code, {"name": e.program.name, "enrolled": 0, "recognised": 0}
        )
        row["enrolled"] += 1
        row["recognised"] += e.status in ("recognised", "classified")
    return [
        {
            "n": n,
            "name": r["name"],
            "enrolled": vn.format_number(r["enrolled"]),
            "recognised": vn.format_number(r["recognised"]),
        }
        for n, r in enumerate(rows.values(), start=1)
    ]


def _hotspots(*, user: Any, unit: OrgUnit, period: Period) -> list[dict[str, Any]]:
    limit = _conf("TABLE_ROWS", 30)
    qs = hotspot_selectors.designation_list(user=user, unit=unit).filter(
        decision_date__lte=period.end
    )
    out = []
    for n, d in enumerate(qs[:limit], start=1):
        tasks = list(d.tasks.all()) if hasattr(d, "tasks") else []
        progress = (
            vn.format_number(sum(t.progress or 0 for t in tasks) / len(tasks), 0) + " %"
            if tasks
            else ""
        )
        removed = d.removal_date is not None and d.removal_date <= period.end
        out.append(
            {
                "n": n,
                "name": d.orgunit.name,
                "regime": str(d.get_regime_display()),
                "status": _("đã đưa ra khỏi diện") if removed else _("đang trong diện"),
                "progress": progress,
            }
        )
    return out


def _items(*, user: Any, unit: OrgUnit, period: Period) -> tuple[list[dict[str, Any]], dict]:
    """Return the units recognised in ``period`` under ``unit`` and the programme's name."""
    qs = programme_selectors.enrollment_list(user=user, under=unit, period=period.code).filter(
        status__in=("recognised", "classified")
    )
    items = []
    programme = ""
    for n, e in enumerate(qs.order_by("unit__path")[:2000], start=1):
        programme = programme or e.program.name
        result = str(e.get_level_display()) if e.level else str(e.get_status_display())
        criteria = f"{e.met_count}/{e.criteria_count}" if e.criteria_count else ""
        items.append(
            {
                "n": n,
                "name": e.unit.name,
                "parent": e.unit.parent.name if e.unit.parent is not None else "",
                "criteria": criteria,
                "criteria_sentence": (
                    _("Đạt %(c)s tiêu chí") % {"c": criteria} if criteria else ""
                ),
                "points": vn.format_number(e.points_total) if e.points_total is not None else "",
                "result": result,
            }
        )
    name = programme or _("danh hiệu, tiêu chuẩn của phong trào")
    return items, {"name": name, "name_upper": name.upper()}


# --- province pieces --------------------------------------------------------------------------


def annex_metric_codes() -> list[str]:
    configured = _conf("ANNEX_METRICS")
    codes = list(configured) if configured else report_metric_codes()
    return _existing(codes)[:6]


def annex(
    *, user: Any, unit: OrgUnit, period: Period, sent: dict[str, str] | None = None
) -> tuple[list[str], list[dict[str, Any]], list[list[Any]]]:
    """Return the annex heads, its rows (formatted) and the raw values (for Excel).

    One engine call answers every commune × metric of the period.
    """
    codes = annex_metric_codes()
    children = indicator_selectors.unit_children(user=user, unit=unit)
    if not codes or not children:
        return [], [], []
    result = indicator_selectors.analytics(
        user=user,
        metric_codes=codes,
        unit_codes=[c.code for c in children],
        period_codes=[period.code],
        compare=False,
    )
    names = {m.code: m.name for m in result.metrics}
    values: dict[tuple[str, str], float | None] = {(r.unit, r.metric): r.value for r in result.rows}
    heads = [names[c] for c in codes] + [""] * (6 - len(codes))
    rows, raw = [], []
    for n, child in enumerate(children, start=1):
        numbers = [values.get((child.code, c)) for c in codes]
        shown = [vn.format_number(v) for v in numbers] + [""] * (6 - len(codes))
        state = (sent or {}).get(child.code, "")
        rows.append({"n": n, "name": child.name, "cols": shown, "sent": state})
        raw.append([n, child.code, child.name, *numbers, state])
    return heads, rows, raw


def completeness(*, user: Any, unit: OrgUnit, period: Period) -> dict[str, Any]:
    """Return the reports sent by each child for the months of ``period``, and who is missing."""
    code = _conf("REPORT_FORM", "bao_cao_thang")
    try:
        form = indicator_selectors.form_get(code)
    except Exception:
        return {"rows": [], "missing": [], "expected": 0, "submitted": 0, "sentence": ""}
    _total, counted = indicator_selectors.completeness_over(
        user=user, form=form, unit=unit, periods=_months(period)
    )
    per: dict[str, dict[str, Any]] = {
        row.unit.code: {
            "code": row.unit.code,
            "name": row.unit.name,
            "expected": row.expected,
            "submitted": row.submitted,
        }
        for row in counted
    }
    rows = sorted(per.values(), key=lambda r: vi_key(r["name"]))
    missing = [r for r in rows if r["submitted"] < r["expected"]]
    expected = sum(r["expected"] for r in rows)
    submitted = sum(r["submitted"] for r in rows)
    sentence = _(
        "Đã nhận %(submitted)s/%(expected)s báo cáo tháng của các đơn vị cấp xã; "
        "%(missing)s đơn vị còn thiếu báo cáo."
    ) % {
        "submitted": vn.format_number(submitted),
        "expected": vn.format_number(expected),
        "missing": vn.format_number(len(missing)),
    }
    return {
        "rows": rows,
        "missing": missing,
        "expected": expected,
        "submitted": submitted,
        "sentence": sentence,
    }


def _months(period: Period) -> list[Period]:
    from binhyen.indicators.periods import periods_in

    if period.kind in ("month", "stat_month"):
        return [period]
    return periods_in("month", period.start, period.end)


# --- the builders -----------------------------------------------------------------------------


def content(
    *,
    user: Any,
    spec: Spec,
    unit: OrgUnit,
    period: Period,
    progress: ProgressFn | None = None,
) -> dict[str, Any]:
    """Return the data part of a document (everything but heading and narrative)."""
    step = progress or (lambda pct, text: None)
    kind = spec.code
    data: dict[str, Any] = {}
    if kind in ("bao-cao-phong-trao-xa", "bao-cao-phong-trao-tinh", "ke-hoach-nam"):
        step(10, _("Tính số liệu"))
        reference = period.previous() if kind == "ke-hoach-nam" else period
        rows, sentences, note = figures(
            user=user, unit=unit, period=reference, codes=report_metric_codes()
        )
        data.update(figures=rows, highlights=sentences, targets_note=note)
    if kind in ("bao-cao-phong-trao-xa", "bao-cao-phong-trao-tinh"):
        step(30, _("Lập các bảng"))
        data["activities"] = _activities(user=user, unit=unit, period=period)
        data["schemes"] = _schemes(user=user, unit=unit)
        data["teams"] = _teams(user=user, unit=unit, period=period)
        data["programmes"] = _programmes(user=user, unit=unit, period=period)
    if kind == "bao-cao-phong-trao-tinh":
        step(45, _("Tổng hợp báo cáo của các xã"))
        state = completeness(user=user, unit=unit, period=period)
        sent = {
            r["code"]: f"{r['submitted']}/{r['expected']}" for r in state["rows"] if r["expected"]
        }
        step(60, _("Lập phụ lục theo xã"))
        heads, rows_annex, _raw = annex(user=user, unit=unit, period=period, sent=sent)
        data.update(
            annex=rows_annex,
            annex_head=heads,
            completeness={
                "sentence": state["sentence"],
                "expected": state["expected"],
                "submitted": state["submitted"],
                "missing": [m["name"] for m in state["missing"]],
            },
        )
    if kind == "bao-cao-chuyen-hoa-dia-ban":
        rows, sentences, note = figures(
            user=user, unit=unit, period=period, codes=_conf("HOTSPOT_METRICS", [])
        )
        data.update(
            figures=rows,
            highlights=sentences,
            targets_note=note,
            hotspots=_hotspots(user=user, unit=unit, period=period),
        )
    if kind == "bao-cao-tin-bao":
        rows, sentences, note = figures(
            user=user, unit=unit, period=period, codes=_conf("TIP_METRICS", [])
        )
        data.update(figures=rows, highlights=sentences, targets_note=note)
    if kind in ("quyet-dinh-cong-nhan", "danh-sach-cong-nhan", "giay-chung-nhan"):
        items, programme = _items(user=user, unit=unit, period=period)
        if kind == "giay-chung-nhan":
            items = [i for i in items if i["name"] == unit.name] or items[:1]
        data.update(items=items, programme=programme)
    if kind in ("quyet-dinh-khen-thuong", "giay-khen"):
        rewards = _hook("REWARDS")
        listed = rewards(user=user, unit=unit, period=period) if rewards else []
        data.update(
            items=[{"n": n, **r} for n, r in enumerate(listed, start=1)],
            programme={"name": "", "name_upper": ""},
        )
    step(70, _("Ghép văn bản"))
    return data


def build(
    *,
    user: Any,
    spec: Spec,
    unit: OrgUnit,
    period: Period,
    profile: Profile,
    narrative: dict[str, str],
    number: int | None,
    issued_on: date | None,
    summary: str,
    draft: bool,
    on: date,
    progress: ProgressFn | None = None,
) -> dict[str, Any]:
    """Return the whole context of a document (JSON-safe)."""
    ctx = heading(
        spec=spec,
        unit=unit,
        period=period,
        profile=profile,
        number=number,
        issued_on=issued_on,
        summary=summary,
        draft=draft,
        on=on,
    )
    ctx.update(content(user=user, spec=spec, unit=unit, period=period, progress=progress))
    ctx["narrative"] = {s.key: narrative.get(s.key, "") for s in spec.narrative}
    return ctx
