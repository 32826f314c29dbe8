"""Evaluating a symbolic expression for a concrete class count, index choice and point.

Verification evaluates the same expressions at many points for several class
counts K. Expanding each sum with SymPy (``subs`` + ``doit``) for every K is
slow, so :class:`Instance` walks the SymPy tree itself with floats:

* integer symbols (K, y_i, k, and the bound index of a sum) take values from
  ``env``; a sum loops over its range; the labels y_n of a batch (an integer
  indexed name) too, as ``env[(y, (n,))]``;
* an unevaluated derivative ``d f / d v`` is handed to SymPy: f and v are
  made concrete for the current indices (sums written out) and ``sympy.diff``
  differentiates; the result is cached and evaluated like everything else;
* every argument of a max or an indicator met on the way is recorded, so the
  verifier can tell which side of each kink a point fell on.

The indicator convention is the one the derivations state: ``Heaviside(u, h0)``
is 1 for u > 0, 0 for u < 0 and ``h0`` on the kink (SymPy's ``Heaviside(u)``
without ``h0`` is 1/2 there). ``DiracDelta(u)`` is 0 off the kink. Anything
the evaluator does not know raises :class:`NotEvaluable`, which fails a check
rather than passing it.
"""
from __future__ import annotations

import math

import sympy
from sympy import (
    Abs,
    Add,
    Derivative,
    DiracDelta,
    Heaviside,
    Indexed,
    KroneckerDelta,
    Max,
    Min,
    Mul,
    Number,
    NumberSymbol,
    Piecewise,
    Pow,
    Sum,
    Symbol,
    exp,
    log,
)

from .maxima import Argmax, MaxOver
from .notation import SumExcept


class NotEvaluable(ValueError):
    """The expression holds something the evaluator does not know."""


class OutsideDomain(ValueError):
    """The expression is not a real number at this point (a power of a negative number, say): a point to skip."""


def _real_power(base: float, exponent: float) -> float:
    """``base ** exponent`` as a real number; :class:`OutsideDomain` where it is not one."""
    result = base ** exponent
    if isinstance(result, complex):
        raise OutsideDomain(f"{base!r} ** {exponent!r} is not a real number")
    if result == 0 and base != 0:
        raise OverflowError(f"{base!r} ** {exponent!r} is below double precision")   # 1e301 ** -2: no digit left
    return result


def _secant(u):
    return 1 / math.cos(u)


def _cosecant(u):
    return 1 / math.sin(u)


def _cotangent(u):
    return math.cos(u) / math.sin(u)


#: float implementations of the elementary functions of one argument (math raises ValueError outside the domain)
FLOAT_FUNCTIONS = {
    sympy.sin: math.sin, sympy.cos: math.cos, sympy.tan: math.tan, sympy.cot: _cotangent,
    sympy.sec: _secant, sympy.csc: _cosecant,
    sympy.asin: math.asin, sympy.acos: math.acos, sympy.atan: math.atan,
    sympy.acot: lambda u: math.atan(1 / u) if u else math.pi / 2,
    sympy.sinh: math.sinh, sympy.cosh: math.cosh, sympy.tanh: math.tanh,
    sympy.coth: lambda u: 1 / math.tanh(u), sympy.sech: lambda u: 1 / math.cosh(u),
    sympy.csch: lambda u: 1 / math.sinh(u),
    sympy.asinh: math.asinh, sympy.acosh: math.acosh, sympy.atanh: math.atanh,
    sympy.erf: math.erf,
}


def point_key(variable):
    """How a point names a variable: a Symbol stands for itself, s_3 is (s, (3,))."""
    if isinstance(variable, Indexed) and all(i.is_Integer for i in variable.indices):
        return (variable.base, tuple(int(i) for i in variable.indices))
    return variable


def concrete(expr, env: dict):
    """``expr`` with the integer symbols of ``env`` put in and every sum with known bounds written out.

    max(...) is rebuilt unevaluated: SymPy's Max simplification is slow, and
    ``sympy.diff`` differentiates it as it stands.
    """
    mapping = {}
    for key, value in env.items():
        if isinstance(key, tuple):              # a label y_n of a batch: (y, (n,)) -> its class
            mapping[Indexed(key[0], *key[1])] = sympy.Integer(value)
        else:
            mapping[key] = sympy.Integer(value)
    return _rebuild(expr, mapping)


