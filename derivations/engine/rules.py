"""The closed list of rules a step may apply.

Each rule is a small frozen record; its docstring states the identity it
applies and its fields are the mathematical parts of that application (the
inner function, the variable, the constant that was pulled out, ...). Rules
never format text: every template folder has one entry per rule, keyed by
:attr:`Rule.name` (a test checks that none is missing).
"""
from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass  # noqa: F401 - a rule may still be a frozen dataclass
from typing import ClassVar

from sympy import Basic


def frozen(cls):
    """A frozen record from the class's annotated fields (ClassVar ones aside): ``__init__`` taking them in
    order (or by name), ``==``, ``hash`` and ``repr`` by value, attributes that cannot be set.

    What ``@dataclass(frozen=True)`` gives these rules, without generating and compiling code for each
    class: importing the 55 rules costs about a millisecond instead of tens.
    """
    own = [name for name, kind in cls.__dict__.get("__annotations__", {}).items()
           if not str(kind).startswith(("ClassVar", "typing.ClassVar"))]
    cls._fields = tuple(getattr(cls, "_fields", ())) + tuple(own)
    return cls


class Rule:
    """Base class: ``name`` is the key of the rule's template entry; the fields are the mathematical parts."""

    name: ClassVar[str] = "rule"
    _fields: ClassVar[tuple] = ()

    def __init__(self, *args, **kwargs):
        names = self._fields
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes {len(names)} fields, got {len(args)}")
        values = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in names or key in values:
                raise TypeError(f"{type(self).__name__}: unexpected or repeated field {key!r}")
            values[key] = value
        missing = [n for n in names if n not in values]
        if missing:
            raise TypeError(f"{type(self).__name__} is missing {', '.join(missing)}")
        for key in names:
            object.__setattr__(self, key, values[key])

    def __setattr__(self, key, value):
        raise AttributeError(f"{type(self).__name__} is frozen: cannot set {key}")

    def _values(self) -> tuple:
        return tuple(getattr(self, n) for n in self._fields)

    def __eq__(self, other):
        return type(other) is type(self) and other._values() == self._values()

    def __hash__(self):
        return hash((type(self).__name__,) + self._values())

    def __repr__(self):
        return f"{type(self).__name__}(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields) + ")"

    def parts(self) -> dict:
        """The rule's mathematical fields, by name (for templates and JSON)."""
        if is_dataclass(self):
            return {f.name: getattr(self, f.name) for f in fields(self)}
        return {n: getattr(self, n) for n in self._fields}


# --- definitions, cases, values ------------------------------------------------

@frozen
class Definition(Rule):
    """``symbol := definition``: a name replaced by what it stands for."""

    name: ClassVar[str] = "definition"
    symbol: Basic
    definition: Basic


@frozen
class CaseSplitRule(Rule):
    """Split on mutually exclusive conditions that together cover every case."""

    name: ClassVar[str] = "case_split"
    variable: Basic
    conditions: tuple


@frozen
class CaseAssumption(Rule):
    """Within a case, substitute what the case's condition says (e.g. k = y_i)."""

    name: ClassVar[str] = "case_assumption"
    condition: Basic


@frozen
class SubstituteValues(Rule):
    """Replace symbols by given values: f(a) evaluated at a = a0."""

    name: ClassVar[str] = "substitute_values"
    values: tuple              # ((symbol, value), ...)


@frozen
class ExpandSum(Rule):
    """sum_{j != y_i} f_j over K = n classes written out term by term."""

    name: ClassVar[str] = "expand_sum"
    count: Basic
    label: Basic


@frozen
class ApplyCases(Rule):
    """Each component takes the formula of the case it falls in (derived above)."""

    name: ClassVar[str] = "apply_cases"


@frozen
class NonNegativeSum(Rule):
    """A sum of terms that are each >= 0 is 0 exactly when every term is 0; a term max(0, u) is 0 exactly when u <= 0."""

    name: ClassVar[str] = "nonnegative_sum"


@frozen
class Evaluate(Rule):
    """Carry out the arithmetic of an expression that holds only numbers."""

    name: ClassVar[str] = "evaluate"


# --- derivative rules -----------------------------------------------------------

@frozen
class ConstantRule(Rule):
    """d c / dx = 0 for an expression c that does not depend on x."""

    name: ClassVar[str] = "constant"
    constant: Basic
    variable: Basic


