"""Plain text and Markdown.

Markdown headings are explicit (``#`` lines, or a line underlined with ``===``
or ``---``). Plain text has none, so a short stand-alone line that does not end
like a sentence ("Background", "Speakers") is taken as a heading, and the first
such line of the file as the document's title.
"""

from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path

from kb.errors import IngestError
from kb.ingest.contents import without_contents
from kb.ingest.numbering import levels_from_numbering
from kb.ingest.parsed import ParsedDocument, SectionBuilder
from kb.model import Metadata

_SETEXT_RULE = re.compile(r"^(=+|-+)\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•–]|\d{1,3}[.)])\s+(.*)$")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_FRONT_MATTER_FIELD = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*?)\s*$")
_DATE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})-(?P<day>\d{2}))?")

_MAX_HEADING_WORDS = 8
_MAX_TITLE_WORDS = 20
_SENTENCE_END = tuple(".,;:!?")
# A title never ends on one of these; a label such as "Organized by" does.
_TRAILING_FUNCTION_WORDS = frozenset(
    ("a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with")
)


def read_text_file(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise IngestError(path, "looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_markdown(path: Path) -> ParsedDocument:
    """Markdown through a CommonMark parser (markdown-it-py), which is linear
    in its input whatever the input holds; headings, paragraphs, list items,
    table rows and code lines become kb's blocks."""
    lines = read_text_file(path).splitlines()
    front, lines = _front_matter(lines)
    builder = SectionBuilder()
    heading_level = 0
    item_depth = 0
    row: list[str] | None = None
    number = ""  # an ordered list item's own number ("2."), which a reader cites
    for token in _markdown_parser().parse("\n".join(lines)):
        kind = token.type
        if kind == "heading_open":
            heading_level = int(token.tag[1])
        elif kind == "heading_close":
            heading_level = 0
        elif kind == "list_item_open":
            item_depth += 1
            number = f"{token.info}{token.markup} " if token.info else ""
        elif kind == "list_item_close":
            item_depth -= 1
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            builder.block(" | ".join(row), is_item=True)
            row = None
        elif kind == "inline":
            text = " ".join(_inline_text(token).split())
            if heading_level:
                builder.heading(text, heading_level)
            elif row is not None:
                row.append(text)
            elif text:
                builder.block(number + text, is_item=item_depth > 0)
                number = ""
        elif kind in ("fence", "code_block"):
            for line in token.content.splitlines():
                if line.strip():
                    builder.block(line)
        elif kind == "html_block":
            text = " ".join(_without_tags(token.content).split())
            if text:
                builder.block(html.unescape(text), is_item=item_depth > 0)
    title, sections = builder.finish(relevel=lambda found: without_contents(levels_from_numbering(found)))
    metadata = _front_matter_metadata(front)
    return ParsedDocument("markdown", front.get("title") or title, None, sections, metadata=metadata)


@functools.cache
def _markdown_parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def _inline_text(token) -> str:
    """What a reader sees of a paragraph or heading: its words, link texts and
    image descriptions; inline HTML tags are left out, the text between them stays."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_inline_text(child))
    return "".join(parts)


def _without_tags(markup: str) -> str:
    """Markup with its tags and comments taken out, in one pass (an unclosed
    comment or tag costs the distance to the next one, not the rest of the file)."""
    parts: list[str] = []
    position = 0
    while (start := markup.find("<", position)) >= 0:
        parts.append(markup[position:start])
        if markup.startswith("<!--", start):
            end = markup.find("-->", start + 4)
            position = len(markup) if end < 0 else end + 3
        elif tag := _HTML_TAG.match(markup, start):
            position = tag.end()
        else:
            parts.append("<")
            position = start + 1
    parts.append(markup[position:])
    return "".join(parts)


def _front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """A YAML front matter block (between ``---`` lines at the very top) as its
    simple ``key: value`` fields, and the lines after it. Values are kept as
    text, never evaluated."""
    if not lines or lines[0].strip() != "---":
        return {}, lines
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return {}, lines
    fields: dict[str, str] = {}
    for line in lines[1:end]:
        match = _FRONT_MATTER_FIELD.match(line)
        if match and match.group("value"):
            fields[match.group("key").casefold()] = _yaml_scalar(match.group("value").strip())
    return fields, lines[end + 1 :]


def _yaml_scalar(value: str) -> str:
    """A YAML scalar's text: a double-quoted one has JSON's escapes (YAML's
    are a superset), a single-quoted one doubles its quotes."""
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            return str(json.loads(value))
        except ValueError:
            return value[1:-1]
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


def _front_matter_metadata(fields: dict[str, str]) -> Metadata:
    date = _DATE.match(fields.get("date", ""))
    author = fields.get("author") or fields.get("publisher")
    return Metadata(
        publisher=author.strip("[]") if author else None,
        year=int(date.group("year")) if date else None,
        date=date.group(0) if date and date.group("day") else None,
    )


def parse_plain_text(path: Path) -> ParsedDocument:
    raw = [line.strip() for line in read_text_file(path).splitlines()]
    # A line underlined with ===== or ----- is a heading; the rule itself is no text.
    underlined: dict[str, int] = {}
    lines: list[str] = []
    for line in raw:
        if _SETEXT_RULE.match(line) and len(line) >= 3 and lines and lines[-1]:
            underlined[lines[-1]] = 1 if line.startswith("=") else 2
            lines.append("")
        else:
            lines.append(line)
    # With blank lines between paragraphs, the lines of a paragraph are wrapped
    # text to rejoin; without any, every line is a paragraph of its own.
    wrapped = any(not line for line in lines) and any(line for line in lines)
    groups = _line_groups(lines) if wrapped else [[line] for line in lines if line]

    builder = SectionBuilder()
    for n, group in enumerate(groups):
        stands_alone = len(group) == 1 and n < len(groups) - 1
        if len(group) == 1 and group[0] in underlined:
            builder.heading(group[0], underlined[group[0]])
        elif stands_alone and n == 0 and _looks_like_title(group[0]):
            builder.heading(group[0], 1)
        elif stands_alone and _looks_like_heading(group[0]) and _opens_content(groups[n + 1]):
            builder.heading(group[0], 2)
        elif (
            wrapped
            and len(group) > 1
            and _looks_like_heading(group[0])
            and len(group[0]) < 0.6 * len(group[1])
            and _opens_content(group[1:])
        ):
            # A heading set directly above its paragraph, with no blank line
            # between: a short line over longer ones, unlike wrapped text.
            builder.heading(group[0], 2)
            _add_group(builder, group[1:], wrapped)
        else:
            _add_group(builder, group, wrapped)
    title, sections = builder.finish()
    return ParsedDocument("text", title, None, sections)


def _line_groups(lines: list[str]) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    for line in lines:
        if line:
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [g for g in groups if g]


def _add_group(builder: SectionBuilder, group: list[str], wrapped: bool) -> None:
    paragraph: list[str] = []
    item: list[str] | None = None

    def flush() -> None:
        nonlocal item
        if item is not None:
            builder.block(" ".join(item), is_item=True)
            item = None
        if paragraph:
            builder.block(" ".join(paragraph))
            paragraph.clear()

    for line in group:
        match = _LIST_ITEM.match(line)
        if match:
            flush()
            item = [match.group(1)]
        elif wrapped and item is not None:
            item.append(line)  # a hard-wrapped item goes on until the next one
        elif wrapped:
            paragraph.append(line)
        else:
            flush()
            builder.block(line)
    flush()


def _looks_like_title(line: str) -> bool:
    return (
        len(line.split()) <= _MAX_TITLE_WORDS
        and not line.endswith(_SENTENCE_END)
        and not _LIST_ITEM.match(line)
        and line[0].isupper()
    )


def _opens_content(group: list[str]) -> bool:
    """A heading is followed by what it heads; a short line followed by another
    short line ("When", "Where") is a label or a fragment, not a heading."""
    line = group[0]
    is_fragment = len(line.split()) <= _MAX_HEADING_WORDS and not line.endswith(_SENTENCE_END)
    return len(group) > 1 or bool(_LIST_ITEM.match(line)) or not is_fragment


def _looks_like_heading(line: str) -> bool:
    words = line.split()
    return (
        len(words) <= _MAX_HEADING_WORDS
        and words[-1].casefold() not in _TRAILING_FUNCTION_WORDS
        and len(line) <= 60
        and not line.endswith(_SENTENCE_END)
        and not _LIST_ITEM.match(line)
        and (line[0].isupper() or line[0].isdigit())
    )