def _shadowed(mapping, index):
    """``mapping`` inside a sum or a max over ``index``: that index is its own there (sum_j exp(s_j - max_j s_j)
    with both bound to the same name must not put the outer sum's value into the inner max)."""
    return {k: v for k, v in mapping.items() if k != index} if index in mapping else mapping


def _rebuild(e, mapping):
    if e in mapping:
        return mapping[e]
    if isinstance(e, MaxOver):                   # max over a known range: written out as SymPy's max of its terms
        rebuilt = MaxOver(_rebuild(e.function, _shadowed(mapping, e.index)), e.index,
                          *(_rebuild(a, mapping) for a in e.args[2:]))
        written = rebuilt.written_out()
        return written if written is rebuilt else _rebuild(written, mapping)
    if isinstance(e, SumExcept):
        lo, hi, ex = (_rebuild(a, mapping) for a in (e.lower, e.upper, e.excluded))
        if lo.is_Integer and hi.is_Integer and ex.is_Integer:
            return Add(*[_rebuild(e.function, {**mapping, e.index: sympy.Integer(v)})
                         for v in range(int(lo), int(hi) + 1) if v != int(ex)])
        return SumExcept(_rebuild(e.function, _shadowed(mapping, e.index)), e.index, ex, lo, hi)
    if isinstance(e, Sum) and len(e.limits) == 1:
        index, lo, hi = e.limits[0]
        lo, hi = _rebuild(lo, mapping), _rebuild(hi, mapping)
        if lo.is_Integer and hi.is_Integer:
            return Add(*[_rebuild(e.function, {**mapping, index: sympy.Integer(v)})
                         for v in range(int(lo), int(hi) + 1)])
        return Sum(_rebuild(e.function, _shadowed(mapping, index)), (index, lo, hi))
    if not e.args:
        return e
    args = [_rebuild(a, mapping) for a in e.args]
    if all(a is b for a, b in zip(args, e.args)):
        return e
    if isinstance(e, (Max, Min)):
        return e.func(*args, evaluate=False)
    rebuilt = e.func(*args)
    if isinstance(rebuilt, Indexed) and rebuilt in mapping:      # a label y_n whose n was just put in: its class
        return mapping[rebuilt]
    return rebuilt


def instantiate(expr, mapping: dict, memo: dict | None = None):
    """``expr`` for one instance: ``mapping`` put in (K, y_i, k, Delta ...), every sum with known bounds
    written out, max, min and indicators kept as they stand (unevaluated: SymPy's evaluation of
    Heaviside(s_3 - s_0 + 1) asks about signs and takes a millisecond each, a second at K = 1000).

    ``memo`` (for this mapping) shares the work between the entries of a vector.
    """
    memo = {} if memo is None else memo
    mapping = {key: sympy.sympify(value) for key, value in mapping.items()}

    def walk(e):
        found = memo.get(e)
        if found is not None:
            return e if found is _SAME else found
        if e in mapping:
            result = mapping[e]
        elif isinstance(e, (SumExcept, Sum)) and (terms := _written_out_terms(e, mapping)) is not None:
            result = Add(*[instantiate(body, inner) for body, inner in terms])
        elif isinstance(e, MaxOver) and e.index in mapping:     # its own index inside: not the outer value
            result = MaxOver(instantiate(e.function, _shadowed(mapping, e.index)), e.index,
                             *(walk(a) for a in e.args[2:]))
        elif not e.args:
            result = e
        else:
            args = [walk(a) for a in e.args]
            if all(a is b for a, b in zip(args, e.args)):
                result = e
            elif isinstance(e, (Max, Min, Heaviside)):
                result = e.func(*args, evaluate=False)
            else:
                result = e.func(*args)
        memo[e] = _SAME if result is e else result
        return result

    return walk(expr)


_SAME = object()        # memo: the expression is unchanged (give back this very object, not an equal copy)


def _written_out_terms(e, mapping):
    """[(summand, mapping for that term)] of a sum whose bounds ``mapping`` makes known, or None."""
    if isinstance(e, SumExcept):
        lo, hi, ex = (instantiate(a, mapping) for a in (e.lower, e.upper, e.excluded))
        if not (lo.is_Integer and hi.is_Integer and ex.is_Integer):
            return None
        return [(e.function, {**mapping, e.index: sympy.Integer(v)}) for v in range(int(lo), int(hi) + 1)
                if v != int(ex)]
    if len(e.limits) != 1:
        return None
    index, lo, hi = e.limits[0]
    lo, hi = instantiate(lo, mapping), instantiate(hi, mapping)
    if not (lo.is_Integer and hi.is_Integer):
        return None
    return [(e.function, {**mapping, index: sympy.Integer(v)}) for v in range(int(lo), int(hi) + 1)]


