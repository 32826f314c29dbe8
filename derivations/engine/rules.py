"""The closed list of rules a step may apply.

Each rule is a small frozen dataclass; its docstring states the identity it
applies and its fields are the mathematical parts of that application (the
inner function, the variable, the constant that was pulled out, ...). Rules
never format text: every template folder has one entry per rule, keyed by
:attr:`Rule.name` (a test checks that none is missing).
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

from sympy import Basic


@dataclass(frozen=True)
class Rule:
    """Base class: ``name`` is the key of the rule's template entry."""

    name: ClassVar[str] = "rule"

    def parts(self) -> dict:
        """The rule's mathematical fields, by name (for templates and JSON)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


# --- definitions, cases, values ------------------------------------------------

@dataclass(frozen=True)
class Definition(Rule):
    """``symbol := definition``: a name replaced by what it stands for."""

    name: ClassVar[str] = "definition"
    symbol: Basic
    definition: Basic


@dataclass(frozen=True)
class CaseSplitRule(Rule):
    """Split on mutually exclusive conditions that together cover every case."""

    name: ClassVar[str] = "case_split"
    variable: Basic
    conditions: tuple


@dataclass(frozen=True)
class CaseAssumption(Rule):
    """Within a case, substitute what the case's condition says (e.g. k = y_i)."""

    name: ClassVar[str] = "case_assumption"
    condition: Basic


@dataclass(frozen=True)
class SubstituteValues(Rule):
    """Replace symbols by given values: f(a) evaluated at a = a0."""

    name: ClassVar[str] = "substitute_values"
    values: tuple              # ((symbol, value), ...)


@dataclass(frozen=True)
class ExpandSum(Rule):
    """sum_{j != y_i} f_j over K = n classes written out term by term."""

    name: ClassVar[str] = "expand_sum"
    count: Basic
    label: Basic


@dataclass(frozen=True)
class ApplyCases(Rule):
    """Each component takes the formula of the case it falls in (derived above)."""

    name: ClassVar[str] = "apply_cases"


@dataclass(frozen=True)
class NonNegativeSum(Rule):
    """A sum of terms that are each >= 0 is 0 exactly when every term is 0; a term max(0, u) is 0 exactly when u <= 0."""

    name: ClassVar[str] = "nonnegative_sum"


@dataclass(frozen=True)
class Evaluate(Rule):
    """Carry out the arithmetic of an expression that holds only numbers."""

    name: ClassVar[str] = "evaluate"


# --- derivative rules -----------------------------------------------------------

@dataclass(frozen=True)
class ConstantRule(Rule):
    """d c / dx = 0 for an expression c that does not depend on x."""

    name: ClassVar[str] = "constant"
    constant: Basic
    variable: Basic


@dataclass(frozen=True)
class IdentityRule(Rule):
    """dx / dx = 1."""

    name: ClassVar[str] = "identity"
    variable: Basic


@dataclass(frozen=True)
class IndexedVariableRule(Rule):
    """d s_j / d s_k = delta_{jk}: a score depends only on itself (d W_ab / d W_dc = delta_{ad} delta_{bc})."""

    name: ClassVar[str] = "indexed_variable"
    expression: Basic
    variable: Basic


@dataclass(frozen=True)
class LinearRule(Rule):
    """d/dx (c_0 + sum_i c_i v_i) = sum_i c_i dv_i/dx for constants c_i; dv_i/dx = delta(v_i, x), index by index."""

    name: ClassVar[str] = "linear"
    expression: Basic
    variable: Basic


@dataclass(frozen=True)
class SumRule(Rule):
    """d/dx (u + v) = du/dx + dv/dx; terms that do not depend on x contribute 0."""

    name: ClassVar[str] = "sum_rule"
    terms: tuple
    constant_terms: tuple


@dataclass(frozen=True)
class ConstantFactorRule(Rule):
    """d/dx (c u) = c du/dx for a constant c."""

    name: ClassVar[str] = "constant_factor"
    constant: Basic
    other: Basic


@dataclass(frozen=True)
class ProductRule(Rule):
    """d/dx (u v) = (du/dx) v + u (dv/dx), and likewise for more factors."""

    name: ClassVar[str] = "product_rule"
    factors: tuple


