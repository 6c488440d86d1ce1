"""Grouped bar charts of term frequencies, with matplotlib when it is installed.

matplotlib is an optional extra (``pip install -e '.[plot]'`` in kb's project
folder): only ``kb terms --plot`` and the web chart need it, and it is
imported only then.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from kb.citation import edition_label
from kb.editions import cut_title
from kb.errors import KbError
from kb.research import TermCount

INSTALL_HINT = "pip install -e '.[plot]' in kb's project folder"
SIZE_INCHES, DPI = (12, 7), 100  # 1200 x 700 pixels: a page or a slide


def document_legend(count: TermCount, width: int = 60) -> str:
    """ "Good Practices in Building… (2nd ed., 2022)" """
    tag = ", ".join(str(p) for p in (edition_label(count.edition), count.year) if p)
    suffix = f" ({tag})" if tag else ""
    return cut_title(count.document, max(12, width - len(suffix))) + suffix


def draw_term_plot(counts: list[TermCount], path: Path) -> None:
    """Occurrences per 10,000 words: one group of bars per term, one bar per
    document (its occurrences written on it), the documents named in the
    legend as a reader knows them, the words counted in the caption."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise KbError(f"kb terms --plot needs matplotlib: {INSTALL_HINT}") from None
    terms = list(dict.fromkeys(c.term for c in counts))
    documents = list(dict.fromkeys(c.doc_id for c in counts))
    by_doc = {c.doc_id: c for c in counts}
    width = 0.8 / max(len(documents), 1)
    figure, axes = plt.subplots(figsize=SIZE_INCHES)
    for n, doc_id in enumerate(documents):
        rows = [next((c for c in counts if c.term == t and c.doc_id == doc_id), None) for t in terms]
        positions = [i + (n - (len(documents) - 1) / 2) * width for i in range(len(terms))]
        legend = document_legend(by_doc[doc_id]) + (" *" if by_doc[doc_id].small_sample else "")
        bars = axes.bar(positions, [r.per_10k if r else 0 for r in rows], width, label=legend)
        axes.bar_label(bars, labels=[str(r.occurrences) if r else "" for r in rows], fontsize="small", padding=2)
    # Many terms: narrower labels, turned, so that neighbours never overlap.
    many = len(terms) > 6
    axes.set_xticks(range(len(terms)), [textwrap.fill(t, 12 if many else 18) for t in terms],
                    rotation=30 if many else 0, ha="right" if many else "center")  # fmt: skip
    axes.set_ylabel("occurrences per 10,000 words")
    axes.set_title("How often each term is used, per document")
    axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    words = sum(by_doc[d].words for d in documents)
    small = any(by_doc[d].small_sample for d in documents)
    figure.text(
        0.01, 0.01,
        f"Numbers on the bars are occurrences; {len(documents)} documents, {words:,} words in all"
        + ("; * under 2,000 words, a small sample whose rates vary a lot by chance" if small else "")
        + ". Made with kb terms.",
        fontsize="small",
    )  # fmt: skip
    figure.tight_layout(rect=(0, 0.04, 1, 1))
    try:
        figure.savefig(path, dpi=DPI)
    except OSError as exc:
        raise KbError(f"{path}: the plot cannot be written ({exc.strerror or exc})") from None
    finally:
        plt.close(figure)