def _expand_sums(e):
    """``e`` with every sum whose bounds are known written out."""
    return _rebuild(e, {})


_COMPILED: dict = {}
_DERIVATIVES: dict = {}
_RELATIONS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
              ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def compiled(e):
    """A Python function ``f(env, point, record) -> float`` computing ``e`` (built once per expression)."""
    fn = _COMPILED.get(e)
    if fn is None:
        fn = _COMPILED[e] = _compile(e)
    return fn


def _missing(what):
    raise NotEvaluable(f"no value for {what}")


def _index_fn(e):
    """A function ``f(env) -> int`` for an index expression (an integer, a symbol, or y_i + 1 ...)."""
    if isinstance(e, sympy.Integer):
        value = int(e)
        return lambda env: value
    if isinstance(e, Symbol):
        def index(env):
            try:
                return env[e]
            except KeyError:
                raise NotEvaluable(f"no value for the index {e}") from None
        return index
    if isinstance(e, Indexed) and e.base.is_integer:
        # a label of a batch, y_n: the instance gives each example's class as env[(y, (n,))]
        base, positions = e.base, [_index_fn(i) for i in e.indices]

        def label(env):
            key = (base, tuple(f(env) for f in positions))
            try:
                return env[key]
            except KeyError:
                raise NotEvaluable(f"no value for the label {base}{list(key[1])}") from None
        return label
    fn = compiled(e)

    def general(env):
        value = fn(env, {}, None)
        if value != int(value):
            raise NotEvaluable(f"index {e} is not an integer")
        return int(value)
    return general


def _record(record, node, env, u):
    if record is not None:
        record[(node, frozenset(env.items()))] = u


