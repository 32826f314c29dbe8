"""The HTML pages: each is its API answer (service.py) placed by a template (``templates/html/``).

    /                               the derivations, and the two checkers
    /derive/<command>?f=v...        a derivation's form and its report, typeset; downloads beside it
    /derive/<command>/report.EXT    the report as Markdown (md), LaTeX (tex), PDF (pdf), JSON (json), text (txt)
    /derive/<command>/figures/NAME  a figure the Markdown and LaTeX reports refer to
    /verify                         "Check my derivation" (POST: the text, or a file, and its options)
    /check                          "Check my answers" (POST: a sheet, a file, or the one-problem form)

The templates escape everything (Jinja's autoescape); only the report's HTML and the MathML made by
maths.py, which escape what they carry, are put in as they are.
"""
from __future__ import annotations

import mimetypes
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from .api import DOWNLOADS, check_arguments, download_urls, failure, pdf_available, request_fields, verify_arguments
from .forms import COMMANDS, shown_values
from .service import Refused
from .workers import TaskFailed

STATIC = Path(__file__).resolve().parent / "static"
MEDIA_TYPES = {"md": "text/markdown; charset=utf-8", "tex": "application/x-tex; charset=utf-8",
               "json": "application/json", "txt": "text/plain; charset=utf-8", "pdf": "application/pdf"}
EXAMPLE_SHEET = """student: you
given: {scores: [3, -1, 4], label: 0, delta: 1}
items:
  - id: Q1a
    quantity: svm.loss
    answer: 2
  - id: Q1b
    quantity: svm.dscores
    answer: "[-1, 0, 1]"
  - id: Q2
    quantity: softmax.loss
    answer: 1.3
"""
EXAMPLE_GIVEN = "{scores: [3, -1, 4], label: 0, delta: 1}"


@lru_cache(maxsize=1)
def environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from ..report.render import template_folder
    env = Environment(loader=FileSystemLoader(str(template_folder() / "html")), autoescape=select_autoescape(
        enabled_extensions=("j2", "html"), default_for_string=True, default=True), trim_blocks=True, lstrip_blocks=True)
    env.globals["verdict_words"] = {"verified": "verified", "wrong": "wrong", "unread": "not read"}
    env.globals["verdict_marks"] = {"verified": "✓", "wrong": "✗", "unread": "?"}
    return env


def page(request, template: str, status: int = 200, **context):
    from starlette.responses import HTMLResponse
    body = environment().get_template(template).render(path=request.url.path, commands=COMMANDS, **context)
    return HTMLResponse(body, status_code=status)


async def index(request):
    return page(request, "index.html.j2")


async def derive_page(request):
    service = request.app.state.service
    name = request.path_params["command"]
    if name not in COMMANDS:
        return page(request, "error.html.j2", 404, title="No such derivation",
                    error=f"no derivation is called {name!r}")
    command = COMMANDS[name]
    values, bundle, error, status = {}, None, None, 200
    try:
        values = service.values(name, dict(request.query_params))
        bundle = await service.derivation(name, values)
    except (Refused, TaskFailed) as problem:
        status, error = failure(problem)
    if bundle is not None and "page" in bundle:
        from starlette.responses import HTMLResponse
        return HTMLResponse(bundle["page"])          # the same derivation: the same page, written once
    shown = shown_values(command, values or {k: v for k, v in request.query_params.items() if isinstance(v, str)})
    downloads = download_urls(name, values, pdf_available()) if bundle else {}
    figures = {}
    if bundle and bundle["files"]:
        query = urlencode(values)
        figures = {figure: f"/derive/{name}/figures/{figure}" + (f"?{query}" if query else "")
                   for figure in bundle["files"]}
    response = page(request, "derive.html.j2", status, command=command, shown=shown, bundle=bundle, error=error,
                    downloads=downloads, figures=figures)
    if bundle is not None and bundle["verified"]:
        bundle["page"] = response.body.decode("utf-8")
    return response


async def download(request):
    from starlette.responses import PlainTextResponse, Response
    service = request.app.state.service
    name, extension = request.path_params["command"], request.path_params["extension"]
    formats = {extension: fmt for fmt, extension in DOWNLOADS.items()}
    if extension not in formats:
        return PlainTextResponse(f"no such format: .{extension}; there are "
                                 f"{', '.join('.' + e for e in formats)}\n", 404)
    try:
        values = service.values(name, dict(request.query_params))
        if extension == "pdf":
            if not pdf_available():
                raise Refused("pdflatex is not installed on this server: no PDF", 404)
            content = await service.pdf(name, values)
        else:
            content = (await service.derivation(name, values))[formats[extension]]
    except (Refused, TaskFailed) as problem:
        status, message = failure(problem)
        return PlainTextResponse(message + "\n", status)
    return Response(content, media_type=MEDIA_TYPES[extension],
                    headers={"content-disposition": f'attachment; filename="{name}.{extension}"'})


