"""The ASGI app behind ``kb serve``: pages for people, ``/api/...`` JSON for programs.

Every route calls the same ``KnowledgeBase`` methods as the CLI and returns the
CLI's ``--json`` shapes under ``/api``. The index stays open between requests
until a ``kb add`` commits; the next request then reads the new generation.
Pages work without JavaScript; all document text is escaped by the templates.
Routes are plain functions, which Starlette runs in its thread pool: a slow
compare never holds up the event loop and the cheap requests behind it.
Searches take turns (``searching``), and so do the slow research routes
(``slow``), so that however many arrive at once, a request shares the
interpreter with at most one search and one slow request.
"""

from __future__ import annotations

import contextlib
import functools
import re
import secrets
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import anyio.to_thread
from anyio import CapacityLimiter
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from kb import (
    AmbiguousDocument,
    DocumentNotFound,
    IndexMissing,
    InvalidArguments,
    InvalidPackName,
    KbError,
    KnowledgeBase,
    PassageNotFound,
    serialize,
)
from kb.bibliography import bibliography
from kb.citation import cite, edition_label, printed_pages
from kb.diff import section_diff
from kb.editions import document_label, edition_pair, edition_tag, latest_editions, works_in_editions
from kb.export import FORMATS, deck_title, to_csv, to_json, to_markdown, write_pptx
from kb.inert import web_url
from kb.model import Document, Hit, Passage
from kb.picks import DEFAULT_PACK, is_pack_name
from kb.plot import document_legend
from kb.research import SIGNIFICANCE
from kb.search import STOP_WORDS, analyze, warm
from kb.search import prepare as prepare_search
from kb.search.snippet import marked_words
from kb.web.guard import AUTH_COOKIE, LOGIN_PATH, BodyTooLarge, Exposure, Guard, form_token

MAX_QUERY = 300
MAX_LIMIT = 100
MAX_TERMS = 10
PAGE_SIZE = 10
PACK_COOKIE = "kb_pack"
MAX_PAGE = 50
BAR_WIDTH = 20


class BadRequest(HTTPException):
    def __init__(self, message: str) -> None:
        super().__init__(400, message)


