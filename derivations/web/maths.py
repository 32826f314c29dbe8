"""Maths for the pages, made on the server: LaTeX to MathML, and the Markdown reports to HTML.

Current browsers render MathML natively, so the pages need no script, no font files of their own and no
network. The LaTeX typeset here is the engine's own (written by the report's printer): the Markdown
reports' formulas and the steps of a checked derivation as they were read; a student's own text is only
ever shown as text.

latex2mathml builds an element tree; it is walked here before it is written out, so that what reaches the
page is MathML and nothing else: elements outside an allow-list are refused (the formula is then shown as
its LaTeX source, marked as a maths error), attributes outside an allow-list dropped, and every text
escaped when the tree is written (latex2mathml's own output does not escape the text of ``\\text{...}``).
A command latex2mathml does not know (it would print ``\\foo`` as a letter) is an error too.
"""
from __future__ import annotations

import base64
import html
import re
from functools import lru_cache
from xml.etree import ElementTree

#: characters of one formula at most (the engine's longest report formula is far below it)
MAX_LATEX = 50_000

MATHML_ELEMENTS = frozenset(
    "math semantics annotation mrow mi mn mo ms mtext mspace msub msup msubsup munder mover munderover mfrac "
    "msqrt mroot mstyle mtable mtr mtd mlabeledtr mpadded mphantom menclose merror mmultiscripts mprescripts "
    "none".split())
MATHML_ATTRIBUTES = frozenset(
    "display mathvariant stretchy fence form separator lspace rspace minsize maxsize largeop movablelimits accent "
    "accentunder displaystyle scriptlevel linethickness width height depth columnalign rowalign columnspacing "
    "rowspacing columnlines rowlines frame framespacing notation voffset rowspan columnspan symmetric encoding "
    "linebreak equalrows equalcolumns align".split())