@dataclass(frozen=True)
class QuotientRule(Rule):
    """d/dx (u / v) = (v du/dx - u dv/dx) / v^2."""

    name: ClassVar[str] = "quotient_rule"
    numerator: Basic
    denominator: Basic


@dataclass(frozen=True)
class PowerRule(Rule):
    """d/dx u^n = n u^{n-1} du/dx for a constant exponent n (chain rule when u != x)."""

    name: ClassVar[str] = "power_rule"
    base: Basic
    exponent: Basic
    variable: Basic


@dataclass(frozen=True)
class ExponentialRule(Rule):
    """d/dx a^u = a^u ln(a) du/dx for a constant base a > 0."""

    name: ClassVar[str] = "exponential_rule"
    base: Basic
    exponent: Basic
    variable: Basic


@dataclass(frozen=True)
class ExpRule(Rule):
    """d/dx e^u = e^u du/dx (chain rule when u != x)."""

    name: ClassVar[str] = "exp_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class LogRule(Rule):
    """d/dx log u = (1/u) du/dx, natural logarithm (chain rule when u != x)."""

    name: ClassVar[str] = "log_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class SigmoidRule(Rule):
    """d/dx sigma(u) = sigma(u) (1 - sigma(u)) du/dx (chain rule when u != x)."""

    name: ClassVar[str] = "sigmoid_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class SigmoidSymmetry(Rule):
    """sigma(-u) = 1 - sigma(u): 1 / (1 + e^{u}) = e^{-u} / (e^{-u} + 1)."""

    name: ClassVar[str] = "sigmoid_symmetry"


@dataclass(frozen=True)
class MaxZeroRule(Rule):
    """d/dx max(0, u) = 1[u > 0] du/dx, the subgradient that takes 0 on the kink u = 0."""

    name: ClassVar[str] = "max_zero"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class IndicatorRule(Rule):
    """d/dx 1[u > 0] = 0 wherever u != 0 (the indicator is piecewise constant)."""

    name: ClassVar[str] = "indicator"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class SumLinearityRule(Rule):
    """d/dx sum_j f_j = sum_j df_j/dx: differentiate a sum term by term."""

    name: ClassVar[str] = "sum_linearity"
    summand: Basic
    index: Basic
    variable: Basic


@dataclass(frozen=True)
class NoRule(Rule):
    """No rule in the list applies: the derivative is left as it stands, and the derivation is incomplete."""

    name: ClassVar[str] = "no_rule"
    expression: Basic
    variable: Basic


# --- algebra on sums and Kronecker deltas -------------------------------------

@dataclass(frozen=True)
class KroneckerEvaluation(Rule):
    """delta_{ab} = 1 when a = b and 0 when a != b (known from the case or the sum's range)."""

    name: ClassVar[str] = "kronecker_evaluation"
    delta: Basic
    value: Basic
    reason: Basic              # the relation that decides it, e.g. Ne(j, y_i)


@dataclass(frozen=True)
class KroneckerCollapse(Rule):
    """sum_j g_j delta_{jk} = g_k when k lies in the sum's range (the sum keeps only j = k)."""

    name: ClassVar[str] = "kronecker_collapse"
    index: Basic
    target: Basic


@dataclass(frozen=True)
class SplitSum(Rule):
    """sum_j (a_j + b_j) = sum_j a_j + sum_j b_j."""

    name: ClassVar[str] = "split_sum"
    index: Basic


@dataclass(frozen=True)
class SumFactorOut(Rule):
    """sum_j c f_j = c sum_j f_j for c that does not depend on j."""

    name: ClassVar[str] = "sum_factor_out"
    factor: Basic
    index: Basic


@dataclass(frozen=True)
class SumOfConstant(Rule):
    """sum over n indices of a constant c = n c."""

    name: ClassVar[str] = "sum_of_constant"
    constant: Basic
    count: Basic


# --- algebra ------------------------------------------------------------------

@dataclass(frozen=True)
class LogOfQuotient(Rule):
    """log(a / b) = log a - log b."""

    name: ClassVar[str] = "log_of_quotient"


