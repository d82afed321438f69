"""Figures of the course: the plotting style, progress bars, and every interactive figure.

The only part of ``langevin_lib`` that imports matplotlib and ipywidgets
(``from langevin_lib import viz``). Each interactive figure is a data class,
a ``draw_*`` function and an ``update_*`` function; :func:`~langevin_lib.viz.driver.interactive` turns
such a pair into sliders and :func:`~langevin_lib.viz.driver.animate` into a kernel-free animation::

    plot = viz.draw_step_size(problem, phi0, 0.5, t_max, xlim=(-3, 3), ylim=(-3, 3))
    viz.interactive(plot, viz.update_step_size, lr=viz.slider([0.1, 0.5, 1.0], description="learning rate"))
    viz.animate(plot, viz.update_step_size, [{"lr": 0.1}, {"lr": 1.0}], alt="...")
"""

from .cloud import CloudFigure
from .driver import Animation, DrawnFigure, FigureState, InteractiveFigure, animate, interactive, new_figure, slider
from .preconditioning import PreconditioningFigure, draw_preconditioning, update_preconditioning
from .progress import ProgressBar, progress
from .sgd_flow import SGDFlowFigure, draw_sgd_vs_flow, update_sgd_vs_flow
from .sgd_langevin import SGDLangevinFigure, draw_sgd_and_langevin, update_sgd_and_langevin
from .stationary_cloud import StationaryCloudFigure, draw_stationary_cloud, update_stationary_cloud
from .step_size import StepSizeFigure, draw_step_size, update_step_size
from .style import (
    COLORS,
    COURSE_RC,
    FLOW_POINTS,
    PALETTE,
    PATH_STYLES,
    animation_html,
    ellipse_points,
    plot_loss_contours,
    plot_path,
    use_course_style,
)
from .two_temperatures import TwoTemperatureFigure, draw_two_temperatures, update_two_temperatures

__all__ = [
    "COLORS",
    "COURSE_RC",
    "FLOW_POINTS",
    "PALETTE",
    "PATH_STYLES",
    "Animation",
    "CloudFigure",
    "DrawnFigure",
    "FigureState",
    "InteractiveFigure",
    "PreconditioningFigure",
    "ProgressBar",
    "SGDFlowFigure",
    "SGDLangevinFigure",
    "StationaryCloudFigure",
    "StepSizeFigure",
    "TwoTemperatureFigure",
    "animate",
    "animation_html",
    "draw_preconditioning",
    "draw_sgd_and_langevin",
    "draw_sgd_vs_flow",
    "draw_stationary_cloud",
    "draw_step_size",
    "draw_two_temperatures",
    "ellipse_points",
    "interactive",
    "new_figure",
    "plot_loss_contours",
    "plot_path",
    "progress",
    "slider",
    "update_preconditioning",
    "update_sgd_and_langevin",
    "update_sgd_vs_flow",
    "update_stationary_cloud",
    "update_step_size",
    "update_two_temperatures",
    "use_course_style",
]
