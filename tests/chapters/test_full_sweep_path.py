"""Chapter 6's documented way to regenerate its main results, ``RUN_FULL_SWEEP = True``, runs.

The chapter reads its ten-seed optimiser sweep from ``book/data`` and recomputes it only when the
reader sets ``RUN_FULL_SWEEP = True``; a path that the book never executes can break unnoticed (it
once raised a NameError). This test executes the chapter up to that cell with the flag set, on a
tiny sweep (one seed, one epoch, two rates per optimiser, written to a temporary file; the quick
live sweep before it is made as small), and checks
that the cell computed, saved and reloaded the sweep.
"""

from __future__ import annotations

from langevin_lib.experiments.optimizer_comparison import load_sweep

CHAPTER = "06_rmsprop_preconditioning"
FLAG = "RUN_FULL_SWEEP = False"
SWEEP_FILE = "data/ch6_optimizer_sweep.json"
TINY = """\
import langevin_lib as _ll

# The quick live sweep before it shrinks too: this test is about the path, not the numbers.
_ll.FULL_SWEEP = _ll.DEFAULT_SWEEP = {
    "grid": {name: rates[:2] for name, rates in _ll.FULL_SWEEP["grid"].items()},
    "n_seeds": 1,
    "n_epochs": 1,
    "batch_size": _ll.FULL_SWEEP["batch_size"],
}
"""


def test_run_full_sweep_true_recomputes_and_saves_the_sweep(run_chapter, tmp_path):
    target = tmp_path / "sweep.json"

    def set_the_flag_and_stop_after_the_sweep(nb):
        (flag_cell,) = [cell for cell in nb.cells if FLAG in cell.source]
        flag_cell.source = flag_cell.source.replace(FLAG, "RUN_FULL_SWEEP = True").replace(
            f'FULL_SWEEP_FILE = "{SWEEP_FILE}"', f"FULL_SWEEP_FILE = {str(target)!r}"
        )
        assert str(target) in flag_cell.source, "the chapter no longer names its sweep file as expected"
        (last,) = [k for k, cell in enumerate(nb.cells) if "if RUN_FULL_SWEEP:" in cell.source]
        del nb.cells[last + 1 :]

    run_chapter(CHAPTER, TINY, set_the_flag_and_stop_after_the_sweep)
    saved = load_sweep(target)
    config = saved["config"]
    assert (config["n_seeds"], config["n_epochs"]) == (1, 1)
    assert all(len(rates) == 2 for rates in config["grid"].values())
    # One run per (model, optimiser, rate), its seeds inside it.
    assert len(saved["runs"]) == len(config["models"]) * sum(len(rates) for rates in config["grid"].values())
