"""The notebook progress bar: a transparent iterator outside a kernel, a closed, empty bar inside one."""

from __future__ import annotations

import importlib

import pytest

from langevin_lib import viz
from langevin_lib.viz.progress import ProgressBar, progress

# ``langevin_lib.viz.progress`` as an attribute is the function (re-exported by viz), not the module.
progress_module = importlib.import_module("langevin_lib.viz.progress")


def test_outside_a_kernel_the_items_pass_through_unchanged():
    assert list(progress(range(5))) == [0, 1, 2, 3, 4]
    assert list(progress((k * k for k in range(4)), description="squares")) == [0, 1, 4, 9]
    with ProgressBar(3) as bar:
        bar.update(2)  # nothing is shown, nothing breaks
        assert bar._widget is None


def test_total_must_be_a_count():
    with pytest.raises(ValueError, match="total"):
        ProgressBar(-1)
    with pytest.raises(ValueError, match="total"):
        list(progress([1, 2], total=1.5))


class _FakeWidget:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)
        self.closed = False

    def close(self):
        self.closed = True


class _FakeHandle:
    def __init__(self):
        self.updates = []

    def update(self, obj):
        self.updates.append(obj)


def test_in_a_kernel_the_bar_counts_and_is_emptied_at_the_end(monkeypatch):
    import IPython.display
    import ipywidgets

    handle = _FakeHandle()
    shown = []
    monkeypatch.setattr(progress_module, "_in_kernel", lambda: True)
    monkeypatch.setattr(ipywidgets, "IntProgress", _FakeWidget)
    monkeypatch.setattr(IPython.display, "display", lambda w, display_id: shown.append(w) or handle)

    seen = []
    for item in progress("abcd", description="letters"):
        seen.append((item, shown[0].value))
    # The bar shows the number of finished items: item k is handed out before it is counted.
    assert seen == [("a", 0), ("b", 1), ("c", 2), ("d", 3)]
    bar = shown[0]
    assert (bar.max, bar.value, bar.description) == (4, 4, "letters")
    # Closed, and its output replaced by empty HTML, so the saved notebook keeps no bar.
    assert bar.closed
    assert len(handle.updates) == 1 and handle.updates[0].data == ""


def test_callback_style_update_with_a_new_total(monkeypatch):
    import IPython.display
    import ipywidgets

    shown = []
    monkeypatch.setattr(progress_module, "_in_kernel", lambda: True)
    monkeypatch.setattr(ipywidgets, "IntProgress", _FakeWidget)
    monkeypatch.setattr(IPython.display, "display", lambda w, display_id: shown.append(w) or _FakeHandle())
    with ProgressBar(description="runs") as bar:
        bar.update(3, total=12)
        assert (shown[0].max, shown[0].value) == (12, 3)
        bar.update(20)  # never past the end
        assert shown[0].value == 12
    assert shown[0].closed


def test_viz_reexports_the_progress_bar():
    assert viz.progress is progress and viz.ProgressBar is ProgressBar
