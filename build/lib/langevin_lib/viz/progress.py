"""A progress bar for long notebook cells that leaves nothing in the built book.

Simulations longer than a couple of seconds show a bar while they run in a
Jupyter kernel (chapters 3 and 6). When the work ends the bar is closed and
its output replaced by nothing, so an executed notebook (and the HTML book
built from it) keeps no trace of it; outside a kernel no bar is shown at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from .._validation import as_count

__all__ = ["ProgressBar", "progress"]

T = TypeVar("T")


class ProgressBar:
    """A context manager showing ``done / total`` as an ipywidgets bar while in a kernel.

    Parameters
    ----------
    total : int
        Number of units of work (may be updated later by :meth:`update`).
    description : str
        A short label shown left of the bar.

    Examples
    --------
    >>> with ProgressBar(10, "runs") as bar:
    ...     for k in range(10):
    ...         bar.update(k + 1)
    """

    def __init__(self, total: int = 1, description: str = ""):
        self.total = as_count(total, "total", minimum=0)
        self.description = description
        self._widget: Any = None
        self._handle: Any = None

    def __enter__(self) -> ProgressBar:
        if _in_kernel():
            import ipywidgets
            from IPython.display import display

            self._widget = ipywidgets.IntProgress(value=0, min=0, max=max(self.total, 1), description=self.description)
            self._handle = display(self._widget, display_id=True)
        return self

    def update(self, done: int, total: int | None = None) -> None:
        """Record that ``done`` units (of ``total``, if it changed) are finished."""
        if total is not None:
            self.total = as_count(total, "total", minimum=0)
        if self._widget is not None:
            self._widget.max = max(self.total, 1)
            self._widget.value = min(done, self._widget.max)

    def __exit__(self, *exc_info: object) -> None:
        if self._widget is not None:
            from IPython.display import HTML

            self._widget.close()
            self._handle.update(HTML(""))
            self._widget = self._handle = None


def progress(items: Iterable[T], *, total: int | None = None, description: str = "") -> Iterator[T]:
    """Iterate over ``items`` while a :class:`ProgressBar` counts them.

    Parameters
    ----------
    items : iterable
        What the loop runs over.
    total : int, optional
        Number of items, needed only when ``items`` has no ``len``.
    description : str
        A short label shown left of the bar.

    Yields
    ------
    object
        The items of ``items``, unchanged.
    """
    if total is None:
        items = items if hasattr(items, "__len__") else list(items)
        total = len(items)
    with ProgressBar(total, description) as bar:
        for done, item in enumerate(items, start=1):
            yield item
            bar.update(done)


def _in_kernel() -> bool:
    """True inside a Jupyter kernel (not in a plain Python or terminal IPython session)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in shell.config
