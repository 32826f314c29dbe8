"""What a course's learning-management system takes: Gradescope's results.json, a grade CSV, feedback files.

* :func:`gradescope`: the autograder's ``results.json`` for one submission, as Gradescope documents it
  (https://gradescope-autograders.readthedocs.io/en/latest/specs/): ``score``, ``max_score`` and one test
  per item with its ``name``, ``score``, ``max_score``, ``status`` and the item's feedback as ``output``.
* :func:`grades_csv`: one row per student (the sheet, the score, the maximum, the percentage and each item's
  points), or, with a roster (a Canvas or Moodle export), the roster's own rows and columns in its order with
  those columns added: students are matched on the roster column that holds the most of their names; a
  student with no sheet gets empty cells, a sheet with no roster row comes after the roster's rows. Every text
  cell is escaped against spreadsheet formula injection (:func:`.report.cell`).
* :func:`feedback_files`: one Markdown feedback file per student, named from the student's name made safe
  for any file system (letters, digits, ``.``, ``_`` and ``-``; never a path, never hidden; numbered when two
  names meet), its text escaped as the Markdown report escapes it.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata

from .report import SafeWriter, render

MAX_ROSTER_BYTES = 20_000_000


# --- Gradescope ---------------------------------------------------------------------------------------

def gradescope(result) -> str:
    """Gradescope's results.json for one graded sheet (a :class:`~.grade.SheetResult`)."""
    tests = []
    for item in result.items:
        lines = [item.feedback] if item.feedback else []
        if item.verdict != "correct" and "expected" not in (item.feedback or "").lower():
            lines.append(f"Read as: {item.read_as or '(nothing readable)'}. Expected: {item.expected}.")
        if item.diagnosis:
            lines.append(f"Diagnosis: {item.diagnosis}.")
        tests.append({
            "name": f"{item.id} ({item.quantity})",
            "score": round(item.score * item.points, 6),
            "max_score": item.points,
            "status": "passed" if item.verdict == "correct" else "failed",
            "output": f"{item.verdict}. " + " ".join(lines),
            "visibility": "visible",
        })
    output = (f"Not graded: {result.error}" if result.error else
              f"{result.student}: {result.score:g} of {result.max_score:g} points on {len(result.items)} items.")
    document = {"score": round(result.score, 6), "max_score": result.max_score, "output": output,
                "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}
    return json.dumps(document, ensure_ascii=False, allow_nan=False, indent=2) + "\n"


# --- the grade CSV ------------------------------------------------------------------------------------

def _item_columns(results) -> list:
    """Every item id, in the order the sheets first name them."""
    return list(dict.fromkeys(item.id for result in results for item in result.items))


def _grade_cells(result, columns) -> list:
    if result is None:
        return [""] * (4 + len(columns))
    if result.error:
        return [result.sheet, "", result.max_score or "", "not graded: " + result.error] + [""] * len(columns)
    points = {item.id: round(item.score * item.points, 6) for item in result.items}
    percent = round(100 * result.score / result.max_score, 2) if result.max_score else ""
    return [result.sheet, round(result.score, 6), result.max_score, percent] + [points.get(c, "") for c in columns]


HEADER = ["sheet", "score", "max_score", "percent"]


def grades_csv(results, roster_text: str | None = None) -> str:
    """The grade CSV: one row per student, or the roster's rows with the grades added (see the module)."""
    columns = _item_columns(results)
    out = io.StringIO()
    writer = SafeWriter(out)
    if roster_text is None:
        writer.writerow(["student"] + HEADER + columns)
        for result in results:
            writer.writerow([result.student] + _grade_cells(result, columns))
        return out.getvalue()
    rows = list(csv.reader(io.StringIO(roster_text)))
    if not rows or not rows[0]:
        raise ValueError("the roster is empty: it needs a header row and one row per student")
    header, body = rows[0], rows[1:]
    key = _key_column(header, body, results)
    by_name = {}
    for result in results:
        by_name.setdefault(result.student.strip().casefold(), result)
    writer.writerow(header + HEADER + columns)
    placed = set()
    for row in body:
        row = row + [""] * (len(header) - len(row))
        name = row[key].strip().casefold() if key is not None else ""
        result = by_name.get(name)
        if result is not None:
            placed.add(id(result))
        writer.writerow(row[:len(header)] + _grade_cells(result, columns))
    for result in results:                       # sheets of students the roster does not list, after it
        if id(result) not in placed:
            filler = [""] * len(header)
            if key is not None:
                filler[key] = result.student
            writer.writerow(filler + _grade_cells(result, columns))
    return out.getvalue()


def _key_column(header, body, results) -> int | None:
    """The roster column holding the most of the sheets' student names (None when none holds any)."""
    names = {result.student.strip().casefold() for result in results}
    best, best_count = None, 0
    for index in range(len(header)):
        count = sum(1 for row in body if index < len(row) and row[index].strip().casefold() in names)
        if count > best_count:
            best, best_count = index, count
    return best


def read_roster(path) -> str:
    """A roster CSV's text (UTF-8, a BOM allowed); ValueError naming the problem."""
    from pathlib import Path
    path = Path(path)
    try:
        if not path.is_file():
            raise ValueError(f"cannot read the roster {path}: no such file")
        if path.stat().st_size > MAX_ROSTER_BYTES:
            raise ValueError(f"the roster {path} is larger than {MAX_ROSTER_BYTES} bytes")
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"the roster {path} is not UTF-8 text") from None
    except OSError as error:
        raise ValueError(f"cannot read the roster {path}: {error.strerror or error}") from None


# --- feedback files -------------------------------------------------------------------------------------

def safe_name(name: str) -> str:
    """A file-name stem from an untrusted student name: ASCII letters, digits, ., _ and -; not hidden, not empty,
    not a Windows device name, at most 80 characters."""
    ascii_name = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name).strip("._-")[:80].strip("._-")
    if not stem or stem.upper().split(".")[0] in {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(10)} | \
            {f"LPT{i}" for i in range(10)}:
        stem = f"student_{stem}" if stem else "student"
    return stem


def feedback_files(results) -> dict:
    """{file name: Markdown feedback} for each graded sheet, one file per student."""
    files, taken = {}, set()
    for result in results:
        stem = safe_name(result.student)
        name, n = f"{stem}.md", 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem}-{n}.md"
        taken.add(name.casefold())
        files[name] = render([result], "markdown")
    return files


__all__ = ["gradescope", "grades_csv", "read_roster", "feedback_files", "safe_name"]
