"""Claim checks (langevin_lib.claims) and the Claims page extension (book/_ext/claims_ledger.py).

The tolerance tests put measurements just inside and just outside the documented formulas; the
standard-error helpers are checked against exact expectations (the unbiased variance of independent
replicas, the exact batch-means expectation of an AR(1) series); the end-to-end tests build a
two-page book with Sphinx and myst-nb, and run nbval on a notebook whose claim is wrong.
"""

from __future__ import annotations

import doctest
import html
import json
import math
import pickle
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from IPython.core.formatters import DisplayFormatter
from IPython.lib.pretty import pretty
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from scipy.signal import lfilter

from langevin_lib import claims
from langevin_lib.claims import CLAIM_MIME_TYPE, ClaimFailed, batch_means_se, claim, replica_se

ROOT = Path(__file__).resolve().parent.parent

# The example of issue 13: 0.2369 +- 0.0013 against 0.2395 is 2.0 standard errors apart.
SLOPE = {"measured": 0.2369, "predicted": 0.2395, "se": 0.0013, "statement": "the fitted slope matches E|g_i|^2/4"}


# ---------------------------------------------------------------- agreement


def test_se_agreement_passes_within_and_fails_beyond_n_se():
    record = claim("ch3-tz-slope", n_se=3, **SLOPE)
    assert record.passed and record.test == "agreement"
    assert record.tolerance == pytest.approx(3 * 0.0013)
    with pytest.raises(ClaimFailed):
        claim("ch3-tz-slope", n_se=1.5, **SLOPE)


def test_n_se_defaults_to_three():
    assert claim("a", measured=2.9, predicted=0.0, se=1.0, statement="s").n_se == 3.0
    with pytest.raises(ClaimFailed):
        claim("a", measured=3.1, predicted=0.0, se=1.0, statement="s")


@pytest.mark.parametrize(
    ("tolerance", "inside", "outside"),
    [
        # Binary fractions, so that the edges are exact in floating point.
        ({"atol": 0.5}, 1.5, 1.51),  # |m - p| <= atol, the edge included
        ({"rtol": 0.25}, 1.25, 1.26),  # |m - p| <= rtol |p|
        ({"atol": 0.125, "rtol": 0.125, "se": 0.125, "n_se": 2}, 1.5, 1.51),  # the parts add up
    ],
)
def test_agreement_tolerance_formula(tolerance, inside, outside):
    assert claim("a", measured=inside, predicted=1.0, statement="s", **tolerance).passed
    assert claim("a", measured=2.0 - inside, predicted=1.0, statement="s", **tolerance).passed  # |.| is symmetric
    with pytest.raises(ClaimFailed):
        claim("a", measured=outside, predicted=1.0, statement="s", **tolerance)


def test_rtol_is_relative_to_the_prediction_not_the_measurement():
    assert claim("a", measured=-2.19, predicted=-2.0, rtol=0.1, statement="s").tolerance == pytest.approx(0.2)
    with pytest.raises(ClaimFailed):
        claim("a", measured=-2.21, predicted=-2.0, rtol=0.1, statement="s")
    # 0.105 / 1.1 < 0.1 (relative to the measurement) would pass; relative to the prediction it must not.
    with pytest.raises(ClaimFailed):
        claim("a", measured=1.105, predicted=1.0, rtol=0.1, atol=0.0049, statement="s")


def test_atol_zero_demands_equality():
    assert claim("a", measured=3, predicted=3, atol=0, statement="three sign changes").passed
    with pytest.raises(ClaimFailed):
        claim("a", measured=3.0000001, predicted=3, atol=0, statement="three sign changes")


# ---------------------------------------------------------------- intervals and inequalities


def test_interval_includes_its_edges_and_se_does_not_widen_it():
    for m in (0.45, 0.5, 0.55):
        record = claim("ch3-exponent", measured=m, within=(0.45, 0.55), predicted=0.5, statement="s")
        assert record.test == "interval" and record.tolerance is None
    with pytest.raises(ClaimFailed, match=r"outside the interval \[0.45, 0.55\]"):
        claim("ch3-exponent", measured=0.56, within=(0.45, 0.55), se=0.1, statement="s")


