"""How a text table is encoded and delimited, found by reading it (not by its name).

UTF-8 (with or without a BOM) is tried first. Otherwise the file is taken as Windows-1251 (what
Russian Excel's plain «CSV» writes) only if it reads as Russian text: every non-ASCII character a
Cyrillic letter or common Russian punctuation, and at least one run of two Cyrillic letters. A
Latin-1 or binary file therefore stays refused instead of turning into mojibake.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

CHUNK = 1024 * 1024
DELIMITERS = (";", ",")

_RUSSIAN_EXTRA = frozenset("«»„“”‘’–—…№•\u00a0\u2009\u202f°§±×")
_CYRILLIC_RUN = re.compile(r"[А-Яа-яЁё]{2}")


class NotText(ValueError):
    """The bytes are binary, or neither UTF-8 nor Russian Windows-1251 text."""


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` or ``cp1251``; NotText for anything else. Reads the file in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            if b"\0" in chunk:
                raise NotText("binary")
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
    if _reads_as_russian(path):
        return "cp1251"
    raise NotText("encoding")


def _reads_as_russian(path: Path) -> bool:
    """Whether the whole file decodes as plausible Russian Windows-1251 text."""
    found_run = False
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            try:
                text = chunk.decode("cp1251")
            except UnicodeDecodeError:
                return False
            if any(not _russian(ch) for ch in set(text) if ch > "\x7f"):
                return False
            found_run = found_run or bool(_CYRILLIC_RUN.search(text))
    return found_run


def _russian(ch: str) -> bool:
    return "А" <= ch <= "я" or ch in "Ёё" or ch in _RUSSIAN_EXTRA


def detect_delimiter(first_line: str) -> str:
    """``;`` when the header has more semicolons than commas, else ``,``."""
    return ";" if first_line.count(";") > first_line.count(",") else ","
