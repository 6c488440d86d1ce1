"""HTML pages: the main content only, cut into sections at h1-h6.

Site chrome (navigation, headers, footers, sidebars, forms, cookie banners) is
removed before any text is read, so that it never becomes a passage.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Comment, NavigableString, PageElement, Tag, UnicodeDammit

from kb.errors import IngestError
from kb.ingest.contents import without_contents
from kb.ingest.numbering import levels_from_numbering
from kb.ingest.parsed import ParsedDocument, ParsedSection, SectionBuilder, clean_text, heading_key

_CHROME_TAGS = [
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside",
    "form", "iframe", "svg", "button", "select", "dialog",
]  # fmt: skip
_CHROME_ATTR = re.compile(r"cookie|gdpr|consent-banner|cookie-consent|onetrust|cc-window", re.I)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = {
    "p", "div", "section", "article", "main", "blockquote", "pre", "ul", "ol", "dl",
    "dt", "dd", "table", "tr", "figure", "figcaption", "address", "details", "summary",
    "hr", "body",
}  # fmt: skip


def parse_html(path: Path) -> ParsedDocument:
    data = path.read_bytes()
    # A page that declares its charset is read in it; one that does not is tried
    # as UTF-8 and then as Windows-1252 before any guessing.
    markup = UnicodeDammit(data, user_encodings=["utf-8", "windows-1252"], is_html=True).unicode_markup
    if markup is None:
        raise IngestError(path, "cannot tell the text encoding")
    soup = BeautifulSoup(markup, "html.parser")
    page_title = clean_text(soup.title.get_text()) if soup.title else ""

    # A page without <body> (a fragment saved on its own) is read whole.
    main = soup.find("main") or soup.find("article") or soup.find(attrs={"role": "main"}) or soup.body or soup
    _remove_chrome(main)

    builder = SectionBuilder()
    _Walker(builder).walk(main)
    h1_title, sections = builder.finish(relevel=lambda found: without_contents(levels_from_numbering(found)))
    if not any(s.blocks for s in sections):
        raise IngestError(path, "no text in the page's main content")
    return ParsedDocument("html", h1_title or page_title or _opening_title(sections), None, sections)


def _opening_title(sections: list[ParsedSection]) -> str | None:
    """A page with no title of its own (as a PDF converter writes it) is named
    by the heading it opens with, where that heading has no text of its own
    but sections under it ("Foreign Exchange Smiles" over its first h2), or
    comes again at once (a statute's title over its contents, then over its text)."""
    if len(sections) < 2 or not sections[0].heading_path or sections[0].blocks:
        return None
    first, following = sections[0].heading_path, sections[1].heading_path
    nested = len(following) > len(first) and following[: len(first)] == first
    again = heading_key(following[-1]) == heading_key(first[-1])
    return (first[-1].rstrip(" _-–—:") or None) if nested or again else None


def _remove_chrome(root: Tag) -> None:
    """Decompose chrome in one pass from the top, never looking inside what is
    gone: a deeply nested page costs its size, not its size squared."""
    stack = [root]
    while stack:
        tag = stack.pop()
        for child in [c for c in tag.contents if isinstance(c, Tag)]:
            if _is_chrome(child):
                child.decompose()
            else:
                stack.append(child)


def _is_chrome(tag: Tag) -> bool:
    if tag.name in _CHROME_TAGS or tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    attrs = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
    return bool(attrs.strip() and _CHROME_ATTR.search(attrs))


class _Walker:
    """Walks the tree in document order, gathering inline text into blocks. It
    keeps its own stack, so that no nesting depth exhausts Python's."""

    def __init__(self, builder: SectionBuilder) -> None:
        self.builder = builder
        self.inline: list[str] = []
        self.in_item = 0

    def walk(self, root: Tag) -> None:
        stack: list[tuple[PageElement, bool]] = [(child, False) for child in reversed(root.contents)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                self._leave(node)
            elif isinstance(node, Comment):
                continue
            elif isinstance(node, NavigableString):
                self.inline.append(str(node))
            elif isinstance(node, Tag) and self._enter(node):
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.contents))

    def _enter(self, tag: Tag) -> bool:
        """Start a tag; whether its children are to be walked."""
        name = tag.name
        if name in _HEADINGS:
            self.flush()
            self.builder.heading(tag.get_text(" "), _HEADINGS[name])
            return False
        if name == "br":
            self.inline.append("\n")
            return False
        if name == "li":
            self.flush()
            self.in_item += 1
        elif name in _BLOCKS:
            self.flush()
        return True

    def _leave(self, tag: Tag) -> None:
        name = tag.name
        if name == "li":
            self.flush()
            self.in_item -= 1
        elif name in ("td", "th"):
            self.inline.append(" | ")
        elif name in _BLOCKS:
            self.flush()

    def flush(self) -> None:
        text = "".join(self.inline)
        self.inline = []
        lines = [line for line in (" ".join(line.split()).strip(" |") for line in text.split("\n")) if line]
        if lines and not self.in_item and self.builder.runs_on(lines[0]):
            self.builder.extend(lines.pop(0))  # a paragraph a converter cut at a page break
        for line in lines:
            self.builder.block(line, is_item=self.in_item > 0)
