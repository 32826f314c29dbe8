"""Checking every step before it is shown.

The parts, each with one job:

* :mod:`.definitions`: putting in what defined names stand for;
* :mod:`.unknowns`: which indices, counts and real unknowns a step has;
* :mod:`.instances`: choosing class counts (and D, N) and index values;
* :mod:`.sampling`: random points, and points on a chosen side of each kink;
* :mod:`.comparison`: comparing both sides at those points;
* :mod:`.exact`: symbolic cancellation and exact arithmetic on numbers;
* :mod:`.equivalence`: whether two conditions hold at the same points;
* :mod:`.verifier`: the :class:`Verifier` that picks the method for each step;
* :mod:`.final`: the derived gradient against ``sympy.diff`` and finite differences.
"""
from .comparison import KINK_CLEARANCE, RELATIVE_TOLERANCE
from .definitions import differentiate_by_names, expand_definitions
from .exact import exact_digits
from .final import FinalCheck, final_check
from .instances import CLASS_COUNTS
from .unknowns import integer_symbols, symbolic_counts
from .verifier import VerificationError, Verifier

__all__ = ["Verifier", "VerificationError", "final_check", "FinalCheck", "expand_definitions",
           "differentiate_by_names", "exact_digits", "integer_symbols", "symbolic_counts", "CLASS_COUNTS",
           "RELATIVE_TOLERANCE", "KINK_CLEARANCE"]
