"""Claim checks: every quantitative statement of the book, tested against its theory where it is made.

nbval proves that a chapter's output repeats; a claim check proves that it is *right*. A call such as ::

    claim("ch3-tz-slope", measured=fit, predicted=ll.tz_slope(problem), se=fit_se, n_se=3,
          statement="the fitted slope of L(eta) matches E|g_i|^2/4")

compares a measurement with a prediction, raises :class:`ClaimFailed` (an ``AssertionError``, so the
notebook fails under nbval and in the book build) when they disagree beyond the tolerance, and
returns a :class:`Claim` record. Made the last expression of a cell (or passed to
``IPython.display.display``), the record shows as a one-line badge under the code ("checked: 0.2369
± 0.0013 vs 0.2395 predicted, 2.0 s.e. apart (tolerance 3 s.e.)") and carries a machine-readable copy
that the book's Claims page collects at build time. A claim that is checked but not displayed still
fails when it is wrong, but it is missing from the Claims page.

.. rubric:: How to write a claim check

**What to check.** Every place where the text says a measurement agrees with a formula, an exponent
has a value, a bound holds, or one method beats another. The claim id is ``ch<N>-<short-name>``
(lower-case letters, digits and hyphens; it becomes the anchor the Claims page links to), unique in
the book: the build fails on a repeated id. Within one kernel session repeating an id is allowed, so
that re-running a cell is harmless. The statement is one plain-text sentence saying what holds.

**Which test.** Exactly one of:

* ``predicted=`` with a tolerance: agreement, ``|measured - predicted| <= atol + rtol |predicted| +
  n_se se`` (give any of the three parts; they add up). Use ``se`` for Monte Carlo estimates,
  ``rtol`` for a known systematic error (a discretisation bias of order lr, a truncated series),
  ``atol`` for quantities that may be zero.
* ``within=(low, high)``: an interval, ``low <= measured <= high`` ("the exponent lies in
  [0.45, 0.55]"), for a fitted exponent whose theory value holds only asymptotically. ``predicted``
  may be given to show the theory value; ``se`` is shown but does not widen the interval, so choose
  the interval wide enough for the statistics.
* ``below=`` / ``above=``: an inequality with another value, ``bound - measured > n_se se`` (or
  ``measured - bound > n_se se``); without ``se`` simply ``measured < bound`` (``>``). For "method A
  beats method B" pass the standard error of the *difference*, e.g. ``hypot(se_a, se_b)`` for
  independent runs.

**Honest standard errors.** ``se`` must be the standard error of ``measured`` from statistically
independent pieces: :func:`replica_se` over independent replicas (chains or seeds), or
:func:`batch_means_se` over a correlated time series (batches much longer than the correlation time).
The naive ``std(samples) / sqrt(n)`` over the steps of one chain underestimates it by the square
root of the integrated autocorrelation time and makes claims fail for other seeds. With ``n_se=3`` a
correct claim fails for about 0.3 % of seeds (two-sided normal tail); use ``n_se=4`` where a chapter
makes many Monte Carlo claims. A prediction with its own uncertainty enters through the combined
``se = hypot(se_measured, se_predicted)``.

**Identities.** A statement that holds by construction (an identity the solver enforces, the mass of
a conservative scheme, a sum rule of the definitions) is checked with ``kind="identity"``: it is
still tested, but shown as "consistency check (holds by construction)" and listed apart on the
Claims page, never as evidence. An identity has no standard error, and its badge shows the tolerance
rather than the rounding-level difference (which varies between CPUs).

**Output.** Numbers are shown to 4 significant digits (standard errors to 2), as the chapters print
their headline numbers, so the output repeats across BLAS builds; the record attributes keep full
precision. The check itself is the test: a claim cell needs no ``nbval-check-output`` tag.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from langevin_lib._validation import as_count, as_finite_array, as_interval

__all__ = ["CLAIM_MIME_TYPE", "Claim", "ClaimFailed", "batch_means_se", "claim", "glue", "replica_se"]

#: MIME type of the machine-readable record in a claim's display output (read by tools, not rendered).
CLAIM_MIME_TYPE = "application/vnd.langevin-claim+json"

_ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# myst-nb's prefix for a glued value that is recorded but not shown (``glue(..., display=False)``).
_GLUE_PREFIX = "application/papermill.record/"
_KINDS = ("evidence", "identity")


@dataclass(frozen=True)
class Claim:
    """The record of a claim check: returned by :func:`claim` when it passes, carried by :class:`ClaimFailed` if not.

    It renders as a one-line badge in a notebook and in the book (HTML with the CSS classes of
    ``book/_static/claims.css``, plain ASCII text elsewhere, including the PDF) and carries a JSON
    copy under the MIME type :data:`CLAIM_MIME_TYPE` for the Claims page.

    Attributes
    ----------
    claim_id : str
        Unique id in the book, such as ``"ch3-tz-slope"``.
    statement : str
        The sentence that the check supports.
    test : {"agreement", "interval", "below", "above"}
        Which comparison was made (see :func:`claim`).
    kind : {"evidence", "identity"}
        ``"identity"`` for statements that hold by construction (consistency checks).
    measured : float
        The measured value.
    predicted : float or None
        The theory value (agreement; shown only, for an interval).
    se : float or None
        Standard error of ``measured``.
    n_se : float or None
        Number of standard errors allowed (agreement) or required (inequalities).
    rtol, atol : float or None
        Relative and absolute tolerances (agreement).
    within : tuple of float or None
        The interval ``(low, high)``.
    bound : float or None
        The value ``measured`` is compared with by an inequality.
    """

    claim_id: str
    statement: str
    test: Literal["agreement", "interval", "below", "above"]
    measured: float
    kind: Literal["evidence", "identity"] = "evidence"
    predicted: float | None = None
    se: float | None = None
    n_se: float | None = None
    rtol: float | None = None
    atol: float | None = None
    within: tuple[float, float] | None = None
    bound: float | None = None

    @property
    def tolerance(self) -> float | None:
        """Allowed ``|measured - predicted|`` (agreement) or required margin (inequalities); None for an interval."""
        se_part = self.n_se * self.se if self.se is not None else 0.0
        if self.test == "agreement":
            return (self.atol or 0.0) + (self.rtol or 0.0) * abs(self.predicted) + se_part
        if self.test in ("below", "above"):
            return se_part
        return None

    @property
    def passed(self) -> bool:
        """Whether the measurement satisfies the claim."""
        m = self.measured
        if self.test == "agreement":
            return abs(m - self.predicted) <= self.tolerance
        if self.test == "interval":
            return self.within[0] <= m <= self.within[1]
        if self.test == "below":
            return self.bound - m > self.tolerance
        return m - self.bound > self.tolerance

    # -- text pieces, shared by the badge, the plain text, the ledger record and the failure message --

    def _label(self) -> str:
        return "consistency check (holds by construction)" if self.kind == "identity" else "checked"

    def _measured_text(self, pm: str) -> str:
        return _num(self.measured) + (f" {pm} {_num(self.se, 2)}" if self.se is not None else "")

    def _reference_text(self) -> str:
        """What the measurement is compared with, as the ledger's "predicted" column shows it."""
        if self.test == "agreement":
            return _num(self.predicted)
        if self.test == "interval":
            theory = f" (theory {_num(self.predicted)})" if self.predicted is not None else ""
            return f"in [{_num(self.within[0])}, {_num(self.within[1])}]{theory}"
        return f"{self.test} {_num(self.bound)}"

    def _tolerance_text(self) -> str:
        if self.test == "interval":
            return "interval"
        parts = []
        if self.se is not None:
            parts.append(f"{_num(self.n_se, 2)} s.e.")
        if self.rtol is not None:
            parts.append(_relative(self.rtol, 3))
        if self.atol is not None:
            parts.append(_num(self.atol, 3))
        if self.test == "agreement":
            return " + ".join(parts)
        return f"margin {parts[0]}" if parts else "strict"

    def _outcome_text(self) -> str:
        """How the measurement relates to the reference, without rounding-level numbers for identities."""
        if self.test == "interval":
            return f"lies {self._reference_text()}"
        if self.test in ("below", "above"):
            if self.se is None or self.kind == "identity":
                return f"is {self.test} {_num(self.bound)}"
            gap = abs(self.measured - self.bound) / self.se
            return f"is {gap:.1f} s.e. {self.test} {_num(self.bound)} (required {_num(self.n_se, 2)} s.e.)"
        if self.kind == "identity":
            return f"vs {_num(self.predicted)} predicted, equal to within {_num(self.tolerance, 2)}"
        diff = abs(self.measured - self.predicted)
        parts = [x is not None for x in (self.se, self.rtol, self.atol)]
        tolerance = self._tolerance_text()
        if parts == [True, False, False]:
            apart = f"{diff / self.se:.1f} s.e. apart"
        elif parts == [False, True, False]:
            apart = f"{_relative(diff / abs(self.predicted), 2)} apart"
        else:
            apart = f"{_num(diff, 2)} apart"
            if sum(parts) > 1:
                tolerance = f"{_num(self.tolerance, 2)} = {tolerance}"
        return f"vs {_num(self.predicted)} predicted, {apart} (tolerance {tolerance})"

    def _result_text(self, pm: str) -> str:
        return f"{self._measured_text(pm)} {self._outcome_text()}"

    def _failure_message(self) -> str:
        m, lines = self.measured, [f"claim {self.claim_id!r} failed: {self.statement}"]
        se = f" (standard error {self.se:.6g})" if self.se is not None else ""
        lines.append(f"  measured:  {m:.6g}{se}")
        if self.test == "agreement":
            diff, tol = abs(m - self.predicted), self.tolerance
            in_se = f" = {diff / self.se:.3g} s.e." if self.se is not None else ""
            lines.append(f"  predicted: {self.predicted:.6g}")
            lines.append(f"  |measured - predicted| = {diff:.3g}{in_se} exceeds the tolerance {tol:.3g}"
                         f" ({self._tolerance_text()})")
        elif self.test == "interval":
            lines.append(f"  lies outside the interval [{self.within[0]:.6g}, {self.within[1]:.6g}]")
        else:
            gap = self.bound - m if self.test == "below" else m - self.bound
            lines.append(f"  bound:     {self.bound:.6g}")
            if self.se is None:
                lines.append(f"  is not {self.test} the bound: the gap is {gap:.3g}")
            else:
                lines.append(
                    f"  is not {self.test} the bound by more than {self.tolerance:.3g} ({self._tolerance_text()}):"
                    f" the gap is {gap:.3g} = {gap / self.se:.3g} s.e."
                )
        if self.kind == "identity":
            lines.append("  (an identity that should hold by construction: look for a bug, not for bad luck)")
        return "\n".join(lines)

    def to_record(self) -> dict[str, Any]:
        """The JSON-ready record for the Claims page: values rounded as displayed, plus the display texts."""
        return {
            "schema": "langevin-claim/1",
            "id": self.claim_id,
            "statement": self.statement,
            "kind": self.kind,
            "test": self.test,
            "passed": self.passed,
            "measured": _round(self.measured, 4),
            "predicted": _round(self.predicted, 4),
            "se": _round(self.se, 2),
            "n_se": self.n_se,
            "rtol": self.rtol,
            "atol": self.atol,
            "within": list(self.within) if self.within is not None else None,
            "bound": _round(self.bound, 4),
            "text": {
                "status": "consistency check" if self.kind == "identity" else "passed",
                "measured": self._measured_text("±"),
                "predicted": self._reference_text(),
                "tolerance": self._tolerance_text(),
                "result": self._result_text("±"),
            },
        }

    # -- rich display (IPython merges these) --

    def __str__(self) -> str:
        return f"{self._label()}: {self._result_text('+/-')} -- {self.statement} [{self.claim_id}]"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))

    def _repr_html_(self) -> str:
        esc = html.escape
        mark = "≡" if self.kind == "identity" else "✓"
        data = esc(json.dumps(self.to_record(), ensure_ascii=True), quote=True)
        return (
            f'<div class="ll-claim ll-claim-{self.kind}" data-langevin-claim="{data}">'
            f'<span class="ll-claim-mark" aria-hidden="true">{mark}</span> '
            f'<span class="ll-claim-label">{esc(self._label())}:</span> '
            f'<span class="ll-claim-result">{esc(self._result_text("±"))}</span> '
            f'<span class="ll-claim-statement">— {esc(self.statement)}</span> '
            f'<code class="ll-claim-id">{esc(self.claim_id)}</code></div>'
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {CLAIM_MIME_TYPE: self.to_record()}


class ClaimFailed(AssertionError):
    """A claim check whose measurement disagrees with its prediction beyond the tolerance.

    Attributes
    ----------
    claim : Claim
        The full record (all values and tolerances).
    claim_id, statement : str
        The id and the sentence that failed.
    measured : float
        The measured value.
    predicted : float or None
        What it was compared with: the prediction, or the bound of an inequality
        (for an interval, the theory value if one was given).
    tolerance : float or None
        ``claim.tolerance``: the allowed difference, or the required margin of an inequality.
    """

    def __init__(self, claim: Claim) -> None:
        super().__init__(claim._failure_message())
        self.claim = claim
        self.claim_id = claim.claim_id
        self.statement = claim.statement
        self.measured = claim.measured
        self.predicted = claim.bound if claim.test in ("below", "above") else claim.predicted
        self.tolerance = claim.tolerance

    def __reduce__(self) -> tuple[type, tuple[Claim]]:
        return (ClaimFailed, (self.claim,))


def claim(
    claim_id: str,
    *,
    measured: float,
    statement: str,
    predicted: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    se: float | None = None,
    n_se: float | None = None,
    within: tuple[float, float] | None = None,
    below: float | None = None,
    above: float | None = None,
    kind: Literal["evidence", "identity"] = "evidence",
) -> Claim:
    r"""Check a quantitative claim; raise :class:`ClaimFailed` if it does not hold, else return its record.

    Exactly one test is made, chosen by the arguments given:

    * agreement (``predicted`` with at least one of ``rtol``, ``atol``, ``se``):

      .. math:: |m - p| \le \mathrm{atol} + \mathrm{rtol}\,|p| + n_{se}\,\mathrm{se};

    * interval (``within=(low, high)``): :math:`\mathrm{low} \le m \le \mathrm{high}`;
    * inequality (``below=b`` or ``above=b``): :math:`b - m > n_{se}\,\mathrm{se}` or
      :math:`m - b > n_{se}\,\mathrm{se}` (with no ``se``, simply :math:`m < b` or :math:`m > b`).

    Parameters
    ----------
    claim_id : str
        Unique id in the book, ``ch<N>-<short-name>``: lower-case letters, digits and single hyphens.
        Repeating an id in one kernel session is allowed (re-running a cell); the book build fails on
        an id used twice.
    measured : float
        The measured value (a finite real scalar; reduce arrays first, e.g. to a maximal error).
    statement : str
        The plain-text sentence the check supports (non-empty).
    predicted : float, optional
        The theory value: compared by agreement, or shown next to an interval.
    rtol, atol : float, optional
        Relative and absolute tolerances (>= 0) of an agreement.
    se : float, optional
        Standard error (> 0) of ``measured`` (of the difference, for an inequality between two
        measurements), from independent replicas (:func:`replica_se`) or batch means
        (:func:`batch_means_se`), never from correlated samples. Shown, but not used, by an interval.
    n_se : float, optional
        Number of standard errors (> 0) allowed by an agreement or required by an inequality;
        3 when ``se`` is given and ``n_se`` is not.
    within : (float, float), optional
        The interval ``(low, high)``, ``low < high``.
    below, above : float, optional
        The value that ``measured`` must be below (above).
    kind : {"evidence", "identity"}
        ``"identity"`` for a statement that holds by construction: checked the same way but shown as
        a consistency check, never as evidence. Identities take no ``se``.

    Returns
    -------
    Claim
        The record; display it (last expression of a cell) to show the badge and list the claim on
        the book's Claims page.

    Raises
    ------
    ClaimFailed
        If the measurement does not satisfy the claim (message: id, statement, values, tolerance).
    ValueError
        If an argument is invalid or the arguments do not choose exactly one test.

    Examples
    --------
    >>> from langevin_lib.claims import claim
    >>> record = claim("demo", measured=0.2369, predicted=0.2395, se=0.0013, n_se=3,
    ...                statement="the slope is E|g|^2/4")
    >>> print(record)
    checked: 0.2369 +/- 0.0013 vs 0.2395 predicted, 2.0 s.e. apart (tolerance 3 s.e.) -- the slope is E|g|^2/4 [demo]
    """
    if not isinstance(claim_id, str) or not _ID_PATTERN.fullmatch(claim_id):
        raise ValueError(
            "claim_id must be lower-case letters and digits joined by single hyphens, "
            f"such as 'ch3-tz-slope', got {claim_id!r}"
        )
    if not isinstance(statement, str) or not statement.strip():
        raise ValueError(f"statement must be a non-empty sentence, got {statement!r}")
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}")
    m = _scalar(measured, "measured")
    p = None if predicted is None else _scalar(predicted, "predicted")
    rtol = None if rtol is None else _non_negative(rtol, "rtol")
    atol = None if atol is None else _non_negative(atol, "atol")
    se = None if se is None else _positive(se, "se")
    if n_se is not None:
        n_se = _positive(n_se, "n_se")
        if se is None:
            raise ValueError("n_se needs se: give the standard error that n_se counts")
    elif se is not None:
        n_se = 3.0
    if se is not None and kind == "identity":
        raise ValueError("se must not be given for kind='identity': an identity holds by construction, not in mean")

    tests = [name for name, value in (("within", within), ("below", below), ("above", above)) if value is not None]
    if len(tests) > 1:
        raise ValueError(f"give only one of within, below, above, got {' and '.join(tests)}")
    common = {"claim_id": claim_id, "statement": statement.strip(), "measured": m, "kind": kind, "se": se, "n_se": n_se}
    if tests:
        if rtol is not None or atol is not None:
            raise ValueError(f"rtol and atol belong to an agreement with predicted, not to {tests[0]}")
        if tests[0] == "within":
            record = Claim(test="interval", predicted=p, within=as_interval(within, "within"), **common)
        else:
            if p is not None:
                raise ValueError(f"predicted is compared by agreement or shown with within, not with {tests[0]}")
            bound = _scalar(below if tests[0] == "below" else above, tests[0])
            record = Claim(test=tests[0], bound=bound, **common)
    else:
        if p is None:
            raise ValueError("give predicted (with rtol, atol or se), within, below or above: the claim makes no test")
        if rtol is None and atol is None and se is None:
            raise ValueError("an agreement with predicted needs a tolerance: give rtol, atol or se")
        if rtol is not None and atol is None and se is None and p == 0:
            raise ValueError("rtol alone gives a zero tolerance when predicted is 0: give atol")
        record = Claim(test="agreement", predicted=p, rtol=rtol, atol=atol, **common)
    if not record.passed:
        raise ClaimFailed(record)
    return record


