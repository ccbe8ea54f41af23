"""The regional report's Word template: the default in the repository, an admin's replacement.

The replacement lives at ``UPLOAD_DIR/report_templates/regional_report.docx`` (a fixed name we
choose; the uploaded name never reaches the filesystem). It is accepted only when it passes the
documents' upload checks (type by content, size, ZIP checks, no macros), is a DOCX, and renders
with a sample of every variable; otherwise it is removed and the current template stays.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import BinaryIO

from docxtpl import DocxTemplate
from flask import current_app
from flask_babel import gettext

from webapp.documents.uploads import UploadRejected, resolve_stored, store_upload

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "templates_docx" / "regional_report.docx"
FOLDER = "report_templates"
CUSTOM_NAME = "regional_report.docx"


class TemplateRefused(Exception):
    """The uploaded template cannot be used; the text is for the user (Russian)."""


def _folder() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / FOLDER


def custom_template() -> Path | None:
    path = _folder() / CUSTOM_NAME
    return path if path.is_file() else None


def active_template() -> Path:
    """The admin's replacement if there is one, else the default of the repository."""
    return custom_template() or DEFAULT_TEMPLATE


def render(context: dict, template: Path | None = None) -> bytes:
    """Fill the template with ``context`` and return the DOCX bytes."""
    document = DocxTemplate(str(template or active_template()))
    document.render(context, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def install_template(stream: BinaryIO, filename: str | None) -> None:
    """Check an uploaded template and make it the active one; TemplateRefused otherwise."""
    folder = _folder()
    max_bytes = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    try:
        stored = store_upload(stream, filename, folder, max_bytes)
    except UploadRejected as exc:
        raise TemplateRefused(exc.message) from exc
    path = resolve_stored(folder, stored.stored_name)
    try:
        if stored.kind != "docx":
            raise TemplateRefused(gettext("Шаблон отчёта должен быть документом Word (DOCX)."))
        try:
            render(sample_context(), path)
        except Exception as exc:  # any error of the template: Jinja syntax, broken XML …
            message = gettext(
                "Шаблон не удалось заполнить данными отчёта (%(error)s). Действует прежний шаблон.",
                error=_short(exc),
            )
            raise TemplateRefused(message) from exc
        os.replace(path, folder / CUSTOM_NAME)
    finally:
        path.unlink(missing_ok=True)


def reset_template() -> None:
    """Go back to the default template."""
    (_folder() / CUSTOM_NAME).unlink(missing_ok=True)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def sample_context() -> dict:
    """A value for every variable of the default template (the upload's trial render)."""
    school = {"name": "Школа", "municipality": "Район", "settlement": "сельская", "pupils": 1}
    return {
        "region": {"id": 1, "code": "00", "name": "Регион"},
        "campaign": {"name": "Проект «500+»", "year": 2026},
        "generated_on": "01.01.2026",
        "participants": {"schools_500plus": 1, "schools_low": 1, "municipalities": 1,
                         "pupils": 1, "rows": [{**school, "curators": "Куратор"}]},
        "curators": {"count": 1, "entries": 1, "visits": 1, "online": 0, "phone": 0,
                     "rows": [{"name": "Куратор", "schools": 1, "entries": 1, "visits": 1,
                               "last": "01.01.2026"}]},
        "documents": {"total": 1, "approved": 1, "revision": 0,
                      "by_state": [{"label": "Утверждён", "count": 1}],
                      "by_type": [{"name": "Концепция развития", "total": 1, "approved": 1,
                                   "review": 0, "revision": 0}]},
        "peer": {"received_total": 0, "received_submitted": 0, "received_declined": 0,
                 "received_expired": 0, "given_total": 0, "given_submitted": 0},
        "monitoring": {"measures": 0, "accepted": 0, "returned": 0, "submitted": 0,
                       "not_done": 0, "draft": 0, "target_met": 0, "files": 0},
        "roadmap": {"roadmaps": 1, "total": 1, "done": 0, "open": 0, "removed": 1,
                    "removed_rows": [{"owner": "Школа", "event": "Пункт", "reason": "Причина",
                                      "actor": "Координатор", "on": "01.01.2026"}]},
    }  # fmt: skip
