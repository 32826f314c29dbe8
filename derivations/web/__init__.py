"""``derive serve``: a local web app for students and TAs (the optional extra ``derive[web]``).

    forms.py     the derivation commands as forms: their fields, defaults and caps, and the library call
    tasks.py     what the worker processes do: build a derivation and render it, check a text, grade a sheet
    workers.py   worker processes: each task forked from a warm worker, bounded in time and memory
    maths.py     LaTeX to MathML (made on the server: no script, no network), Markdown reports to HTML
    limits.py    the bounds: request bodies, texts, fields, time and memory, queued work
    service.py   the results the pages and the JSON API share, with their caches
    api.py       the JSON API: /api/derive/<command>, /api/verify, /api/check
    pages.py     the HTML pages: one per derivation, "Check my derivation", "Check my answers"
    app.py       the application: routes, security headers, the body cap; ``serve`` runs it with uvicorn

The package imports Starlette and friends only when the app is made, so ``derive --help`` stays instant
and ``derive serve`` without the extra says in one line how to install it.
"""
from __future__ import annotations

from importlib.util import find_spec

#: import name -> distribution name of what the web extra installs
REQUIRED = {"starlette": "starlette", "uvicorn": "uvicorn", "multipart": "python-multipart",
            "markdown_it": "markdown-it-py", "mdit_py_plugins": "mdit-py-plugins", "latex2mathml": "latex2mathml"}

INSTALL_HINT = 'pip install "derive[web]" (in a checkout: pip install ".[web]")'


def missing_packages() -> list[str]:
    """The distributions of the web extra that are not installed (none when ``derive serve`` can run)."""
    return [dist for module, dist in REQUIRED.items() if find_spec(module) is None]