def create_app(index_dir: Path | str, exposure: Exposure | None = None) -> Guard:
    """The app for one index folder, behind the guard for how far it is
    exposed (by default: this machine only, no login)."""
    index_dir = Path(index_dir)
    exposure = exposure or Exposure()
    templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True)
    templates.filters["marks"] = _marks
    templates.filters["edition"] = edition_label
    templates.filters["edition_tag"] = edition_tag
    templates.filters["pages"] = printed_pages
    token = form_token(index_dir)
    shared = KnowledgeBase(index_dir, keep_open=True)

    def knowledge_base() -> KnowledgeBase:
        return shared

    quiet, answering = threading.Event(), [0]  # no request in hand: the warming may go on
    quiet.set()

    def taking_turns(route, turns: CapacityLimiter):
        @functools.wraps(route)
        async def in_turn(request: Request) -> Response:
            answering[0] += 1  # on the event loop's thread only
            quiet.clear()
            try:
                return await anyio.to_thread.run_sync(route, request, limiter=turns)
            finally:
                answering[0] -= 1
                if not answering[0]:
                    quiet.set()

        return in_turn

    # Searches run one at a time, and so do slow research requests, each in a
    # thread off the event loop: twenty searches in twenty threads would share
    # the interpreter in 5 ms slices and all finish late.
    search_turns, slow_turns = CapacityLimiter(1), CapacityLimiter(1)

    def searching(route):
        return taking_turns(route, search_turns)

    def slow(route):
        return taking_turns(route, slow_turns)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        stop = threading.Event()
        warming = threading.Thread(target=_warm_quietly, args=(shared.index, stop, quiet), daemon=True)
        with contextlib.suppress(KbError):  # no index yet: pages say so
            prepare_search(shared.index)
            warming.start()
        yield
        stop.set()
        if warming.is_alive():
            warming.join(timeout=10)  # it reads one word at a time: closing under it would reopen the index
        shared.index.close()

    def current_pack(request: Request) -> str:
        """The pack this browser picks into: its own choice (a cookie, so that two
        trainers on one server each keep theirs), else the default pack."""
        chosen = request.cookies.get(PACK_COOKIE, "")
        return chosen if is_pack_name(chosen) else DEFAULT_PACK

    def picked_here(request: Request) -> set[str]:
        """The passages picked into this browser's pack, for the buttons that show it."""
        return {p.passage_id for p in knowledge_base().packs.load(current_pack(request))}

    def choosing_pack(response: Response, pack: str) -> Response:
        response.set_cookie(PACK_COOKIE, pack, max_age=365 * 24 * 3600, httponly=True, samesite="strict")
        return response

    def pack_nav(request: Request) -> dict:
        """What the nav shows of the packs: the current one, its count and the others to choose from."""
        pack, names, count = current_pack(request), [], 0
        with contextlib.suppress(KbError, OSError):
            packs = knowledge_base().packs
            names, count = packs.names(), len(packs.load(pack))
        return {"nav_pack": pack, "nav_packs": sorted({*names, DEFAULT_PACK, pack}), "pick_count": count}

    def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        context.update(token=token, max_query=MAX_QUERY, here=here, **pack_nav(request))
        return HTMLResponse(templates.get_template(name).render(request=request, **context), status_code=status)

    def api(data: dict) -> JSONResponse:
        """A JSON answer; once other machines can connect, file paths are shown as file names only."""
        return JSONResponse(_without_paths(data) if exposure.public else data)

    def check_post(request: Request, form) -> None:
        """Picks change only from kb's own pages: same origin, and the page's token."""
        if not _same_origin(request):
            raise HTTPException(403, "requests from other sites may not change picks")
        if not secrets.compare_digest(str(form.get("token", "")), token):
            raise HTTPException(403, "this form has expired: reload the page and try again")

    # -- search and passages --------------------------------------------------

    @searching
    def home(request: Request) -> Response:
        q = _text(request, "q")
        doc = request.query_params.get("doc") or None
        literal = bool(request.query_params.get("literal"))
        latest = bool(request.query_params.get("latest"))
        number = _int(request, "page", 1, 1, MAX_PAGE)
        kb = knowledge_base()
        documents = kb.documents()
        context = {
            "q": q, "doc": doc, "literal": literal, "latest": latest, "documents": documents, "result": None,
            "page": number, "works": len(latest_editions(documents)), "passages": sum(d.passages for d in documents),
            "in_editions": works_in_editions(documents),
        }  # fmt: skip
        if not q:
            context["examples"] = _examples(kb) if documents else []
        if q:
            context["picked"] = picked_here(request)
            result = kb.search(q, limit=number * PAGE_SIZE, doc=doc, literal=literal, latest=latest)
            hits = [
                _hit_view(hit)
                for hit in result.hits[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
            ]  # fmt: skip
            chosen = (
                ("q", q),
                ("doc", doc),
                ("literal", "1" if literal else None),
                ("latest", "1" if latest else None),
            )
            params = {k: v for k, v in chosen if v}
            context.update(
                result=result,
                hits=hits,
                first=(number - 1) * PAGE_SIZE + 1,
                last=(number - 1) * PAGE_SIZE + len(hits),
                back=f"/?{urlencode({**params, 'page': number})}",
                page_url=lambda n: f"/?{urlencode({**params, 'page': n})}",
                # "Did you mean" and the ways out of zero results keep every other filter.
                with_query=lambda text: f"/?{urlencode({**params, 'q': text})}",
                without=lambda key: f"/?{urlencode({k: v for k, v in params.items() if k != key})}",
            )
        return page(request, "search.html", **context)

    @searching
    def api_search(request: Request) -> Response:
        q = _text(request, "q", required=True)
        limit = _int(request, "limit", 10, 1, MAX_LIMIT)
        result = knowledge_base().search(
            q,
            limit=limit,
            doc=request.query_params.get("doc") or None,
            literal=bool(request.query_params.get("literal")),
        )
        return api(serialize.search_json(result))

    def passage_page(request: Request) -> Response:
        kb = knowledge_base()
        passage, document = kb.passage(request.path_params["passage_id"])
        in_order = kb.passages(document.id)
        at = next(n for n, p in enumerate(in_order) if p.id == passage.id)
        query = _text(request, "q")
        citations = [
            ("Short", cite(document, passage)),
            ("APA", cite(document, passage, "apa")),
            ("BibTeX", bibliography([(passage, document)], "bibtex")),
            ("RIS", bibliography([(passage, document)], "ris")),
        ]
        return page(
            request,
            "passage.html",
            passage=passage,
            document=document,
            heading=passage.heading_path[-1] if passage.heading_path else document.title,
            label=document_label(document, 10_000),
            text=_highlighted(passage.text, query),
            query=query,
            citations=citations,
            pages=printed_pages(passage),
            is_picked=passage.id in picked_here(request),
            previous=in_order[at - 1] if at > 0 else None,
            following=in_order[at + 1] if at + 1 < len(in_order) else None,
            source_url=_source_url(document, passage),
            web_address=web_url(document.url),
        )

    copy_script = (Path(__file__).parent / "templates" / "copy.js").read_text(encoding="utf-8")

    pick_script = (Path(__file__).parent / "templates" / "picks.js").read_text(encoding="utf-8")

    def copy_js(request: Request) -> Response:
        """The copy buttons' script, a file of its own so that no page holds inline script."""
        return Response(copy_script, media_type="text/javascript; charset=utf-8")

    def picks_js(request: Request) -> Response:
        return Response(pick_script, media_type="text/javascript; charset=utf-8")

    def api_passage(request: Request) -> Response:
        passage, document = knowledge_base().passage(request.path_params["passage_id"])
        return api(serialize.show_json(passage, document))

    def source(request: Request) -> Response:
        """The original file of a document, by its id only: the path comes from
        the index, never the request. A PDF opens in the browser's viewer; any
        other file is shown as plain text in a sandbox, so that a page's own
        HTML and scripts never run on kb's origin."""
        document = knowledge_base().document(request.path_params["doc_id"])
        path = Path(document.path)
        if not path.is_file():
            raise HTTPException(404, "the file of this document is not on this computer any more")
        if document.kind == "pdf":
            return FileResponse(path, media_type="application/pdf", content_disposition_type="inline")
        headers = {"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"}
        return FileResponse(path, media_type="text/plain; charset=utf-8", headers=headers)

    # -- picks ------------------------------------------------------------------

    def picks_page(request: Request) -> Response:
        pack = request.query_params.get("pack") or current_pack(request)
        kb = knowledge_base()
        if not is_pack_name(pack):
            raise BadRequest(f"{pack!r} is not a pack name")
        names = kb.packs.names()
        if pack not in (current_pack(request), DEFAULT_PACK) and pack not in names:
            known = f"; the packs are: {', '.join(names)}" if names else ""
            raise HTTPException(404, f"there is no pack '{pack}'{known}")
        states = kb.picked(pack)
        slides = {s.passage_id: s.quote for s in kb.slides(pack) if not s.continued} if states else {}
        return page(request, "picks.html", pack=pack, states=states, slides=slides)

    async def pick_add(request: Request) -> Response:
        form = await request.form()
        check_post(request, form)
        pack = str(form.get("pack") or current_pack(request))
        query = str(form.get("q", ""))[:MAX_QUERY]
        passage_id = str(form.get("id", ""))
        await run_in_threadpool(knowledge_base().pick, [passage_id], pack, query=query)
        return picked_answer(request, form, pack, passage_id, True, "/picks")

    async def pick_remove(request: Request) -> Response:
        form = await request.form()
        check_post(request, form)
        pack = str(form.get("pack") or current_pack(request))
        passage_id = str(form.get("id", ""))
        await run_in_threadpool(knowledge_base().unpick, [passage_id], pack)
        return picked_answer(request, form, pack, passage_id, False, f"/picks?{urlencode({'pack': pack})}")

    async def pick_change(request: Request) -> Response:
        """Reorder a pick, set its slide's quote, rename the pack, start a new one
        or choose the one to pick into. A new pack, or the current one renamed,
        is the pack this browser picks into from then on."""
        form = await request.form()
        check_post(request, form)
        kb = knowledge_base()
        pack = str(form.get("pack") or current_pack(request))
        action = request.path_params["action"]
        now_current = pack if action == "use" else None
        passage_id = str(form.get("id", ""))
        if action == "move":
            await run_in_threadpool(kb.move_pick, passage_id, pack, -1 if form.get("by") == "up" else 1)
        elif action == "quote":
            quote = "" if form.get("reset") else str(form.get("quote", ""))[:20_000]
            await run_in_threadpool(kb.set_quote, passage_id, quote, pack)
        elif action == "rename":
            new = str(form.get("new", "")).strip()
            await run_in_threadpool(kb.rename_pack, pack, new)
            if pack == current_pack(request):
                now_current = new
            pack = new
        elif action == "new":
            pack = now_current = str(form.get("new", "")).strip()
            if pack not in kb.packs.names():
                await run_in_threadpool(kb.clear_pack, pack)  # an empty pack, ready to pick into
        elif action == "use":
            if not is_pack_name(pack):
                raise BadRequest(f"{pack!r} is not a pack name")
            shown = f"/picks?{urlencode({'pack': pack})}"
            back = _local_path(str(form.get("back") or ""), fallback=shown)
            back = shown if back.split("?")[0] == "/picks" else back  # the picks page shows the chosen pack
            return choosing_pack(RedirectResponse(back, 303), pack)
        else:
            raise HTTPException(404, f"no pick action '{action}'")
        anchor = f"#pick-{passage_id}" if action in ("move", "quote") and re.fullmatch(r"[\w:.-]+", passage_id) else ""
        answer = RedirectResponse(f"/picks?{urlencode({'pack': pack})}{anchor}", 303)
        return choosing_pack(answer, now_current) if now_current else answer

    def picked_answer(request: Request, form, pack: str, passage_id: str, picked: bool, fallback: str) -> Response:
        """JSON for the page's script (the page stays where it is); else back to
        the page the form was on, at the hit it was on (a 303, so reloading
        never posts again)."""
        kb = knowledge_base()
        count = len(kb.packs.load(pack))
        if "application/json" in request.headers.get("accept", ""):
            try:
                passage, document = kb.passage(passage_id)
                heading = passage.heading_path[-1] if passage.heading_path else document.title
                what = ", ".join(p for p in (heading, printed_pages(passage)) if p)
            except KbError:  # a pick of a passage no longer indexed, taken out
                what = passage_id
            said = f"{'Picked' if picked else 'Removed'} {what}; {count} in pack '{pack}'"
            return JSONResponse({"id": passage_id, "picked": picked, "pack": pack, "count": count, "message": said})
        back = _local_path(str(form.get("back") or ""), fallback=fallback)
        anchor = str(form.get("anchor") or "")
        if re.fullmatch(r"[A-Za-z][\w-]{0,40}", anchor):
            back = f"{back.split('#')[0]}#{anchor}"
        return RedirectResponse(back, 303)

    def api_picks(request: Request) -> Response:
        pack = request.query_params.get("pack") or current_pack(request)
        return api(serialize.picks_json(pack, knowledge_base().picked(pack)))

    @slow
    def pick_export(request: Request) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in FORMATS:
            raise HTTPException(404, f"no export format '{fmt}' (formats: {', '.join(FORMATS)})")
        pack = request.query_params.get("pack") or current_pack(request)
        states = knowledge_base().picked(pack)
        if not states:
            raise BadRequest(f"pack '{pack}' is empty")
        slides = knowledge_base().slides(pack)
        title = deck_title(None, pack, states)
        name = f"kb-{pack}.{fmt}"
        headers = {"Content-Disposition": _attachment(name)}
        if fmt == "pptx":
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "deck.pptx"
                write_pptx(slides, title, path)
                content = path.read_bytes()
            media = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            return Response(content, media_type=media, headers=headers)
        text = {
            "md": lambda: to_markdown(slides, title),
            "csv": lambda: to_csv(slides),
            "json": lambda: to_json(slides, pack),
        }
        media = {"md": "text/markdown", "csv": "text/csv", "json": "application/json"}[fmt]
        return Response(text[fmt](), media_type=f"{media}; charset=utf-8", headers=headers)

    # -- documents ----------------------------------------------------------------

    def documents_page(request: Request) -> Response:
        return page(request, "documents.html", documents=knowledge_base().documents())

    def document_page(request: Request) -> Response:
        document, sections = knowledge_base().sections(request.path_params["doc_id"])
        source_link = web_url(document.url) or (f"/source/{document.id}" if Path(document.path).is_file() else None)
        return page(request, "document.html", document=document, sections=sections, pages=printed_pages,
                    source_link=source_link, file_name=Path(document.path).name)  # fmt: skip

    def api_documents(request: Request) -> Response:
        return api(serialize.documents_json(knowledge_base().documents()))

    def api_sections(request: Request) -> Response:
        return api(serialize.sections_json(*knowledge_base().sections(request.path_params["doc_id"])))

    def api_acronyms(request: Request) -> Response:
        return api(serialize.acronyms_json(knowledge_base().acronyms(request.query_params.get("doc") or None)))

    # -- research ---------------------------------------------------------------------

    def term_list(request: Request) -> list[str]:
        raw = _text(request, "t")
        terms = [t.strip() for t in raw.split(",") if t.strip()]
        if len(terms) > MAX_TERMS:
            raise BadRequest(f"at most {MAX_TERMS} terms at a time")
        return terms

    def term_counts(request: Request):
        return knowledge_base().term_counts(
            term_list(request),
            exact=not request.query_params.get("expand"),
            doc=request.query_params.get("doc") or None,
            top=_int(request, "top", 5, 1, 100),
        )

    @slow
    def terms_page(request: Request) -> Response:
        counts = term_counts(request) if term_list(request) else []
        largest = {c.term: 0.0 for c in counts}  # each term's bars to its own largest rate, as in the CLI
        for c in counts:
            largest[c.term] = max(largest[c.term], c.per_10k)
        chart = _has_matplotlib()
        documents = knowledge_base().documents()
        return page(
            request,
            "terms.html",
            raw=_text(request, "t"),
            expand=bool(request.query_params.get("expand")),
            doc=request.query_params.get("doc") or "",
            by=_choice(request, "by", ("document", "section")),
            top=_int(request, "top", 5, 1, 100),
            documents=documents,
            counts=counts,
            chart=chart,
            query_string=request.url.query,
            label_of=lambda c: document_legend(c, 60),
            small_samples=any(c.small_sample for c in counts),
            bar=lambda c: "█" * round(c.per_10k / largest[c.term] * BAR_WIDTH) if largest[c.term] else "",
        )

    @slow
    def api_terms(request: Request) -> Response:
        return api(serialize.terms_json(term_counts(request)))

    @slow
    def terms_csv_download(request: Request) -> Response:
        by_section = _choice(request, "by", ("document", "section")) == "section"
        return PlainTextResponse(serialize.terms_csv(term_counts(request), by_section), media_type="text/csv")

    @slow
    def terms_png(request: Request) -> Response:
        from kb.plot import draw_term_plot

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "terms.png"
            draw_term_plot(term_counts(request), path)
            return Response(path.read_bytes(), media_type="image/png")

    def concordance_of(request: Request, term: str):
        return knowledge_base().concordance(
            term,
            width=_int(request, "width", 60, 10, 200),
            sort=_choice(request, "sort", ("doc", "left", "right")),
            doc=request.query_params.get("doc") or None,
            exact=not request.query_params.get("expand"),
            position=_int(request, "position", 1, 1, 10),
        )

    @slow
    def kwic_page(request: Request) -> Response:
        term = _text(request, "term")
        kb = knowledge_base()
        documents = {d.id: d for d in kb.documents()}
        lines = concordance_of(request, term) if term else []
        return page(
            request,
            "kwic.html",
            term=term,
            sort=_choice(request, "sort", ("doc", "left", "right")),
            position=_int(request, "position", 1, 1, 10),
            width=_int(request, "width", 60, 10, 200),
            doc=request.query_params.get("doc") or "",
            expand=bool(request.query_params.get("expand")),
            documents=list(documents.values()),
            lines=lines,
            in_documents=len({line.doc_id for line in lines}),
            label_of=lambda doc_id: document_label(documents[doc_id], 40) if doc_id in documents else doc_id,
            query_string=request.url.query,
        )

    @slow
    def api_kwic(request: Request) -> Response:
        term = _text(request, "term", required=True)
        return api(serialize.kwic_json(term, concordance_of(request, term)))

    @slow
    def kwic_csv_download(request: Request) -> Response:
        term = _text(request, "term", required=True)
        return PlainTextResponse(serialize.kwic_csv(concordance_of(request, term)), media_type="text/csv")

    @slow
    def compare_page(request: Request) -> Response:
        kb = knowledge_base()
        documents = kb.documents()
        a_id, b_id = request.query_params.get("a"), request.query_params.get("b")
        p_value = _choice(request, "p", tuple(SIGNIFICANCE))
        top, min_count = _int(request, "top", 15, 1, 200), _int(request, "min_count", 3, 1, 1000)
        result = None
        if a_id and b_id:
            a, b, more_a, more_b, _, _ = kb.compare(a_id, b_id, top, min_count, SIGNIFICANCE[p_value])
            result = [(a, more_a), (b, more_b)]
        if not a_id and len(documents) > 1:  # two different documents to start from, not one twice
            a_id, b_id = documents[0].id, documents[1].id
        return page(
            request,
            "compare.html",
            documents=documents,
            a_id=a_id,
            b_id=b_id,
            result=result,
            p_value=p_value,
            top=top,
            min_count=min_count,
            label_of=lambda d: document_label(d, 60),
            short_label_of=lambda d: document_label(d, 28),
        )

    def comparison(request: Request):
        a, b = _text(request, "a", required=True), _text(request, "b", required=True)
        p_value = _choice(request, "p", tuple(SIGNIFICANCE))
        top, min_count = _int(request, "top", 15, 1, 200), _int(request, "min_count", 3, 1, 1000)
        return knowledge_base().compare(a, b, top, min_count, SIGNIFICANCE[p_value])

    @slow
    def api_compare(request: Request) -> Response:
        return api(serialize.compare_json(*comparison(request)))

    @slow
    def compare_csv_download(request: Request) -> Response:
        a, b, more_a, more_b, _, _ = comparison(request)
        return PlainTextResponse(serialize.compare_csv(a, b, more_a, more_b), media_type="text/csv")

    @slow
    def diff_page(request: Request) -> Response:
        kb = knowledge_base()
        documents = kb.documents()
        old_id, new_id = request.query_params.get("old"), request.query_params.get("new")
        offered = (edition_pair(documents) or (documents[0], documents[1])) if len(documents) > 1 else None
        context = {
            "documents": documents,
            "old_id": old_id or (offered[0].id if offered else None),
            "new_id": new_id or (offered[1].id if offered else None),
            "changes": None,
            "show_all": bool(request.query_params.get("all")),
            "label_of": lambda d: document_label(d, 60),
        }
        if old_id and new_id:
            old, new, changes = kb.diff(old_id, new_id)
            summary = [(s, n) for s, n in serialize.diff_summary(changes).items() if n]
            context.update(old=old, new=new, changes=list(enumerate(changes, start=1)), summary=summary)
            row = _int(request, "section", 0, 0, len(changes))  # as kb diff --section N: one row side by side
            if row:
                context.update(row=row, detail=changes[row - 1], sentences=section_diff(changes[row - 1]))
        return page(request, "diff.html", **context)

    def section_changes(request: Request):
        return knowledge_base().diff(_text(request, "old", required=True), _text(request, "new", required=True))

    @slow
    def api_diff(request: Request) -> Response:
        return api(serialize.diff_json(*section_changes(request)))

    @slow
    def diff_csv_download(request: Request) -> Response:
        return PlainTextResponse(serialize.diff_csv(section_changes(request)[2]), media_type="text/csv")

    # -- errors -------------------------------------------------------------------------

    def error(request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=status)
        heading, advice = _ERROR_WORDS.get(status, _ERROR_WORDS[500])
        html = templates.get_template("error.html").render(
            status=status,
            message=message,
            heading=heading,
            advice=advice,
            token=token,
            max_query=MAX_QUERY,
            **pack_nav(request),
        )
        return HTMLResponse(html, status_code=status)

    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error(request, exc.status_code, exc.detail)

    async def kb_error(request: Request, exc: KbError) -> Response:
        if isinstance(exc, (DocumentNotFound, PassageNotFound)):
            return error(request, 404, str(exc))
        if isinstance(exc, IndexMissing):
            return error(request, 503, str(exc))
        status = 400 if isinstance(exc, (AmbiguousDocument, InvalidArguments, InvalidPackName)) else 500
        return error(request, status, str(exc))

    def login_page(request: Request) -> Response:
        return page(request, "login.html", next=_local_path(request.query_params.get("next", "/")), failed=False)

    async def login(request: Request) -> Response:
        form = await request.form()
        if not _same_origin(request):
            raise HTTPException(403, "sign in from kb's own page")
        target = _local_path(str(form.get("next", "/")))
        if not secrets.compare_digest(str(form.get("token", "")), exposure.auth_token or ""):
            return page(request, "login.html", next=target, failed=True, status=401)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(AUTH_COOKIE, exposure.login_cookie(), httponly=True, samesite="strict")
        return response

    async def too_large(request: Request, exc: BodyTooLarge) -> Response:
        return error(request, 413, "the request is larger than kb accepts")

    routes = [
        Route("/", home),
        Route(LOGIN_PATH, login_page),
        Route(LOGIN_PATH, login, methods=["POST"]),
        Route("/passage/{passage_id}", passage_page),
        Route("/copy.js", copy_js),
        Route("/picks.js", picks_js),
        Route("/source/{doc_id}", source),
        Route("/picks", picks_page),
        Route("/picks/add", pick_add, methods=["POST"]),
        Route("/picks/remove", pick_remove, methods=["POST"]),
        Route("/picks/{action}", pick_change, methods=["POST"]),
        Route("/picks/export.{fmt}", pick_export),
        Route("/documents", documents_page),
        Route("/documents/{doc_id}", document_page),
        Route("/terms", terms_page),
        Route("/terms.csv", terms_csv_download),
        Route("/terms.png", terms_png),
        Route("/kwic", kwic_page),
        Route("/kwic.csv", kwic_csv_download),
        Route("/compare", compare_page),
        Route("/compare.csv", compare_csv_download),
        Route("/diff", diff_page),
        Route("/diff.csv", diff_csv_download),
        Route("/api/search", api_search),
        Route("/api/passage/{passage_id}", api_passage),
        Route("/api/documents", api_documents),
        Route("/api/sections/{doc_id}", api_sections),
        Route("/api/acronyms", api_acronyms),
        Route("/api/picks", api_picks),
        Route("/api/terms", api_terms),
        Route("/api/kwic", api_kwic),
        Route("/api/compare", api_compare),
        Route("/api/diff", api_diff),
    ]
    handlers = {HTTPException: http_error, KbError: kb_error, BodyTooLarge: too_large}
    return Guard(Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan), exposure)