def _compile(e):
    if isinstance(e, (Number, NumberSymbol)):
        constant = float(e)
        return lambda env, pt, rec: constant
    if isinstance(e, Symbol):
        if e.is_integer:
            def integer(env, pt, rec):
                try:
                    return float(env[e])
                except KeyError:
                    return pt[e] if e in pt else _missing(e)
            return integer

        def real(env, pt, rec):
            try:
                return pt[e]
            except KeyError:
                return _missing(e)
        return real
    if isinstance(e, Indexed) and e.base.is_integer:
        label = _index_fn(e)
        return lambda env, pt, rec: float(label(env))
    if isinstance(e, Indexed):
        base, indices = e.base, [_index_fn(i) for i in e.indices]

        def indexed(env, pt, rec):
            if e in pt:                    # an indexed unknown taken as a whole (s_j with j unset)
                return pt[e]
            key = (base, tuple(f(env) for f in indices))
            try:
                return pt[key]
            except KeyError:
                return _missing(f"{base}{list(key[1])}")
        return indexed
    if isinstance(e, Add):
        fns = [compiled(a) for a in e.args]
        return lambda env, pt, rec: math.fsum([f(env, pt, rec) for f in fns])
    if isinstance(e, Mul):
        fns = [compiled(a) for a in e.args]

        def product(env, pt, rec):
            result = 1.0
            for f in fns:
                result *= f(env, pt, rec)
            if not math.isfinite(result):          # a factor beyond double precision: no number to compare here
                raise OverflowError("a product beyond double precision")
            return result
        return product
    if isinstance(e, Pow):
        base, exponent = compiled(e.args[0]), compiled(e.args[1])
        return lambda env, pt, rec: _real_power(base(env, pt, rec), exponent(env, pt, rec))
    if isinstance(e, exp):
        inner = compiled(e.args[0])
        return lambda env, pt, rec: math.exp(inner(env, pt, rec))
    if isinstance(e, log):
        inner = compiled(e.args[0])
        return lambda env, pt, rec: math.log(inner(env, pt, rec))
    if isinstance(e, Max) and len(e.args) == 2:
        first, second = compiled(e.args[0]), compiled(e.args[1])

        def maximum(env, pt, rec):
            a, b = first(env, pt, rec), second(env, pt, rec)
            _record(rec, e, env, a - b)
            return a if a >= b else b
        return maximum
    if isinstance(e, (Max, Min)):
        fns, largest = [compiled(a) for a in e.args], isinstance(e, Max)

        def extreme(env, pt, rec):
            values = sorted((f(env, pt, rec) for f in fns), reverse=largest)
            _record(rec, e, env, values[0] - values[1])      # how far from a tie of the two extreme ones
            return values[0]
        return extreme
    if isinstance(e, Heaviside):
        inner = compiled(e.args[0])
        at_kink = float(e.args[1]) if len(e.args) > 1 else 0.5

        def step(env, pt, rec):
            u = inner(env, pt, rec)
            _record(rec, e, env, u)
            return 1.0 if u > 0 else 0.0 if u < 0 else at_kink
        return step
    if isinstance(e, DiracDelta):
        inner = compiled(e.args[0])

        def dirac(env, pt, rec):
            u = inner(env, pt, rec)
            _record(rec, e, env, u)
            if u == 0:
                raise NotEvaluable("DiracDelta on its kink")
            return 0.0
        return dirac
    if isinstance(e, KroneckerDelta):
        first, second = _index_fn(e.args[0]), _index_fn(e.args[1])
        return lambda env, pt, rec: 1.0 if first(env) == second(env) else 0.0
    if isinstance(e, SumExcept):
        body, index = compiled(e.function), e.index
        lower, upper, excluded = _index_fn(e.lower), _index_fn(e.upper), _index_fn(e.excluded)

        def sum_except(env, pt, rec):
            skip = excluded(env)
            return math.fsum([body({**env, index: v}, pt, rec)
                              for v in range(lower(env), upper(env) + 1) if v != skip])
        return sum_except
    if isinstance(e, Sum):
        return _remembered(e, _compile_sum(compiled(e.function), list(e.limits)))
    if isinstance(e, (MaxOver, Argmax)):
        return _compile_max_over(e)
    if isinstance(e, Derivative):
        return _compile_derivative(e)
    if isinstance(e, (Abs, sympy.sign)):
        inner, magnitude = compiled(e.args[0]), isinstance(e, Abs)

        def kinked(env, pt, rec):
            u = inner(env, pt, rec)
            _record(rec, e, env, u)
            return abs(u) if magnitude else (1.0 if u > 0 else -1.0 if u < 0 else 0.0)
        return kinked
    if type(e) in FLOAT_FUNCTIONS and len(e.args) == 1:
        function, inner = FLOAT_FUNCTIONS[type(e)], compiled(e.args[0])

        def elementary(env, pt, rec):
            try:
                return function(inner(env, pt, rec))
            except ZeroDivisionError:
                raise OutsideDomain(f"{type(e).__name__} has a pole here") from None
        return elementary
    if isinstance(e, Piecewise):
        branches = [(compiled(value), condition) for value, condition in e.args]

        def piecewise(env, pt, rec):
            for value, condition in branches:
                if condition is sympy.true or holds(condition, pt, env):
                    return value(env, pt, rec)
            raise NotEvaluable("no branch of a Piecewise applies")
        return piecewise
    raise NotEvaluable(f"cannot evaluate {type(e).__name__}")


#: the values of sums within one evaluation (see :func:`_remembered`), or None outside one
_MEMO: list = [None]
_TOKENS = iter(range(1 << 62))


def _remembered(e, fn):
    """``fn`` (a sum) evaluated once per value of the integer symbols it depends on within one evaluation: a sum
    that appears many times over (the scores inside a softmax's numerator and its denominator) is added up once.
    Only a cache: the value is the same."""
    keys = tuple(sorted((s for s in e.free_symbols if isinstance(s, Symbol) and s.is_integer), key=str))
    token = next(_TOKENS)

    def remembered(env, pt, rec):
        memo = _MEMO[0]
        if memo is None:
            return fn(env, pt, rec)
        try:
            key = (token, tuple(env[s] for s in keys))
        except KeyError:
            return fn(env, pt, rec)
        found = memo.get(key)
        if found is None:
            found = memo[key] = fn(env, pt, rec)
        return found
    return remembered


def _evaluation(fn, env, point, record):
    """``fn`` at ``point`` with sums remembered for the length of this one evaluation."""
    if _MEMO[0] is not None:
        return fn(env, point, record)
    _MEMO[0] = {}
    try:
        return fn(env, point, record)
    finally:
        _MEMO[0] = None


