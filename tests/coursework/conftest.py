"""A tiny synthetic master for the grader's tests, and the sandbox they need.

The master has four automatically graded questions (8 points) and one written one. Its hidden
tests are written in the answers vocabulary; question 1's test also leaves a reference value
(``_answer3``) that question 3's test uses, as a real master may (an old grader left such values
in the student's namespace, where a later cell could read them).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from langevin_lib.coursework import make_student

VOCABULARY = "from langevin_lib.coursework.answers import between, build, call, close, equal, value\n"


def _question(q: str, solution: str, test: str, points: int) -> list:
    meta = {"coursework": {"question": q}}
    return [
        new_code_cell(solution, id=f"sol-{q}", metadata={**meta, "tags": ["solution"]}),
        new_code_cell(
            VOCABULARY + test,
            id=f"hid-{q}",
            metadata={"coursework": {"question": q, "points": points}, "tags": ["hidden-tests"]},
        ),
    ]


def synthetic_master() -> dict:
    cells = [
        new_code_cell("import math\n\nimport numpy as np\n\nimport langevin_lib as ll", id="setup"),
        *_question(
            "1",
            "# BEGIN SOLUTION\nroot = math.sqrt(2)\n# END SOLUTION",
            "import math as _math\n_answer3 = 6 * 7\nclose(value('root'), _math.sqrt(2), 'root', rtol=1e-12)",
            2,
        ),
        *_question(
            "2",
            "def double(x):\n    # BEGIN SOLUTION\n    return 2 * x\n    # END SOLUTION",
            "import numpy as _np\nclose(call('double', 3), 6, 'double')\n"
            "close(call('double', _np.array([-1.0, 0.5])), [-2.0, 1.0], 'double of an array')",
            3,
        ),
        *_question(
            "3", "# BEGIN SOLUTION\nanswer = 41 + 1\n# END SOLUTION", "equal(value('answer'), _answer3, 'answer')", 1
        ),
        *_question(
            "4",
            "# BEGIN SOLUTION\ntemp = ll.langevin_temperature(0.1, 4.0)\n# END SOLUTION",
            "import langevin_lib as _ll\nclose(value('temp'), _ll.langevin_temperature(0.1, 4.0), 'temp', rtol=1e-12)",
            2,
        ),
        new_markdown_cell(
            "<!-- BEGIN SOLUTION -->\nBecause.\n<!-- END SOLUTION -->",
            id="written",
            metadata={"tags": ["solution"], "coursework": {"question": "5", "points": 2}},
        ),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return json.loads(nbformat.writes(nb))


def cell_source(nb: dict, cell_id: str) -> str:
    cell = next(c for c in nb["cells"] if c["id"] == cell_id)
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def set_source(nb: dict, cell_id: str, source: str) -> dict:
    next(c for c in nb["cells"] if c["id"] == cell_id)["source"] = source
    return nb


@pytest.fixture(scope="session")
def sandbox_ready() -> None:
    """Skip without bwrap, except where the sandbox is required (``make test`` sets COURSEWORK_REQUIRE_SANDBOX)."""
    pytest.importorskip("jupyter_client")
    if shutil.which("bwrap") is None and not os.environ.get("COURSEWORK_REQUIRE_SANDBOX"):
        pytest.skip("bwrap (bubblewrap) is not installed; `make test` installs it")


@pytest.fixture()
def master_path(tmp_path, sandbox_ready):
    path = tmp_path / "master.ipynb"
    path.write_text(json.dumps(synthetic_master()))
    return path


@pytest.fixture()
def blank() -> dict:
    """The student version of the synthetic master: nothing answered."""
    return make_student(synthetic_master())


def write(tmp_path, name: str, nb: dict | str | bytes):
    path = tmp_path / name
    if isinstance(nb, bytes):
        path.write_bytes(nb)
    else:
        path.write_text(nb if isinstance(nb, str) else json.dumps(nb))
    return path


def host_cmdlines() -> list[str]:
    """The command line of every process the host can see (to find one a submission left behind)."""
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            out.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            pass
    return out
