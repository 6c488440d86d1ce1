"""Document text made inert wherever kb sends it: a spreadsheet, a slide deck,
Markdown, a terminal, a link.

Whatever a document or its file name holds is data. None of it may become a
spreadsheet formula, an HTML element in a rendered Markdown deck, an XML
character that breaks a .pptx, an escape sequence that drives the terminal,
or a ``javascript:`` link.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

# A cell starting with one of these is a formula to Excel, LibreOffice and
# Google Sheets (OWASP's list); a quote in front keeps it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-\d+(?:\.\d+)?")
# Characters XML 1.0 forbids, which python-pptx cannot write.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udfff]")
# Control characters a terminal acts on (ESC starts colour, cursor and title
# sequences); tab and newline are layout, and stay.
_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MARKDOWN_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def csv_cell(value: object) -> object:
    """A number such as "-1.678" stays a number a spreadsheet can sum; any other
    cell that would start a formula gets a quote in front."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    """CSV whose every cell stays a value when a spreadsheet opens it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return out.getvalue()


def markdown_text(text: str) -> str:
    """Text to stand in Markdown as text: Marp, pandoc and every renderer pass
    raw HTML through, so '<script>' in a quote must arrive as characters."""
    return text.translate(_MARKDOWN_HTML)


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def terminal_text(text: str) -> str:
    """Control characters shown as escapes (``\\x1b``), never sent to the terminal."""
    return _TERMINAL_CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def web_url(url: str | None) -> str | None:
    """The address if it is one a browser may follow from kb's pages (http or
    https), else None: ``javascript:`` and ``data:`` run code when clicked."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.casefold()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None