def replica_se(values: Any, axis: int = 0) -> float | np.ndarray:
    r"""Standard error of the mean over independent replicas.

    .. math:: \mathrm{se} = \frac{s}{\sqrt{n}}, \qquad
       s^2 = \frac{1}{n-1}\sum_{r=1}^{n} (x_r - \bar x)^2,

    where :math:`x_r` is the estimate from replica :math:`r` (an independent chain, seed or data
    draw). Correct only when the replicas are independent; for the steps of one chain use
    :func:`batch_means_se`.

    Parameters
    ----------
    values : array_like
        One estimate per replica along ``axis`` (at least 2), finite.
    axis : int
        The replica axis.

    Returns
    -------
    float or numpy.ndarray
        The standard error of ``values.mean(axis)``; a float for 1-D input.

    Raises
    ------
    ValueError
        If ``values`` is not finite, or has fewer than 2 replicas along ``axis``.
    """
    x = as_finite_array(values, "values")
    if x.ndim == 0:
        raise ValueError("values must hold one estimate per replica along axis, got a scalar")
    axis = _axis(axis, x.ndim)
    n = x.shape[axis]
    if n < 2:
        raise ValueError(f"values must hold at least 2 replicas along axis {axis}, got {n}")
    se = np.std(x, axis=axis, ddof=1) / math.sqrt(n)
    return float(se) if se.ndim == 0 else se