@dataclass(frozen=True)
class LogOfExp(Rule):
    """log(e^u) = u."""

    name: ClassVar[str] = "log_of_exp"


@dataclass(frozen=True)
class Expand(Rule):
    """Multiply out products over sums: a (b + c) = a b + a c."""

    name: ClassVar[str] = "expand"


@dataclass(frozen=True)
class CancelFraction(Rule):
    """Cancel a common factor of numerator and denominator: (a c) / (b c) = a / b."""

    name: ClassVar[str] = "cancel"


@dataclass(frozen=True)
class Factor(Rule):
    """Take out a common factor: a b + a c = a (b + c)."""

    name: ClassVar[str] = "factor"
    factor: Basic


@dataclass(frozen=True)
class CombineFractions(Rule):
    """Put terms over a common denominator: a/c + b/c = (a + b)/c."""

    name: ClassVar[str] = "combine_fractions"


@dataclass(frozen=True)
class RecogniseDefinition(Rule):
    """Write an expression back in terms of a defined name: ``definition`` = ``symbol``."""

    name: ClassVar[str] = "recognise_definition"
    symbol: Basic
    definition: Basic


@dataclass(frozen=True)
class Rewrite(Rule):
    """Replace a sub-expression by an equal one given by ``identity`` (lhs = rhs)."""

    name: ClassVar[str] = "rewrite"
    identity: tuple            # (lhs, rhs)


@dataclass(frozen=True)
class ShiftLogSumExp(Rule):
    """log sum_m e^{a_m} - c = log sum_m e^{a_m - c}: e^{c} taken out of the sum inside the log (log-sum-exp shift)."""

    name: ClassVar[str] = "shift_log_sum_exp"
    shift: Basic


@dataclass(frozen=True)
class SeparateTerm(Rule):
    """sum_m f_m = f_a + sum_{m != a} f_m: one term taken out of a sum."""

    name: ClassVar[str] = "separate_term"
    index: Basic
    value: Basic


@dataclass(frozen=True)
class WriteOutSum(Rule):
    """A sum over ``count`` indices written out term by term."""

    name: ClassVar[str] = "write_out_sum"
    count: Basic


@dataclass(frozen=True)
class SplitFraction(Rule):
    """(a b) / (c d) = (a / c) (b / d): a fraction of products as a product of fractions."""

    name: ClassVar[str] = "split_fraction"


@dataclass(frozen=True)
class DivideTermByTerm(Rule):
    """(a + b) / c = a / c + b / c: each term of a numerator divided on its own."""

    name: ClassVar[str] = "divide_term_by_term"


@dataclass(frozen=True)
class SumToOne(Rule):
    """Quantities that sum to 1 (probabilities, targets) fix each other: ``symbol`` = ``rest``, e.g. t_2 = 1 - t_1."""

    name: ClassVar[str] = "sum_to_one"
    symbol: Basic
    rest: Basic


@dataclass(frozen=True)
class CombineCases(Rule):
    """Two cases in one formula: the Kronecker delta ``delta`` is 1 in the case its indices are equal and 0 in the other."""

    name: ClassVar[str] = "combine_cases"
    delta: Basic


@dataclass(frozen=True)
class NegativeLogBound(Rule):
    """-log q >= 0 exactly when 0 < q <= 1, and -log q = 0 only at q = 1 (-log is decreasing and -log 1 = 0)."""

    name: ClassVar[str] = "negative_log_bound"


@dataclass(frozen=True)
class MatrixForm(Rule):
    """Entries a_j delta_{jk} - b_j c_k for every j, k form the matrix diag(a) - b c^T."""

    name: ClassVar[str] = "matrix_form"


@dataclass(frozen=True)
class DerivedElsewhere(Rule):
    """A result derived step by step by another derivation (``command``), checked again here."""

    name: ClassVar[str] = "derived_elsewhere"
    command: str


@dataclass(frozen=True)
class ChainRuleScores(Rule):
    """dL/dw = sum_k (dL/ds_k) (ds_k/dw): the chain rule through the scores."""

    name: ClassVar[str] = "chain_rule_scores"
    intermediate: Basic
    variable: Basic