@frozen
class IdentityRule(Rule):
    """dx / dx = 1."""

    name: ClassVar[str] = "identity"
    variable: Basic


@frozen
class IndexedVariableRule(Rule):
    """d s_j / d s_k = delta_{jk}: a score depends only on itself (d W_ab / d W_dc = delta_{ad} delta_{bc})."""

    name: ClassVar[str] = "indexed_variable"
    expression: Basic
    variable: Basic


@frozen
class LinearRule(Rule):
    """d/dx (c_0 + sum_i c_i v_i) = sum_i c_i dv_i/dx for constants c_i; dv_i/dx = delta(v_i, x), index by index."""

    name: ClassVar[str] = "linear"
    expression: Basic
    variable: Basic


@frozen
class SumRule(Rule):
    """d/dx (u + v) = du/dx + dv/dx; terms that do not depend on x contribute 0."""

    name: ClassVar[str] = "sum_rule"
    terms: tuple
    constant_terms: tuple


@frozen
class ConstantFactorRule(Rule):
    """d/dx (c u) = c du/dx for a constant c."""

    name: ClassVar[str] = "constant_factor"
    constant: Basic
    other: Basic


@frozen
class ProductRule(Rule):
    """d/dx (u v) = (du/dx) v + u (dv/dx), and likewise for more factors."""

    name: ClassVar[str] = "product_rule"
    factors: tuple


@frozen
class QuotientRule(Rule):
    """d/dx (u / v) = (v du/dx - u dv/dx) / v^2."""

    name: ClassVar[str] = "quotient_rule"
    numerator: Basic
    denominator: Basic


@frozen
class PowerRule(Rule):
    """d/dx u^n = n u^{n-1} du/dx for a constant exponent n (chain rule when u != x)."""

    name: ClassVar[str] = "power_rule"
    base: Basic
    exponent: Basic
    variable: Basic


@frozen
class ExponentialRule(Rule):
    """d/dx a^u = a^u ln(a) du/dx for a constant base a > 0."""

    name: ClassVar[str] = "exponential_rule"
    base: Basic
    exponent: Basic
    variable: Basic


@frozen
class ExpRule(Rule):
    """d/dx e^u = e^u du/dx (chain rule when u != x)."""

    name: ClassVar[str] = "exp_rule"
    inner: Basic
    variable: Basic


@frozen
class LogRule(Rule):
    """d/dx log u = (1/u) du/dx, natural logarithm (chain rule when u != x)."""

    name: ClassVar[str] = "log_rule"
    inner: Basic
    variable: Basic


@frozen
class SigmoidRule(Rule):
    """d/dx sigma(u) = sigma(u) (1 - sigma(u)) du/dx (chain rule when u != x)."""

    name: ClassVar[str] = "sigmoid_rule"
    inner: Basic
    variable: Basic


@frozen
class SigmoidSymmetry(Rule):
    """sigma(-u) = 1 - sigma(u): 1 / (1 + e^{u}) = e^{-u} / (e^{-u} + 1)."""

    name: ClassVar[str] = "sigmoid_symmetry"


@frozen
class MaxZeroRule(Rule):
    """d/dx max(0, u) = 1[u > 0] du/dx, the subgradient that takes 0 on the kink u = 0."""

    name: ClassVar[str] = "max_zero"
    inner: Basic
    variable: Basic


@frozen
class IndicatorRule(Rule):
    """d/dx 1[u > 0] = 0 wherever u != 0 (the indicator is piecewise constant)."""

    name: ClassVar[str] = "indicator"
    inner: Basic
    variable: Basic


@frozen
class SumLinearityRule(Rule):
    """d/dx sum_j f_j = sum_j df_j/dx: differentiate a sum term by term."""

    name: ClassVar[str] = "sum_linearity"
    summand: Basic
    index: Basic
    variable: Basic


@frozen
class NoRule(Rule):
    """No rule in the list applies: the derivative is left as it stands, and the derivation is incomplete."""

    name: ClassVar[str] = "no_rule"
    expression: Basic
    variable: Basic


# --- algebra on sums and Kronecker deltas -------------------------------------

@frozen
class KroneckerEvaluation(Rule):
    """delta_{ab} = 1 when a = b and 0 when a != b (known from the case or the sum's range)."""

    name: ClassVar[str] = "kronecker_evaluation"
    delta: Basic
    value: Basic
    reason: Basic              # the relation that decides it, e.g. Ne(j, y_i)


