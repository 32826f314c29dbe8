"""The notations students write, as the grammar reads them: cases, sums with bounds and an exclusion,
P for p, and subscripts of several letters (the label's yi, or refused: never a product)."""
import pytest
import sympy

from derivations.engine.notation import Delta, K, SumExcept, indicator, j, k, p, s, y
from derivations.parse import ParseError, parse_expression


def test_cases_indicator():
    text = r"\begin{cases} 1 & \text{if } s_k - s_{y_i} + \Delta > 0 \\ 0 & \text{otherwise} \end{cases}"
    assert parse_expression(text) == indicator(s[k] - s[y] + Delta)


@pytest.mark.parametrize("text", [
    r"\begin{cases} 1, & s_k - s_{y_i} + \Delta > 0 \\ 0, & \text{else} \end{cases}",
    r"\begin{cases} 1 & \text{when} s_k - s_{y_i} + \Delta > 0 \\ 0 & otherwise \end{cases}",
    r"\frac{\partial L_i}{\partial s_k} = \begin{cases} 1 & s_k - s_{y_i} + \Delta > 0 \\ 0 & \text{o.w.} \end{cases}",
])
def test_cases_spellings(text):
    assert parse_expression(text) == indicator(s[k] - s[y] + Delta)


def test_cases_by_class():
    text = r"\begin{cases} p_k - 1 & k = y_i \\ p_k & k \neq y_i \end{cases}"
    value = parse_expression(text)
    assert sympy.expand(value - (p[k] - sympy.KroneckerDelta(k, y))) == 0


def test_cases_with_two_otherwise_rows_are_refused():
    with pytest.raises(ParseError, match="at most one 'otherwise'"):
        parse_expression(r"\begin{cases} 1 & \text{otherwise} \\ 0 & \text{otherwise} \end{cases}")


@pytest.mark.parametrize("text", [
    r"\sum_{j=1, j \neq y_i}^{K} s_j", r"\sum_{j=0, j \neq y_i}^{K-1} s_j", r"\sum_{j \neq y_i, j=1}^{K} s_j",
    r"\sum_{j \neq y_i}^{K} s_j", r"\sum_{j \ne y_i} s_j",
])
def test_sums_with_bounds_and_an_exclusion(text):
    assert parse_expression(text) == SumExcept(s[j], j, y)


@pytest.mark.parametrize("text, message", [
    (r"\sum_{j=2, j \neq y_i}^{K} s_j", "runs over all the classes"),
    (r"\sum_{j=1, k \neq y_i}^{K} s_j", "cannot exclude a value of k"),
])
def test_sums_that_skip_a_class_must_cover_all_classes(text, message):
    with pytest.raises(ParseError, match=message):
        parse_expression(text)


def test_capital_p_is_the_probability():
    assert parse_expression("P_{y_i} - 1") == p[y] - 1
    assert parse_expression("P_k") == p[k]


@pytest.mark.parametrize("text", ["s_yi", "s_{yi}", "s_{y_i}", "s_y"])
def test_the_label_spelled_yi(text):
    assert parse_expression(text) == s[y]


@pytest.mark.parametrize("text", ["s_jk", "x_ij", "p_ab + 1", "w_kj"])
def test_other_subscripts_of_several_letters_are_refused(text):
    with pytest.raises(ParseError, match="a subscript of several letters needs braces"):
        parse_expression(text)


def test_words_outside_cases_are_unknown_names():
    with pytest.raises(ParseError, match="unknown name 'if'"):
        parse_expression("s_k if s_k > 0")
    with pytest.raises(ParseError, match="text"):
        parse_expression(r"\text{hello} s_k")


def test_bounds_one_to_k_are_all_classes():
    assert parse_expression(r"\sum_{j=1}^{K} s_j") == parse_expression(r"\sum_j s_j")
    assert parse_expression(r"\sum_j s_j").has(K)


def test_the_parser_tables_are_kept_in_the_cache_folder(tmp_path, monkeypatch):
    """lark's tables go to the private cache folder (grammars/, authenticated: see tests/test_cache.py), named by
    the grammar; without a usable folder the parser is built each time and parses the same."""
    from derivations.parse import grammar
    assert grammar._cache_name("a grammar") != grammar._cache_name("another")
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path / "cache"))
    grammar.parser.cache_clear()
    try:
        expected = grammar.parser().parse("s_j - s_{y_i} + 1")
        [kept] = (tmp_path / "cache" / "grammars").iterdir()
        assert kept.name == grammar._cache_name(
            (grammar.resources.files(grammar.__package__) / "expression.lark").read_text(encoding="utf-8"))
        grammar.parser.cache_clear()
        assert grammar.parser().parse("s_j - s_{y_i} + 1") == expected          # from the kept tables
        blocked = tmp_path / "file"
        blocked.write_text("not a folder")
        monkeypatch.setenv("DERIVE_CACHE_DIR", str(blocked))
        grammar.parser.cache_clear()
        assert grammar.parser().parse("s_j - s_{y_i} + 1") == expected          # built again, no cache
    finally:
        grammar.parser.cache_clear()