def test_below_and_above_are_strict_without_se():
    assert claim("a", measured=0.99, below=1.0, statement="s").passed
    assert claim("a", measured=1.01, above=1.0, statement="s").passed
    for kwargs in ({"below": 1.0}, {"above": 1.0}):
        with pytest.raises(ClaimFailed):
            claim("a", measured=1.0, statement="s", **kwargs)


def test_inequalities_need_a_margin_of_n_se_standard_errors():
    # bound - m = 0.35 > 3 * 0.1
    assert claim("a", measured=0.65, below=1.0, se=0.1, statement="s").tolerance == pytest.approx(0.3)
    assert claim("a", measured=1.35, above=1.0, se=0.1, statement="s").passed
    with pytest.raises(ClaimFailed, match=r"by more than 0\.3"):
        claim("a", measured=0.75, below=1.0, se=0.1, statement="s")  # below, but only by 2.5 s.e.
    with pytest.raises(ClaimFailed):
        claim("a", measured=1.25, above=1.0, se=0.1, statement="s")


def test_identity_is_checked_and_labelled_as_a_consistency_check():
    record = claim("ch5-mass", measured=1.0 + 1e-14, predicted=1.0, atol=1e-12, kind="identity",
                   statement="the scheme conserves mass")
    assert record.kind == "identity"
    assert str(record).startswith("consistency check (holds by construction): ")
    assert "ll-claim-identity" in record._repr_html_() and "checked:" not in record._repr_html_()
    assert record.to_record()["text"]["status"] == "consistency check"
    # The badge states the tolerance, not the rounding-level difference (which varies between CPUs).
    assert "1e-12" in str(record) and "1e-14" not in str(record)
    with pytest.raises(ClaimFailed, match="look for a bug"):
        claim("ch5-mass", measured=1.001, predicted=1.0, atol=1e-12, kind="identity", statement="s")


# ---------------------------------------------------------------- the failure


def test_failure_is_an_assertion_error_that_names_everything():
    with pytest.raises(AssertionError) as info:
        claim("ch3-tz-slope", measured=0.2469, predicted=0.2395, se=0.0013, n_se=3,
              statement="the fitted slope matches E|g_i|^2/4")
    error = info.value
    assert isinstance(error, ClaimFailed)
    message = str(error)
    for text in ("'ch3-tz-slope'", "the fitted slope matches E|g_i|^2/4", "0.2469", "0.2395", "0.0013",
                 "0.0039", "3 s.e.", "5.69 s.e."):
        assert text in message, text
    assert (error.claim_id, error.measured, error.predicted) == ("ch3-tz-slope", 0.2469, 0.2395)
    assert error.tolerance == pytest.approx(0.0039)
    assert error.statement == "the fitted slope matches E|g_i|^2/4"
    assert not error.claim.passed
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == message and copy.claim == error.claim


def test_failure_of_an_inequality_reports_the_bound():
    with pytest.raises(ClaimFailed) as info:
        claim("ch6-rmsprop-wins", measured=0.031, below=0.030, statement="RMSProp reaches a lower loss")
    assert info.value.predicted == 0.030 and "bound:     0.03" in str(info.value)


# ---------------------------------------------------------------- rendering and the record


def test_text_rendering_is_one_ascii_line_with_the_numbers():
    record = claim("ch3-tz-slope", n_se=3, **SLOPE)
    text = str(record)
    assert text == ("checked: 0.2369 +/- 0.0013 vs 0.2395 predicted, 2.0 s.e. apart (tolerance 3 s.e.)"
                    " -- the fitted slope matches E|g_i|^2/4 [ch3-tz-slope]")
    assert text.isascii() and "\n" not in text  # survives the LaTeX builder's verbatim output
    assert pretty(record) == text


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"measured": 1.021, "predicted": 1.0, "rtol": 0.05}, "1.021 vs 1 predicted, 2.1% apart (tolerance 5%)"),
        ({"measured": 1.021, "predicted": 1.0, "atol": 0.05}, "1.021 vs 1 predicted, 0.021 apart (tolerance 0.05)"),
        ({"measured": 1.021, "predicted": 1.0, "atol": 0.01, "rtol": 0.01, "se": 0.01},
         "1.021 +/- 0.01 vs 1 predicted, 0.021 apart (tolerance 0.05 = 3 s.e. + 1% + 0.01)"),
        ({"measured": 1 + 1e-9, "predicted": 1.0, "rtol": 1e-8},
         "1 vs 1 predicted, rel. 1e-09 apart (tolerance rel. 1e-08)"),
        ({"measured": 0.497, "within": (0.45, 0.55), "predicted": 0.5, "se": 0.012},
         "0.497 +/- 0.012 lies in [0.45, 0.55] (theory 0.5)"),
        ({"measured": 0.0123, "below": 0.031, "se": 0.0004},
         "0.0123 +/- 0.0004 is 46.8 s.e. below 0.031 (required 3 s.e.)"),
        ({"measured": 2.5, "above": 2.0}, "2.5 is above 2"),
    ],
)
def test_text_of_every_tolerance_kind(kwargs, expected):
    assert str(claim("a", statement="s", **kwargs)) == f"checked: {expected} -- s [a]"


