"""The guidebook laid out by other real producers, read back by kb.

Run: .venv/bin/python bench/bench_producers.py [--show]   (needs: pip install -e '.[bench]',
and Debian's libreoffice-writer, chromium, groff and texlive-latex-recommended)

The same content as tests/guidebook.py (Roman chapters, 1.1 and 2.2.1 sections,
bullets, a good-practice box, a glossary as a two-column table) goes through:

- python-docx, then LibreOffice to PDF: a printed contents with dot-leader
  tabs, a running head that names each chapter, page numbers in the foot;
- HTML, then Chromium's print to PDF: a contents table with page numbers in
  their own cells, Chromium's own running head (title, date) and foot (address,
  page N/M);
- groff -ms with tbl: bold headings at body size, a contents with leaders, a
  running head per chapter, "- N -" page numbers;
- pdfLaTeX's report class: its own contents, hyperref's bookmarks,
  hyphenated lines, a running head per chapter with the page number beside it.

Contents page numbers come from a first rendering. The truth is each heading
with the page where its title stands as a line in the final PDF (pypdf's
text), glossary terms included. Floors (issue 11): precision and recall >= 0.90,
page accuracy >= 0.97, levels >= 0.80, no furniture in passages.
"""

from __future__ import annotations

import functools
import html
import itertools
import random
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_structure import TrueHeading, heading_scores, normal  # noqa: E402
from guidebook import GLOSSARY, _chapters  # noqa: E402

from kb.ingest import parse  # noqa: E402
from kb.passages import make_passages  # noqa: E402

TITLE = "Partnership Policing Handbook"
LEVELS = {"chapter": 1, "section": 2, "subsection": 3}
# Contents leaders, page numbers ("Page 3", "3/9", "- 3 -") and a browser's file address.
FURNITURE = r"(?:\. ?){5,}\s*\d|\bPage \d+\b|\d+/\d+\b|file://|- \d+ -"


@dataclass
class Block:
    kind: str  # heading, para, bullets, box, glossary
    text: str = ""
    level: int = 0
    items: tuple = ()


def content() -> list[Block]:
    blocks: list[Block] = []
    for item in _chapters(random.Random(11), repeat=2):
        kind = item[0]
        if kind in LEVELS:
            blocks.append(Block("heading", item[1], LEVELS[kind]))
        elif kind == "para":
            blocks.append(Block("para", re.sub(r"\{fn:[^}]*\}", "", item[1])))
        elif kind == "bullets":
            blocks.append(Block("bullets", items=tuple(item[1])))
        elif kind == "box":
            blocks.append(Block("box", item[2], items=(item[1],)))
    blocks.append(Block("heading", "GLOSSARY", 1))
    blocks.append(Block("glossary", items=tuple(GLOSSARY.items())))
    return blocks


def headings(blocks: list[Block], boxes: bool = False) -> list[tuple[str, int]]:
    """The headings in order; with ``boxes``, each box's title too, a level
    below the section it stands in (contents do not list boxes)."""
    found: list[tuple[str, int]] = []
    for block in blocks:
        if block.kind == "heading":
            found.append((block.text, block.level))
        elif block.kind == "box" and boxes:
            found.append((block.items[0], found[-1][1] + 1))
    return found


def truth_of(pdf: Path, blocks: list[Block], contents_pages: int) -> list[TrueHeading]:
    """Each heading (and glossary term) with the first page, after the
    contents, where its title stands as a line."""
    pages = []
    for page in PdfReader(pdf).pages:
        lines = [normal(line) for line in (page.extract_text() or "").splitlines()]
        # A title set large wraps onto a second line ("III. PARTNERSHIPS IN" / "PRACTICE"),
        # or a third under its label ("Chapter 3").
        pages.append(
            lines
            + [a + b for a, b in itertools.pairwise(lines)]
            + [a + b + c for a, b, c in zip(lines, lines[1:], lines[2:], strict=False)]
        )
    # A glossary term shares its line with the start of its definition (a table row).
    wanted = [(t, level, "") for t, level in headings(blocks, boxes=True)]
    wanted += [(term, 2, normal(definition)[:8]) for term, definition in GLOSSARY.items()]
    truth, at = [], contents_pages
    for title, level, row_rest in wanted:
        key = normal(title)
        for index in range(at, len(pages)):
            if any(
                line == key
                or (line.startswith(key) and len(key) > 12)
                or (row_rest and line == key + row_rest)
                or (row_rest and line.startswith(key + row_rest))
                for line in pages[index]
            ):
                truth.append(TrueHeading(title, level, index + 1))
                at = index
                break
    return truth


