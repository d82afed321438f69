"""book/conftest.py: nbval compares a tagged cell's printed output but not the values it glues."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _notebook(stored_glue: str, stored_print: str) -> dict:
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "id": "a",
        "metadata": {"tags": ["nbval-check-output"]},
        "source": "import langevin_lib as ll\nll.glue('x', 0.1 + 0.2)\nprint(round(0.1 + 0.2, 3))",
        "outputs": [
            {
                "output_type": "display_data",
                "data": {"application/papermill.record/text/plain": stored_glue},
                "metadata": {"scrapbook": {"name": "x", "mime_prefix": "application/papermill.record/"}},
            },
            {"output_type": "stream", "name": "stdout", "text": stored_print},
        ],
    }
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return {"cells": [cell], "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5}


def _nbval(folder: Path) -> int:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax", "--nbval-current-env"]
    return subprocess.run([*command, "t.ipynb"], cwd=folder, capture_output=True, text=True).returncode


def test_glued_digits_may_differ_but_printed_output_may_not(tmp_path):
    shutil.copy(ROOT / "book" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "t.ipynb").write_text(json.dumps(_notebook("0.3000001", "0.3\n")))
    assert _nbval(tmp_path) == 0  # the glued record differs in its last digits: not compared
    (tmp_path / "t.ipynb").write_text(json.dumps(_notebook("0.3000001", "0.4\n")))
    assert _nbval(tmp_path) == 1  # the printed output differs: compared
    (tmp_path / "conftest.py").unlink()
    (tmp_path / "t.ipynb").write_text(json.dumps(_notebook("0.3000001", "0.3\n")))
    assert _nbval(tmp_path) == 1  # without book/conftest.py nbval would compare the record