@dataclass(frozen=True)
class ChainRule(Rule):
    """dL/dx = (dL/du_1)(du_1/du_2)...(du_n/dx): the chain rule through the intermediates u_1, ..., u_n."""

    name: ClassVar[str] = "chain_rule"
    intermediates: tuple
    variable: Basic


@dataclass(frozen=True)
class DerivedAbove(Rule):
    """Each derivative in ``derivatives`` replaced by its value, derived step by step above."""

    name: ClassVar[str] = "derived_above"
    derivatives: tuple


@dataclass(frozen=True)
class CollectLikeTerms(Rule):
    """a u + b u = (a + b) u: like terms collected (t y - t y = 0)."""

    name: ClassVar[str] = "collect_like_terms"


# --- derivative rules of the elementary and activation functions (derive diff) -------

@dataclass(frozen=True)
class SinRule(Rule):
    """d/dx sin u = cos(u) du/dx."""

    name: ClassVar[str] = "sin_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class CosRule(Rule):
    """d/dx cos u = -sin(u) du/dx."""

    name: ClassVar[str] = "cos_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class TanRule(Rule):
    """d/dx tan u = sec^2(u) du/dx = (1 + tan^2 u) du/dx, where cos u != 0."""

    name: ClassVar[str] = "tan_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class CotRule(Rule):
    """d/dx cot u = -csc^2(u) du/dx, where sin u != 0."""

    name: ClassVar[str] = "cot_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class SecRule(Rule):
    """d/dx sec u = sec(u) tan(u) du/dx, where cos u != 0."""

    name: ClassVar[str] = "sec_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class CscRule(Rule):
    """d/dx csc u = -csc(u) cot(u) du/dx, where sin u != 0."""

    name: ClassVar[str] = "csc_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class AsinRule(Rule):
    """d/dx arcsin u = du/dx / sqrt(1 - u^2), for -1 < u < 1."""

    name: ClassVar[str] = "asin_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class AcosRule(Rule):
    """d/dx arccos u = -du/dx / sqrt(1 - u^2), for -1 < u < 1."""

    name: ClassVar[str] = "acos_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class AtanRule(Rule):
    """d/dx arctan u = du/dx / (1 + u^2)."""

    name: ClassVar[str] = "atan_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class AcotRule(Rule):
    """d/dx arccot u = -du/dx / (1 + u^2)."""

    name: ClassVar[str] = "acot_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class SinhRule(Rule):
    """d/dx sinh u = cosh(u) du/dx."""

    name: ClassVar[str] = "sinh_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class CoshRule(Rule):
    """d/dx cosh u = sinh(u) du/dx."""

    name: ClassVar[str] = "cosh_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class TanhRule(Rule):
    """d/dx tanh u = (1 - tanh^2 u) du/dx."""

    name: ClassVar[str] = "tanh_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class CothRule(Rule):
    """d/dx coth u = (1 - coth^2 u) du/dx, where u != 0."""

    name: ClassVar[str] = "coth_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class SechRule(Rule):
    """d/dx sech u = -sech(u) tanh(u) du/dx."""

    name: ClassVar[str] = "sech_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class CschRule(Rule):
    """d/dx csch u = -csch(u) coth(u) du/dx, where u != 0."""

    name: ClassVar[str] = "csch_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class AsinhRule(Rule):
    """d/dx arsinh u = du/dx / sqrt(u^2 + 1)."""

    name: ClassVar[str] = "asinh_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class AcoshRule(Rule):
    """d/dx arcosh u = du/dx / sqrt(u^2 - 1), for u > 1."""

    name: ClassVar[str] = "acosh_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class AtanhRule(Rule):
    """d/dx artanh u = du/dx / (1 - u^2), for -1 < u < 1."""

    name: ClassVar[str] = "atanh_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class AbsRule(Rule):
    """d/dx |u| = sign(u) du/dx, where u != 0 (|u| has a kink at u = 0)."""

    name: ClassVar[str] = "abs_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class SqrtRule(Rule):
    """d/dx sqrt(u) = du/dx / (2 sqrt(u)), for u > 0."""

    name: ClassVar[str] = "sqrt_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class ErfRule(Rule):
    """d/dx erf u = (2 / sqrt(pi)) e^{-u^2} du/dx (erf is the error function of GELU)."""

    name: ClassVar[str] = "erf_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class ReluRule(Rule):
    """d/dx ReLU(u) = 1[u > 0] du/dx, ReLU(u) = max(0, u); the subgradient 0 on the kink u = 0."""

    name: ClassVar[str] = "relu_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class SoftplusRule(Rule):
    """d/dx softplus(u) = sigma(u) du/dx, softplus(u) = log(1 + e^u)."""

    name: ClassVar[str] = "softplus_rule"
    inner: Basic
    variable: Basic


