"""Text of a document version and a line diff between two versions.

Text comes from DOCX (``word/document.xml``), ODT (``content.xml``) and PDF (pypdf, page by
page); XLSX, ODS and scanned PDFs give no text and the page says so. Every read is capped:
the zip is vetted again, one XML member is read up to ``MAX_XML_MEMBER`` bytes, at most
``MAX_PDF_PAGES`` pages are read and at most ``MAX_TEXT_CHARS`` characters kept, so a hostile
file costs bounded time and memory. The diff is per paragraph (line), with a little context.
"""

from __future__ import annotations

import difflib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from flask_babel import gettext

from webapp.tabular.zipcheck import ZIP_ERRORS, ZipRejected, open_vetted

MAX_XML_MEMBER = 20 * 1024 * 1024
MAX_PDF_PAGES = 300
MAX_TEXT_CHARS = 1_000_000
MAX_DIFF_LINES = 4_000
CONTEXT_LINES = 2

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_ODF_BLOCKS = {f"{_TEXT_NS}p", f"{_TEXT_NS}h"}


def _(text: str) -> str:
    """Mark a catalogue id for extraction; translated with ``gettext`` where raised."""
    return text


NO_TEXT_KINDS = {"xlsx": _("таблица XLSX"), "ods": _("таблица ODS")}


class NoText(Exception):
    """No text can be extracted; ``str()`` is the reason for the page, in the current language
    (formatted through ``gettext`` where raised)."""


def extract_text(path: Path, kind: str) -> list[str]:
    """The version's paragraphs (non-empty, stripped), or :class:`NoText` with the reason."""
    if kind in NO_TEXT_KINDS:
        raise NoText(
            gettext(
                "Текст не извлекается: это %(kind)s. Скачайте обе версии.",
                kind=gettext(NO_TEXT_KINDS[kind]),
            )
        )
    try:
        if kind == "docx":
            lines = _docx_lines(path)
        elif kind == "odt":
            lines = _odt_lines(path)
        elif kind == "pdf":
            lines = _pdf_lines(path)
        else:
            raise NoText(gettext("Текст не извлекается из файла этого типа."))
    except NoText:
        raise
    except (ZipRejected, *ZIP_ERRORS, DefusedXmlException, ParseError) as exc:
        raise NoText(gettext("Текст не извлекается: файл повреждён.")) from exc
    lines = _cap([line.strip() for line in lines if line.strip()])
    if not lines:
        raise NoText(
            gettext("В файле нет текстового слоя (например, это скан): сравните версии, открыв их.")
        )
    return lines


def _cap(lines: list[str]) -> list[str]:
    kept, total = [], 0
    for line in lines:
        total += len(line)
        if total > MAX_TEXT_CHARS:
            break
        kept.append(line)
    return kept


def _xml_member(path: Path, name: str) -> Element:
    with path.open("rb") as fh, open_vetted(fh) as zf:
        try:
            info = zf.getinfo(name)
        except KeyError as exc:
            raise NoText(gettext("Текст не извлекается: в документе нет основной части.")) from exc
        if info.file_size > MAX_XML_MEMBER:
            raise NoText(gettext("Текст не извлекается: документ слишком большой для сравнения."))
        data = _read_capped(zf, info)
    return fromstring(data, forbid_dtd=True)


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    data = bytearray()
    with zf.open(info) as member:
        while chunk := member.read(64 * 1024):
            data += chunk
            if len(data) > min(info.file_size, MAX_XML_MEMBER):
                raise NoText(gettext("Текст не извлекается: файл повреждён."))
    return bytes(data)


def _docx_lines(path: Path) -> list[str]:
    root = _xml_member(path, "word/document.xml")
    lines = []
    for paragraph in root.iter(f"{_W}p"):
        parts = []
        for el in paragraph.iter():
            if el.tag == f"{_W}t" and el.text:
                parts.append(el.text)
            elif el.tag == f"{_W}tab":
                parts.append("\t")
            elif el.tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
        lines.extend("".join(parts).split("\n"))
    return lines


def _odt_lines(path: Path) -> list[str]:
    root = _xml_member(path, "content.xml")
    lines = []
    for block in root.iter():
        if block.tag in _ODF_BLOCKS:
            lines.extend(_odf_text(block).split("\n"))
    return lines


def _odf_text(el: Element) -> str:
    parts = [el.text or ""]
    for child in el:
        if child.tag in _ODF_BLOCKS:
            continue  # nested paragraphs (e.g. in notes) are their own lines
        if child.tag == f"{_TEXT_NS}s":
            parts.append(" " * int(child.get(f"{_TEXT_NS}c", "1") or 1))
        elif child.tag == f"{_TEXT_NS}tab":
            parts.append("\t")
        elif child.tag == f"{_TEXT_NS}line-break":
            parts.append("\n")
        else:
            parts.append(_odf_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _pdf_lines(path: Path) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise NoText(gettext("Текст не извлекается: PDF защищён паролем."))
        lines, total = [], 0
        for page in reader.pages[:MAX_PDF_PAGES]:
            text = page.extract_text() or ""
            lines.extend(text.splitlines())
            total += len(text)
            if total > MAX_TEXT_CHARS:
                break
        return lines
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise NoText(gettext("Текст не извлекается: PDF повреждён.")) from exc


@dataclass(frozen=True)
class DiffLine:
    op: str  # "same", "del", "add", "skip"
    text: str


@dataclass(frozen=True)
class Diff:
    lines: list[DiffLine]
    added: int
    removed: int
    truncated: bool

    @property
    def identical(self) -> bool:
        return not self.added and not self.removed


def diff_lines(old: list[str], new: list[str]) -> Diff:
    """Paragraph diff with ``CONTEXT_LINES`` of context, at most ``MAX_DIFF_LINES`` rows."""
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    rows: list[DiffLine] = []
    added = removed = 0
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        if rows:
            rows.append(DiffLine("skip", ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend(DiffLine("same", line) for line in old[i1:i2])
                continue
            if tag in ("replace", "delete"):
                rows.extend(DiffLine("del", line) for line in old[i1:i2])
                removed += i2 - i1
            if tag in ("replace", "insert"):
                rows.extend(DiffLine("add", line) for line in new[j1:j2])
                added += j2 - j1
    truncated = len(rows) > MAX_DIFF_LINES
    return Diff(rows[:MAX_DIFF_LINES], added, removed, truncated)
