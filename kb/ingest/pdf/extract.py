"""From a PDF page to positioned lines of text.

pypdf's plain extraction gets spacing right; its visitor tells where each piece
of text stands and in which font. Together they give lines with a position,
a size and a weight, which the rest of the PDF reader works from.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import DependencyError, PyPdfError, WrongPasswordError

from kb.errors import IngestError

_FILL_OPERATORS = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}


@dataclass
class Line:
    text: str
    x: float
    y: float
    size: float
    bold: bool
    page: int
    in_box: bool = False
    lead: str = ""  # a bold lead-in set apart on the line: a glossary term, an acronym
    marks: list[str] = field(default_factory=list)  # footnote numbers set as superscripts
    # Where pieces set side by side on the row begin: (x, letters before it), so that
    # the cells of a table can be told apart again after the row is made one line.
    cells: list[tuple[float, int]] = field(default_factory=list)
    layout: str = ""  # the line as layout extraction spaces it, where it sees fewer spaces
    # Letters before each piece that starts well past where the one before it can end
    # (the cells of a form): a space there is never taken out by ``mend_spacing``.
    apart: set[int] = field(default_factory=set)


@dataclass
class Page:
    number: int
    label: str
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)
    pictured: bool = False  # draws an image over a quarter of the page or more: a scan, most often


def open_pdf(path: Path, password: str | None = None) -> PdfReader:
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            opened = reader.decrypt(password or "")
            if not opened:
                needs = "the password given is wrong" if password else "it is encrypted: give its --password"
                raise IngestError(path, needs)
        len(reader.pages)  # reads the page tree: broken files fail here, not later
    except IngestError:
        raise
    except WrongPasswordError:
        raise IngestError(path, "the password given is wrong") from None
    except DependencyError as exc:
        raise IngestError(path, f"cannot decrypt this PDF ({exc})") from exc
    except Exception as exc:  # pypdf raises far more than PyPdfError on damaged files
        raise IngestError(path, f"not a readable PDF ({describe(exc)})") from exc
    return reader


def describe(exc: Exception) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    kind = "PDF error" if isinstance(exc, PyPdfError) else type(exc).__name__
    return f"{kind}: {message}" if message else kind


def read_page(reader: PdfReader, index: int, label: str, respace: bool = True) -> Page:
    """The page's lines in content order, with superscript footnote marks removed.

    ``respace``: also run pypdf's layout extraction, to learn where plain
    extraction put spaces inside words (``_respace_from_layout``); it costs
    more than the page's plain extraction, so ``parse_pdf`` asks for it only
    where the producer sets words in kerned pieces."""
    pdf_page = reader.pages[index]
    box = pdf_page.mediabox
    page = Page(index + 1, label, float(box.width), float(box.height))
    pieces: list[tuple[str, float, float, float, bool]] = []
    pending_rects: list[tuple[float, float, float, float]] = []
    stroked: list[tuple[float, float, float, float]] = []
    path: list[tuple[float, float]] = []  # the points of the current path's lines, from its last move
    segments: list[tuple[float, float, float, float]] = []

    def on_text(text, cm, tm, font_dict, font_size):
        if not text:
            return
        m = _multiply(tm, cm)
        size = font_size * math.hypot(m[2], m[3]) or font_size
        name = str(font_dict.get("/BaseFont", "")) if font_dict else ""
        pieces.append((text, m[4], m[5], size, "bold" in name.lower() or "black" in name.lower()))

    def on_operator(operator, args, cm, tm):
        if operator == b"re" and len(args) == 4:
            x, y, w, h = (float(a) for a in args)
            x0, y0 = _apply(cm, x, y)
            x1, y1 = _apply(cm, x + w, y + h)
            pending_rects.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        elif operator in _FILL_OPERATORS:
            page.boxes.extend(pending_rects)
            pending_rects.clear()
            segments.clear()
        elif operator == b"m" and len(args) == 2:
            path[:] = [_apply(cm, float(args[0]), float(args[1]))]
        elif operator == b"l" and len(args) == 2 and path:
            x, y = _apply(cm, float(args[0]), float(args[1]))
            segments.append((min(path[-1][0], x), min(path[-1][1], y), max(path[-1][0], x), max(path[-1][1], y)))
            path.append((x, y))
        elif operator in (b"S", b"s"):
            stroked.extend(pending_rects + segments)
            pending_rects.clear()
            segments.clear()
        elif operator == b"n":
            pending_rects.clear()
            segments.clear()
        elif operator == b"Do" and args and _is_image(pdf_page, args[0]):
            drawn = abs(cm[0] * cm[3] - cm[1] * cm[2])  # the image's unit square, as placed
            page.pictured = page.pictured or drawn >= 0.25 * page.width * page.height

    pdf_page.extract_text(visitor_text=on_text, visitor_operand_before=on_operator)
    page.lines = _lines(pieces, page.number, page.width)
    if respace:
        _respace_from_layout(page.lines, pdf_page.extract_text(extraction_mode="layout"))
    page.boxes = [b for b in page.boxes if _is_text_box(b, page)] + _frames(page.boxes, stroked, page)
    for line in page.lines:
        line.in_box = any(x0 <= line.x <= x1 and y0 <= line.y <= y1 for x0, y0, x1, y1 in page.boxes)
    return page


def _lines(pieces, page_number: int, page_width: float) -> list[Line]:
    """Split the stream of pieces at newlines; each line takes the position of its first piece.
    Each piece is looked at a fixed number of times: a page of 100,000 runs
    costs its length, not its square."""
    lines: list[Line] = []
    current: list[tuple[str, float, float, float, bool]] = []
    last_visible: tuple[str, float, float, float, bool] | None = None  # the current line's

    def close() -> None:
        nonlocal last_visible
        text = "".join(p[0] for p in current)
        visible = [p for p in current if p[0].strip()]
        if text.strip() and visible:
            size = max(p[3] for p in visible)
            weights = sum(len(p[0].strip()) for p in visible)
            bold = sum(len(p[0].strip()) for p in visible if p[4]) > weights / 2
            line = Line(text.strip(), visible[0][1], visible[0][2], size, bold, page_number)
            leading_bold = next((n for n, piece in enumerate(visible) if not piece[4]), len(visible))
            if 0 < leading_bold < len(visible):  # a bold term opening its definition
                line.lead = "".join(piece[0] for piece in visible[:leading_bold]).strip()
            letters = 0
            before: tuple[str, float, float, float, bool] | None = None
            for piece in current:
                if piece[0].strip() and letters:
                    line.cells.append((piece[1], letters))
                    if before is not None and _set_apart(before[0], before[1], before[3], piece[1]):
                        line.apart.add(letters)
                letters += len("".join(piece[0].split()))
                if piece[0].strip():
                    before = piece
            lines.append(line)
        current.clear()
        last_visible = None

    for text, x, y, size, bold in pieces:
        parts = text.split("\n")
        for n, part in enumerate(parts):
            if n or (last_visible and part.strip() and _starts_another_line(last_visible, x, y, size)):
                close()
            if part:
                current.append((part, x, y, size, bold))
                if part.strip():
                    last_visible = current[-1]
    close()
    return _merge_rows(_drop_superscripts(lines), page_width)


def _starts_another_line(last: tuple[str, float, float, float, bool], x: float, y: float, size: float) -> bool:
    """A piece that goes back to the left begins a line of its own, even where
    pypdf ran it on: on another baseline, a table's left cell drawn after the
    right cell's first line; on the same one, a form's cells drawn right to left.
    ``last`` is the line's last visible piece."""
    return x < last[1] - size


