"""nbval over the book's notebooks: what it compares in a cell tagged ``nbval-check-output``.

A value glued for the prose (``ll.glue``, myst-nb's ``application/papermill.record/`` outputs) is
stored at full precision, and its last digits change with the BLAS build and its threading (a
difference of 1e-8 relative has been seen between two runs on one machine). It is a record for the
text, not something the reader sees in the cell; the cell's printed, rounded numbers are still
compared, and the claim checks test the values themselves. So nbval does not compare glued records.
"""

from __future__ import annotations

GLUED_RECORD = "application/papermill.record/text/plain"


def pytest_collectstart(collector) -> None:
    # nbval's notebook collector keeps the output keys it leaves out of the comparison in skip_compare.
    if hasattr(collector, "skip_compare"):
        collector.skip_compare = (*collector.skip_compare, GLUED_RECORD)
