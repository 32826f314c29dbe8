"""derive backprop: the lecture's staged graphs, forward and backward passes, checked against derive diff."""
import json
import math
import shutil

import pytest
import sympy

import derivations
from cli import main
from derivations.calculus.backprop import backprop
from derivations.calculus.graph import stage
from derivations.engine.notation import Sigmoid

needs_dot = pytest.mark.skipif(shutil.which("dot") is None and not __import__("os").environ.get("CI"),
                               reason="Graphviz's dot is not installed")


def close(values, expected, tolerance=5e-4):
    return all(math.isclose(v, e, abs_tol=tolerance) for v, e in zip(values, expected, strict=True))


def test_the_lecture_first_example():
    d = backprop("(x + y)*z", "x=-2,y=5,z=-4")
    assert d.verified
    assert d.results["f"].value == -12.0
    assert d.results["gradient"].value == [-4.0, -4.0, 3.0]
    assert d.results["gradient"].expr == [-4, -4, 3]          # exact: every value is a whole number
    graph = stage(derivations.calculus.read_expression("(x + y)*z"))
    assert [(n.kind, n.label) for n in graph.gates] == [("add", "+"), ("multiply", "*")]
    assert [row[3][0].expr for row in d.sections[0].blocks[-1].rows] == [-2, 5, -4, 3, -12]


def test_the_two_input_sigmoid_neuron_staged_as_in_the_lecture():
    d = backprop("1/(1 + exp(-(w_0*x_0 + w_1*x_1 + w_2)))", "w=[2,-3,-3],x=[-1,-2]")
    assert d.verified
    assert math.isclose(d.results["f"].value, 1 / (1 + math.exp(-1)), rel_tol=1e-12)
    dw = [d.results[f"d/dw_{i}"].value for i in range(3)]
    dx = [d.results[f"d/dx_{i}"].value for i in range(2)]
    assert json.loads(d.to_json())["parameters"]["at"] == {"w_0": "2", "w_1": "-3", "w_2": "-3", "x_0": "-1",
                                                           "x_1": "-2"}
    assert close(dx, [0.393, -0.590]) and close(dw, [-0.197, -0.393, 0.197])
    sigma_prime = math.exp(-1) / (1 + math.exp(-1)) ** 2
    assert math.isclose(dw[0], -sigma_prime, rel_tol=1e-12)
    text = d.to_text()
    for label in ("*-1", "exp", "+1", "1/x"):
        assert f" {label} " in text
    assert "0.7311" in text and "-0.1966" in text and "-0.5898" in text


def test_the_neuron_with_a_sigmoid_gate():
    d = backprop("sigma(w_0*x_0 + w_1*x_1 + w_2)", "w_0=2,w_1=-3,w_2=-3,x_0=-1,x_1=-2")
    assert d.verified and "σ" in [row[1][0].text for row in d.sections[0].blocks[-1].rows if row[1]]
    assert close(d.results["gradient"].value, [-0.1966, -0.3932, 0.1966, 0.3932, -0.5898], 1e-4)


def test_the_staged_example_of_the_lecture():
    d = backprop("(x + sigma(y))/(sigma(x) + (x + y)^2)", "x=3,y=-4")
    x, y = sympy.symbols("x y")
    s = lambda u: 1 / (1 + sympy.exp(-u))          # noqa: E731
    f = (x + s(y)) / (s(x) + (x + y) ** 2)
    expected = [float(sympy.diff(f, v).subs({x: 3, y: -4})) for v in (x, y)]
    assert d.verified
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(d.results["gradient"].value, expected))
    assert math.isclose(d.results["f"].value, float(f.subs({x: 3, y: -4})), rel_tol=1e-12)
    graph = stage(derivations.calculus.read_expression("(x + sigma(y))/(sigma(x) + (x + y)^2)"))
    assert sorted(n.kind for n in graph.gates) == sorted(
        ["add", "square", "sigmoid", "add", "reciprocal", "sigmoid", "add", "multiply"])
    # x feeds three gates: its gradient is the sum of what flows back along each edge
    assert len(graph.consumers(sympy.Symbol("x", real=True))) == 3