def test_html_badge_shows_the_numbers_and_escapes_the_statement():
    record = claim("ch3-tz-slope", measured=0.2369, predicted=0.2395, se=0.0013, statement="a <b> & c")
    badge = record._repr_html_()
    assert badge.startswith('<div class="ll-claim ll-claim-evidence"')
    for text in ("✓", "checked:", "0.2369 ± 0.0013 vs 0.2395 predicted, 2.0 s.e. apart (tolerance 3 s.e.)",
                 "a &lt;b&gt; &amp; c", ">ch3-tz-slope</code>"):
        assert text in badge, text
    assert "<b>" not in badge
    # The Claims page reads the record back from the badge's data attribute.
    data = re.search(r'data-langevin-claim="([^"]*)"', badge).group(1)
    assert json.loads(html.unescape(data)) == record.to_record()


def test_ipython_display_carries_text_html_and_the_json_record():
    record = claim("ch3-tz-slope", **SLOPE)
    bundle, _ = DisplayFormatter().format(record)
    assert bundle["text/plain"] == str(record)
    assert bundle["text/html"] == record._repr_html_()
    assert bundle[CLAIM_MIME_TYPE] == record.to_record()
    json.dumps(bundle[CLAIM_MIME_TYPE])  # JSON-serialisable, as a notebook output must be


def test_record_is_rounded_as_displayed_but_the_attributes_keep_full_precision():
    record = claim("a", measured=0.123456789, predicted=0.1234, se=0.000123456, statement="s")
    data = record.to_record()
    assert (data["measured"], data["predicted"], data["se"]) == (0.1235, 0.1234, 0.00012)
    assert record.measured == 0.123456789
    assert data["id"] == "a" and data["passed"] is True and data["text"]["status"] == "passed"
    assert data["text"]["measured"] == "0.1235 ± 0.00012" and data["text"]["tolerance"] == "3 s.e."


def test_repeating_an_id_in_one_session_is_allowed():
    # Re-running a notebook cell repeats its claim; the book build is where ids must be unique.
    assert claim("ch3-tz-slope", **SLOPE) == claim("ch3-tz-slope", **SLOPE)


def test_module_docstring_example_runs():
    result = doctest.testmod(claims)
    assert result.attempted >= 2 and result.failed == 0


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"measured": float("nan")}, "measured"),
        ({"measured": np.array([1.0, 2.0])}, "measured"),
        ({"measured": "one"}, "measured"),
        ({"predicted": float("inf")}, "predicted"),
        ({"se": -0.1}, "se"),
        ({"se": 0.0}, "se"),
        ({"n_se": 0.0}, "n_se"),
        ({"se": None, "n_se": 2.0}, "n_se"),
        ({"rtol": -0.1}, "rtol"),
        ({"atol": float("nan")}, "atol"),
        ({"statement": ""}, "statement"),
        ({"statement": "   "}, "statement"),
        ({"statement": None}, "statement"),
        ({"claim_id": "Ch3-slope"}, "claim_id"),
        ({"claim_id": "ch3_slope"}, "claim_id"),
        ({"claim_id": "ch3--slope"}, "claim_id"),
        ({"claim_id": ""}, "claim_id"),
        ({"claim_id": 3}, "claim_id"),
        ({"kind": "proof"}, "kind"),
        ({"kind": "identity"}, "se"),  # an identity has no standard error
        ({"predicted": None, "se": None}, "predicted"),  # no test at all
        ({"se": None}, "tolerance"),  # an agreement without a tolerance
        ({"predicted": 0.0, "se": None, "rtol": 0.1}, "atol"),  # rtol alone is zero at 0
        ({"predicted": None, "within": (0.5, 0.4)}, "within"),
        ({"predicted": None, "within": (0.4, 0.5), "below": 1.0}, "within and below"),
        ({"predicted": None, "below": 1.0, "atol": 0.1}, "rtol and atol"),
        ({"below": 1.0}, "predicted"),
        ({"predicted": None, "above": float("nan")}, "above"),
    ],
)
def test_bad_input_is_a_value_error_naming_the_argument(kwargs, argument):
    arguments = {"claim_id": "ch3-tz-slope", **SLOPE, **kwargs}
    with pytest.raises(ValueError, match=argument):
        claim(arguments.pop("claim_id"), **arguments)