def batch_means_se(series: Any, n_batches: int = 20) -> float | np.ndarray:
    r"""Standard error of the time average of a correlated series, by non-overlapping batch means.

    The series of length :math:`T` (axis 0) is cut into :math:`k` = ``n_batches`` consecutive batches
    of length :math:`b = \lfloor T/k \rfloor` (the first :math:`T - kb` samples are dropped, as a
    little extra burn-in); with :math:`\bar x_j` the mean of batch :math:`j`,

    .. math:: \mathrm{se} = \sqrt{\frac{1}{k(k-1)} \sum_{j=1}^{k} (\bar x_j - \bar x)^2 }.

    For :math:`b` much longer than the integrated autocorrelation time :math:`\tau`, the batch means
    are nearly independent and :math:`\mathrm{se}^2` estimates :math:`\sigma^2_{\mathrm{LR}}/(kb)`,
    with :math:`\sigma^2_{\mathrm{LR}}` the long-run variance; its relative bias is of order
    :math:`\tau/b`, its relative scatter about :math:`1/\sqrt{2(k-1)}` (take :math:`k` from 20 to 50).
    The series should start in the stationary regime (discard the transient first).

    Parameters
    ----------
    series : array_like
        Samples along axis 0 (further axes, e.g. independent chains, are treated separately), finite.
    n_batches : int
        Number of batches :math:`k \ge 2`; every batch needs at least 1 sample.

    Returns
    -------
    float or numpy.ndarray
        The standard error of the time average; a float for 1-D input.

    Raises
    ------
    ValueError
        If ``series`` is not finite or not at least 1-D, or ``n_batches`` is not an integer in
        ``[2, len(series)]``.
    """
    x = as_finite_array(series, "series")
    if x.ndim == 0:
        raise ValueError("series must be a time series along axis 0, got a scalar")
    k = as_count(n_batches, "n_batches", minimum=2)
    if k > x.shape[0]:
        raise ValueError(f"n_batches must be at most the series length {x.shape[0]}, got {k}")
    b = x.shape[0] // k
    means = x[x.shape[0] - k * b :].reshape(k, b, *x.shape[1:]).mean(axis=1)
    return replica_se(means)