def _without_paths(data):
    """The same JSON with each file path cut to its file name."""
    if isinstance(data, dict):
        return {
            key: Path(value).name if key in ("path", "source") and isinstance(value, str) and not web_url(value)
            else _without_paths(value)
            for key, value in data.items()
        }  # fmt: skip
    if isinstance(data, list):
        return [_without_paths(item) for item in data]
    return data


def _local_path(target: str, fallback: str = "/") -> str:
    """A path on this server to go back to, never another site ('//evil', 'http://...')."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else fallback


def _same_origin(request: Request) -> bool:
    """Whether a POST comes from kb's own pages (browsers name the page's origin)."""
    origin = request.headers.get("origin")
    return not origin or origin.rstrip("/") == f"{request.url.scheme}://{request.url.netloc}"


def _warm_quietly(index, stop: threading.Event, quiet: threading.Event) -> None:
    """Warm the common words' postings after start-up, between requests; a
    server that cannot (its index replaced or damaged meanwhile) simply stays cold."""
    with contextlib.suppress(KbError, OSError):
        warm(index, stop=stop, quiet=quiet)


# What a person reads on an error page: what happened, and what to do next.
_ERROR_WORDS = {
    400: ("That can't be answered as asked", "Check the words or the choices in the form, then try again."),
    401: ("Please sign in", "This knowledge base asks for its access token."),
    403: (
        "That change was not made",
        "Reload the page you came from and try again; changes come only from kb's pages.",
    ),
    404: ("Not found", "It may have been removed or re-read since the link was made. Search for it instead."),
    413: ("That request is too large", "Send less at a time."),
    503: ("Not ready yet", "The knowledge base has no documents yet: add some with kb add, then reload."),
    500: ("Something went wrong", "Try again; if it keeps happening, the message above says what kb met."),
}


def _highlighted(text: str, query: str) -> Markup:
    """The passage with the query's words marked (as search matched them), all else escaped."""
    stems = frozenset(analyze(query)) - STOP_WORDS if query else frozenset()
    out, last = [], 0
    for start, end, _ in marked_words(text, stems) if stems else []:
        out += [str(escape(text[last:start])), f"<mark>{escape(text[start:end])}</mark>"]
        last = end
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def _marks(snippet: str) -> Markup:
    """A snippet's [[match]] marks as <mark>, everything else escaped."""
    escaped = str(escape(snippet))
    return Markup(re.sub(r"\[\[(.*?)\]\]", r"<mark>\1</mark>", escaped))