def _set_apart(text: str, x: float, size: float, next_x: float) -> bool:
    """Whether what starts at ``next_x`` stands beyond where ``text`` (set at ``x``)
    could end even if each of its characters were a full em wide, plus an em:
    no font sets a word that wide."""
    return next_x - x > (len(text.strip()) + 1) * size


def _respace_from_layout(lines: list[Line], layout_text: str) -> None:
    """Note where layout extraction sees fewer spaces inside a line.

    Some producers (groff, some typesetters) set kerned pairs as separate
    pieces, and plain extraction reads the kern as a space: "pre vention".
    Layout extraction places glyphs by position and gets those words whole,
    but on other producers it runs real words together ("informationis").
    A row is kept as the line's ``layout`` when both have the same letters and
    the layout has fewer spaces; ``mend_spacing`` decides, knowing the whole
    document's words, which of those spaces go.
    """
    rows: dict[str, str] = {}
    for row in layout_text.splitlines():
        words = row.split()
        if words:
            rows.setdefault("".join(words), " ".join(words))
    for line in lines:
        words = line.text.split()
        row = rows.get("".join(words))
        if row is not None and len(row.split()) < len(words):
            line.layout = row


def mend_spacing(pages: list[Page]) -> None:
    """Remove the spaces plain extraction put inside words, in place: a space
    that layout extraction does not see goes when one of the two pieces it
    parts is not a word the document writes on its own, or writes far less
    often than the whole ("pre vention", "fam ily"), and stays between two
    words ("information is"). Words are counted in the better-spaced text."""
    words = Counter(
        w.casefold() for page in pages for line in page.lines for w in re.findall(r"\w+", line.layout or line.text)
    )
    for page in pages:
        for line in page.lines:
            if line.layout:
                _mend(line, words)
    known = sorted(w for w, n in words.items() if n >= 2)
    ends = sorted(w[::-1] for w in known)
    for page in pages:
        for before, line in zip([None, *page.lines], page.lines, strict=False):
            if _GLUED.search(line.text) and not line.lead:
                after_hyphen = before is not None and before.text.endswith("-")
                line.text = _GLUED.sub(lambda m, cut=after_hyphen: _unglued(m, words, known, ends, cut), line.text)