@frozen
class KroneckerCollapse(Rule):
    """sum_j g_j delta_{jk} = g_k when k lies in the sum's range (the sum keeps only j = k)."""

    name: ClassVar[str] = "kronecker_collapse"
    index: Basic
    target: Basic


@frozen
class SplitSum(Rule):
    """sum_j (a_j + b_j) = sum_j a_j + sum_j b_j."""

    name: ClassVar[str] = "split_sum"
    index: Basic


@frozen
class SumFactorOut(Rule):
    """sum_j c f_j = c sum_j f_j for c that does not depend on j."""

    name: ClassVar[str] = "sum_factor_out"
    factor: Basic
    index: Basic


@frozen
class SumOfConstant(Rule):
    """sum over n indices of a constant c = n c."""

    name: ClassVar[str] = "sum_of_constant"
    constant: Basic
    count: Basic


# --- algebra ------------------------------------------------------------------

@frozen
class LogOfQuotient(Rule):
    """log(a / b) = log a - log b."""

    name: ClassVar[str] = "log_of_quotient"


@frozen
class LogOfExp(Rule):
    """log(e^u) = u."""

    name: ClassVar[str] = "log_of_exp"


@frozen
class Expand(Rule):
    """Multiply out products over sums: a (b + c) = a b + a c."""

    name: ClassVar[str] = "expand"


@frozen
class CancelFraction(Rule):
    """Cancel a common factor of numerator and denominator: (a c) / (b c) = a / b."""

    name: ClassVar[str] = "cancel"


@frozen
class Factor(Rule):
    """Take out a common factor: a b + a c = a (b + c)."""

    name: ClassVar[str] = "factor"
    factor: Basic


@frozen
class CombineFractions(Rule):
    """Put terms over a common denominator: a/c + b/c = (a + b)/c."""

    name: ClassVar[str] = "combine_fractions"


@frozen
class RecogniseDefinition(Rule):
    """Write an expression back in terms of a defined name: ``definition`` = ``symbol``."""

    name: ClassVar[str] = "recognise_definition"
    symbol: Basic
    definition: Basic


@frozen
class Rewrite(Rule):
    """Replace a sub-expression by an equal one given by ``identity`` (lhs = rhs)."""

    name: ClassVar[str] = "rewrite"
    identity: tuple            # (lhs, rhs)


@frozen
class ShiftLogSumExp(Rule):
    """log sum_m e^{a_m} - c = log sum_m e^{a_m - c}: e^{c} taken out of the sum inside the log (log-sum-exp shift)."""

    name: ClassVar[str] = "shift_log_sum_exp"
    shift: Basic


@frozen
class SeparateTerm(Rule):
    """sum_m f_m = f_a + sum_{m != a} f_m: one term taken out of a sum."""

    name: ClassVar[str] = "separate_term"
    index: Basic
    value: Basic


@frozen
class WriteOutSum(Rule):
    """A sum over ``count`` indices written out term by term."""

    name: ClassVar[str] = "write_out_sum"
    count: Basic


@frozen
class SplitFraction(Rule):
    """(a b) / (c d) = (a / c) (b / d): a fraction of products as a product of fractions."""

    name: ClassVar[str] = "split_fraction"


@frozen
class DivideTermByTerm(Rule):
    """(a + b) / c = a / c + b / c: each term of a numerator divided on its own."""

    name: ClassVar[str] = "divide_term_by_term"


@frozen
class SumToOne(Rule):
    """Quantities that sum to 1 (probabilities, targets) fix each other: ``symbol`` = ``rest``, e.g. t_2 = 1 - t_1."""

    name: ClassVar[str] = "sum_to_one"
    symbol: Basic
    rest: Basic


@frozen
class CombineCases(Rule):
    """Two cases in one formula: the Kronecker delta ``delta`` is 1 in the case its indices are equal and 0 in the other."""

    name: ClassVar[str] = "combine_cases"
    delta: Basic


@frozen
class NegativeLogBound(Rule):
    """-log q >= 0 exactly when 0 < q <= 1, and -log q = 0 only at q = 1 (-log is decreasing and -log 1 = 0)."""

    name: ClassVar[str] = "negative_log_bound"


@frozen
class MatrixForm(Rule):
    """Entries a_j delta_{jk} - b_j c_k for every j, k form the matrix diag(a) - b c^T."""

    name: ClassVar[str] = "matrix_form"