@dataclass(frozen=True)
class _HitView:
    passage: Passage
    document: Document
    snippet: str
    pages: str
    also_in: tuple
    source_url: str | None


def _hit_view(hit: Hit) -> _HitView:
    pages = printed_pages(hit.passage)
    return _HitView(hit.passage, hit.document, hit.snippet, pages, hit.also_in, _source_url(hit.document, hit.passage))


def _source_url(document: Document, passage: Passage) -> str | None:
    """The file the passage was read from, a PDF opened at the passage's page;
    None once the file is gone, so that no link leads to a 404."""
    if not Path(document.path).is_file():
        return None
    page_part = f"#page={passage.page_start}" if document.kind == "pdf" and passage.page_start else ""
    return f"/source/{quote(document.id, safe='')}{page_part}"


_PARAMETER_WORDS = {"q": "The search", "term": "The term", "t": "The list of terms"}


EXAMPLES = 3
EXAMPLE_DOCUMENTS = 20  # whose headings may stand in for examples that find nothing


def _examples(kb: KnowledgeBase) -> list[str]:
    """Queries to try that find something in this index: a phrase, an
    acronym the documents define and an operator query where they find
    passages here, else a section heading of up to four words (as a phrase)
    from each of the first documents, headings of words in mixed case first.
    Fixed examples that found nothing told a new user the search was broken."""
    acronyms = kb.acronyms()
    wanted = ['"policing by consent"', acronyms[0][0] if acronyms else "CoP", "trust AND youth"]
    found = [query for query in wanted if kb.search(query, limit=1, literal=True).total]
    headings = []  # (how plain a query it makes, its rank in its document, the document's place, heading)
    for place, document in enumerate(kb.documents()[:EXAMPLE_DOCUMENTS]):
        usable = [
            s.heading
            for s in kb.outline(document.id)
            if s.passages and 1 <= len(s.heading.split()) <= 4 and all(w.isalpha() for w in s.heading.split())
        ]
        # The first of each document before the second of any, so that the examples span them.
        headings += [(" " not in h or h.isupper(), rank, place, h) for rank, h in enumerate(usable[:EXAMPLES])]
    for *_, heading in sorted(headings):
        example = f'"{heading}"' if " " in heading else heading
        if len(found) < EXAMPLES and example not in found:
            found.append(example)
    return found


def _text(request: Request, name: str, required: bool = False) -> str:
    value = (request.query_params.get(name) or "").strip()
    if required and not value:
        raise BadRequest(f"'{name}' is required")
    if len(value) > MAX_QUERY:
        what = _PARAMETER_WORDS.get(name, f"'{name}'")
        raise BadRequest(f"{what} is longer than {MAX_QUERY} characters; shorten it")
    return value


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be a whole number") from None
    if not low <= value <= high:
        raise BadRequest(f"'{name}' must be between {low} and {high}")
    return value


def _choice(request: Request, name: str, choices: tuple[str, ...]) -> str:
    value = request.query_params.get(name) or choices[0]
    if value not in choices:
        raise BadRequest(f"'{name}' must be one of {', '.join(choices)}")
    return value


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _attachment(name: str) -> str:
    """A download's file name in a header, which must be ASCII: an ASCII
    stand-in, and the real name encoded as RFC 6266 says (browsers take that)."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