def test_every_local_gradient_is_a_verified_chain_and_the_gradients_agree_with_diff():
    d = backprop("max(0, x*y) + exp(x)", "x=1,y=2")
    data = json.loads(d.to_json())
    assert data["verified"] is True
    assert all(step["verified"] for step in data["steps"])
    derived = [step for step in data["steps"] if step["rule"] == "derived_elsewhere"]
    assert len(derived) == 2
    assert close(d.results["gradient"].value, [2 + math.e, 1.0], 1e-12)


def test_kinks_get_the_subgradient_and_a_warning():
    d = backprop("abs(x)*y", "x=0,y=2")
    assert d.results["f"].value == 0.0 and d.results["gradient"].value == [0.0, 0.0]
    assert any("abs gate" in w and "not differentiable" in w for w in d.warnings)
    d = backprop("max(x, y)", "x=1,y=1")
    assert d.results["gradient"].value == [0.0, 1.0]               # a subgradient of max at the tie
    assert any("on its kink" in w for w in d.warnings)


@pytest.mark.parametrize("expression, at", [("log(x)*y", "x=-2,y=1"), ("log(x) + y", "x=0,y=1")])
def test_not_real_at_the_point_gets_a_warning_not_a_crash(capsys, expression, at):
    d = backprop(expression, at)
    assert d.results["f"].value is None and "gradient" not in d.results
    assert any("log gate" in w and "not a real number" in w for w in d.warnings)
    assert sum("log gate" in w for w in d.warnings) == 1
    assert main(["backprop", expression, "--at", at, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"]["f"]["value"] is None


def test_no_derivative_at_the_point_keeps_the_value():
    d = backprop("sqrt(x) + y", "x=0,y=1")
    assert d.results["f"].value == 1.0 and "gradient" not in d.results
    assert any("no derivative" in w for w in d.warnings)


@pytest.mark.parametrize("arguments, words", [
    (["(x + y)*z", "--at", "x=-2,y=5"], "no value for z"),
    (["x*y", "--at", "x=1,y=2,q=3"], "which the expression does not have"),
    (["x*y", "--at", "x:1"], "name=value pairs"),
    (["x*y", "--at", "x=one,y=2"], "must be a number"),
    ([r"\sum_j s_j", "--at", "s_j=1"], "cannot stage"),
    (["3 + 4", "--at", "x=1"], "no variables"),
    (["foo(x)", "--at", "x=1"], "unknown name 'foo'"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, arguments, words):
    assert main(["backprop", *arguments]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err, err


def test_leading_minus(capsys):
    assert main(["backprop", "-x*y", "--at", "x=2,y=3", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["results"]["gradient"]["value"] == [-3.0, -2.0]


@needs_dot
def test_the_picture_is_written_beside_the_markdown_atomically(tmp_path, capsys):
    target = tmp_path / "graph.md"
    assert main(["backprop", "(x + y)*z", "--at", "x=-2,y=5,z=-4", "--format", "markdown", "-o", str(target)]) == 0
    pictures = sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".png")
    assert len(pictures) == 1 and pictures[0].startswith("backprop-")
    assert f"]({pictures[0]})" in target.read_text()
    assert (tmp_path / pictures[0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]          # no temporary left behind
    again = backprop("(x + y)*z", "x=-2,y=5,z=-4")
    assert list(again.files.values())[0] == (tmp_path / pictures[0]).read_bytes()   # the same bytes every time


@needs_dot
def test_jupyter_shows_the_picture_inline():
    d = backprop("(x + y)*z", "x=-2,y=5,z=-4")
    assert "](data:image/png;base64," in d._repr_markdown_()


def test_the_dot_source_holds_values_and_gradients():
    from derivations.report.graphs import DrawnEdge, DrawnNode, dot_source
    source = dot_source([DrawnNode("x", "x_0", True), DrawnNode("u_1", "*-1")], [DrawnEdge("x", "u_1", "-2", "4")],
                        "u_1", "2", "1")
    assert "x<sub>0</sub>" in source and '"x" -> "u_1"' in source
    assert ">-2</font><br/>" in source and ">4</font>" in source


def test_python_api_is_lazy_and_the_same():
    d = derivations.backprop("(x + y)*z", at={"x": -2, "y": 5, "z": -4})
    assert d.results["gradient"].value == [-4.0, -4.0, 3.0]
    assert derivations.diff("tanh(x)", "x").results["derivative"].expr == 1 - sympy.tanh(sympy.Symbol("x", real=True)) ** 2
    assert "backprop" in dir(derivations)


def test_sigmoid_gate_is_the_named_function():
    graph = stage(derivations.calculus.read_expression("sigma(x*y)"))
    assert graph.output.kind == "sigmoid" and graph.output.formula == Sigmoid(graph.gates[0].symbol)


def test_without_graphviz_the_report_says_so_and_has_no_picture(monkeypatch):
    from derivations.report import graphs
    monkeypatch.setattr(graphs, "dot_program", lambda: None)
    d = backprop("(x + y)*z", "x=-2,y=5,z=-4")
    assert d.files == {} and "Graphviz's dot was not found" in d.to_text()
    assert d.results["gradient"].value == [-4.0, -4.0, 3.0]


def test_the_lecture_neuron_written_with_names_w0_x0():
    """The lecture writes w0*x0 + w1*x1 + w2: names, the same variables as w_0, x_0 (issue 22)."""
    d = backprop("1/(1+exp(-(w0*x0+w1*x1+w2)))", "w0=2,x0=-1,w1=-3,x1=-2,w2=-3")
    assert d.verified
    assert round(d.results["f"].value, 2) == 0.73
    rounded = {name: round(d.results[f"d/d{name}"].value, 2) for name in ("w_0", "x_0", "w_1", "x_1", "w_2")}
    assert rounded == {"w_0": -0.20, "x_0": 0.39, "w_1": -0.39, "x_1": -0.59, "w_2": 0.20}
    same = backprop("1/(1 + exp(-(w_0*x_0 + w_1*x_1 + w_2)))", "w=[2,-3,-3],x=[-1,-2]")
    assert all(same.results[f"d/d{name}"].value == d.results[f"d/d{name}"].value for name in rounded)


def test_a_plain_letter_and_its_entries_are_two_inputs():
    d = backprop("x_0*x", "x_0=2,x=3")
    assert d.verified and d.results["f"].value == 6.0
    assert d.results["d/dx"].value == 2.0 and d.results["d/dx_0"].value == 3.0


def test_a_variable_that_cancels_out_has_gradient_0_with_a_note():
    d = backprop("(x - x)*y + y", "x=1,y=2")          # autograd answers 0 for x
    assert d.verified and d.results["f"].value == 2.0
    assert d.results["gradient"].value == [0.0, 1.0]
    assert "x cancels out" in d.to_text()
    with pytest.raises(derivations.engine.inputs.InputError, match="does not have"):
        backprop("y*z", "x=1,y=2,z=3")                # never typed: still refused


def test_max_of_three_with_a_tie_names_the_subgradient():
    d = backprop("2*max(x, y, z)", "x=1,y=3,z=3")
    assert d.results["gradient"].value == [0.0, 0.0, 2.0]          # a tie goes to the last of the tied ones
    assert any("not differentiable" in w and "0 for y, 1 for z" in w for w in d.warnings)
    d = backprop("max(x, 0, -x)", "x=-2")
    assert d.results["f"].value == 2.0 and d.results["gradient"].value == [-1.0]


def test_leaky_relu_without_a_slope_says_its_slope():
    d = backprop("leaky_relu(x)*y", "x=-2,y=3")
    assert d.results["gradient"].value == [0.03, -0.02]
    assert "usual slope 0.01" in d.to_text()
