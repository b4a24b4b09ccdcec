"""Accessibility in a real browser: axe-core finds no serious or critical violation on the
main pages, on a phone (390 px) and on a desktop (1,280 px).

axe-core is pinned in package.json (a development dependency) and read from node_modules.
The pages are those of the demo world (the same one the authorization matrix uses), seen by
the commune chief; the login page and the public tip form are seen signed out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from binhyen.conftest import DESKTOP, PHONE, browser_login
from binhyen.orgunits.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


@pytest.fixture
def world(settings, tmp_path):
    from binhyen.core.tests.matrix.world import build

    settings.OTP_REQUIRED_ROLES = []
    settings.MEDIA_ROOT = str(tmp_path)
    settings.TIPS_POW_BITS = 4
    return build()


def _violations(pg, url: str) -> list[str]:
    """Run axe on ``url`` at both widths; return the serious and critical violations."""
    found = []
    pg.goto(f"{pg.base}{url}")
    pg.wait_for_load_state("networkidle")
    pg.add_script_tag(path=str(AXE))
    for size in (PHONE, DESKTOP):
        pg.set_viewport_size(size)
        result = pg.evaluate(
            """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(
                v => ({id: v.id, impact: v.impact, help: v.help,
                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"""
        )
        found += [
            f"{url} @{size['width']}px {v['impact']} {v['id']}: {v['help']} {v['nodes']}"
            for v in result
            if v["impact"] in BLOCKING
        ]
    return found


def _main_pages(values: dict) -> list[str]:
    unit, form, period = values["unit"], values["form"], values["period"]
    return [
        "/",
        reverse("orgunits:detail", args=[unit]),
        reverse("indicators:dashboard", args=[unit]),
        reverse("indicators:report", args=[form, unit, period]),
        reverse("indicators:completeness", args=[form, unit, period]),
        reverse("activities:list"),
        reverse("activities:create", args=[values["activity_kind"]]),
        reverse("tips:inbox"),
        reverse("tips:detail", args=[values["tip"]]),
        reverse("hotspots:board"),
        reverse("programs:enrollment", args=[values["enrollment"]]),
    ]


@pytest.fixture
def page(browser, live_server):
    """A desktop page that may run axe (an inline script the pages' CSP would refuse)."""
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN", bypass_csp=True)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.base = live_server.url
    yield pg
    context.close()


def test_the_main_pages_have_no_serious_accessibility_violation(page, world):
    assert AXE.exists(), "run `npm ci` (axe-core is a development dependency)"
    # given the demo world; first signed out, then as the commune chief
    found = []
    for url in (reverse("accounts:login"), reverse("tips:new")):
        # when axe checks the public pages
        found += _violations(page, url)
    page.set_viewport_size(DESKTOP)
    browser_login(page, "demo_truong", DEMO_PASSWORD)
    for url in _main_pages(world.values):
        # and the pages of the commune's daily work
        found += _violations(page, url)
    # then none has a serious or critical violation
    assert not found, f"{len(found)} violations\n" + "\n".join(found)
