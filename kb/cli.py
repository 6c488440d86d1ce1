"""The ``kb`` command: parses options, calls ``kb.KnowledgeBase``, prints.

Every behaviour lives in the ``kb`` package; this file only turns it into
terminal output (readable in 80 columns) or ``--json`` for scripts.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import click

from kb import IndexVersionMismatch, KbError, KnowledgeBase, Metadata, serialize
from kb import config as kb_config
from kb.base import known_ids
from kb.bibliography import BIB_FORMATS, bibliography
from kb.citation import STYLES, edition_label, printed_pages
from kb.citation import cite as cite_passage
from kb.collocation import MEASURES
from kb.diff import DIFF_STATUSES, section_diff
from kb.editions import document_label
from kb.export import FITS, FORMATS, WIDE_QUOTE_BOX, deck_title, quote_box, to_csv, to_json, to_markdown, write_pptx
from kb.inert import terminal_text, web_url
from kb.ingest.limits import TIMEOUT_SECONDS, Limits, parse_size
from kb.model import AddReport
from kb.opener import PDF_VIEWERS, open_passage
from kb.picks import DEFAULT_PACK
from kb.plot import draw_term_plot
from kb.quote import trim
from kb.research import SIGNIFICANCE, SMALL_SAMPLE_WORDS
from kb.search import analyze
from kb.terminal import head_and_path, located, render_marks, shorten, terminal_width, wrap_marked

INDENT = "    "
EXIT_NO_HITS = 1
EXIT_INPUT_ERROR = 2


class KbClickError(click.ClickException):
    """A kb error as the CLI reports it: ``error: <message>``, exit code 2."""

    exit_code = EXIT_INPUT_ERROR

    def show(self, file=None) -> None:
        click.echo(f"error: {terminal_text(self.format_message())}", err=True)


def _web_address(value: str | None) -> str | None:
    if value is not None and web_url(value) is None:
        raise click.BadParameter(f"'{value}' is not an http or https address", param_hint="--url")
    return value


class _Context:
    def __init__(self, index_dir: Path, is_default: bool) -> None:
        self.index_dir = index_dir
        self.is_default = is_default

    def open(self, quiet: bool = False) -> KnowledgeBase:
        """The knowledge base; the default one first takes in the bundled corpus
        if it has never done so or the corpus has changed."""
        knowledge_base = KnowledgeBase(self.index_dir)
        if self.is_default and kb_config.CORPUS_DIR.is_dir():
            first = not knowledge_base.index.exists()
            try:
                report = knowledge_base.sync_corpus(kb_config.CORPUS_DIR)
            except IndexVersionMismatch:
                # The default index is kb's own: bring it up to date unasked.
                if not quiet:
                    click.echo(f"Rebuilding {self.index_dir} for this version of kb...", err=True)
                knowledge_base.rebuild()
                report = knowledge_base.sync_corpus(kb_config.CORPUS_DIR)
            if report is not None and not quiet:
                what = "Indexed" if first else "Re-indexed"
                count = _count(len(report.added) + len(report.replaced), "document")
                click.echo(f"{what} the bundled corpus ({count}) into {self.index_dir}", err=True)
        return knowledge_base


def _echo_json(data: dict) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _say_empty(index_dir: Path) -> None:
    click.echo(f"The index at {index_dir} holds no documents: add some with `kb add FILE...`.", err=True)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="KB_INDEX",
    help="Index folder [env KB_INDEX; default: index/ beside corpus/].",
)
@click.version_option(package_name="kb", message="kb %(version)s")
@click.pass_context
def cli(ctx: click.Context, index_dir: Path | None) -> None:
    """kb: search community-oriented policing texts with their sources.

    \b
    Example:
        kb search "policing by consent"
        kb add ~/Downloads/guidebook.pdf notes/
    """
    if os.environ.get("NO_COLOR"):
        ctx.color = False
    is_default = index_dir is None
    ctx.obj = _Context(index_dir or kb_config.default_index_dir(), is_default)


class _KbCommand(click.Command):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KbError as exc:
            raise KbClickError(str(exc)) from exc


def command(*args, **kwargs):
    return cli.command(*args, cls=_KbCommand, **kwargs)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (format in README).")
doc_option = click.option(
    "--doc", help='Only this document: id, year or edition ("2022", "2nd"), or part of id or title.'
)
quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress or notes on stderr.")
full_speed_option = click.option(
    "--full-speed", is_flag=True, help="Keep the normal CPU priority (by default kb yields to other work)."
)
WRITER_NICENESS = 10


def yield_to_readers(full_speed: bool) -> None:
    """Reading and indexing files is batch work: run it at a lower CPU
    priority, so that a `kb serve` on the same machine keeps answering while
    it runs (on two cores a 20-file add halved the server's rate). Alone on
    the machine it takes as long as before."""
    if not full_speed and hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(WRITER_NICENESS)


# -- search ------------------------------------------------------------------


@command()
@click.argument("query", nargs=-1, required=True)
@click.option("-n", "--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@doc_option
@click.option("--literal", is_flag=True, help="No acronym, compound or spelling expansion.")
@click.option(
    "--edition",
    type=click.Choice(["latest", "all"]),
    default="all",
    show_default=True,
    help="latest: only the newest edition of each work.",
)
@click.option("--pick", "pick_rank", type=click.IntRange(1), help="Add hit N of this search to a pack.")
@click.option("--pack", default=DEFAULT_PACK, show_default=True, help="The pack --pick adds to.")
@json_option
@quiet_option
@click.pass_obj
def search(
    obj: _Context,
    query: tuple[str, ...],
    limit: int,
    doc: str | None,
    literal: bool,
    edition: str,
    pick_rank: int | None,
    pack: str,
    as_json: bool,
    quiet: bool,
):
    """Search passages. Exit code 1 when nothing matches.

    QUERY uses Whoosh syntax: "quoted phrases", AND, OR, NOT, heading:word,
    and wildcards (polic*). Plain words rank passages holding all of them,
    close together, first.

    \b
    Example:
        kb search "policing by consent"
        kb search '"policing by consent" AND trust' --doc guidebook
    """
    knowledge_base = obj.open(quiet=quiet)
    text = " ".join(query)
    result = knowledge_base.search(text, limit=limit, doc=doc, literal=literal, latest=edition == "latest")
    if as_json:
        _echo_json(serialize.search_json(result))
    else:
        _print_hits(result)
    if pick_rank is not None and result.hits:
        if pick_rank > len(result.hits):
            raise click.BadParameter(f"this search shows {len(result.hits)} hits", param_hint="--pick")
        hit = result.hits[pick_rank - 1]
        added = knowledge_base.pick([hit.passage.id], pack, query=text)
        if not quiet:
            click.echo(f"{'Picked' if added else 'Already in'} pack '{pack}': {hit.passage.id}", err=True)
    if not result.hits:
        if not as_json and not knowledge_base.documents():
            _say_empty(knowledge_base.path)
        elif not as_json:
            click.echo(f"No passages match {text!r}.", err=True)
            if result.suggestion:
                click.echo(f"Did you mean: kb search {result.suggestion!r}", err=True)
        sys.exit(EXIT_NO_HITS)


def _print_hits(result) -> None:
    if not result.hits:
        return
    width = terminal_width()
    shown = len(result.hits)
    more = f", showing the first {shown}" if shown < result.total else ""
    verb = "matches" if result.total == 1 else "match"
    if result.corrected:
        click.echo(f"No passages for {result.query!r}; showing {result.corrected!r}")
    searched = result.corrected or result.query
    click.echo(f"{_count(result.total, 'passage')} {verb} {searched!r}{more}")
    if result.expanded:
        click.echo(shorten("Also searched: " + "; ".join(result.expanded), width))
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion!r}?")
    inner = width - len(INDENT)
    for hit in result.hits:
        passage = hit.passage
        click.echo()
        click.echo(f"{hit.rank:>2}. " + click.style(terminal_text(document_label(hit.document, inner)), bold=True))
        where = located(passage.heading_path, printed_pages(passage), inner)
        if where:
            click.echo(INDENT + terminal_text(where))
        for line in wrap_marked(hit.snippet, inner):
            click.echo(INDENT + render_marks(line))
        if hit.also_in:
            click.echo(INDENT + shorten("also in " + "; ".join(a.where for a in hit.also_in), inner))
        click.echo(INDENT + click.style(terminal_text(head_and_path(passage.id, hit.document.source, inner)), dim=True))


# -- add, remove, rebuild ----------------------------------------------------------


class _ProgressBar:
    """A progress bar on stderr for adds of several files, when stderr is a terminal."""

    def __init__(self, enabled: bool, label: str) -> None:
        self.enabled = enabled
        self.label = label
        self.bar = None

    def start(self, total: int) -> None:
        if self.enabled and total > 1:
            self.bar = click.progressbar(length=total, label=self.label, file=click.get_text_stream("stderr"), width=24)
            self.bar.__enter__()

    def advance(self, path: Path, status: str) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _run_with_progress(quiet: bool, label: str, work):
    progress = _ProgressBar(not quiet and sys.stderr.isatty(), label)
    try:
        return work(progress)
    finally:
        progress.close()


def _print_report(report: AddReport, quiet: bool, dry_run: bool = False) -> None:
    for path, reason in report.failed:
        click.echo(terminal_text(f"error: {path}: {reason}"), err=True)
    if not quiet:
        for path, warning in report.warnings:
            click.echo(terminal_text(f"warning: {path}: {warning}"), err=True)
        for path, reason in report.skipped:
            click.echo(terminal_text(f"skipped: {path}: {reason}"), err=True)
    if dry_run:
        for outcome, verb in (("added", "add"), ("replaced", "replace"), ("moved", "move"), ("unchanged", "keep")):
            for path in getattr(report, outcome):
                click.echo(terminal_text(f"would {verb}: {path}"))
    parts = [f"{len(report.added)} added"]
    for outcome in ("replaced", "moved", "updated"):
        if getattr(report, outcome):
            parts.append(f"{len(getattr(report, outcome))} {outcome}")
    parts += [f"{len(report.unchanged)} unchanged"]
    if report.skipped:
        parts.append(f"{len(report.skipped)} skipped")
    parts.append(f"{len(report.failed)} failed")
    click.echo(("Dry run, nothing changed: " if dry_run else "") + ", ".join(parts))
    if report.failed:
        sys.exit(EXIT_INPUT_ERROR)


_detail_options = [
    click.option("--title", help="Title of the document."),
    click.option("--author", help="Author(s), as the citation should name them."),
    click.option("--year", type=click.IntRange(1000, 2999), help="Year of publication."),
    click.option("--edition", help='Edition, e.g. "2nd".'),
    click.option("--publisher", help="Publisher or organisers."),
    click.option("--url", callback=lambda ctx, param, value: _web_address(value), help="Web address of the original."),
]


def detail_options(command_function):
    """--title, --author, --year, --edition, --publisher, --url."""
    for option in reversed(_detail_options):
        command_function = option(command_function)
    return command_function


@command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@detail_options
@click.option("--id", "doc_id", help="A short id of your choice for the document (one new file only).")
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Leave out files and folders matching this pattern, e.g. '*draft*' or 'old/*' (repeatable).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be added, replaced, kept or skipped; change nothing.")
@click.option(
    "--password",
    envvar="KB_PDF_PASSWORD",
    help="Password of encrypted PDFs among the files; never stored. Other users can see a command's "
    "options, so prefer --password-file or the KB_PDF_PASSWORD environment variable.",
)
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the password from the first line of this file.",
)
@click.option(
    "--max-size",
    "max_size",
    metavar="SIZE",
    help="Skip files larger than this, e.g. 200MB or 1G [default: 100MB for text and HTML, 500MB for PDF].",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=TIMEOUT_SECONDS,
    show_default=True,
    help="Seconds a file may take to read before it is skipped.",
)
@quiet_option
@full_speed_option
@click.pass_obj
def add(
    obj: _Context,
    paths: tuple[Path, ...],
    quiet: bool,
    full_speed: bool,
    password: str | None,
    password_file: Path | None,
    max_size: str | None,
    timeout: float,
    doc_id: str | None,
    exclude: tuple[str, ...],
    dry_run: bool,
    **metadata,
):
    """Add files and folders (PDF, HTML, .txt, .md); folders are searched recursively.

    An unchanged file is kept as it is, a changed one replaced, and one broken
    file never stops the others. In folders, hidden files, software folders
    (virtualenvs, node_modules), kb's own index and exports and web templates
    are skipped. Details (--title ...) and --id apply to one file only; change
    them later with `kb edit`. Exit code 2 if any file failed.

    \b
    Example:
        kb add ~/Downloads/guidebook.pdf --id gp-2022 --title "Good Practices..." --year 2022
        kb add notes/ --exclude '*draft*' --dry-run
    """
    given = Metadata(**metadata)
    if (given.as_dict() or doc_id) and (len(paths) != 1 or paths[0].is_dir()):
        raise click.UsageError("--id, --title, --author, --year, --edition, --publisher and --url name one file only")
    if password_file is not None:
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise KbClickError(f"{password_file}: the password file cannot be read ({exc})") from None
        password = lines[0] if lines else ""
    try:
        limits = Limits(parse_size(max_size) if max_size else None, timeout)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--max-size") from None
    knowledge_base = obj.open(quiet=quiet)
    if not dry_run:
        yield_to_readers(full_speed)

    def add_files(progress: _ProgressBar) -> AddReport:
        return knowledge_base.add(
            paths,
            given,
            progress=progress,
            password=password,
            limits=limits,
            doc_id=doc_id,
            exclude=exclude,
            dry_run=dry_run,
        )

    report = _run_with_progress(quiet or dry_run, "Adding", add_files)
    _print_report(report, quiet, dry_run)


@command()
@click.argument("doc_ids", nargs=-1)
@click.option(
    "--all-from",
    "sources",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Every document read from this file or from files under this folder (repeatable).",
)
@click.option("-y", "--yes", is_flag=True, help="Don't ask before removing what a pattern or --all-from matches.")
@click.option("--dry-run", is_flag=True, help="Say what would be removed; change nothing.")
@click.pass_obj
def remove(obj: _Context, doc_ids: tuple[str, ...], sources: tuple[Path, ...], yes: bool, dry_run: bool):
    """Remove documents and all their passages, by exact id.

    Anything that is not an exact id (part of an id or title, a year) and
    --all-from list what they match and ask first, unless --yes. All the
    removals happen together, or none.

    \b
    Example:
        kb remove gp-2008
        kb remove gp-2008 notes --dry-run
        kb remove --all-from ~/old-notes/ --yes
    """
    if not doc_ids and not sources:
        raise click.UsageError("name documents by id, or give --all-from PATH")
    knowledge_base = obj.open()
    known = {d.id: d for d in knowledge_base.documents()}
    exact = [known[ref] for ref in doc_ids if ref in known]
    loose = []
    for ref in (r for r in doc_ids if r not in known):
        found = knowledge_base.find_documents(ref)
        if not found:
            raise KbClickError(f"no document has the id '{ref}' (documents: {known_ids(list(known.values()))})")
        loose += found
    for source in sources:
        found = knowledge_base.documents_from(source)
        if not found:
            raise KbClickError(f"no document was read from {source}")
        loose += found
    chosen = list({d.id: d for d in exact + loose}.values())
    if dry_run:
        for document in chosen:
            click.echo(terminal_text(f"would remove: {document.id} ({_count(document.passages, 'passage')})"))
        click.echo(f"Dry run, nothing changed: {_count(len(chosen), 'document')} would be removed")
        return
    if loose and not yes:
        click.echo("Not an exact id, so asking first. These would be removed:", err=True)
        for document in chosen:
            click.echo(terminal_text(f"  {document.id}  {document_label(document, 60)}"), err=True)
        try:
            confirmed = click.confirm(f"Remove {_count(len(chosen), 'document')}?", default=False, err=True)
        except click.Abort:
            confirmed = False
        if not confirmed:
            raise KbClickError("nothing removed: name documents by exact id, or give --yes")
    for document in knowledge_base.remove_documents([d.id for d in chosen]):
        click.echo(terminal_text(f"Removed {document.id} ({_count(document.passages, 'passage')}): {document.title}"))


@command()
@click.argument("doc")
@detail_options
@click.option("--id", "new_id", help="A new id (passage ids and picks follow it).")
@click.pass_obj
def edit(obj: _Context, doc: str, new_id: str | None, **details):
    """Change a document's details without reading it again; `kb rebuild` keeps them.

    An empty value (--publisher "") clears what kb read from the file.

    \b
    Example:
        kb edit gp-2022 --author "OSCE/UNODC" --edition 2nd --year 2022
        kb edit good-practices-in-building --id gp-2022
    """
    changes = Metadata(**details)
    if not changes.as_dict() and new_id is None:
        raise click.UsageError("give what to change: --title, --author, --year, --edition, --publisher, --url or --id")
    document = obj.open().edit(doc, changes, new_id)
    click.echo(terminal_text(f"Edited {document.id}: {cite_passage(document, None)}"))


@command()
@quiet_option
@full_speed_option
@click.pass_obj
def rebuild(obj: _Context, quiet: bool, full_speed: bool):
    """Re-read every document from its source into a new index.

    Needed after an upgrade of kb that changes the index format; sources that
    have gone are reported and dropped.

    \b
    Example:
        kb rebuild
    """
    knowledge_base = KnowledgeBase(obj.index_dir)
    yield_to_readers(full_speed)
    report = _run_with_progress(quiet, "Rebuilding", lambda progress: knowledge_base.rebuild(progress))
    _print_report(report, quiet)


# -- reading ------------------------------------------------------------------


style_option = click.option(
    "--style", type=click.Choice(STYLES), default="short", show_default=True, help="Citation style."
)
max_words_option = click.option(
    "--max-words", type=click.IntRange(5, 2000), help="Trim to about N words at sentence boundaries."
)


@command()
@click.argument("passage_ids", nargs=-1, required=True)
@style_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("text", *BIB_FORMATS)),
    default="text",
    show_default=True,
    help="text, or BibTeX or RIS for Zotero and other reference managers (one entry per document).",
)
@json_option
@click.pass_obj
def cite(obj: _Context, passage_ids: tuple[str, ...], style: str, fmt: str, as_json: bool):
    """Print the citation of each passage.

    \b
    Example:
        kb cite guidebook:12 guidebook:40 --style apa
        kb cite guidebook:12 --format ris > guidebook.ris
    """
    knowledge_base = obj.open()
    found = [knowledge_base.passage(passage_id) for passage_id in passage_ids]
    if fmt != "text":
        click.echo(bibliography(found, fmt), nl=False)
        return
    citations = [cite_passage(document, passage, style) for passage, document in found]
    if as_json:
        data = [{"id": p.id, "citation": c} for (p, _), c in zip(found, citations, strict=True)]
        _echo_json({"style": style, "citations": data})
        return
    for citation in citations:
        click.echo(terminal_text(citation))


@command()
@click.argument("passage_id")
@style_option
@max_words_option
@click.option("--query", default="", help="With --max-words: keep the sentences matching this query.")
@json_option
@click.pass_obj
def show(obj: _Context, passage_id: str, style: str, max_words: int | None, query: str, as_json: bool):
    """Show one whole passage with its citation.

    \b
    Example:
        kb show ccpcj34-side-event:5
        kb show guidebook:12 --max-words 60 --query "policing by consent"
    """
    passage, document = obj.open().passage(passage_id)
    if max_words:
        passage = replace(passage, text=trim(passage.text, max_words, query, analyze))
    if as_json:
        data = serialize.show_json(passage, document)
        data["citation"] = cite_passage(document, passage, style)
        _echo_json(data)
        return
    width = terminal_width()
    click.echo(click.style(textwrap.fill(terminal_text(document_label(document, 10_000)), width), bold=True))
    header = " · ".join(p for p in (passage.section, printed_pages(passage), passage.id) if p)
    click.echo(click.style(textwrap.fill(terminal_text(header), width, break_on_hyphens=False), dim=True))
    click.echo()
    for paragraph in passage.text.split("\n"):
        indent = "  " if paragraph.startswith("- ") else ""
        click.echo(textwrap.fill(terminal_text(paragraph), width, subsequent_indent=indent))
    click.echo()
    citation = terminal_text("Cite: " + cite_passage(document, passage, style))
    click.echo(textwrap.fill(citation, width, subsequent_indent="      "))


@command("open")
@click.argument("passage_id")
@click.option("--print", "print_only", is_flag=True, help="Only print the file and page; open nothing.")
@click.pass_obj
def open_command(obj: _Context, passage_id: str, print_only: bool):
    """Open a passage's file in the desktop's viewer, a PDF at the passage's page.

    Without a viewer (or with --print) it prints the file and the page.

    \b
    Example:
        kb open good:71
        kb open good:71 --print
    """
    passage, document = obj.open().passage(passage_id)
    opened = open_passage(document, passage, launch=not print_only)
    printed = printed_pages(passage)
    where = f"page {opened.page}" + (f" (printed {printed})" if printed and printed != f"p. {opened.page}" else "")
    path = terminal_text(opened.path)
    if opened.command is None:
        click.echo(f"{path}, {where}" if opened.page else path)
    elif opened.page is not None and Path(opened.command[0]).name in PDF_VIEWERS:
        click.echo(f"Opened {path} at {where} in {Path(opened.command[0]).name}")
    else:
        turn = f": turn to {where}" if opened.page else ""
        click.echo(f"Opened {path} with {Path(opened.command[0]).name}{turn}")


@command()
@click.option("--doc", help="Only the acronyms this document defines.")
@json_option
@click.pass_obj
def acronyms(obj: _Context, doc: str | None, as_json: bool):
    """List the acronyms the documents define, with their expansions.

    They come from acronym lists in PDFs and from inline definitions such as
    "community-oriented policing (CoP)"; search uses them both ways.

    \b
    Example:
        kb acronyms --doc guidebook
    """
    pairs = obj.open().acronyms(doc)
    if as_json:
        _echo_json(serialize.acronyms_json(pairs))
        return
    if not pairs:
        click.echo("No acronyms defined.", err=True)
        return
    width = terminal_width()
    short_width = min(max(len(a) for a, _, _ in pairs), 12)
    for short, long, doc_id in pairs:
        room = width - len(doc_id) - 2
        line = shorten(terminal_text(f"{short:<{short_width}}  {long}"), room).ljust(room)
        click.echo(line + "  " + click.style(doc_id, dim=True))


@command("list")
@json_option
@click.pass_obj
def list_documents(obj: _Context, as_json: bool):
    """List the documents in the index.

    \b
    Example:
        kb list --json
    """
    documents = obj.open().documents()
    if as_json:
        _echo_json(serialize.documents_json(documents))
        return
    if not documents:
        _say_empty(obj.index_dir)
        return
    width = terminal_width()
    id_width = max(len(d.id) for d in documents)
    figures = f"{'KIND':<5} {'PAGES':>5} {'PASS.':>5}  {'ADDED':<10}"
    # The title takes what is left of the line, or a line of its own when little is left.
    title_room = width - id_width - len(figures) - 4
    own_line = title_room < 24
    header = f"{'ID':<{id_width}}  {figures}" + ("" if own_line else "  TITLE")
    click.echo(click.style(header.rstrip(), bold=True))
    for d in documents:
        line = f"{d.id:<{id_width}}  {d.kind:<5} {d.pages or '-':>5} {d.passages:>5}  {d.added[:10]:<10}"
        if own_line:
            click.echo(line.rstrip())
            click.echo(INDENT + terminal_text(document_label(d, width - len(INDENT))))
        else:
            click.echo(f"{line}  " + terminal_text(document_label(d, title_room)))


@command()
@click.argument("doc")
@json_option
@click.pass_obj
def sections(obj: _Context, doc: str, as_json: bool):
    """Show a document's outline as kb sees it: headings, pages, passages.

    \b
    Example:
        kb sections guidebook
    """
    document, outline = obj.open().sections(doc)
    if as_json:
        _echo_json(serialize.sections_json(document, outline))
        return
    width = terminal_width()
    click.echo(click.style(textwrap.fill(terminal_text(document_label(document, 10_000)), width), bold=True))
    click.echo(click.style(f"{document.id} · {_count(document.passages, 'passage')}", dim=True))
    if not outline:
        click.echo("(no headings found: the document is one section)")
    for section in outline:
        pages = printed_pages(section)
        right = " · ".join(p for p in (pages, _count(section.passages, "passage")) if p)
        left = "  " * (section.level - 1) + terminal_text(section.heading)
        left = shorten(left, width - len(right) - 2)
        click.echo(f"{left}  {click.style(right.rjust(width - len(left) - 2), dim=True)}")


# -- research ------------------------------------------------------------------

BAR_WIDTH = 12


def _bar(value: float, largest: float) -> str:
    """A bar of block characters, eighths included, for a table in a terminal."""
    if largest <= 0:
        return ""
    eighths = round(value / largest * BAR_WIDTH * 8)
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


def _doc_label(count) -> str:
    extra = ", ".join(str(p) for p in (edition_label(count.edition), count.year) if p)
    return f"{count.doc_id} ({extra})" if extra else count.doc_id


@command()
@click.argument("terms", nargs=-1, required=True)
@click.option("--expand", is_flag=True, help="Count as search matches: stems, compound forms, acronyms both ways.")
@click.option("--forms", "show_forms", is_flag=True, help="List the count of each form found.")
@click.option("--by", "by_section", type=click.Choice(["document", "section"]), default="document",
              show_default=True, help="Per document, or the sections that use each term most.")  # fmt: skip
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 500), help="Sections per document.")
@doc_option
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Also draw grouped bars to a PNG.")
@json_option
@click.pass_obj
def terms(obj: _Context, terms: tuple[str, ...], expand: bool, show_forms: bool, by_section: str, top: int,
          doc: str | None, as_csv: bool, plot: Path | None, as_json: bool):  # fmt: skip
    """Count terms in each document: occurrences, per 10,000 words, sections.

    Each term counts as typed, word for word (any case, across line breaks);
    --expand counts it as search matches it. Editions of one work (same
    title) stand side by side, oldest first. Each bar is scaled to its term's
    largest rate; documents under 2,000 words are marked as small samples.

    \b
    Example:
        kb terms "policing by consent" legitimacy trust
        kb terms CoP --expand --forms
        kb terms CoP --by section --top 10
    """
    knowledge_base = obj.open()
    counts = knowledge_base.term_counts(list(terms), exact=not expand, doc=doc, top=top)
    if plot:
        draw_term_plot(counts, plot)
    if as_json:
        _echo_json(serialize.terms_json(counts))
        return
    if as_csv:
        click.echo(serialize.terms_csv(counts, by_section == "section"), nl=False)
        return
    width = terminal_width()
    # label, occurrences, rate, sections, bar and the small-sample mark, side by side
    label_width = min(max((len(_doc_label(c)) for c in counts), default=10), max(16, width - 2 - 31 - BAR_WIDTH - 3))
    small = False
    for term in terms:
        rows = [c for c in counts if c.term == term]
        click.echo(
            click.style(terminal_text(term), bold=True) + ("" if expand else click.style("  (as typed)", dim=True))
        )
        largest = max((c.per_10k for c in rows), default=0)
        for count in rows:
            mark = " *" if count.small_sample else ""
            small = small or count.small_sample
            if by_section == "section":
                click.echo(f"  {terminal_text(_doc_label(count))}{mark}")
                for section in count.top_sections:
                    lead = f"    {section.occurrences:>5}  {printed_pages(section) or '-':<10} "
                    click.echo(terminal_text(textwrap.fill(section.section, width, initial_indent=lead,
                                                           subsequent_indent=" " * len(lead))))  # fmt: skip
                continue
            label = shorten(_doc_label(count), label_width)
            figures = f"{count.occurrences:>5} {count.per_10k:>8.1f}/10k {count.sections:>3} sect. "
            click.echo(terminal_text(f"  {label:<{label_width}} {figures}") + _bar(count.per_10k, largest) + mark)
            if count.forms and (show_forms or len(count.forms) > 1):
                listed = textwrap.fill(
                    "forms: " + " + ".join(f"{form} {n}" for form, n in count.forms.items()),
                    width,
                    initial_indent="    ",
                    subsequent_indent="      ",
                )
                click.echo(click.style(terminal_text(listed), dim=True))
    for a, b in knowledge_base.same_forms(list(terms), exact=not expand):
        click.echo(f"note: {a!r} and {b!r} count the same forms, so their rows are alike", err=True)
    if small:
        click.echo(f"* under {SMALL_SAMPLE_WORDS:,} words: a small sample, whose rates vary a lot by chance")
    if plot:
        click.echo(f"Plot written to {plot}", err=True)


@command()
@click.argument("term")
@click.option("--width", type=click.IntRange(10, 200), help="Context characters each side [default: what fits].")
@click.option("--sort", type=click.Choice(["left", "right", "doc"]), default="doc", show_default=True)
@click.option("--position", default=1, show_default=True, type=click.IntRange(1, 10),
              help="With --sort left/right: sort on the word this many places from the term.")  # fmt: skip
@doc_option
@click.option("--expand", is_flag=True, help="Match as search does: stems, compound forms, acronyms both ways.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@json_option
@click.pass_obj
def kwic(obj: _Context, term: str, width: int | None, sort: str, position: int, doc: str | None, expand: bool,
         as_csv: bool, as_json: bool):  # fmt: skip
    """A concordance: every occurrence of TERM in its context, aligned on the term.

    TERM matches as typed, word for word; --expand matches it as search does.
    Each line ends with its document and page; the first line counts them.

    \b
    Example:
        kb kwic legitimacy --sort left --position 2
        kb kwic CoP --expand --csv > cop.csv
    """
    knowledge_base = obj.open()
    screen = terminal_width()
    scripted = as_json or as_csv
    lines = knowledge_base.concordance(
        term, width=width or (40 if scripted else 200), sort=sort, doc=doc, exact=not expand, position=position
    )
    if as_json:
        _echo_json(serialize.kwic_json(term, lines))
        return
    if as_csv:
        click.echo(serialize.kwic_csv(lines), nl=False)
        return
    if not lines:
        click.echo(f"No occurrences of {term!r}.", err=True)
        sys.exit(EXIT_NO_HITS)

    def where(line) -> str:
        return " ".join(p for p in (line.doc_id, line.pages) if p)

    tail = min(max(len(where(c)) for c in lines), 28)
    match_width = max(len(c.match) for c in lines)
    context = width or max(8, (screen - match_width - tail - 4) // 2)
    in_documents = len({c.doc_id for c in lines})
    summary = f"{_count(len(lines), 'occurrence')} of {term!r} in {_count(in_documents, 'document')}"
    click.echo(click.style(terminal_text(summary), bold=True))
    for line in lines:
        left = terminal_text(line.left[-context:]).rjust(context)
        right = terminal_text(line.right[:context]).ljust(context)
        label = shorten(where(line), tail)
        match = click.style(terminal_text(line.match), bold=True)
        click.echo(f"{left} {match} {right}  {click.style(label, dim=True)}")


@command()
@click.argument("term")
@doc_option
@click.option("--expand", is_flag=True, help="Match as search does: stems, compound forms, acronyms both ways.")
@json_option
@click.pass_obj
def dispersion(obj: _Context, term: str, doc: str | None, expand: bool, as_json: bool):
    """Where in each document TERM stands: a strip from its first page to its last.

    Each mark is an occurrence; a strip with marks all through says the term
    runs through the document, a cluster that one part is about it.

    \b
    Example:
        kb dispersion legitimacy
        kb dispersion CoP --expand --json
    """
    rows = obj.open().dispersion(term, doc, exact=not expand)
    if as_json:
        _echo_json(serialize.dispersion_json(term, rows))
        return
    if not any(r.places for r in rows):
        click.echo(f"No occurrences of {term!r}.", err=True)
        sys.exit(EXIT_NO_HITS)
    width = terminal_width()
    label_width = min(max(len(r.doc_id) for r in rows), 28)
    strip = max(10, width - label_width - 12)
    click.echo(click.style(terminal_text(f"{term!r}: where it stands in each document, first word to last"), bold=True))
    for row in rows:
        cells = [0] * strip
        for at, _, _ in row.places:
            cells[min(strip - 1, int(at * strip))] += 1
        drawn = "".join(" " if n == 0 else "|" if n == 1 else "█" for n in cells)
        click.echo(
            terminal_text(f"{shorten(row.doc_id, label_width):<{label_width}} {len(row.places):>5} ") + f"▕{drawn}▏"
        )
    click.echo(
        click.style("| one occurrence, █ several; the --json output gives each one's passage and page", dim=True)
    )


@command()
@click.argument("node")
@click.option("--window", default=4, show_default=True, type=click.IntRange(1, 20), help="Words either side.")
@click.option("--measure", type=click.Choice(MEASURES), default="logdice", show_default=True)
@click.option("--min-count", default=3, show_default=True, type=click.IntRange(1), help="Times together, at least.")
@click.option("--top", default=20, show_default=True, type=click.IntRange(1, 500))
@doc_option
@click.option("--all-words", is_flag=True, help="Let stop words (the, of, and ...) be collocates too.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@json_option
@click.pass_obj
def collocates(obj: _Context, node: str, window: int, measure: str, min_count: int, top: int, doc: str | None,
               all_words: bool, as_csv: bool, as_json: bool):  # fmt: skip
    """The words that stand near NODE (a word or phrase, as typed) more than chance.

    MI favours rare, exclusive partners, t-score frequent and certain ones,
    logDice (at most 14) sits between and compares across corpora; the
    formulas are in the README. Each row names a passage where they meet.

    \b
    Example:
        kb collocates trust --window 5 --measure mi
        kb collocates "community policing" --doc 2022 --json
    """
    knowledge_base = obj.open()
    result = knowledge_base.collocates(node, window, measure, min_count, doc, top, all_words)
    if as_json:
        _echo_json(serialize.collocates_json(result, measure))
        return
    if as_csv:
        click.echo(serialize.collocates_csv(result), nl=False)
        return
    if not result.node_count:
        click.echo(f"No occurrences of {node!r}.", err=True)
        sys.exit(EXIT_NO_HITS)
    width = terminal_width()
    click.echo(click.style(terminal_text(
        f"{node!r}: {result.node_count:,} times in {result.words:,} words; collocates within {window} words, "
        f"by {measure}"), bold=True))  # fmt: skip
    if not result.collocates:
        click.echo(f"(none met {min_count} times or more)")
        return
    word_width = max(12, min(24, max(len(c.word) for c in result.collocates)))
    click.echo(f"  {'word':<{word_width}} {'together':>8} {'freq.':>7} {'logDice':>7} {'MI':>6} {'t':>6}  example")
    for c in result.collocates:
        line = f"  {c.word:<{word_width}} {c.together:>8} {c.frequency:>7} {c.logdice:>7.2f} {c.mi:>6.2f} {c.t:>6.2f}  "
        click.echo(terminal_text(line + shorten(c.passage_ids[0], max(8, width - len(line)))))


@command()
@click.option("-n", "size", default=2, show_default=True, type=click.IntRange(2, 4), help="Words per n-gram.")
@click.option("--top", default=30, show_default=True, type=click.IntRange(1, 1000))
@click.option("--min-count", default=2, show_default=True, type=click.IntRange(1))
@doc_option
@click.option("--all-words", is_flag=True, help="Keep n-grams that begin or end with a stop word.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@json_option
@click.pass_obj
def ngrams(obj: _Context, size: int, top: int, min_count: int, doc: str | None, all_words: bool, as_csv: bool,
           as_json: bool):  # fmt: skip
    """The most frequent runs of N words, with how many documents use each.

    \b
    Example:
        kb ngrams -n 3 --doc 2022
    """
    grams, words = obj.open().word_list(size, doc, min_count, top, all_words)
    _print_grams(grams, words, size, as_csv, as_json)


@command()
@click.option("--top", default=50, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--min-count", default=1, show_default=True, type=click.IntRange(1))
@doc_option
@click.option("--content", is_flag=True, help="Leave out stop words (the, of, and ...).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@json_option
@click.pass_obj
def words(obj: _Context, top: int, min_count: int, doc: str | None, content: bool, as_csv: bool, as_json: bool):
    """The word list: each word's frequency, rate and range (documents using it).

    \b
    Example:
        kb words --content --top 100 --csv > words.csv
    """
    grams, total = obj.open().word_list(1, doc, min_count, top, not content)
    _print_grams(grams, total, 1, as_csv, as_json)


def _print_grams(grams, words: int, size: int, as_csv: bool, as_json: bool) -> None:
    if as_json:
        _echo_json(serialize.grams_json(grams, words, size))
        return
    if as_csv:
        click.echo(serialize.grams_csv(grams, words), nl=False)
        return
    if not grams:
        click.echo("Nothing to list.", err=True)
        sys.exit(EXIT_NO_HITS)
    width = terminal_width()
    item_width = max(12, min(width - 36, max(len(g.text) for g in grams)))
    click.echo(click.style(f"{words:,} words read", bold=True))
    click.echo(f"  {'#':>4}  {'item':<{item_width}} {'count':>7} {'/10k':>8} {'docs':>5}")
    for rank, gram in enumerate(grams, start=1):
        rate = gram.count * 10_000 / words if words else 0
        text = shorten(gram.text, item_width)
        click.echo(terminal_text(f"  {rank:>4}  {text:<{item_width}} {gram.count:>7} {rate:>8.1f} {gram.documents:>5}"))


@command()
@click.argument("doc_a")
@click.argument("doc_b")
@click.option("--top", default=15, show_default=True, type=click.IntRange(1, 200))
@click.option("--min-count", default=3, show_default=True, type=click.IntRange(1), help="In both together.")
@click.option("--p", "p_value", type=click.Choice(tuple(SIGNIFICANCE)), default="0.05", show_default=True,
              help="Only items significant at this level (G2 3.84, 6.63, 10.83), or none.")  # fmt: skip
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@json_option
@click.pass_obj
def compare(obj: _Context, doc_a: str, doc_b: str, top: int, min_count: int, p_value: str, as_csv: bool,
            as_json: bool):  # fmt: skip
    """Words and two-word phrases one document uses markedly more than the other.

    Hyphenated compounds count whole. G2 is Dunning's log-likelihood (above
    3.84 is significant at p < 0.05, above 10.83 at p < 0.001); log ratio is
    the binary log of how many times more often the document uses the item
    (1 = twice as often), shown for the document it is more frequent in.

    \b
    Example:
        kb compare guidebook-2008 guidebook-2022
        kb compare 2008 2022 --p 0.001 --min-count 5 --csv
    """
    a, b, more_a, more_b, total_a, total_b = obj.open().compare(doc_a, doc_b, top, min_count, SIGNIFICANCE[p_value])
    if as_json:
        _echo_json(serialize.compare_json(a, b, more_a, more_b, total_a, total_b))
        return
    if as_csv:
        click.echo(serialize.compare_csv(a, b, more_a, more_b), nl=False)
        return
    width = terminal_width()
    count_width = max(6, len(a.id), len(b.id))
    item_width = max(16, width - 2 - 2 * (count_width + 1) - 10 - 11)
    for document, rows, total in ((a, more_a, total_a), (b, more_b, total_b)):
        click.echo(click.style(terminal_text(f"More in {document.id} ({total:,} words)"), bold=True))
        click.echo(click.style("  " + terminal_text(document_label(document, width - 2)), dim=True))
        if not rows:
            click.echo(f"  (nothing at p < {p_value})" if p_value != "none" else "  (nothing)")
            click.echo()
            continue
        header = f"  {'item':<{item_width}} {a.id:>{count_width}} {b.id:>{count_width}} {'G2':>9} {'log ratio':>10}"
        click.echo(terminal_text(header))
        for row in rows:
            figures = (
                f"{row.count_a:>{count_width}} {row.count_b:>{count_width}} {row.g2:>9.2f} {abs(row.log_ratio):>10.2f}"
            )
            click.echo(terminal_text(f"  {shorten(row.item, item_width):<{item_width}} {figures}"))
        click.echo()


@command()
@click.argument("doc_old")
@click.argument("doc_new")
@click.option("--all", "show_all", is_flag=True, help="Also list the sections kept as they were.")
@click.option(
    "--section", "section_number", type=click.IntRange(1), help="Show row N side by side, sentence by sentence."
)
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@json_option
@click.pass_obj
def diff(obj: _Context, doc_old: str, doc_new: str, show_all: bool, section_number: int | None, as_csv: bool,
         as_json: bool):  # fmt: skip
    """What changed between two documents (usually two editions), section by section.

    Sections are aligned by their text and their headings, so renamed, moved,
    split and merged sections are found. Each row is kept, changed, split,
    merged, new or dropped (renamed and moved are marked), with pages on both
    sides; a changed row says how much of its text changed and the words it
    gained and lost most. Rows are numbered for --section.

    \b
    Example:
        kb diff gp-2008 gp-2022
        kb diff gp-2008 gp-2022 --section 12
    """
    old, new, changes = obj.open().diff(doc_old, doc_new)
    if as_json:
        _echo_json(serialize.diff_json(old, new, changes))
        return
    if as_csv:
        click.echo(serialize.diff_csv(changes), nl=False)
        return
    width = terminal_width()
    if section_number is not None:
        if section_number > len(changes):
            raise click.BadParameter(f"this diff has {len(changes)} rows", param_hint="--section")
        _print_section_diff(changes[section_number - 1], width)
        return
    summary = serialize.diff_summary(changes)
    for side, document in (("old", old), ("new", new)):
        head = f"{side}: {document.id} · "
        click.echo(click.style(terminal_text(head + document_label(document, width - len(head))), bold=True))
    counts = ", ".join(f"{summary[s]} {s}" for s in DIFF_STATUSES if summary[s])
    marks = ", ".join(f"{summary[m]} {m}" for m in ("renamed", "moved") if summary[m])
    click.echo(textwrap.fill(f"{len(changes)} rows: {counts}" + (f"; {marks}" if marks else ""), width))
    column = (width - 24) // 2
    click.echo()
    click.echo(click.style(f"{'#':>3}  {'':<17}{'OLD':<{column}}  NEW", bold=True))
    for n, change in enumerate(changes, start=1):
        if change.status == "kept" and not (change.renamed or change.moved) and not show_all:
            continue
        left = located(change.old.heading_path[-1:], change.old.pages, column) if change.old else "—"
        right = located(change.new.heading_path[-1:], change.new.pages, column) if change.new else "—"
        click.echo(terminal_text(f"{n:>3}  {change.label:<17.17}{left:<{column}}  {right}"))
        if change.status == "changed":
            detail = f"{round(change.changed_share * 100)}% of the text changed"
            if change.gained:
                detail += "; more: " + ", ".join(w for w, _ in change.gained[:5])
            if change.lost:
                detail += "; less: " + ", ".join(w for w, _ in change.lost[:5])
            click.echo(click.style(terminal_text(textwrap.fill(detail, width, initial_indent=" " * 22,
                                                                subsequent_indent=" " * 22)), dim=True))  # fmt: skip
    if not show_all and summary["kept"]:
        click.echo(click.style(f"({summary['kept']} sections kept as they were: --all lists them)", dim=True))


def _print_section_diff(change, width: int) -> None:
    column = (width - 3) // 2
    old = " > ".join(change.old.heading_path) if change.old else "—"
    new = " > ".join(change.new.heading_path) if change.new else "—"
    click.echo(click.style(terminal_text(f"{change.label}: {round(change.changed_share * 100)}% changed"), bold=True))
    for side, path, section in (("old", old, change.old), ("new", new, change.new)):
        pages = f" · {section.pages}" if section and section.pages else ""
        click.echo(terminal_text(textwrap.fill(f"{side}: {path}{pages}", width)))
    click.echo()
    for mark, left, right in section_diff(change):
        left_lines = textwrap.wrap(terminal_text(left), column) or [""]
        right_lines = textwrap.wrap(terminal_text(right), column) or [""]
        for k in range(max(len(left_lines), len(right_lines))):
            a = left_lines[k] if k < len(left_lines) else ""
            b = right_lines[k] if k < len(right_lines) else ""
            line = f"{a:<{column}} {mark if k == 0 else ' '} {b}"
            color = {"-": "red", "+": "green", "~": "yellow"}.get(mark)
            click.echo(click.style(line, fg=color) if color else line)


# -- serve -------------------------------------------------------------------------


@command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=0, type=click.IntRange(0, 65535), help="Port (default: a free one).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16), help="Server processes.")
@click.option(
    "--auth",
    "auth_token",
    envvar="KB_SERVE_AUTH",
    metavar="TOKEN",
    help="Ask every client for this token (a sign-in page, or Authorization: Bearer TOKEN); env KB_SERVE_AUTH.",
)
@click.option(
    "--insecure-no-auth", is_flag=True, help="Serve beyond this machine with no sign-in: anyone who can connect reads."
)
@click.option(
    "--allow-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="Another host name clients use to reach this server (repeatable).",
)
@click.pass_obj
def serve(
    obj: _Context,
    host: str,
    port: int,
    workers: int,
    auth_token: str | None,
    insecure_no_auth: bool,
    allowed_hosts: tuple[str, ...],
):
    """Serve the knowledge base as web pages (and JSON under /api/) on this machine.

    It answers only to its own host names. Serving beyond this machine
    (--host 0.0.0.0 or a LAN address) needs --auth TOKEN, or an explicit
    --insecure-no-auth, and then shows file names instead of paths.

    \b
    Example:
        kb serve
        kb serve --port 8080 --workers 2
        kb serve --host 0.0.0.0 --auth "$(cat ~/.kb-token)"
    """
    import uvicorn

    from kb.web import AUTH_ENV, HOSTS_ENV, INDEX_ENV, PUBLIC_ENV, serving
    from kb.web.guard import Exposure, connection_limit
    from kb.web.serving import TurnTakingProtocol

    exposure = Exposure.serving(host, allowed_hosts, auth_token or None)
    if exposure.public and exposure.auth_token is None and not insecure_no_auth:
        raise click.UsageError(
            f"serving on {host} lets other machines connect: give --auth TOKEN, or --insecure-no-auth"
        )
    obj.open()  # takes in the bundled corpus first, as the other commands do
    if exposure.public and exposure.auth_token is None:
        click.echo(f"warning: serving on {host} with no sign-in: other machines can read this knowledge base", err=True)
    if port == 0:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"kb is serving {obj.index_dir} at http://{shown}:{port}/  (Ctrl-C stops it)")
    os.environ.update(
        {
            INDEX_ENV: str(obj.index_dir),
            HOSTS_ENV: ",".join(sorted(exposure.hosts)),
            AUTH_ENV: exposure.auth_token or "",
            PUBLIC_ENV: "1" if exposure.public else "",
        }
    )
    config = uvicorn.Config(
        "kb.web:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        http=TurnTakingProtocol,
        timeout_keep_alive=5,
        limit_concurrency=connection_limit(),
        h11_max_incomplete_event_size=16 * 1024,
    )
    serving.run(config, workers)


# -- picks ---------------------------------------------------------------------

pack_option = click.option("--pack", default=DEFAULT_PACK, show_default=True, help="Which pack.")


@cli.group()
def pick():
    """Keep passages in packs for slides: add, list, remove, clear, export.

    \b
    Example:
        kb pick add guidebook:12 guidebook:40 --pack consent
        kb pick export --format pptx -o consent.pptx --pack consent
    """


def pick_command(*args, **kwargs):
    return pick.command(*args, cls=_KbCommand, **kwargs)


@pick_command("add")
@click.argument("passage_ids", nargs=-1, required=True)
@pack_option
@click.pass_obj
def pick_add(obj: _Context, passage_ids: tuple[str, ...], pack: str):
    """Add passages to a pack.

    \b
    Example:
        kb pick add guidebook:12 --pack consent
    """
    added = obj.open().pick(list(passage_ids), pack)
    click.echo(f"Added {_count(len(added), 'passage')} to pack '{pack}'.")


@pick_command("list")
@pack_option
@json_option
@click.pass_obj
def pick_list(obj: _Context, pack: str, as_json: bool):
    """List a pack's passages; one whose document changed or went is marked.

    \b
    Example:
        kb pick list --pack consent
    """
    states = obj.open().picked(pack)
    if as_json:
        _echo_json(serialize.picks_json(pack, states))
        return
    if not states:
        click.echo(f"Pack '{pack}' is empty.", err=True)
    for n, state in enumerate(states, start=1):
        mark = "" if state.state == "ok" else click.style(f" [{state.state}]", fg="red")
        click.echo(f"{n:>2}. {state.pick.passage_id}{mark}")
        citation = terminal_text(state.pick.citation)
        click.echo(textwrap.fill(citation, terminal_width(), initial_indent=INDENT, subsequent_indent=INDENT))


@pick_command("remove")
@click.argument("passage_ids", nargs=-1, required=True)
@pack_option
@click.pass_obj
def pick_remove(obj: _Context, passage_ids: tuple[str, ...], pack: str):
    """Remove passages from a pack.

    \b
    Example:
        kb pick remove guidebook:12 --pack consent
    """
    removed = obj.open().unpick(list(passage_ids), pack)
    click.echo(f"Removed {_count(len(removed), 'passage')} from pack '{pack}'.")


@pick_command("move")
@click.argument("passage_id")
@click.option("--up", "by", flag_value=-1, default=True, help="One place earlier (the default).")
@click.option("--down", "by", flag_value=1, help="One place later.")
@pack_option
@click.pass_obj
def pick_move(obj: _Context, passage_id: str, by: int, pack: str):
    """Move a pick one place up or down in its pack (the order of the slides).

    \b
    Example:
        kb pick move guidebook:40 --up --pack consent
    """
    order = obj.open().move_pick(passage_id, pack, int(by))
    for n, moved in enumerate(order, start=1):
        click.echo(f"{n:>2}. {moved}")


@pick_command("quote")
@click.argument("passage_id")
@click.argument("quote", required=False, default="")
@pack_option
@click.pass_obj
def pick_quote(obj: _Context, passage_id: str, quote: str, pack: str):
    """Set the words of a pick's slide: the passage's own words, cut with "…".

    With no QUOTE, kb trims the passage for the slide again.

    \b
    Example:
        kb pick quote guidebook:12 "Policing by consent rests on approval. … It is renewed daily."
    """
    obj.open().set_quote(passage_id, quote, pack)
    click.echo(f"Slide quote for {passage_id}: " + ("set" if quote else "kb trims it"))


@pick_command("rename")
@click.argument("old")
@click.argument("new")
@click.pass_obj
def pick_rename(obj: _Context, old: str, new: str):
    """Rename a pack.

    \b
    Example:
        kb pick rename default "policing by consent"
    """
    obj.open().rename_pack(old, new)
    click.echo(f"Pack '{old}' is now '{new}'.")


@pick_command("clear")
@pack_option
@click.pass_obj
def pick_clear(obj: _Context, pack: str):
    """Empty a pack.

    \b
    Example:
        kb pick clear --pack consent
    """
    count = obj.open().clear_pack(pack)
    click.echo(f"Cleared {_count(count, 'passage')} from pack '{pack}'.")


@pick_command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice((*FORMATS, *BIB_FORMATS)),
    required=True,
    help="md, pptx, csv, json, or bibtex or ris for reference managers.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--title", help="Deck title [default: the pack's name in words, else the first pick's query].")
@click.option(
    "--fit",
    type=click.Choice(FITS),
    default="trim",
    show_default=True,
    help="A passage too long for one slide at 24 pt: trim it at sentences, or split it over slides.",
)
@click.option(
    "--template",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An organisation's .pptx whose master and layouts the deck uses.",
)
@max_words_option
@pack_option
@click.pass_obj
def pick_export(
    obj: _Context,
    fmt: str,
    output: Path,
    title: str | None,
    fit: str,
    template: Path | None,
    max_words: int | None,
    pack: str,
):
    """Export a pack as slides (md, pptx), data (csv, json) or references (bibtex, ris).

    Quotes are set at 24 pt with the citation at 18 pt; a passage too long for
    a slide is trimmed at sentence boundaries, keeping the sentences that
    matched the search (or split over slides marked "(cont.)" with --fit
    split). The speaker notes hold the whole passage and its APA citation.

    \b
    Example:
        kb pick export --format pptx -o session.pptx --pack policing-by-consent
        kb pick export --format pptx -o session.pptx --fit split --template ours.pptx
    """
    knowledge_base = obj.open()
    states = knowledge_base.picked(pack)
    if not states:
        raise KbClickError(f"pack '{pack}' is empty: add passages with `kb pick add ID`")
    if template is not None and fmt != "pptx":
        raise click.UsageError("--template applies to --format pptx only")
    changed = sum(1 for s in states if s.state != "ok")
    note = f" ({changed} changed or gone since picked)" if changed else ""
    if fmt in BIB_FORMATS:
        cited = knowledge_base.picked_passages(pack)
        _write_text(output, bibliography(cited, fmt))
        works = len({document.id for _, document in cited})
        click.echo(f"Wrote {_count(works, 'reference')} to {output}{note}.")
        return
    box = quote_box(template) if fmt == "pptx" else WIDE_QUOTE_BOX
    slides = knowledge_base.slides(pack, fit, max_words, box)
    title = deck_title(title, pack, states)
    try:
        if fmt == "pptx":
            written = write_pptx(slides, title, output, template)
        elif fmt == "md":
            output.write_text(to_markdown(slides, title), encoding="utf-8")
            written = len(slides) + 2
        elif fmt == "csv":
            output.write_text(to_csv(slides), encoding="utf-8", newline="")
        else:
            output.write_text(to_json(slides, pack), encoding="utf-8")
    except OSError as exc:
        raise KbClickError(f"{output}: cannot be written ({exc.strerror or exc})") from None
    if fmt in ("pptx", "md"):
        click.echo(f"Wrote {_count(written, 'slide')} to {output}{note}.")
    else:
        click.echo(f"Wrote {_count(len(slides), 'row')} to {output}{note}.")


def _write_text(output: Path, text: str) -> None:
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise KbClickError(f"{output}: cannot be written ({exc.strerror or exc})") from None


def main() -> None:
    """The console script's entry point."""
    cli()


if __name__ == "__main__":
    main()