# ---------------------------------------------------------------- standard errors


def test_replica_se_is_the_sample_standard_deviation_over_root_n():
    # mean 2.5, sum of squared deviations 5, variance 5/3, se = sqrt(5/3) / 2
    assert replica_se([1.0, 2.0, 3.0, 4.0]) == pytest.approx(math.sqrt(5 / 3) / 2, rel=1e-14)
    assert isinstance(replica_se([1.0, 2.0]), float)
    np.testing.assert_allclose(replica_se(np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 1.0]]), axis=1),
                               [math.sqrt(5 / 3) / 2, 0.25])


def test_replica_se_squared_is_unbiased_for_independent_replicas():
    # 4000 experiments of n = 10 independent N(0, 2^2) replicas: E[se^2] = sigma^2 / n = 0.4.
    rng = np.random.default_rng(20261202)
    se2 = replica_se(rng.normal(0.0, 2.0, size=(10, 4000))) ** 2
    scatter = se2.std(ddof=1) / math.sqrt(se2.size)  # standard error of the average of se^2
    assert abs(se2.mean() - 0.4) < 4 * scatter
    assert scatter < 0.01  # the test is sharp: about 1 % of the value


def _ar1(a: float, n_steps: int, n_series: int, seed: int) -> np.ndarray:
    """Stationary AR(1) series x_t = a x_{t-1} + e_t, e_t ~ N(0, 1), one per column."""
    rng = np.random.default_rng(seed)
    x0 = rng.standard_normal(n_series) / math.sqrt(1 - a * a)  # a draw from the stationary law
    return lfilter([1.0], [1.0, -a], rng.standard_normal((n_steps, n_series)), axis=0, zi=a * x0[None, :])[0]


def _ar1_var_of_mean(a: float, m: int) -> float:
    """Exact variance of the mean of m consecutive stationary AR(1) values (unit innovations)."""
    return (1 / (1 - a * a)) / m * ((1 + a) / (1 - a) - 2 * a * (1 - a**m) / (m * (1 - a) ** 2))


