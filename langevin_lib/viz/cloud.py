"""The base of the figures that show a cloud of stationary SGD chains (chapters 3, 5 and 6).

Each such figure draws ``n_chains`` samples of the stationary distribution of
SGD with :func:`~langevin_lib.stationary_samples`, always from the same
``seed``, so that returning a slider to a setting redraws the same cloud. How
long the chains run before they count as stationary, and the most steps a
redraw may take, are properties of the figure kind (class attributes), not of
one drawing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from matplotlib.artist import Artist

from ..theory import ExactProblem, stationary_samples
from .driver import FigureState

__all__ = ["CloudFigure"]


@dataclass(frozen=True)
class CloudFigure(FigureState):
    """A drawn figure with a cloud of stationary SGD chains.

    Attributes
    ----------
    n_chains : int
        Points in the cloud.
    seed : int
        Seed of every redraw (a setting always redraws the same cloud).
    cloud : matplotlib.artist.Artist
        The drawn samples (markers of a ``Line2D`` or a scatter).
    relaxation_times : float
        Class attribute: relaxation times of the slowest direction simulated
        before the cloud counts as stationary (see :func:`~langevin_lib.stationary_samples`).
    max_steps : int or None
        Class attribute: the most SGD steps one redraw may take (keeps a slider fast).
    """

    n_chains: int
    seed: int
    cloud: Artist

    relaxation_times: ClassVar[float] = 6.0
    max_steps: ClassVar[int | None] = None

    def sample_cloud(self, problem: ExactProblem, lr: float | np.ndarray) -> np.ndarray:
        """``n_chains`` stationary SGD samples on ``problem`` at rate(s) ``lr``, shape ``(n_chains, d)``."""
        return stationary_samples(
            problem,
            lr,
            n_chains=self.n_chains,
            relaxation_times=self.relaxation_times,
            max_steps=self.max_steps,
            rng=self.seed,
        )
