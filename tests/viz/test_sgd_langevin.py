"""The SGD-next-to-Langevin figure, widget and animation draw exactly the data langevin_lib computes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # tests only; the book uses the notebook's inline backend

import matplotlib.pyplot as plt
import numpy as np
import pytest

from langevin_lib.langevin_widgets import (
    draw_sgd_and_langevin,
    interactive_sgd_and_langevin,
    sgd_and_langevin_animation,
    update_sgd_and_langevin,
)
from langevin_lib.potentials import DoubleWell, SeparableNoisyLoss
from langevin_lib.weak_error import coupled_sgd_langevin


@pytest.fixture
def axes():
    fig, ax = plt.subplots(1, 2)
    yield ax
    plt.close(fig)


def test_draw_and_update_show_the_coupled_runs(axes):
    plot = draw_sgd_and_langevin(axes, DoubleWell(), 0.2, 0.1, 1.0, 2.0, n_paths=3, n_ensemble=50, rng=4)
    runs = update_sgd_and_langevin(plot, 0.05, 0.5)
    expected = coupled_sgd_langevin(
        SeparableNoisyLoss(DoubleWell(), 0.5), [0.2], 0.05, 40, substeps=4, n_chains=50, rng=4
    )
    for lines, run, ref in zip((plot.sgd_lines, plot.langevin_lines), runs, expected, strict=True):
        np.testing.assert_array_equal(run.phi, ref.phi)
        for k, line in enumerate(lines):
            np.testing.assert_array_equal(line.get_ydata(), ref.phi[:, k, 0])
            np.testing.assert_allclose(line.get_xdata(), ref.times)
    assert "0.05" in plot.title.get_text()
    assert f"{ref.final[:, 0].std():.3f}" in plot.footer.get_text()
    assert axes[0].get_ylim() == (-2.0, 2.0)


def test_same_setting_redraws_the_same_paths(axes):
    plot = draw_sgd_and_langevin(axes, DoubleWell(), 0.0, 0.2, 1.0, 1.0, n_paths=2, n_ensemble=10)
    first = plot.sgd_lines[0].get_ydata().copy()
    update_sgd_and_langevin(plot, 0.1, 1.0)
    update_sgd_and_langevin(plot, 0.2, 1.0)
    np.testing.assert_array_equal(plot.sgd_lines[0].get_ydata(), first)


def test_interactive_slider_redraws():
    box = interactive_sgd_and_langevin(DoubleWell(), 0.2, 1.0, lrs=[0.05, 0.1], sigmas=[0.5, 1.0], n_ensemble=20)
    lr_slider, sigma_slider, image = box.children
    assert lr_slider.value == 0.1 and sigma_slider.value == 0.5
    before = image.value
    sigma_slider.value = 1.0
    assert image.value != before and image.value[:4] == b"\x89PNG"


def test_animation_has_one_frame_per_setting():
    anim = sgd_and_langevin_animation(DoubleWell(), 0.2, 1.0, [(0.1, 0.5), (0.05, 1.0), (0.2, 1.0)], n_ensemble=10)
    html = anim.to_jshtml()  # draws every frame
    assert html.count("data:image/png;base64") == 3


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"rng": -1}, "rng"), ({"n_paths": 0}, "n_paths"), ({"ylim": (1.0, -1.0)}, "ylim"), ({"n_ensemble": 1}, "n_ens")],
)
def test_bad_arguments(axes, kwargs, match):
    with pytest.raises(ValueError, match=match):
        draw_sgd_and_langevin(axes, DoubleWell(), 0.0, 0.1, 1.0, 1.0, **kwargs)