@frozen
class DerivedElsewhere(Rule):
    """A result derived step by step by another derivation (``command``), checked again here."""

    name: ClassVar[str] = "derived_elsewhere"
    command: str


@frozen
class ChainRuleScores(Rule):
    """dL/dw = sum_k (dL/ds_k) (ds_k/dw): the chain rule through the scores."""

    name: ClassVar[str] = "chain_rule_scores"
    intermediate: Basic
    variable: Basic


@frozen
class ChainRule(Rule):
    """dL/dx = (dL/du_1)(du_1/du_2)...(du_n/dx): the chain rule through the intermediates u_1, ..., u_n."""

    name: ClassVar[str] = "chain_rule"
    intermediates: tuple
    variable: Basic


@frozen
class DerivedAbove(Rule):
    """Each derivative in ``derivatives`` replaced by its value, derived step by step above."""

    name: ClassVar[str] = "derived_above"
    derivatives: tuple


@frozen
class CollectLikeTerms(Rule):
    """a u + b u = (a + b) u: like terms collected (t y - t y = 0)."""

    name: ClassVar[str] = "collect_like_terms"


# --- derivative rules of the elementary and activation functions (derive diff) -------

@frozen
class SinRule(Rule):
    """d/dx sin u = cos(u) du/dx."""

    name: ClassVar[str] = "sin_rule"
    inner: Basic
    variable: Basic


@frozen
class CosRule(Rule):
    """d/dx cos u = -sin(u) du/dx."""

    name: ClassVar[str] = "cos_rule"
    inner: Basic
    variable: Basic


@frozen
class TanRule(Rule):
    """d/dx tan u = sec^2(u) du/dx = (1 + tan^2 u) du/dx, where cos u != 0."""

    name: ClassVar[str] = "tan_rule"
    inner: Basic
    variable: Basic


@frozen
class CotRule(Rule):
    """d/dx cot u = -csc^2(u) du/dx, where sin u != 0."""

    name: ClassVar[str] = "cot_rule"
    inner: Basic
    variable: Basic


@frozen
class SecRule(Rule):
    """d/dx sec u = sec(u) tan(u) du/dx, where cos u != 0."""

    name: ClassVar[str] = "sec_rule"
    inner: Basic
    variable: Basic


@frozen
class CscRule(Rule):
    """d/dx csc u = -csc(u) cot(u) du/dx, where sin u != 0."""

    name: ClassVar[str] = "csc_rule"
    inner: Basic
    variable: Basic


@frozen
class AsinRule(Rule):
    """d/dx arcsin u = du/dx / sqrt(1 - u^2), for -1 < u < 1."""

    name: ClassVar[str] = "asin_rule"
    inner: Basic
    variable: Basic


@frozen
class AcosRule(Rule):
    """d/dx arccos u = -du/dx / sqrt(1 - u^2), for -1 < u < 1."""

    name: ClassVar[str] = "acos_rule"
    inner: Basic
    variable: Basic


@frozen
class AtanRule(Rule):
    """d/dx arctan u = du/dx / (1 + u^2)."""

    name: ClassVar[str] = "atan_rule"
    inner: Basic
    variable: Basic


@frozen
class AcotRule(Rule):
    """d/dx arccot u = -du/dx / (1 + u^2)."""

    name: ClassVar[str] = "acot_rule"
    inner: Basic
    variable: Basic


@frozen
class SinhRule(Rule):
    """d/dx sinh u = cosh(u) du/dx."""

    name: ClassVar[str] = "sinh_rule"
    inner: Basic
    variable: Basic


@frozen
class CoshRule(Rule):
    """d/dx cosh u = sinh(u) du/dx."""

    name: ClassVar[str] = "cosh_rule"
    inner: Basic
    variable: Basic


@frozen
class TanhRule(Rule):
    """d/dx tanh u = (1 - tanh^2 u) du/dx."""

    name: ClassVar[str] = "tanh_rule"
    inner: Basic
    variable: Basic


@frozen
class CothRule(Rule):
    """d/dx coth u = (1 - coth^2 u) du/dx, where u != 0."""

    name: ClassVar[str] = "coth_rule"
    inner: Basic
    variable: Basic


@frozen
class SechRule(Rule):
    """d/dx sech u = -sech(u) tanh(u) du/dx."""

    name: ClassVar[str] = "sech_rule"
    inner: Basic
    variable: Basic