# A run of letters this long that the document writes nowhere else may be
# words set without spaces: pdfTeX sets a tightly justified line's spaces as
# kerns narrower than pypdf takes for a space ("meetrepresentativesconcerns").
_GLUED = re.compile(r"[^\W\d_]{16,}")
GLUED_WORDS = 3  # words at least, each written elsewhere on its own (twice, if short), for a run to be split


def _unglued(match: re.Match, words: Counter, known: list[str], ends: list[str], after_hyphen: bool = False) -> str:
    """The run split into the fewest words the document writes on its own
    elsewhere (the most frequent where that ties); a run closing a line on a
    hyphen may end on the start of a word ("every dis-"), and one opening the
    line after such a line on the end of one ("-cuss every"). Unchanged where
    no split of ``GLUED_WORDS`` words or more covers it."""
    run = match.group()
    folded = run.casefold()
    if words[folded] > 1 or len(folded) != len(run):
        return run
    cut_by_hyphen = match.string[match.end() :] == "-"
    continues = after_hyphen and match.start() == 0
    best: list[tuple[int, float, int] | None] = [None] * (len(folded) + 1)  # (words, -score, start of last)
    best[0] = (0, 0.0, 0)
    for end in range(1, len(folded) + 1):
        for start in range(max(0, end - 24), end):
            if best[start] is None:
                continue
            piece = folded[start:end]
            count = words[piece] if words[piece] >= (1 if len(piece) >= 6 else 2) else 0
            if not count and end == len(folded) and cut_by_hyphen and _starts_a_word(piece, known):
                count = 1
            if not count and start == 0 and continues and _starts_a_word(piece[::-1], ends):
                count = 1
            if not count:
                continue
            candidate = (best[start][0] + 1, best[start][1] - math.log(count), start)
            if best[end] is None or candidate[:2] < best[end][:2]:
                best[end] = candidate
    if best[-1] is None or best[-1][0] < GLUED_WORDS:
        return run
    cuts, end = [], len(folded)
    while end:
        start = best[end][2]
        cuts.append(run[start:end])
        end = start
    return " ".join(reversed(cuts))


def _starts_a_word(piece: str, known: list[str]) -> bool:
    at = bisect.bisect_left(known, piece)
    return at < len(known) and known[at].startswith(piece) and known[at] != piece


def _mend(line: Line, words: Counter) -> None:
    pieces = line.text.split()
    mended: list[str] = []
    index = 0
    letters = 0
    for token in line.layout.split():
        parts = [pieces[index]]
        index += 1
        while "".join(parts) != token and index < len(pieces):
            parts.append(pieces[index])
            index += 1
        if "".join(parts) != token:
            return  # the two texts do not line up: keep the plain one
        out = parts[0]
        letters += len(parts[0])
        for part in parts[1:]:
            left, right = re.sub(r"\W", "", out.split()[-1]).casefold(), re.sub(r"\W", "", part).casefold()
            joined = words[left + right]
            is_word = lambda w, joined=joined: len(w) > 1 and words[w] >= 2 and 4 * words[w] >= joined  # noqa: E731
            keep = letters in line.apart or (is_word(left) and is_word(right))
            out = f"{out} {part}" if keep else f"{out}{part}"
            letters += len(part)
        mended.append(out)
    text = " ".join(mended)
    if line.lead:
        line.lead = _prefix_with_letters(text, len("".join(line.lead.split())))
    line.text = text


def _prefix_with_letters(text: str, letters: int) -> str:
    seen = 0
    for end, char in enumerate(text):
        if not char.isspace():
            seen += 1
        if seen == letters:
            return text[: end + 1]
    return text


def _drop_superscripts(lines: list[Line]) -> list[Line]:
    """A footnote mark set small and raised comes out as a line of its own; it
    is kept as a mark on the line it belongs to."""
    kept: list[Line] = []
    for line in lines:
        previous = kept[-1] if kept else None
        if (
            previous is not None
            and re.fullmatch(r"\d{1,3}|[*†‡]", line.text)
            and line.size < previous.size * 0.8
            and 0 < line.y - previous.y < previous.size
        ):
            previous.marks.append(line.text)
            continue
        kept.append(line)
    return kept