def _scalar(value: Any, name: str) -> float:
    arr = as_finite_array(value, name)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a finite real scalar, got an array of shape {arr.shape}")
    return float(arr)


def _positive(value: Any, name: str) -> float:
    x = _scalar(value, name)
    if x <= 0:
        raise ValueError(f"{name} must be finite and > 0, got {x!r}")
    return x


def _non_negative(value: Any, name: str) -> float:
    x = _scalar(value, name)
    if x < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {x!r}")
    return x


def _axis(axis: Any, ndim: int) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -ndim <= axis < ndim:
        raise ValueError(f"axis must be an integer in [{-ndim}, {ndim - 1}], got {axis!r}")
    return int(axis) % ndim


def _num(x: float, digits: int = 4) -> str:
    """``x`` to ``digits`` significant digits, as the chapters print numbers."""
    return format(x, f".{digits}g")


def _relative(x: float, digits: int) -> str:
    """A relative size as a percentage, or as a plain number when below 0.1 % ("rel. 1e-12")."""
    return f"{_num(100 * x, digits)}%" if x >= 1e-3 or x == 0 else f"rel. {_num(x, digits)}"


def _round(x: float | None, digits: int) -> float | None:
    return None if x is None else float(_num(x, digits))


def glue(name: str, value: float | int | str) -> None:
    """Record a computed number for the prose, as myst-nb's ``glue(name, value, display=False)`` does.

    The text then quotes the value with the role ``{glue:text}`name:.3f``` (any Python format spec
    after the colon), so that a sentence cannot disagree with the computation and rounding happens
    in the role, in one place. The output is the one myst-nb's ``glue`` writes (the value's
    ``text/plain`` repr under the ``application/papermill.record/`` prefix, with ``scrapbook``
    metadata), so the book build reads it; it is written here so that the notebooks run where
    myst-nb is not installed (Colab, a student's laptop), where it shows nothing. The launch
    notebooks (``tools/launch_notebooks.py``) replace each role by the formatted value.

    Parameters
    ----------
    name : str
        Key of the value, unique in the chapter: lower-case letters, digits and single hyphens,
        such as ``'ch3-tz-fit'`` (the build warns, and so fails, on a repeated key).
    value : float, int or str
        A finite real number (NumPy scalars included), or a string.

    Raises
    ------
    ValueError
        If the name is not such a key or the value is not a finite number or a string.
    """
    from IPython.display import display  # only a kernel glues: importing IPython is slow

    if not isinstance(name, str) or not _ID_PATTERN.fullmatch(name):
        raise ValueError(
            f"name must be lower-case letters and digits joined by single hyphens, such as 'ch3-tz-fit', got {name!r}"
        )
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, (bool, np.bool_)):
        raise ValueError(f"value must be a finite number or a string, got the boolean {value!r}")
    elif isinstance(value, (int, np.integer)):
        text = repr(int(value))
    else:
        text = repr(_scalar(value, "value"))
    display(
        {_GLUE_PREFIX + "text/plain": text},
        raw=True,
        metadata={"scrapbook": {"name": name, "mime_prefix": _GLUE_PREFIX}},
    )