@dataclass(frozen=True)
class LeakyReluRule(Rule):
    """d/dx LeakyReLU(u, a) = (1[u > 0] + a (1 - 1[u > 0])) du/dx for a constant slope a: 1 for u > 0, a for u <= 0."""

    name: ClassVar[str] = "leaky_relu_rule"
    inner: Basic
    slope: Basic
    variable: Basic


@dataclass(frozen=True)
class MaxRule(Rule):
    """d/dx max(u, v) = 1[u - v > 0] du/dx + (1 - 1[u - v > 0]) dv/dx: the derivative of the larger one (v's on the kink u = v)."""

    name: ClassVar[str] = "max_rule"
    first: Basic
    second: Basic
    variable: Basic


@dataclass(frozen=True)
class MinRule(Rule):
    """d/dx min(u, v) = 1[v - u > 0] du/dx + (1 - 1[v - u > 0]) dv/dx: the derivative of the smaller one (v's on the kink u = v)."""

    name: ClassVar[str] = "min_rule"
    first: Basic
    second: Basic
    variable: Basic


@dataclass(frozen=True)
class LogarithmicDifferentiation(Rule):
    """d/dx u^v = u^v d/dx (v log u) for u > 0: u^v = e^{v log u}, then the chain rule (logarithmic differentiation)."""

    name: ClassVar[str] = "logarithmic_differentiation"
    base: Basic
    exponent: Basic
    variable: Basic


# --- writing a result shorter (derive diff's last steps) ------------------------

@dataclass(frozen=True)
class RecogniseSigmoid(Rule):
    """e^u / (1 + e^u) = sigma(u) and 1 / (1 + e^u) = 1 - sigma(u): each e^{k u} written as (sigma(u) / (1 - sigma(u)))^k."""

    name: ClassVar[str] = "recognise_sigmoid"
    inner: Basic


@dataclass(frozen=True)
class LogOfProduct(Rule):
    """log(a b) = log a + log b, and log(a^n) = n log a, for a, b > 0."""

    name: ClassVar[str] = "log_of_product"


@dataclass(frozen=True)
class WriteWithSign(Rule):
    """u / |u| = |u| / u = sign(u) and u sign(u) = |u|, for u != 0."""

    name: ClassVar[str] = "write_with_sign"


@dataclass(frozen=True)
class ReferenceCheck(Rule):
    """A derived derivative equals sympy.diff's and centred finite differences at random points inside its domain."""

    name: ClassVar[str] = "reference_check"

@dataclass(frozen=True)
class MatrixEntries(Rule):
    """Each indexed factor written as the entry of a matrix: X_nd = (X^T)_dn, beta_nc = B_nc, delta_{c,y_n} = Y_nc,
    sum_j beta_nj = (B 1_K)_n."""

    name: ClassVar[str] = "matrix_entries"


@dataclass(frozen=True)
class MatrixProductEntry(Rule):
    """sum_n A_dn C_nc = (A C)_dc, and a_nc b_n = (a ∘ (b 1^T))_nc: sums of products of entries are entries of
    matrix products."""

    name: ClassVar[str] = "matrix_product_entry"


@dataclass(frozen=True)
class MatrixSumEntry(Rule):
    """a A_dc + b C_dc = (a A + b C)_dc for every d, c: equal entries make equal matrices."""

    name: ClassVar[str] = "matrix_sum_entry"


def all_rules() -> list[type[Rule]]:
    """Every rule class in the closed list."""
    found = []
    for value in globals().values():
        if isinstance(value, type) and issubclass(value, Rule) and value is not Rule:
            found.append(value)
    return found