def test_batch_means_se_matches_its_exact_expectation_on_an_ar1_series():
    a, n_steps, k = 0.9, 10_000, 20  # integrated autocorrelation time (1 + a) / (1 - a) = 19 << b = 500
    se2 = batch_means_se(_ar1(a, n_steps, 400, seed=7), n_batches=k) ** 2
    # E[sum_j (B_j - B)^2] = k V_b - k V_T for batch means B_j of b = T / k values, so
    # E[se^2] = (V_b - V_T) / (k - 1), exactly, for a stationary series.
    expected = (_ar1_var_of_mean(a, n_steps // k) - _ar1_var_of_mean(a, n_steps)) / (k - 1)
    scatter = se2.std(ddof=1) / math.sqrt(se2.size)
    assert abs(se2.mean() - expected) < 4 * scatter
    assert scatter < 0.02 * expected
    # ... which is within 3 % of the long-run variance over T, and 19 times the naive std^2 / T.
    long_run = 1 / ((1 - a) ** 2 * n_steps)
    assert expected == pytest.approx(long_run, rel=0.03)
    naive = 1 / ((1 - a * a) * n_steps)
    assert se2.mean() > 15 * naive


def test_batch_means_drop_the_first_remainder_and_return_floats_for_1d():
    # T = 10, k = 3: b = 3, batches [1, 2, 3], [4, 5, 6], [7, 8, 9] with means 2, 5, 8: se = 3 / sqrt(3)
    se = batch_means_se(np.arange(10.0), n_batches=3)
    assert isinstance(se, float) and se == pytest.approx(math.sqrt(3), rel=1e-14)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: replica_se([1.0, float("nan")]), "values"),
        (lambda: replica_se(1.0), "values"),
        (lambda: replica_se([1.0]), "2 replicas"),
        (lambda: replica_se([[1.0, 2.0]], axis=2), "axis"),
        (lambda: replica_se([1.0, 2.0], axis=True), "axis"),
        (lambda: batch_means_se([1.0, float("inf"), 2.0]), "series"),
        (lambda: batch_means_se(3.0), "series"),
        (lambda: batch_means_se(np.arange(10.0), n_batches=1), "n_batches"),
        (lambda: batch_means_se(np.arange(10.0), n_batches=11), "n_batches"),
        (lambda: batch_means_se(np.arange(10.0), n_batches=2.5), "n_batches"),
    ],
)
def test_se_helpers_refuse_bad_input(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


# ---------------------------------------------------------------- end to end: notebooks, nbval, the Claims page

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
SET_UP = ("import numpy as np\nfrom langevin_lib.claims import claim, replica_se\n"
          "means = np.random.default_rng(0).normal(1.0, 1.0, size=(20, 400)).mean(axis=1)")
CONF = f"""
import sys
sys.path.insert(0, {str(ROOT / "book" / "_ext")!r})
extensions = ["myst_nb", "claims_ledger"]
myst_enable_extensions = ["dollarmath"]  # as in the book: math in a chapter title
nb_execution_mode = "cache"  # the LaTeX build reuses the HTML build's execution (cache in <book>/_build)
nb_execution_allow_errors = False
suppress_warnings = ["mystnb.unknown_mime_type"]
exclude_patterns = ["_build"]
"""


def _notebook(path: Path, title: str, *sources: str) -> None:
    cells = [new_markdown_cell(f"# {title}"), new_code_cell(SET_UP), *(new_code_cell(s) for s in sources)]
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC}), path)


def _book(root: Path, chapters: dict[str, tuple[str, ...]]) -> Path:
    root.mkdir()
    (root / "conf.py").write_text(CONF)
    toc = "\n".join(chapters)
    (root / "index.md").write_text(f"# A test book\n\n```{{toctree}}\n:numbered:\n{toc}\nclaims\n```\n")
    (root / "claims.md").write_text("# Claims\n\n```{claims-ledger}\n```\n")
    for name, sources in chapters.items():
        _notebook(root / f"{name}.ipynb", f"Chapter {name}: $L(\\eta)$", *sources)
    return root


def _sphinx(root: Path, builder: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sphinx", "-W", "-n", "--keep-going", "-q", "-b", builder,
                           str(root), str(root / "_build" / builder)], capture_output=True, text=True, timeout=120)


MEAN_CLAIM = ('claim("demo-mean", measured=means.mean(), predicted=1.0, se=replica_se(means), n_se=4,'
              ' statement="the sample mean matches the true mean 1")')
SUM_IDENTITY = ('claim("demo-sum", measured=means.sum(), predicted=20 * means.mean(), rtol=1e-12, kind="identity",'
                ' statement="the sum is 20 times the mean")')


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory) -> Path:
    return _book(tmp_path_factory.mktemp("claims") / "book", {"demo": (MEAN_CLAIM, "means.mean()", SUM_IDENTITY)})


def test_claims_page_lists_every_displayed_claim_with_status_and_link(demo_book):
    result = _sphinx(demo_book, "html")
    assert result.returncode == 0, result.stderr
    page = (demo_book / "_build" / "html" / "claims.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr class=\"ll-claim-row-(\w+)[^\"]*\">(.*?)</tr>", page, re.DOTALL)
    assert [kind for kind, _ in rows] == ["evidence", "identity"]
    # One chapter cell spans the chapter's rows; math in its title stays math.
    assert '<td rowspan="2">' in rows[0][1] and '<span class="math' in rows[0][1] and "Chapter" not in rows[1][1]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", rows[0][1], re.DOTALL)]
    mean = np.random.default_rng(0).normal(1.0, 1.0, size=(20, 400)).mean()  # the notebook's number, recomputed
    assert cells == [r"1. Chapter demo: \(L(\eta)\)", "demo-mean", "the sample mean matches the true mean 1",
                     f"{mean:.4g} ± 0.011", "1", "4 s.e.", "passed"]
    assert 'href="demo.html#claim-demo-mean"' in rows[0][1] and "ll-claim-status-passed" in rows[0][1]
    assert 'href="demo.html#claim-demo-sum"' in rows[1][1] and "consistency check" in rows[1][1]
    assert "2 claim checks in this build: 1 checked against theory, 1 consistency checks" in page
    chapter = (demo_book / "_build" / "html" / "demo.html").read_text(encoding="utf-8")
    # Each link lands just above its badge.
    for claim_id in ("demo-mean", "demo-sum"):
        assert re.search(rf'id="claim-{claim_id}"></span><div class="output text_html"><div class="ll-claim ', chapter)