#: a row break with extra space, \\[8pt]: MathML spaces its rows itself (latex2mathml would print "[8pt]")
_ROW_SPACE = re.compile(r"\\\\\[\s*-?[0-9.]+\s*(?:pt|em|ex|mm|cm|in|mu)\s*\]")
_ENTITY = re.compile(r"&#x([0-9a-fA-F]+);|&#([0-9]+);|&(amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


#: first code point of A, a, 0, Α and α in each style of Unicode's mathematical alphanumerics (None: no such letters)
_STYLES = {
    "bold": (0x1D400, 0x1D41A, 0x1D7CE, 0x1D6A8, 0x1D6C2), "italic": (0x1D434, 0x1D44E, None, 0x1D6E2, 0x1D6FC),
    "bold-italic": (0x1D468, 0x1D482, None, 0x1D71C, 0x1D736), "script": (0x1D49C, 0x1D4B6, None, None, None),
    "bold-script": (0x1D4D0, 0x1D4EA, None, None, None), "fraktur": (0x1D504, 0x1D51E, None, None, None),
    "double-struck": (0x1D538, 0x1D552, 0x1D7D8, None, None), "bold-fraktur": (0x1D56C, 0x1D586, None, None, None),
    "sans-serif": (0x1D5A0, 0x1D5BA, 0x1D7E2, None, None), "bold-sans-serif": (0x1D5D4, 0x1D5EE, 0x1D7EC, 0x1D756, 0x1D770),
    "sans-serif-italic": (0x1D608, 0x1D622, None, None, None), "monospace": (0x1D670, 0x1D68A, 0x1D7F6, None, None),
}
#: letters Unicode had before the mathematical alphanumerics, left out of their blocks
_EARLIER = {("script", "B"): "ℬ", ("script", "E"): "ℰ", ("script", "F"): "ℱ", ("script", "H"): "ℋ",
            ("script", "I"): "ℐ", ("script", "L"): "ℒ", ("script", "M"): "ℳ", ("script", "R"): "ℛ",
            ("script", "e"): "ℯ", ("script", "g"): "ℊ", ("script", "o"): "ℴ", ("fraktur", "C"): "ℭ",
            ("fraktur", "H"): "ℌ", ("fraktur", "I"): "ℑ", ("fraktur", "R"): "ℜ", ("fraktur", "Z"): "ℨ",
            ("double-struck", "C"): "ℂ", ("double-struck", "H"): "ℍ", ("double-struck", "N"): "ℕ",
            ("double-struck", "P"): "ℙ", ("double-struck", "Q"): "ℚ", ("double-struck", "R"): "ℝ",
            ("double-struck", "Z"): "ℤ", ("italic", "h"): "ℎ"}


def styled(text: str, style: str) -> str:
    """``text`` in a mathvariant ``style``, as Unicode's mathematical letters and digits (browsers render
    MathML Core, whose only mathvariant is "normal"); characters the style has no form of stay as they are."""
    starts = _STYLES.get(style)
    if starts is None:
        return text
    out = []
    for char in text:
        code = ord(char)
        if (style, char) in _EARLIER:
            out.append(_EARLIER[(style, char)])
            continue
        for first, (low, high), start in (("A", ("A", "Z"), starts[0]), ("a", ("a", "z"), starts[1]),
                                          ("0", ("0", "9"), starts[2]), ("Α", ("Α", "Ω"), starts[3]),
                                          ("α", ("α", "ω"), starts[4])):
            if start is not None and low <= char <= high:
                out.append(chr(start + code - ord(first)))
                break
        else:
            out.append(char)
    return "".join(out)


class MathError(ValueError):
    """A formula that cannot be typeset: one line saying why."""


def _decode(text: str | None) -> str | None:
    """latex2mathml writes characters as entity references inside the text; put the characters back."""
    if not text or "&" not in text:
        return text

    def character(match):
        if match.group(1):
            return chr(int(match.group(1), 16))
        if match.group(2):
            return chr(int(match.group(2)))
        return _NAMED[match.group(3)]
    return _ENTITY.sub(character, text)


def _clean(element) -> None:
    if element.tag not in MATHML_ELEMENTS:
        raise MathError(f"not typeset: {element.tag!r} is not MathML")
    for name in list(element.attrib):
        if name not in MATHML_ATTRIBUTES:
            del element.attrib[name]
    element.text = _decode(element.text)
    element.tail = _decode(element.tail)
    variant = element.attrib.get("mathvariant")
    if variant and variant != "normal" and element.text:
        element.text = styled(element.text, variant)
        element.attrib.pop("mathvariant")
        if element.tag == "mi":
            element.set("mathvariant", "normal")          # already styled: not to be made italic again
    elif element.tag == "mi" and not variant and element.text and len(element.text) == 1 and "Α" <= element.text <= "Ω":
        element.set("mathvariant", "normal")              # capital Greek upright, as TeX sets it
    if element.tag in ("mi", "mo") and element.text and element.text.startswith("\\") and len(element.text) > 1:
        raise MathError(f"not typeset: the command {element.text} is unknown")
    if element.tag == "mi" and element.text == "&":
        raise MathError("not typeset: an & outside an alignment")
    for child in element:
        _clean(child)


@lru_cache(maxsize=8192)
def mathml(latex: str, display: bool = False) -> str:
    """The MathML of ``latex`` (inline, or a display block), with the LaTeX kept as its annotation."""
    from latex2mathml.converter import convert_to_element
    if len(latex) > MAX_LATEX:
        raise MathError(f"not typeset: the formula is {len(latex):,} characters long")
    source = latex.replace(r"\begin{aligned}", r"\begin{align*}").replace(r"\end{aligned}", r"\end{align*}")
    source = _ROW_SPACE.sub(lambda _: "\\\\", source)
    try:
        tree = convert_to_element(source, display="block" if display else "inline")
    except Exception as error:  # noqa: BLE001 - any failure of the converter is a formula not typeset
        raise MathError(f"not typeset: {type(error).__name__}") from None
    tree.attrib.pop("xmlns", None)          # the HTML parser puts <math> in the MathML namespace by itself
    _clean(tree)
    body = list(tree)
    semantics = ElementTree.SubElement(tree, "semantics")
    row = ElementTree.SubElement(semantics, "mrow")
    for child in body:
        tree.remove(child)
        row.append(child)
    annotation = ElementTree.SubElement(semantics, "annotation", {"encoding": "application/x-tex"})
    annotation.text = latex
    return ElementTree.tostring(tree, encoding="unicode", short_empty_elements=False)


def typeset(latex: str, display: bool = False) -> str:
    """MathML for ``latex``; where it cannot be typeset, its source as code, marked as a maths error."""
    try:
        return mathml(latex, display)
    except MathError as error:
        tag = "pre" if display else "code"
        return (f'<{tag} class="math-error" title="{html.escape(str(error))}">'
                f"{html.escape(latex)}</{tag}>")


# --- Markdown reports ------------------------------------------------------------------------------

_IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def _markdown_parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    parser.use(dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=True,
               renderer=lambda content, options: typeset(content.strip(), bool(options.get("display_mode"))))
    return parser


@lru_cache(maxsize=1)
def _parser():
    return _markdown_parser()


def _image_source(name: str, files: dict) -> str | None:
    """A figure the report carries, as a data: address (the page needs no other request); None otherwise."""
    data = files.get(name)
    kind = _IMAGE_TYPES.get(name[name.rfind("."):].lower()) if "." in name else None
    if data is None or kind is None:
        return None
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def markdown_html(markdown: str, files: dict | None = None) -> str:
    """The HTML of a Markdown report: no raw HTML passes (Markdown's own is escaped), formulas as MathML,
    figures inline from ``files`` (a report refers to nothing else)."""
    parser = _parser()
    tokens = parser.parse(markdown)
    files = files or {}
    for token in tokens:
        for child in token.children or ():
            if child.type == "image":
                source = _image_source(child.attrGet("src") or "", files)
                if source is None:
                    child.type, child.tag, child.content, child.children = "text", "", "[figure not available]", None
                    child.attrs = {}
                else:
                    child.attrSet("src", source)
            elif child.type == "link_open":
                child.attrSet("rel", "noopener noreferrer")
    return parser.renderer.render(tokens, parser.options, {})
