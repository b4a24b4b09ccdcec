"""The English interface is English: no Vietnamese words the product wrote itself.

For each role of the demo world, signed in with the language switch set to English, crawl the
pages reachable from the home page (the link crawl's walk) and read every text the user sees:
text nodes, options, and the ``title``/``placeholder``/``aria-label``/``alt`` attributes.
Vietnamese is recognised by its letters (ă â đ ê ô ơ ư and the tone marks).

Vietnamese that is data is allowed: every text the world wrote into the database (unit names,
people's names, free text of tips, activities, cases…), but not the catalogue rows seeded by
the migrations (metrics, forms, categories, scheme types…): those have English names and
English pages must show them.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from binhyen.core.tests.matrix.test_links import crawl
from binhyen.core.tests.matrix.world import ROLE_KEYS

# The page texts and links do not depend on the engine: checked once, on SQLite.
pytestmark = [pytest.mark.django_db, pytest.mark.engine_independent]

VIETNAMESE = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE
)
WORD = re.compile(r"\w+")
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
SKIPPED_ELEMENTS = {"script", "style", "template", "textarea"}
# Shown on purpose in Vietnamese on English pages: the product's name, the switch back, and
# the local words for a village kind given after their English name ("Hamlet (bản)").
ALLOWED = (
    "bình yên",
    "tiếng việt",
    "(bản)",
    "(làng)",
    "(ấp)",
    "(buôn)",
    "(khóm)",
    "phum/sóc",
    # legal document references keep their official abbreviations
    "nđ-cp",
    "qđ-bca",
    # sheet names of the Excel files, quoted as they appear there
    "“hướng dẫn”",
    "“tiêu chí”",
)
# Import pages name the Vietnamese column headers of the Excel templates, which the importers
# read: they are quoted, not translated.
QUOTING_PAGES = re.compile(r"/import/|/population/")
# Not translated yet (to burn down; a new gap fails the test).
KNOWN_GAPS: tuple[str, ...] = ()


class _Texts(HTMLParser):
    """The texts a page shows: text nodes outside scripts, and the attributes people read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_ELEMENTS:
            self._skipping += 1
        for name, value in attrs:
            if value and name in SHOWN_ATTRIBUTES:
                self.texts.append(value)
            # a value shown by the control itself (buttons, preset inputs) is read as text
            if (
                value
                and name == "value"
                and tag == "input"
                and dict(attrs).get("type")
                in {
                    "submit",
                    "button",
                }
            ):
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_ELEMENTS and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.texts.append(" ".join(data.split()))


def _strings(value: object) -> Iterator[str]:
    """Every string inside a value (JSON values included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _database_strings(skipped: set[tuple[str, object]]) -> set[str]:
    """Every Vietnamese text held in the database outside the ``skipped`` (model, pk) rows,
    one entry per value and per line."""
    found: set[str] = set()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        label = model._meta.label_lower
        for pk, *row in model._default_manager.values_list("pk", *fields):
            if (label, pk) in skipped:
                continue
            for text in _strings(row):
                if VIETNAMESE.search(text):
                    found.add(" ".join(text.split()))
                    found.update(" ".join(line.split()) for line in text.splitlines())
    return {text for text in found if text}


UNIT_KINDS = {"xã", "phường", "tỉnh", "thôn"}


class Whitelist:
    """Data texts, found in a page text by their first word, longest first, ignoring case."""

    def __init__(self, texts: set[str]) -> None:
        self._by_word: dict[str, set[str]] = defaultdict(set)
        for text in texts:
            folded = text.casefold()
            words = WORD.findall(folded)
            if words and words[0] in UNIT_KINDS:
                # a unit named without its kind ("Hiệp Hòa" for "Xã Hiệp Hòa")
                rest = folded[len(words[0]) :].strip()
                self._by_word[WORD.findall(rest)[0] if rest else ""].add(rest)
            if words:
                self._by_word[words[0]].add(folded)
                # as ``truncatechars`` shortens it in titles and breadcrumbs
                self._by_word[words[0]].update(
                    folded[: n - 1] for n in (40, 50, 60) if len(folded) > n
                )

    def strip(self, text: str) -> str:
        """``text`` (case-folded) without the data it quotes."""
        text = text.casefold()
        words = set(WORD.findall(text))
        candidates = set().union(*(self._by_word.get(word, set()) for word in words))
        for value in sorted(candidates, key=len, reverse=True):
            if value in text:
                text = text.replace(value, " ")
        return text


# Seeded rows quoted as official Vietnamese wording: the guidance and groups of the criteria,
# the groups and notes of the built-in sets and the programmes' legal basis quote circulars
# (TT 124/2021/TT-BCA…) word for word (the criteria's titles have English ones to show);
# the legal basis of the case types names the laws and decrees.
QUOTED_FIELDS = {
    "programs.criterion": {"guidance", "group"},
    "programs.criteriaset": None,
    "programs.program": {"description"},
    "cases.casetype": {"legal_basis"},
}


@pytest.fixture
def seeded(_seed_snapshot) -> tuple[set[tuple[str, object]], set[str]]:
    """The rows the migrations seeded (the catalogues, which must be translated), and the
    texts of them that are quoted wording."""
    rows: set[tuple[str, object]] = set()
    quoted_texts: set[str] = set()
    for row in json.loads(_seed_snapshot):
        quoted = QUOTED_FIELDS.get(row["model"], set())
        fields = row["fields"]
        if quoted is not None:
            rows.add((row["model"], row["pk"]))
        kept = fields if quoted is None else {k: v for k, v in fields.items() if k in quoted}
        quoted_texts.update(" ".join(text.split()) for text in _strings(kept))
    return rows, quoted_texts


def vietnamese_left(html: str, whitelist: Whitelist) -> list[str]:
    """The texts of ``html`` that still hold Vietnamese once the data is taken out."""
    parser = _Texts()
    parser.feed(html)
    left = []
    for text in parser.texts:
        if not VIETNAMESE.search(text):
            continue
        rest = whitelist.strip(text)
        for name in (*ALLOWED, *KNOWN_GAPS):
            rest = rest.replace(name, " ")
        if VIETNAMESE.search(rest):
            left.append(text)
    return left


def test_english_pages_show_no_vietnamese_but_data(world, clients, seeded):
    # given every role of the demo world, signed in, with English chosen
    seeded_rows, quoted = seeded
    whitelist = Whitelist(_database_strings(seeded_rows) | quoted)
    found: dict[str, str] = {}

    def read(url: str, html: str) -> None:
        if QUOTING_PAGES.search(url):
            return
        for text in vietnamese_left(html, whitelist):
            found.setdefault(text, url)

    # when each reads every page its menus and links lead to
    for who in ROLE_KEYS:
        client = clients[who]
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        crawl(client, on_page=lambda url, html, who=who: read(f"{who} {url}", html))
    # then no page shows Vietnamese the product wrote itself
    report = "\n".join(f"{url}: {text}" for text, url in sorted(found.items(), key=lambda i: i[1]))
    assert not found, f"{len(found)} Vietnamese texts on English pages\n{report}"
