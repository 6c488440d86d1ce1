"""Fixtures shared by the tests: every index lives in tmp_path, every document is
written by the test that uses it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from kb import KnowledgeBase


@pytest.fixture(autouse=True)
def _isolated_index(tmp_path, monkeypatch):
    """No test may touch the project's own index/ folder."""
    monkeypatch.setenv("KB_INDEX", str(tmp_path / "env-index"))
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def knowledge_base(tmp_path) -> KnowledgeBase:
    return KnowledgeBase(tmp_path / "index")


def write_pdf(
    path: Path,
    pages: list[list[str]],
    title: str | None = None,
    encrypt: str | None = None,
) -> Path:
    """A PDF with one list of lines per page (an empty list makes a page with no
    text layer, as a scan has)."""
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    if title:
        pdf.setTitle(title)
    for lines in pages:
        if not lines:
            pdf.rect(100, 400, 300, 200, fill=1)  # an image-like page without text
        y = 800
        for line in lines:
            pdf.setFont("Helvetica", 11)
            pdf.drawString(72, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return path


@pytest.fixture
def make_pdf(tmp_path) -> Callable[..., Path]:
    def make(name: str, pages: list[list[str]], **kwargs) -> Path:
        return write_pdf(tmp_path / name, pages, **kwargs)

    return make


@pytest.fixture
def write(tmp_path) -> Callable[[str, str], Path]:
    """Write a text file under tmp_path/docs and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write