def page_numbers(pdf: Path, blocks: list[Block], contents_pages: int) -> dict[str, int]:
    return {h.title: h.page for h in truth_of(pdf, blocks, contents_pages)}


# -- producers -------------------------------------------------------------


def via_libreoffice(blocks: list[Block], pages: dict[str, int], out: Path) -> Path:
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    doc.add_paragraph(TITLE, style="Title")
    doc.add_page_break()
    doc.add_paragraph("Contents", style="Heading 1")
    for title, level in headings(blocks):
        para = doc.add_paragraph()
        para.paragraph_format.left_indent = Pt(14 * (level - 1))
        para.paragraph_format.tab_stops.add_tab_stop(Pt(450), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        para.add_run(f"{title}\t{pages.get(title, 0)}")
    for block in blocks:
        if block.kind == "heading":
            if block.level == 1:
                section = doc.add_section(WD_SECTION.NEW_PAGE)
                section.header.is_linked_to_previous = False
                section.header.paragraphs[0].text = f"{TITLE} | {block.text.title()}"
                section.footer.is_linked_to_previous = False
                _page_field(section.footer.paragraphs[0], OxmlElement, qn)
            doc.add_heading(block.text, level=block.level)
        elif block.kind == "para":
            doc.add_paragraph(block.text)
        elif block.kind == "bullets":
            for item in block.items:
                doc.add_paragraph(item, style="List Bullet")
        elif block.kind == "box":
            cell = doc.add_table(rows=1, cols=1).rows[0].cells[0]
            shade = OxmlElement("w:shd")
            shade.set(qn("w:fill"), "D9E2F3")
            cell._tc.get_or_add_tcPr().append(shade)
            cell.paragraphs[0].add_run(block.items[0]).bold = True
            cell.add_paragraph(block.text)
        elif block.kind == "glossary":
            table = doc.add_table(rows=0, cols=2)
            for term, definition in block.items:
                row = table.add_row().cells
                row[0].paragraphs[0].add_run(term).bold = True
                row[1].text = definition
    source = out.with_suffix(".docx")
    doc.save(source)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out.parent), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out


