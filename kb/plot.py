"""Grouped bar charts of term frequencies, with matplotlib when it is installed.

matplotlib is an optional extra (``pip install 'kb[plot]'``): only ``kb terms
--plot`` needs it, and it is imported only then.
"""

from __future__ import annotations

from pathlib import Path

from kb.errors import KbError
from kb.research import TermCount


def draw_term_plot(counts: list[TermCount], path: Path) -> None:
    """Occurrences per 10,000 words: one group of bars per term, one bar per document."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise KbError("kb terms --plot needs matplotlib: pip install 'kb[plot]'") from None
    terms = list(dict.fromkeys(c.term for c in counts))
    documents = list(dict.fromkeys(c.doc_id for c in counts))
    width = 0.8 / max(len(documents), 1)
    figure, axes = plt.subplots(figsize=(max(6, 1.6 * len(terms) * max(1, len(documents) / 2)), 4.5))
    for n, doc_id in enumerate(documents):
        values = [next((c.per_10k for c in counts if c.term == t and c.doc_id == doc_id), 0.0) for t in terms]
        positions = [i + (n - (len(documents) - 1) / 2) * width for i in range(len(terms))]
        axes.bar(positions, values, width, label=doc_id)
    axes.set_xticks(range(len(terms)), terms)
    axes.set_ylabel("occurrences per 10,000 words")
    axes.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
