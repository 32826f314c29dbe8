"""Each job of derive verify's checker, tested alone on a checker set up for a small text: reading the
text in order (reader), the prose (setup), definitions and their forms, cases, a step and its verdict
(steps, decisions), numbers."""
import sympy
from sympy import Eq, Ne, Symbol

from derivations.check.written.checker import Checker
from derivations.check.written.roles import COMPONENT
from derivations.engine import notation


def ready(text="Nothing yet.\n", **options):
    checker = Checker(text, "t", **options)
    checker.setup.prescan()
    return checker


def test_setup_reads_class_names_from_subscripts_and_a_stated_class():
    checker = ready("softmax on s = [3, -1, 4], true class cat (y_i = 0)\np_dog = 0.0049\np_bird = 0.7275\n")
    assert checker.state.names.classes == ["cat", "dog", "bird"]


def test_setup_knows_the_matrices_of_a_batch():
    checker = ready("$$L = \\frac{1}{N} \\sum_n L_n$$\n\n$$\\frac{\\partial L}{\\partial W} = X^T (P - Y)$$\n")
    letters = checker.state.names.matrix_letters
    assert letters["X"] == "x" and letters["W"] == "W" and {"P", "Y"} <= set(letters)


def test_definitions_define_give_and_complete():
    checker = ready()
    definitions, state = checker.definitions, checker.state
    state.see(state.read("x + y"))                     # x and y are quantities the text has written
    assert definitions.definition("q", "x + y", 1, "", "display") == "definition"
    assert definitions.definition("x", "-2", 2, "", "display") == "given"
    assert state.givens.values[Symbol("x", real=True)] == [-2]
    j_not_label = [Ne(Symbol("j", integer=True), notation.y)]
    assert definitions.definition("g_j", "\\mathbb{1}[m_j > 0]", 3, "", "display", j_not_label) == "definition"
    assert definitions.definition("g_{y_i}", "-1", 4, "", "display") == "definition"       # the case left out
    g = state.names.base("g")
    assert state.names.definitions[g].apply((notation.y,)) == -1


def test_definitions_take_a_relation_between_undefined_unknowns_as_stated():
    checker = ready()
    assert checker.definitions.constraint("t_1 + t_2", "1", 1)
    t = notation.t if isinstance(notation.t, sympy.IndexedBase) else checker.state.names.base("t")
    assert checker.state.expanded(t[2]) == 1 - t[1] or checker.state.expanded(t[1]) == 1 - t[2]


def test_forms_define_a_vector_a_matrix_and_a_function():
    checker = ready()
    forms, state = checker.forms, checker.state
    assert checker.definitions.definition("s'", "2s", 1, "", "display") == "definition"
    assert state.read("s'").vector
    assert checker.definitions.definition("LSE(s)", "\\log \\sum_j e^{s_j}", 2, "", "display") == "definition"
    derivative = state.expanded(state.read("d LSE / d s_k").value)
    softmax = state.expanded(state.read("e^{s_k} / \\sum_m e^{s_m}").value)
    assert state.judge.equal(derivative, softmax).ok
    assert not state.judge.equal(derivative, 2 * softmax).ok
    assert forms.symbol_for(Symbol("z", real=True)) == notation.z


def test_cases_read_a_relation_of_indices_and_the_label():
    checker = ready()
    chain = __import__("derivations.check.written.statements", fromlist=["split_chain"]).split_chain("k \\neq y_i")
    assert checker.cases.condition_of_chain(chain) == ("index", Ne(Symbol("k", integer=True), notation.y))
    chain = __import__("derivations.check.written.statements", fromlist=["split_chain"]).split_chain("j = k")
    assert checker.cases.condition_of_chain(chain) == ("index", Eq(Symbol("j", integer=True),
                                                                   Symbol("k", integer=True)))


def test_steps_and_decisions_judge_one_step():
    checker = ready()
    checker.definitions.definition("f", "x^2 y", 1, "", "display")
    checker.steps.step("\\frac{df}{dx}", "2 x y", "=", 2, "", [], [])
    checker.steps.step("\\frac{df}{dx}", "x y", "=", 3, "", [], [])
    entries = checker.state.outcome.entries
    assert [(e.source_line, e.verdict) for e in entries] == [(2, "verified"), (3, "wrong")]
    assert entries[1].diagnosis.startswith("missing-factor") and entries[1].counterexample is not None


def test_numbers_judge_a_number_and_a_rounded_computation():
    checker = ready("s = [3, -1, 4]\n")
    checker.definitions.definition("s", "[3, -1, 4]", 1, "", "display")
    assert checker.state.givens.scores == [3, -1, 4]
    numbers = checker.numbers
    assert numbers.rounded_as_written(sympy.Rational(39, 100), "0.20 \\times 2", {})      # 0.20 stands for 0.195..0.205
    assert not numbers.rounded_as_written(sympy.Rational(43, 100), "0.20 \\times 2", {})
    ok, closeness, exact = checker.state.judge.number_at_precision(sympy.Rational(49020, 10**7), "0.0049")
    assert ok and exact == 0.004902


def test_names_with_digits_decorations_and_a_product_of_matrices():
    checker = ready("$$\\frac{\\partial L}{\\partial W} = X^T (P - Y)$$\n")
    state = checker.state
    assert state.read("w0 x0").value == notation.w[0] * notation.x[0]
    assert state.read("y_hat").value == Symbol("y_hat", real=True)
    product = state.read("XW")
    assert product.grid and product.value.has(sympy.Sum) and product.value.has(COMPONENT)