@frozen
class CschRule(Rule):
    """d/dx csch u = -csch(u) coth(u) du/dx, where u != 0."""

    name: ClassVar[str] = "csch_rule"
    inner: Basic
    variable: Basic


@frozen
class AsinhRule(Rule):
    """d/dx arsinh u = du/dx / sqrt(u^2 + 1)."""

    name: ClassVar[str] = "asinh_rule"
    inner: Basic
    variable: Basic


@frozen
class AcoshRule(Rule):
    """d/dx arcosh u = du/dx / sqrt(u^2 - 1), for u > 1."""

    name: ClassVar[str] = "acosh_rule"
    inner: Basic
    variable: Basic


@frozen
class AtanhRule(Rule):
    """d/dx artanh u = du/dx / (1 - u^2), for -1 < u < 1."""

    name: ClassVar[str] = "atanh_rule"
    inner: Basic
    variable: Basic


@frozen
class AbsRule(Rule):
    """d/dx |u| = sign(u) du/dx, where u != 0 (|u| has a kink at u = 0)."""

    name: ClassVar[str] = "abs_rule"
    inner: Basic
    variable: Basic


@frozen
class SqrtRule(Rule):
    """d/dx sqrt(u) = du/dx / (2 sqrt(u)), for u > 0."""

    name: ClassVar[str] = "sqrt_rule"
    inner: Basic
    variable: Basic


@frozen
class CbrtRule(Rule):
    """d/dx cbrt(u) = du/dx / (3 cbrt(u)^2), for u != 0 (the real cube root has a vertical tangent at 0)."""

    name: ClassVar[str] = "cbrt_rule"
    inner: Basic
    variable: Basic


@frozen
class SignRule(Rule):
    """d/dx sign(u) = 0 wherever u != 0 (sign is piecewise constant)."""

    name: ClassVar[str] = "sign_rule"
    inner: Basic
    variable: Basic


@frozen
class ErfRule(Rule):
    """d/dx erf u = (2 / sqrt(pi)) e^{-u^2} du/dx (erf is the error function of GELU)."""

    name: ClassVar[str] = "erf_rule"
    inner: Basic
    variable: Basic


@frozen
class ReluRule(Rule):
    """d/dx ReLU(u) = 1[u > 0] du/dx, ReLU(u) = max(0, u); the subgradient 0 on the kink u = 0."""

    name: ClassVar[str] = "relu_rule"
    inner: Basic
    variable: Basic


@frozen
class SoftplusRule(Rule):
    """d/dx softplus(u) = sigma(u) du/dx, softplus(u) = log(1 + e^u)."""

    name: ClassVar[str] = "softplus_rule"
    inner: Basic
    variable: Basic


@frozen
class LeakyReluRule(Rule):
    """d/dx LeakyReLU(u, a) = (1[u > 0] + a (1 - 1[u > 0])) du/dx for a constant slope a: 1 for u > 0, a for u <= 0."""

    name: ClassVar[str] = "leaky_relu_rule"
    inner: Basic
    slope: Basic
    variable: Basic


@frozen
class MaxRule(Rule):
    """d/dx max(u, v) = 1[u - v > 0] du/dx + (1 - 1[u - v > 0]) dv/dx: the derivative of the larger one (v's on the kink u = v)."""

    name: ClassVar[str] = "max_rule"
    first: Basic
    second: Basic
    variable: Basic


@frozen
class MinRule(Rule):
    """d/dx min(u, v) = 1[v - u > 0] du/dx + (1 - 1[v - u > 0]) dv/dx: the derivative of the smaller one (v's on the kink u = v)."""

    name: ClassVar[str] = "min_rule"
    first: Basic
    second: Basic
    variable: Basic


@frozen
class MaxOfManyRule(Rule):
    """d/dx max(u_1, ..., u_n) = sum_i w_i du_i/dx with w_i = prod_{j<i} 1[u_i - u_j >= 0] prod_{j>i} 1[u_i - u_j > 0]:
    the derivative of the largest argument (w_i is 1 exactly where u_i is the last of the largest in the order shown,
    so on a tie the last of the tied arguments passes its derivative)."""

    name: ClassVar[str] = "max_many_rule"
    arguments: tuple
    variable: Basic


@frozen
class MinOfManyRule(Rule):
    """d/dx min(u_1, ..., u_n) = sum_i w_i du_i/dx with w_i = prod_{j<i} 1[u_j - u_i >= 0] prod_{j>i} 1[u_j - u_i > 0]:
    the derivative of the smallest argument (on a tie, the last of the tied arguments in the order shown)."""

    name: ClassVar[str] = "min_many_rule"
    arguments: tuple
    variable: Basic