async def figure(request):
    from starlette.responses import PlainTextResponse, Response
    service = request.app.state.service
    name, wanted = request.path_params["command"], request.path_params["name"]
    try:
        bundle = await service.derivation(name, service.values(name, dict(request.query_params)))
    except (Refused, TaskFailed) as problem:
        status, message = failure(problem)
        return PlainTextResponse(message + "\n", status)
    if wanted not in bundle["files"]:
        return PlainTextResponse(f"this report has no figure {wanted!r}\n", 404)
    kind = mimetypes.guess_type(wanted)[0] or "application/octet-stream"
    return Response(bundle["files"][wanted], media_type=kind,
                    headers={"content-disposition": f'attachment; filename="{wanted}"'})


def _lines(answer: dict) -> list[dict]:
    """Every line of the text with what was found on it (line 0: what came before any line), in order; blank
    lines left out."""
    text = answer.get("text") or []
    lines = {n: {"number": n, "text": source, "entries": [], "context": []} for n, source in enumerate(text, 1)}
    for key, kind in (("lines", "entries"), ("context", "context")):
        for found in answer[key]:
            number = found["source_line"]
            if number not in lines:
                lines[number] = {"number": number, "text": "", "entries": [], "context": []}
            lines[number][kind].append(found)
    rank = {"verified": 0, "unread": 1, "wrong": 2}
    for line in lines.values():
        verdicts = [entry["verdict"] for entry in line["entries"]]
        line["verdict"] = max(verdicts, key=rank.get) if verdicts else ("verified" if any(
            c["kind"] in ("definition", "given", "condition", "assumption", "loss") for c in line["context"]) else "")
    return [lines[n] for n in sorted(lines) if lines[n]["text"].strip() or lines[n]["entries"] or lines[n]["context"]]


async def verify_page(request):
    service = request.app.state.service
    form, result, error, status = {"text": "", "loss": "", "assume": "", "given": ""}, None, None, 200
    if request.method == "POST":
        try:
            fields = await request_fields(request)
            arguments = verify_arguments(fields)
            form = {"text": arguments["text"], "loss": arguments["loss"] or "", "assume": fields.get("assume") or "",
                    "given": arguments["given"]}
            result = await service.verify(**arguments)
        except (Refused, TaskFailed) as problem:
            status, error = failure(problem)
    answer = result["answer"] if result else None
    return page(request, "verify.html.j2", status, form=form, answer=answer, error=error,
                lines=_lines(answer) if answer else [], mathml=result["mathml"] if result else {},
                line_timeout=service.limits.line_timeout)


async def check_page(request):
    service = request.app.state.service
    form = {"sheet": "", "quantity": "svm.loss", "given": EXAMPLE_GIVEN, "answer": ""}
    result, error, status = None, None, 200
    if request.method == "POST":
        try:
            fields = await request_fields(request)
            form.update({key: str(fields[key]) for key in form if key in fields and isinstance(fields[key], str)})
            result = await service.grade(**check_arguments(fields))
        except (Refused, TaskFailed) as problem:
            status, error = failure(problem)
    try:
        quantities = await service.quantities()
    except TaskFailed:
        quantities = []
    return page(request, "check.html.j2", status, form=form, answer=result["answer"] if result else None,
                mathml=result["mathml"] if result else {}, error=error, quantities=quantities,
                example_sheet=EXAMPLE_SHEET, answer_timeout=service.limits.answer_timeout)


async def favicon(request):
    from starlette.responses import FileResponse
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")


def routes() -> list:
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles
    return [Route("/", index),
            Route("/derive/{command}", derive_page),
            Route("/derive/{command}/report.{extension}", download),
            Route("/derive/{command}/figures/{name}", figure),
            Route("/verify", verify_page, methods=["GET", "POST"]),
            Route("/check", check_page, methods=["GET", "POST"]),
            Route("/favicon.ico", favicon),
            Mount("/static", StaticFiles(directory=str(STATIC)), name="static")]
