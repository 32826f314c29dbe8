"""The batch derivation (seed 002): index form to matrix form, both losses and both regularisation forms, every
step verified; seed 002's last line refuted by the verifier with a counterexample."""
import pytest
import sympy

from derivations.engine.steps import Chain, Claim
from derivations.losses import batch
from derivations.report.printing import text

EXPECTED = {
    ("svm", "full"): "(1/N)·Xᵀ (B - Y ∘ (B 𝟙_K 𝟙_Kᵀ)) + 2·λ·W",
    ("svm", "half"): "(1/N)·Xᵀ (B - Y ∘ (B 𝟙_K 𝟙_Kᵀ)) + λ·W",
    ("softmax", "full"): "(1/N)·Xᵀ (P - Y) + 2·λ·W",
    ("softmax", "half"): "(1/N)·Xᵀ (P - Y) + λ·W",
}


def _steps(derivation):
    for block in derivation.blocks():
        if isinstance(block, Chain):
            yield from block.steps
        elif isinstance(block, Claim):
            yield block


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def derived(request):
    loss, reg_form = request.param
    return loss, reg_form, batch.gradient(loss, reg_form=reg_form, example=False)


def test_every_step_is_verified_and_the_matrix_form_is_reached(derived):
    loss, reg_form, g = derived
    assert g.verified
    steps = list(_steps(g))
    assert len(steps) >= 12 and all(step.verified for step in steps)
    assert text(g.results["dW"].expr) == EXPECTED[(loss, reg_form)]
    assert g.parameters == {"wrt": "batch", "reg_form": reg_form, **({"delta": 1.0} if loss == "svm" else {})}
    # the matrix steps were checked entry by entry, with N, D and K instantiated
    matrix_claims = [s for s in steps if isinstance(s, Claim) and isinstance(s.lhs, sympy.MatrixExpr)]
    assert matrix_claims and all("entry (" in s.verification.detail for s in matrix_claims)
    assert any("N = " in s.verification.detail for s in matrix_claims)


def test_index_form_is_the_issue_s_formula(derived):
    loss, reg_form, g = derived
    shown = text(g.results["dW_index"].expr)
    reg = "2·λ·W_{d,c}" if reg_form == "full" else "λ·W_{d,c}"
    if loss == "svm":
        assert shown == f"(Σ_{{n=0..N - 1}} X_{{n,d}}·(β_{{n,c}} - δ_{{c,yₙ}}·Σⱼ β_{{n,j}}))/N + {reg}"
    else:
        assert shown == f"(Σ_{{n=0..N - 1}} X_{{n,d}}·(P_{{n,c}} - δ_{{c,yₙ}}))/N + {reg}"


def test_matrix_form_is_data_for_code_generation():
    form = batch.matrix_form("svm", "half")
    assert form.dW == batch.gradient_matrix("svm", "half")
    assert [name.name for name, _ in form.named] == ["S", "M", "B"]
    assert {m.name for m in form.inputs} == {"X", "W", "Y"}
    assert form.dW.shape == (batch.D, batch.K)
    softmax = batch.matrix_form("softmax", "full")
    assert [name.name for name, _ in softmax.named] == ["S", "P"]
    assert text(softmax.loss) == "(1/N)·𝟙_Nᵀ (logsumexp(S) - (S ∘ Y) 𝟙_K) + λ·𝟙_Dᵀ (W ∘ W) 𝟙_K"


def test_seed_002_last_line_is_refuted_with_a_counterexample():
    verifier = batch.svm_verifier()
    found = batch.refute(verifier, batch.seed_final_line())
    assert not found.ok
    assert found.detail.startswith("sides differ for {")
    assert "'N': " in found.detail and "'y_0': " in found.detail and "X_0,0=" in found.detail
    # the index form derived above passes the same check
    g = batch.gradient("svm")
    assert batch.refute(verifier, g.results["dW_index"].expr).ok
    # the seed's intermediate line, with beta_{n,y_n} = 0 as defined here, is wrong too; with the delta kept, right
    beta, n, c, j = batch.BETA, batch.example, batch.c, batch.j
    kept = sympy.Sum((beta[n, c] - sympy.KroneckerDelta(c, batch.labels[n]) * sympy.Sum(beta[n, j], (j, 0, batch.K - 1)))
                     * batch.X[n, batch.feature], (n, 0, batch.N - 1)) / batch.N + 2 * batch.lam * batch.W[batch.feature, c]
    assert batch.refute(verifier, kept).ok


def test_the_report_names_the_seed_s_mistakes():
    g = batch.gradient("svm")
    report = " ".join(g.to_text().split())
    assert "the verifier rejects it: at a random point with N = 4, D = 3 and K = 2 the two sides are" in report
    assert "{'" not in report and "seed" not in report.lower()
    assert "β_{n,yₙ} = 1" in report and "takes W as K × D, not D × K" in report


def test_bad_reg_form_and_negative_lambda():
    from derivations.engine.inputs import InputError
    with pytest.raises(InputError, match="--reg-form must be full"):
        batch.gradient("svm", reg_form="quarter")
    with pytest.raises(InputError, match="must be >= 0"):
        batch.gradient("svm", reg=-0.5)