def _merge_rows(lines: list[Line], page_width: float) -> list[Line]:
    """Pieces set side by side on one row (a bullet and its text, a term and its
    definition) make one line; a row across the two columns of a page does not."""
    middle = page_width / 2 - 5
    merged: list[Line] = []
    for line in lines:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and abs(previous.y - line.y) < 0.5
            and line.x > previous.x
            and (previous.x < middle) == (line.x < middle)
            and abs(previous.size - line.size) < 0.5
        ):
            if previous.bold and not line.bold and not previous.lead:
                previous.lead = previous.text
            previous.bold = previous.bold and line.bold
            letters = len("".join(previous.text.split()))
            previous.cells.append((line.x, letters))
            if _set_apart(previous.text, previous.x, previous.size, line.x):
                previous.apart.add(letters)
            previous.apart.update(letters + n for n in line.apart)
            previous.text = f"{previous.text} {line.text}"
            previous.marks.extend(line.marks)
            continue
        merged.append(line)
    return merged


def _is_image(pdf_page, name) -> bool:
    """Whether the page's XObject of this name is an image (a form drawn
    inside another form names its own, which are not looked up)."""
    try:
        return pdf_page["/Resources"]["/XObject"][name].get_object().get("/Subtype") == "/Image"
    except (KeyError, TypeError, AttributeError):
        return False


Rect = tuple[float, float, float, float]
RULE = 3.0  # points: thinner than this, a filled rectangle is a rule
NEAR = 3.0  # points: how far a frame's edges may miss each other


def _frames(filled: list[Rect], stroked: list[Rect], page: Page) -> list[Rect]:
    """Boxes drawn as a frame, not shaded: a stroked rectangle, or four rules
    meeting at the corners (stroked lines, as pdfTeX draws an \\fbox, or thin
    filled rectangles). A frame with rules inside it is a table's grid, not a box."""
    rules = [r for r in filled if min(r[2] - r[0], r[3] - r[1]) < RULE] + [
        r for r in stroked if not _is_text_box(r, page)
    ]
    across = [r for r in rules if r[3] - r[1] < RULE]
    down = [r for r in rules if r[2] - r[0] < RULE]

    def near(a: float, b: float) -> bool:
        return abs(a - b) <= NEAR

    found = [r for r in stroked if _is_text_box(r, page)]
    for top in across:
        for bottom in across:
            if bottom[1] >= top[1] - 20 or not (near(top[0], bottom[0]) and near(top[2], bottom[2])):
                continue
            sides = [d for d in down if d[1] <= bottom[1] + NEAR and d[3] >= top[3] - NEAR]
            if any(near(d[0], top[0]) for d in sides) and any(near(d[2], top[2]) for d in sides):
                found.append((top[0], bottom[1], top[2], top[3]))
    return [box for box in dict.fromkeys(found) if _is_text_box(box, page) and _stands_alone(box, rules)]


def _stands_alone(box: Rect, rules: list[Rect]) -> bool:
    """Whether no rule but the frame's own edges comes near it: a table's cell
    has neighbours sharing its edges, rules running on past its corners or
    crossing it, where a box has four edges and nothing else."""
    x0, y0, x1, y1 = box

    def own_edge(r: Rect) -> bool:
        along_x = r[0] >= x0 - NEAR and r[2] <= x1 + NEAR
        along_y = r[1] >= y0 - NEAR and r[3] <= y1 + NEAR
        horizontal = r[3] - r[1] < RULE and (abs(r[1] - y0) <= NEAR or abs(r[3] - y1) <= NEAR)
        vertical = r[2] - r[0] < RULE and (abs(r[0] - x0) <= NEAR or abs(r[2] - x1) <= NEAR)
        return along_x and along_y and (horizontal or vertical)

    def near(r: Rect) -> bool:
        return r[0] <= x1 + NEAR and r[2] >= x0 - NEAR and r[1] <= y1 + NEAR and r[3] >= y0 - NEAR

    return not any(near(r) and not own_edge(r) for r in rules)


def _is_text_box(box: tuple[float, float, float, float], page: Page) -> bool:
    """A shaded panel: wider than a third of the page, not the page background."""
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    return width > page.width / 3 and height > 20 and width * height < 0.6 * page.width * page.height


def _multiply(m: list[float], n: list[float]) -> list[float]:
    return [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]


def _apply(m: list[float], x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]