def test_claims_page_builds_with_latex(demo_book):
    result = _sphinx(demo_book, "latex")
    assert result.returncode == 0, result.stderr
    tex = next((demo_book / "_build" / "latex").glob("*.tex")).read_text(encoding="utf-8")
    # The anchors become labels of the plain-text outputs, and the ledger links to them.
    assert r"\label{\detokenize{demo:claim-demo-mean}}" in tex
    assert r"\hyperref[\detokenize{demo:claim-demo-mean}]" in tex
    assert "checked: " in tex and "consistency check (holds by construction)" in tex


def test_a_wrong_claim_or_a_repeated_id_fails_the_build(tmp_path):
    wrong = 'claim("demo-wrong", measured=means.mean(), predicted=1.2, rtol=0.05, statement="the mean is 1.2")'
    # The claims displayed before the failing one stay in the page (and in the ledger).
    book = _book(tmp_path / "book", {"twice": (MEAN_CLAIM, MEAN_CLAIM), "wrong": (MEAN_CLAIM, wrong)})
    result = _sphinx(book, "html")
    assert result.returncode != 0
    assert "claim id 'demo-mean' is displayed twice in this document" in result.stderr
    assert "claim id 'demo-mean' is also used in 'twice'" in result.stderr
    assert "Executing notebook failed" in result.stderr
    report = (book / "_build" / "html" / "reports" / "wrong.err.log").read_text(encoding="utf-8")
    assert "ClaimFailed" in report and "'demo-wrong'" in report and "the mean is 1.2" in report


def test_a_wrong_claim_fails_the_notebook_under_nbval(tmp_path):
    _notebook(tmp_path / "wrong.ipynb", "Wrong",
              'claim("demo-wrong", measured=means.mean(), predicted=1.2, rtol=0.05, statement="the mean is 1.2")')
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval-lax",
                             "--nbval-current-env", "-q", str(tmp_path / "wrong.ipynb")],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 1, result.stdout
    assert "ClaimFailed" in result.stdout and "'demo-wrong' failed: the mean is 1.2" in result.stdout


def test_glue_writes_what_myst_nb_reads_and_formats():
    """``ll.glue`` output, as a kernel stores it, is read by myst-nb's glue extraction and formatted by its role."""
    from IPython.core.interactiveshell import InteractiveShell
    from myst_nb.core.variables import format_plain_text
    from myst_nb.ext.glue import extract_glue_data_cell

    shell = InteractiveShell.instance()
    published = []
    publish = shell.display_pub.publish
    shell.display_pub.publish = lambda data, metadata=None, **kw: published.append((data, metadata))
    try:
        claims.glue("ch3-tz-fit", np.float64(0.23694812))
        claims.glue("ch3-n-rates", np.int64(12))
    finally:
        shell.display_pub.publish = publish
    cell = nbformat.from_dict(
        {
            "cell_type": "code",
            "outputs": [{"output_type": "display_data", "data": d, "metadata": m} for d, m in published],
        }
    )
    data = dict(extract_glue_data_cell(cell))
    assert cell.outputs == []  # recorded, not shown
    assert format_plain_text(data["ch3-tz-fit"]["data"]["text/plain"], ".3f") == "0.237"
    assert format_plain_text(data["ch3-n-rates"]["data"]["text/plain"], "d") == "12"


@pytest.mark.parametrize(
    ("name", "value", "argument"),
    [("Bad Name", 1.0, "name"), ("ok", float("nan"), "value"), ("ok", True, "value"), ("ok", [1.0, 2.0], "value")],
)
def test_glue_rejects_bad_names_and_values(name, value, argument):
    with pytest.raises(ValueError, match=argument):
        claims.glue(name, value)
