"""Turn a template and a context into Word bytes (docxtpl), and Word into PDF (LibreOffice).

The PDF is made by LibreOffice headless (``settings.DOCUMENTS["SOFFICE"]``, Debian's
``libreoffice-writer-nogui``; ``make setup`` installs it). Each conversion runs with its own
temporary profile directory, so several workers convert at once without sharing state, and
is bounded by ``PDF_TIMEOUT`` seconds.
"""

from __future__ import annotations

import copy
import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from docxtpl import DocxTemplate, Listing

from binhyen.documents.lint import environment

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"
ZIP_CONTENT_TYPE = "application/zip"


class ConversionError(RuntimeError):
    """LibreOffice is missing, failed or took too long; the message says which."""


def _conf(name: str, default: Any) -> Any:
    return getattr(settings, "DOCUMENTS", {}).get(name, default)


def _prepared(context: dict[str, Any]) -> dict[str, Any]:
    """Wrap the narrative texts so each line becomes a paragraph (docxtpl ``Listing``)."""
    ctx = copy.copy(context)
    ctx["narrative"] = {
        key: Listing(_paragraphs(text)) if text else ""
        for key, text in context.get("narrative", {}).items()
    }
    return ctx


def _paragraphs(text: str) -> str:
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\a".join(line for line in lines if line)


def render_docx(template: bytes, context: dict[str, Any]) -> bytes:
    """Return the Word document rendered from ``template`` with ``context``."""
    doc = DocxTemplate(io.BytesIO(template))
    doc.render(_prepared(context), jinja_env=environment(), autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def soffice_path() -> str | None:
    configured = _conf("SOFFICE", "soffice")
    return shutil.which(configured) or (configured if Path(configured).is_file() else None)


def to_pdf(docx: bytes) -> bytes:
    """Return ``docx`` converted to PDF by LibreOffice headless."""
    binary = soffice_path()
    if binary is None:
        raise ConversionError(_("Chưa cài LibreOffice (soffice) trên máy chủ: không tạo được PDF."))
    with tempfile.TemporaryDirectory(prefix="binhyen-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "document.docx"
        source.write_bytes(docx)
        command = [
            binary,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(folder),
            str(source),
        ]
        try:
            subprocess.run(  # noqa: S603 - fixed arguments, our own file
                command,
                check=True,
                capture_output=True,
                timeout=_conf("PDF_TIMEOUT", 120),
            )
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(_("LibreOffice quá thời gian khi tạo PDF.")) from exc
        except (subprocess.CalledProcessError, OSError) as exc:
            raise ConversionError(_("LibreOffice không tạo được PDF.")) from exc
        target = folder / "document.pdf"
        if not target.is_file():
            raise ConversionError(_("LibreOffice không tạo được PDF."))
        return target.read_bytes()