def _compile_sum(body, limits):
    (index, lo, hi), rest = limits[0], limits[1:]
    lower, upper = _index_fn(lo), _index_fn(hi)
    inner = _compile_sum(body, rest) if rest else body

    def total(env, pt, rec):
        return math.fsum([inner({**env, index: v}, pt, rec) for v in range(lower(env), upper(env) + 1)])
    return total


def _compile_max_over(e):
    """max_j f_j over a range (or the indicator 1[at = argmax_j f_j], the first of the largest); the gap between
    the two largest terms is recorded as the node's kink argument (a tie is where the argmax changes)."""
    body, index = compiled(e.function), e.index
    lower, upper, excluded = _index_fn(e.lower), _index_fn(e.upper), _index_fn(e.excluded)
    at = _index_fn(e.at) if isinstance(e, Argmax) else None

    def largest(env, pt, rec):
        skip = excluded(env)
        values = [(body({**env, index: v}, pt, rec), v) for v in range(lower(env), upper(env) + 1) if v != skip]
        if not values:
            raise NotEvaluable("a maximum over no terms")
        best_value, best_index = values[0]
        for value, v in values[1:]:
            if value > best_value:
                best_value, best_index = value, v
        if len(values) > 1:
            second = max(value for value, v in values if v != best_index)
            _record(rec, e, env, best_value - second)
        if at is None:
            return best_value
        return 1.0 if at(env) == best_index else 0.0
    return largest


def _compile_derivative(node):
    """d f / d v, taken by ``sympy.diff``.

    SymPy differentiates the symbolic expression once (d s_j / d s_k is
    delta_{jk}, sums term by term); only when it leaves a derivative
    unevaluated are f and v made concrete for the current indices and
    differentiated again, instance by instance.
    """
    variables = [v for v, n in node.variable_count for _ in range(n)]
    symbolic = sympy.diff(node.expr, *variables)
    if not symbolic.has(Derivative):
        return compiled(symbolic)
    free = set(node.expr.free_symbols)
    for v in variables:
        free |= v.free_symbols
    names = {a.base.label for a in node.expr.atoms(Indexed)}      # y of the labels y_n is a name, not an index
    indices = sorted((a for a in free if isinstance(a, Symbol) and a.is_integer and a not in names), key=str)

    label_bases = {a.base for a in node.expr.atoms(Indexed) if a.base.is_integer}

    def derivative(env, pt, rec):
        try:
            values = tuple(env[i] for i in indices)
        except KeyError as missing:
            raise NotEvaluable(f"no value for the index {missing.args[0]}") from None
        # the labels y_n of a batch, put in with the indices (a max over j != y_n is then written out)
        labels = tuple(sorted(((k, v) for k, v in env.items() if isinstance(k, tuple) and k[0] in label_bases),
                              key=str)) if label_bases else ()
        key = (node, values, labels)
        fn = _DERIVATIVES.get(key)
        if fn is None:
            mapping = dict(zip(indices, values))
            mapping.update(dict(labels))
            inner = concrete(node.expr, mapping)
            concrete_variables = tuple(concrete(v, mapping) for v in variables)
            fn = _DERIVATIVES[key] = compiled(_expand_sums(sympy.diff(inner, *concrete_variables)))
        return fn({}, pt, rec)
    return derivative


def holds(condition, point, env=None) -> bool:
    """Whether a relation (or an And/Or/Not of relations) holds at ``point``."""
    env = env or {}
    if isinstance(condition, sympy.And):
        return all(holds(c, point, env) for c in condition.args)
    if isinstance(condition, sympy.Or):
        return any(holds(c, point, env) for c in condition.args)
    if isinstance(condition, sympy.Not):
        return not holds(condition.args[0], point, env)
    lhs = compiled(condition.lhs)(env, point, None)
    rhs = compiled(condition.rhs)(env, point, None)
    return _RELATIONS[condition.rel_op](lhs, rhs)


class Instance:
    """Evaluation with fixed integer values ``env`` (the class count K and the free indices)."""

    def __init__(self, env: dict):
        self.env = dict(env)

    def value(self, expr, point: dict, record=None) -> float:
        """The float value of ``expr`` at ``point``; kink arguments go to ``record`` ((node, env) -> u)."""
        return _evaluation(compiled(expr), self.env, point, record)

    def holds(self, condition, point) -> bool:
        return holds(condition, point, self.env)


def evaluate(expr, point: dict, env: dict | None = None) -> float:
    """The float value of ``expr`` at ``point`` with the integer values ``env``."""
    return _evaluation(compiled(expr), env or {}, point, None)
