"""The homework's batch losses through derive grad (issue 23, item 4): the matrix forms derive grad obtains for the
SVM, softmax and logistic regression, written in the loss language, are proved equal (by the verifier, entry by
entry at small sizes on both sides of every kink) to the hand-built ones of derivations/losses."""
import pytest
import sympy

from derivations.engine.matrices import W_, X_, Y_
from derivations.engine.notation import Delta, lam
from derivations.engine.verify import Verifier
from derivations.grad.graph import backpropagate
from derivations.lang.lower import compile_spec

SPECS = {
    "svm": """X: N x D
W: D x K
y: labels
reg: scalar
delta: scalar = 1
S = X W
L = mean_n sum_{j != y[n]} max(0, S[n, j] - S[n, y[n]] + delta) + reg * sum(W^2)
""",
    "softmax": """X: N x D
W: D x K
y: labels
reg: scalar
S = X W
L = mean_n (logsumexp_k S[n, k] - S[n, y[n]]) + reg * sum(W^2)
""",
    "logistic": """X: N x D
w: D
t: N
reg: scalar
z = X w
L = mean_n (t[n] log(1 + exp(-z[n])) + (1 - t[n]) log(1 + exp(z[n]))) + reg * sum(w^2)
""",
}


def inlined(expr, program, backprop):
    """``expr`` with every definition and intermediate gradient put in: a matrix expression in the inputs only."""
    replacements = {node.symbol: node.matrix for node in program.nodes}
    replacements.update({g.symbol: g.total for g in backprop.gradients.values() if g.of.name not in program.inputs})
    for _ in range(len(replacements) + 1):
        following = expr.xreplace(replacements)
        if following == expr:
            return expr
        expr = following
    return expr


def in_their_symbols(expr, program, theirs):
    """The spec's arrays and scalars replaced by the hand-built derivation's (X, W, Y, w, t, lambda, Delta)."""
    mapping = {program.inputs[name].symbol: matrix for name, matrix in theirs.items() if name in program.inputs}
    if program.labels is not None:
        mapping[program.labels.onehot] = Y_
    mapping[program.inputs["reg"].symbol] = lam
    if "delta" in program.inputs:
        mapping[program.inputs["delta"].symbol] = Delta
    return expr.xreplace(mapping)


@pytest.mark.parametrize("loss", ["svm", "softmax", "logistic"])
def test_derive_grad_gives_the_hand_built_matrix_forms(loss):
    program = compile_spec(SPECS[loss])
    variable = "w" if loss == "logistic" else "W"
    backprop = backpropagate(program, [variable])
    if loss == "logistic":
        from derivations.losses import logistic_batch as hand
        form = hand.matrix_form("full")
        theirs = {"X": X_, "w": hand.w_, "t": hand.t_}
        verifier = Verifier(hand.definitions("full"), spread=2.0)
    else:
        from derivations.losses import batch as hand
        form = hand.matrix_form(loss, "full")
        theirs = {"X": X_, "W": W_}
        verifier = Verifier(hand.definitions(loss, "full"))
    mine = in_their_symbols(inlined(backprop.final(program.inputs[variable]), program, backprop), program, theirs)
    found = verifier.check(mine, form.dW)
    assert found.ok, found.detail
    assert found.method == "instantiated" and found.points >= 3
    loss_mine = in_their_symbols(inlined(program.output.matrix, program, backprop), program, theirs)
    found = verifier.check(loss_mine, form.loss)
    assert found.ok, found.detail


def test_a_wrong_form_is_told_apart():
    program = compile_spec(SPECS["svm"])
    backprop = backpropagate(program, ["W"])
    from derivations.losses import batch as hand
    form = hand.matrix_form("svm", "full")
    mine = in_their_symbols(inlined(backprop.final(program.inputs["W"]), program, backprop), program, {"X": X_,
                                                                                                         "W": W_})
    wrong = sympy.MatAdd(form.dW, sympy.MatMul(lam, W_))        # the penalty's gradient counted three times
    assert not Verifier(hand.definitions("svm", "full")).check(mine, wrong).ok