@frozen
class LogarithmicDifferentiation(Rule):
    """d/dx u^v = u^v d/dx (v log u) for u > 0: u^v = e^{v log u}, then the chain rule (logarithmic differentiation)."""

    name: ClassVar[str] = "logarithmic_differentiation"
    base: Basic
    exponent: Basic
    variable: Basic


# --- writing a result shorter (derive diff's last steps) ------------------------

@frozen
class RecogniseSigmoid(Rule):
    """e^u / (1 + e^u) = sigma(u) and 1 / (1 + e^u) = 1 - sigma(u): each e^{k u} written as (sigma(u) / (1 - sigma(u)))^k."""

    name: ClassVar[str] = "recognise_sigmoid"
    inner: Basic


@frozen
class LogOfProduct(Rule):
    """log(a b) = log a + log b, and log(a^n) = n log a, for a, b > 0."""

    name: ClassVar[str] = "log_of_product"


@frozen
class WriteWithSign(Rule):
    """u / |u| = |u| / u = sign(u) and u sign(u) = |u|, for u != 0."""

    name: ClassVar[str] = "write_with_sign"


@frozen
class ReferenceCheck(Rule):
    """A derived derivative equals sympy.diff's and centred finite differences at random points inside its domain."""

    name: ClassVar[str] = "reference_check"

@frozen
class MatrixEntries(Rule):
    """Each indexed factor written as the entry of a matrix: X_nd = (X^T)_dn, beta_nc = B_nc, delta_{c,y_n} = Y_nc,
    sum_j beta_nj = (B 1_K)_n."""

    name: ClassVar[str] = "matrix_entries"


@frozen
class MatrixProductEntry(Rule):
    """sum_n A_dn C_nc = (A C)_dc, and a_nc b_n = (a ∘ (b 1^T))_nc: sums of products of entries are entries of
    matrix products."""

    name: ClassVar[str] = "matrix_product_entry"


@frozen
class MatrixSumEntry(Rule):
    """a A_dc + b C_dc = (a A + b C)_dc for every d, c: equal entries make equal matrices."""

    name: ClassVar[str] = "matrix_sum_entry"


# --- the loss language (derive grad) ------------------------------------------------------------------

@frozen
class MaxOverRule(Rule):
    """d/dv max_j f_j = sum_m 1[m = argmax_j f_j] df_m/dv: the derivative of the largest term (away from ties)."""

    name: ClassVar[str] = "max_over_rule"
    function: Basic
    index: Basic
    variable: Basic


@frozen
class ArgmaxRule(Rule):
    """1[m = argmax_j f_j] is constant where no two terms tie: its derivative is 0."""

    name: ClassVar[str] = "argmax_rule"
    variable: Basic


@frozen
class HoldUpstream(Rule):
    """sum_ij G_ij dV_ij/dA_pq = d/dA_pq (sum_ij G_ij V_ij): the upstream gradient G = dL/dV is held fixed."""

    name: ClassVar[str] = "hold_upstream"
    upstream: Basic
    intermediate: Basic


@frozen
class MatrixEntry(Rule):
    """An index form read as entry (p, q) of a matrix expression: sum_n A_dn C_nc = (A C)_dc, sum_j A_nj = (A 1)_n,
    a_n b_c = (a b^T)_nc, delta_{c,y_n} = Y_nc."""

    name: ClassVar[str] = "matrix_entry"


@frozen
class TotalGradient(Rule):
    """dL/dA is the sum of the parts of the gradient that reach A through each expression that uses A."""

    name: ClassVar[str] = "total_gradient"
    uses: tuple


@frozen
class StatedForm(Rule):
    """A shorter form of a result, as the spec states it (``simplify``), checked like every step."""

    name: ClassVar[str] = "stated_form"


@frozen
class ArgmaxExcluded(Rule):
    """1[y = argmax_{j != y} f_j] = 0: the largest term over the classes other than y is never at y."""

    name: ClassVar[str] = "argmax_excluded"
    indicator: Basic


def all_rules() -> list[type[Rule]]:
    """Every rule class in the closed list."""
    found = []
    for value in globals().values():
        if isinstance(value, type) and issubclass(value, Rule) and value is not Rule:
            found.append(value)
    return found
