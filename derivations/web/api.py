"""The JSON API, for the pages and for scripts.

    GET  /api/derive                    the derivations and their fields
    GET  /api/derive/<command>?f=v...   a derivation (POST: the fields as a JSON object): its report as
                                        ``derive <command> --format json`` gives it, and where to download it
    POST /api/verify                    {"text", "loss"?, "assume"?: [...], "given"?}: ``derive verify``'s JSON,
                                        each step with ``read_latex`` (how it was read) and ``said`` (its
                                        case, reason, diagnosis and notes as words, code and LaTeX segments;
                                        a context line's meaning too), the text's ``text`` lines and the
                                        summing-up sentence ``reading``
    POST /api/check                     {"sheet", "name"?} or {"quantity", "given", "answer"}: ``derive check``'s
                                        JSON, each formula answer with ``read_latex`` and ``expected_latex``
    GET  /api/quantities                what a sheet can ask for

A refused request gets {"error": "..."} with status 400 (bad input), 404 (no such derivation), 413 (too
large) or 503 (busy, or the work ran past its time or memory bound).
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

from .forms import COMMANDS
from .service import Refused, one_problem_sheet
from .workers import TaskFailed

FAILURE_STATUS = {"input": 400, "time": 503, "memory": 503, "busy": 503, "error": 500}
DOWNLOADS = {"markdown": "md", "latex": "tex", "json": "json", "text": "txt", "pdf": "pdf"}


def failure(error) -> tuple[int, str]:
    """(HTTP status, one line) for a refused request or a task that did not finish."""
    if isinstance(error, Refused):
        return error.status, str(error)
    kind = error.kind
    message = str(error)
    if kind == "time":
        message = f"the work was stopped: {message}"
    elif kind == "memory":
        message = f"the work was stopped: {message}"
    return FAILURE_STATUS.get(kind, 500), message


def error_response(error):
    from starlette.responses import JSONResponse
    status, message = failure(error)
    return JSONResponse({"error": message}, status_code=status)


def download_urls(command: str, values: dict, with_pdf: bool) -> dict:
    query = ("?" + urlencode(values)) if values else ""
    return {fmt: f"/derive/{command}/report.{extension}{query}" for fmt, extension in DOWNLOADS.items()
            if fmt != "pdf" or with_pdf}


def pdf_available() -> bool:
    from ..report.latex import pdflatex
    return pdflatex() is not None


async def request_fields(request) -> dict:
    """The fields of a request: its JSON object, its form (an uploaded file as text), or its query."""
    if request.method == "GET":
        return dict(request.query_params)
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        try:
            data = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            raise Refused("the request is not JSON") from None
        if not isinstance(data, dict):
            raise Refused("the request must be a JSON object")
        return data
    limits = request.app.state.service.limits
    async with request.form(max_files=1, max_fields=30, max_part_size=limits.body_bytes) as form:
        fields = {}
        for name, value in form.multi_items():
            if isinstance(value, str):
                fields[name] = value
            elif value.filename:                      # an uploaded file: read into memory, never saved
                data = await value.read(limits.body_bytes + 1)
                if data:
                    try:
                        fields[name] = data.decode("utf-8")
                    except UnicodeDecodeError:
                        raise Refused(f"{value.filename} is not UTF-8 text") from None
                    fields[name + "_name"] = value.filename
        return fields


async def derive_list(request):
    from starlette.responses import JSONResponse
    return JSONResponse({"derivations": [
        {"command": c.name, "title": c.title, "summary": c.summary,
         "fields": [{"name": f.name, "label": f.label, "help": f.help, "default": f.default,
                     "choices": [value for value, _ in f.choices]} for f in c.fields]}
        for c in COMMANDS.values()]})


async def derive(request):
    from starlette.responses import JSONResponse
    service = request.app.state.service
    command = request.path_params["command"]
    try:
        values = service.values(command, await request_fields(request))
        bundle = await service.derivation(command, values)
    except (Refused, TaskFailed) as error:
        return error_response(error)
    return JSONResponse({"command": command, "parameters": values, "verified": bundle["verified"],
                         "unevaluated": bundle["unevaluated"], "report": json.loads(bundle["json"]),
                         "downloads": download_urls(command, values, pdf_available())})


def verify_arguments(fields: dict) -> dict:
    text = fields.get("text") or ""
    name = "your derivation"
    if fields.get("file"):
        text, name = fields["file"], fields.get("file_name") or "uploaded file"
    return {"text": text, "name": name, "loss": fields.get("loss") or None, "assume": fields.get("assume") or [],
            "given": fields.get("given") or ""}


def check_arguments(fields: dict) -> dict:
    if fields.get("file"):
        return {"sheet": fields["file"], "filename": fields.get("file_name") or "sheet.yaml"}
    if fields.get("sheet"):
        name = str(fields.get("name") or "sheet.yaml")
        return {"sheet": fields["sheet"], "filename": name}
    if fields.get("quantity"):
        return {"sheet": one_problem_sheet(fields.get("quantity"), fields.get("given") or "", fields.get("answer") or ""),
                "filename": "answer.yaml"}
    raise Refused("there is no sheet to grade: send a sheet, or a quantity, its given values and an answer")


async def verify(request):
    from starlette.responses import JSONResponse
    service = request.app.state.service
    try:
        result = await service.verify(**verify_arguments(await request_fields(request)))
    except (Refused, TaskFailed) as error:
        return error_response(error)
    return JSONResponse(result["answer"])


async def check(request):
    from starlette.responses import JSONResponse
    service = request.app.state.service
    try:
        result = await service.grade(**check_arguments(await request_fields(request)))
    except (Refused, TaskFailed) as error:
        return error_response(error)
    return JSONResponse(result["answer"])


async def quantities(request):
    from starlette.responses import JSONResponse
    try:
        return JSONResponse({"quantities": await request.app.state.service.quantities()})
    except TaskFailed as error:
        return error_response(error)


def routes() -> list:
    from starlette.routing import Route
    return [Route("/api/derive", derive_list),
            Route("/api/derive/{command}", derive, methods=["GET", "POST"]),
            Route("/api/verify", verify, methods=["POST"]),
            Route("/api/check", check, methods=["POST"]),
            Route("/api/quantities", quantities)]
