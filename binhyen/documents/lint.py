"""Check an uploaded Word template before it is stored: readable, valid tags, known fields.

docxtpl's own pre-processing (``DocxTemplate.patch_xml``) turns the document into the Jinja
source it will render; we parse that source with docxtpl's Jinja environment, so a template
that passes here renders. Every paragraph ends with a line break in the source, so a Jinja
error's line number is the paragraph's number (counted through the whole document, table
cells included), and the message names it with the paragraph's text.

Refused: a file that is not a .docx; a tag Jinja cannot parse (an unclosed ``{{``, an
``{% if %}`` without ``{% endif %}``, an unknown filter); a top-level name the catalogue does
not declare for the code; an unknown name inside the fixed objects (``body.nme``).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import jinja2
from django.utils.translation import gettext as _
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import meta, nodes

from binhyen.documents.catalogue import OBJECT_FIELDS, Spec

_PARAGRAPH_END = re.compile(r"(</w:p>)")
_TAGS = re.compile(r"<[^>]+>")
MAX_EXCERPT = 80


@dataclass
class TemplateProblem(Exception):
    message: str
    paragraph: int | None = None

    def __str__(self) -> str:
        return self.message


def environment() -> jinja2.Environment:
    """Return the Jinja environment documents render with (autoescaped XML)."""
    return jinja2.Environment(autoescape=True, undefined=jinja2.ChainableUndefined)


def paragraphs(content: bytes) -> list[str]:
    """Return the text of every paragraph of the body, table cells included, in order."""
    document = DocxTemplate(io.BytesIO(content))
    document.init_docx()
    body = document.docx.element.body  # type: ignore[union-attr]
    texts = []
    for p in body.iter(qn("w:p")):
        texts.append("".join(t.text or "" for t in p.iter(qn("w:t"))))
    return texts


def _excerpt(text: str) -> str:
    text = text.strip()
    return text[:MAX_EXCERPT] + ("…" if len(text) > MAX_EXCERPT else "")


def _delimiters(texts: list[str]) -> None:
    """Refuse a paragraph whose tags are not closed in it (docxtpl would drop its text)."""
    for number, text in enumerate(texts, start=1):
        for opening, closing in (("{{", "}}"), ("{%", "%}"), ("{#", "#}")):
            if text.count(opening) != text.count(closing):
                raise TemplateProblem(
                    _("Thẻ lỗi ở đoạn %(n)s («%(text)s»): «%(open)s» và «%(close)s» không khớp.")
                    % {"n": number, "text": _excerpt(text), "open": opening, "close": closing},
                    paragraph=number,
                )


def jinja_source(content: bytes) -> str:
    """Return the Jinja source docxtpl renders for ``content``, one paragraph per line."""
    try:
        if not zipfile.is_zipfile(io.BytesIO(content)):
            raise ValueError
        template = DocxTemplate(io.BytesIO(content))
        template.init_docx()
        xml = template.patch_xml(template.get_xml())
    except Exception as exc:
        raise TemplateProblem(_("Tệp không phải là văn bản Word (.docx) đọc được.")) from exc
    return _PARAGRAPH_END.sub(r"\1\n", xml.replace("\n", " "))


def _paragraph_text(source: str, line: int) -> str:
    lines = source.split("\n")
    if not 1 <= line <= len(lines):
        return ""
    text = _TAGS.sub("", lines[line - 1]).strip()
    return text[:MAX_EXCERPT] + ("…" if len(text) > MAX_EXCERPT else "")


def _number(texts: list[str], excerpt: str, line: int) -> int:
    """Return the paragraph number (as Word counts them) holding ``excerpt``."""
    probe = excerpt.rstrip("…")[:40]
    for number, text in enumerate(texts, start=1):
        if probe and probe in text:
            return number
    return line


def _where(source: str, texts: list[str], line: int) -> tuple[str, int]:
    excerpt = _paragraph_text(source, line)
    number = _number(texts, excerpt, line)
    if excerpt:
        return _("đoạn %(n)s («%(text)s»)") % {"n": number, "text": excerpt}, number
    return _("đoạn %(n)s") % {"n": number}, number


def _line_of(source: str, pattern: str) -> int:
    for number, line in enumerate(source.split("\n"), start=1):
        if re.search(pattern, _TAGS.sub("", line)):
            return number
    return 0


def _attribute_uses(
    tree: nodes.Template, known: dict[str, frozenset[str]]
) -> list[tuple[str, str, int]]:
    """Return (object, attribute, line) for every ``object.attribute`` of a fixed object."""
    found = []
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name in known:
            found.append((node.node.name, node.attr, node.lineno))
    return found


def check(content: bytes, spec: Spec) -> str:
    """Return the Jinja source of a valid template; raise ``TemplateProblem`` naming the place."""
    source = jinja_source(content)
    texts = paragraphs(content)
    _delimiters(texts)
    env = environment()
    try:
        tree = env.parse(source)
        env.compile(source)
    except jinja2.TemplateSyntaxError as exc:
        where, number = _where(source, texts, exc.lineno or 0)
        raise TemplateProblem(
            _("Thẻ lỗi ở %(where)s: %(reason)s.") % {"where": where, "reason": exc.message or ""},
            paragraph=number,
        ) from exc
    unknown = sorted(meta.find_undeclared_variables(tree) - spec.fields)
    if unknown:
        name = unknown[0]
        where, number = _where(source, texts, _line_of(source, r"\b" + re.escape(name) + r"\b"))
        raise TemplateProblem(
            _("Trường không có trong mẫu «%(code)s»: «%(name)s» ở %(where)s.")
            % {"code": spec.code, "name": name, "where": where},
            paragraph=number,
        )
    known = {**OBJECT_FIELDS, "narrative": frozenset(s.key for s in spec.narrative)}
    for obj, attr, line in _attribute_uses(tree, known):
        if attr not in known[obj]:
            where, number = _where(source, texts, line)
            raise TemplateProblem(
                _("Trường không có trong mẫu «%(code)s»: «%(name)s» ở %(where)s.")
                % {"code": spec.code, "name": f"{obj}.{attr}", "where": where},
                paragraph=number,
            )
    return source