def _page_field(paragraph, element, qn) -> None:
    paragraph.add_run("Page ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            char = element("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instr = element("w:instrText")
            instr.text = text
            run._r.append(instr)


def via_chromium(blocks: list[Block], pages: dict[str, int], out: Path) -> Path:
    esc = html.escape
    rows = "".join(
        f'<tr><td style="padding-left:{14 * (level - 1)}pt">{esc(title)}</td>'
        f'<td class="n">{pages.get(title, 0)}</td></tr>'
        for title, level in headings(blocks)
    )
    body = []
    for block in blocks:
        if block.kind == "heading":
            tag = f"h{block.level}"
            style = ' style="break-before:page"' if block.level == 1 else ""
            body.append(f"<{tag}{style}>{esc(block.text)}</{tag}>")
        elif block.kind == "para":
            body.append(f"<p>{esc(block.text)}</p>")
        elif block.kind == "bullets":
            body.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in block.items) + "</ul>")
        elif block.kind == "box":
            body.append(f'<div class="box"><b>{esc(block.items[0])}</b><p>{esc(block.text)}</p></div>')
        elif block.kind == "glossary":
            cells = "".join(f"<tr><td><b>{esc(t)}</b></td><td>{esc(d)}</td></tr>" for t, d in block.items)
            body.append(f'<table class="gloss">{cells}</table>')
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{TITLE}</title><style>
body {{ font: 11pt sans-serif; }} h1 {{ font-size: 18pt; }} h2 {{ font-size: 14pt; }} h3 {{ font-size: 12pt; }}
.toc {{ width: 100%; }} .toc .n {{ text-align: right; }} .box {{ background: #dde6f3; padding: 8pt; }}
.gloss td {{ vertical-align: top; padding: 3pt; }} .gloss td:first-child {{ width: 25%; }}
</style></head><body><p style="font-size:24pt">{TITLE}</p><h1 style="break-before:page">Contents</h1>
<table class="toc">{rows}</table>{"".join(body)}</body></html>"""
    source = out.with_suffix(".html")
    source.write_text(page, encoding="utf-8")
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={out}", source.as_uri()],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out


def via_groff(blocks: list[Block], pages: dict[str, int], out: Path) -> Path:
    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("-", "\\-")

    src = [".nr PS 11", ".nr VS 13", f".TL\n{esc(TITLE)}", ".LP", ".bp", ".LP", "\\fBContents\\fP", ".sp", ".lc ."]
    for title, level in headings(blocks):
        src += [".LP", f".in {level - 1}m", ".ta 6iR", f"{esc(title)}\\a\t{pages.get(title, 0)}", ".in 0"]
    for block in blocks:
        if block.kind == "heading":
            if block.level == 1:
                src += [f".ds LH {esc(block.text.title())}", ".bp"]
            src += [".SH", esc(block.text)]
        elif block.kind == "para":
            src += [".PP", esc(block.text)]
        elif block.kind == "bullets":
            for item in block.items:
                src += [".IP \\(bu 2", esc(item)]
        elif block.kind == "box":
            src += [".B1", ".LP", f"\\fB{esc(block.items[0])}\\fP", ".LP", esc(block.text), ".B2"]
        elif block.kind == "glossary":
            src += [
                ".TS",
                "lw(1.3i) lw(4i).",
                # Each cell names its font: a table's text blocks start in the font the
                # heading before left on (groff 1.22 sets them all bold otherwise).
                *(f"T{{\n\\fB{esc(t)}\\fR\nT}}\tT{{\n\\fR{esc(d)}\nT}}" for t, d in block.items),
                ".TE",
            ]
    roff = out.with_suffix(".ms")
    roff.write_text("\n".join(src) + "\n", encoding="utf-8")
    with out.open("wb") as pdf:
        subprocess.run(["groff", "-t", "-ms", "-Tpdf", str(roff)], check=True, stdout=pdf, timeout=300)
    return out


def via_latex(blocks: list[Block], pages: dict[str, int], out: Path, numbered: bool = False) -> Path:
    """pdfLaTeX's report class as people use it: its own contents (two runs),
    hyperref's bookmarks, hyphenation, a running head per chapter in slanted
    capitals with the page number, a framed box, a longtable glossary.
    ``numbered``: LaTeX numbers the chapters and sections itself, and a
    chapter opens under "Chapter 1" set apart above its title."""

    def esc(text: str) -> str:
        return re.sub(r"([&%$#_{}])", r"\\\1", text).replace("~", r"\textasciitilde{}")

    commands = {1: "chapter", 2: "section", 3: "subsection"}
    src = [
        r"\documentclass[11pt,a4paper]{report}",
        r"\usepackage[T1]{fontenc}\usepackage{lmodern}\usepackage{longtable}\usepackage{hyperref}",
        r"\pagestyle{headings}",
        rf"\title{{{esc(TITLE)}}}\author{{}}\date{{}}",
        r"\begin{document}\maketitle\tableofcontents",
    ]
    for block in blocks:
        if block.kind == "heading" and numbered and _NUMBER.match(block.text):
            src.append(rf"\{commands[block.level]}{{{esc(_NUMBER.sub('', block.text))}}}")
        elif block.kind == "heading":
            command = commands[block.level]
            src += [rf"\{command}*{{{esc(block.text)}}}", rf"\addcontentsline{{toc}}{{{command}}}{{{esc(block.text)}}}"]
            if block.level == 1:
                src.append(rf"\markboth{{{esc(block.text)}}}{{{esc(block.text)}}}")
        elif block.kind == "para":
            src += [esc(block.text), ""]
        elif block.kind == "bullets":
            src += [r"\begin{itemize}", *(rf"\item {esc(i)}" for i in block.items), r"\end{itemize}"]
        elif block.kind == "box":
            src += [rf"\par\noindent\fbox{{\parbox{{0.95\linewidth}}{{\textbf{{{esc(block.items[0])}}}\par\smallskip "
                    rf"{esc(block.text)}}}}}\par\medskip"]  # fmt: skip
        elif block.kind == "glossary":
            src += [r"\begin{longtable}{p{0.25\linewidth}p{0.68\linewidth}}",
                    *(rf"\textbf{{{esc(t)}}} & {esc(d)} \\\\" for t, d in block.items), r"\end{longtable}"]  # fmt: skip
    src.append(r"\end{document}")
    tex = out.with_suffix(".tex")
    tex.write_text("\n".join(src) + "\n", encoding="utf-8")
    for _ in range(2):  # the second run prints the contents the first one wrote
        subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=out.parent,
                       check=True, capture_output=True, timeout=300)  # fmt: skip
    return out


_NUMBER = re.compile(r"^(?:[IVX]+\.|\d+(?:\.\d+)*)\s+")


def as_latex_numbers_them(blocks: list[Block]) -> list[Block]:
    """The headings as LaTeX prints them when it numbers them: "Chapter 1"
    above "INTRODUCTION" for "I. INTRODUCTION"; sections as they are."""
    printed, chapter = [], 0
    for block in blocks:
        if block.kind == "heading" and block.level == 1 and _NUMBER.match(block.text):
            chapter += 1
            block = Block("heading", f"Chapter {chapter} {_NUMBER.sub('', block.text)}", 1)
        printed.append(block)
    return printed


PRODUCERS = {
    "LibreOffice (docx)": (via_libreoffice, "soffice", None),
    "Chromium (HTML)": (via_chromium, "chromium", None),
    "groff -ms": (via_groff, "groff", None),
    "pdfLaTeX (report)": (via_latex, "pdflatex", None),
    "pdfLaTeX (numbered)": (functools.partial(via_latex, numbered=True), "pdflatex", as_latex_numbers_them),
}


def contents_pages_of(pdf: Path) -> int:
    """Pages up to the last one that says "Contents" near its top."""
    last = 0
    for index, page in enumerate(PdfReader(pdf).pages[:4]):
        if "contents" in "\n".join((page.extract_text() or "").splitlines()[:3]).casefold():
            last = index + 1
    return last


def main() -> None:
    show = "--show" in sys.argv
    blocks = content()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (make, tool, printed_as) in PRODUCERS.items():
            if shutil.which(tool) is None:
                print(f"{name}: skipped, {tool} is not installed")
                continue
            printed = printed_as(blocks) if printed_as else blocks
            draft = make(blocks, {}, Path(tmp) / "draft.pdf")
            skip = contents_pages_of(draft)
            final = make(blocks, page_numbers(draft, printed, skip), Path(tmp) / "final.pdf")
            truth = truth_of(final, printed, contents_pages_of(final))
            parsed = parse(final)
            passages, outline = make_passages("doc", parsed.sections, parsed.page_labels)
            if show:
                print(f"\n## {name}: title {parsed.title!r}, {len(truth)} true headings")
            scores = heading_scores(truth, outline, show)
            text = " ".join(p.text for p in passages)
            titles = {re.sub(r"^Chapter \d+ |^[IVX]+\. ", "", t) for t, level in headings(printed) if level == 1}
            chapters = "|".join(rf"(?:Chapter \d+\.? |[IVX]+\. )?{re.escape(t)}" for t in titles)
            running_head = rf"(?i:\b\d+ (?:{chapters})\b|\b(?:{chapters}) \d+\b)"  # a chapter's name by a page number
            leaks = list(re.finditer(rf"{FURNITURE}|{re.escape(TITLE)} \| |{running_head}", text))
            results.append({"name": name, **scores, "furniture": len(leaks)})
            if show:
                for m in leaks:
                    print(f"  furniture …{text[max(0, m.start() - 40) : m.end() + 20]}…")
                slug = re.sub(r"\W+", "-", name).strip("-")
                shutil.copy(final, Path(tempfile.gettempdir()) / f"kb-producer-{slug}.pdf")
    print(f"\n{'producer':<22} {'prec':>7} {'recall':>7} {'page':>7} {'level':>7} {'furn.':>6}")
    failed = False
    for r in results:
        print(
            f"{r['name']:<22} {r['precision']:>7.3f} {r['recall']:>7.3f} {r['page']:>7.3f} {r['level']:>7.3f} "
            f"{r['furniture']:>6}"
        )
        failed |= min(r["precision"], r["recall"]) < 0.9 or r["page"] < 0.97 or r["level"] < 0.8 or r["furniture"]
    print("\nfloors: " + ("MISSED" if failed else "met"))


if __name__ == "__main__":
    main()
