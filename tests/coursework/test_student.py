"""The student maker: stubs, refusals that name the cell, the leak guard, deterministic bytes."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from langevin_lib.coursework import CourseworkError, check_no_leaks, make_student, make_student_dir, notebook_bytes
from langevin_lib.coursework.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


def solution(source: str, question: str = "1.1", cell_id: str = "sol") -> nbformat.NotebookNode:
    return new_code_cell(source, id=cell_id, metadata={"tags": ["solution"], "coursework": {"question": question}})


def master(*cells: nbformat.NotebookNode) -> dict:
    nb = new_notebook(cells=[new_code_cell("import numpy as np", id="setup"), *cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return json.loads(nbformat.writes(nb))


def sources(nb: dict) -> list[str]:
    return ["".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"] for cell in nb["cells"]]


def test_balanced_markers_become_stubs():
    nb = master(
        solution(
            "def step(x):\n    '''doc'''\n    # BEGIN SOLUTION\n    y = x - 0.1 * x\n    return y\n    # END SOLUTION"
        ),
        solution(
            "a = 1\n# BEGIN SOLUTION\nslope, _tmp = np.polyfit([1, 2], [3, 5], 1)\nresult: float = slope * 2\n"
            "# END SOLUTION\nprint('after')",
            cell_id="top",
        ),
        new_markdown_cell(
            "Derive it.\n<!-- BEGIN SOLUTION -->\nThe secret derivation here.\n<!-- END SOLUTION -->",
            id="md",
            metadata={"tags": ["solution"], "coursework": {"question": "1.2", "points": 2}},
        ),
    )
    student = make_student(master=nb)
    out = sources(student)
    assert out[1] == "def step(x):\n    '''doc'''\n    raise NotImplementedError(\"write this part (question 1.1)\")"
    # Public names of the region are stubbed in order; underscore names stay private.
    assert out[2] == "a = 1\nslope = ...\nresult = ...\nprint('after')"
    assert out[3] == "Derive it.\n*Write your answer here.*"
    assert all("solution" not in cell["metadata"].get("tags", []) for cell in student["cells"])
    exec(compile(out[2].replace("print('after')", ""), "stub", "exec"), {})  # a stub runs without error


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("# BEGIN SOLUTION\nx = 1", "BEGIN SOLUTION on line 1 is never closed"),
        ("x = 1\n# END SOLUTION", "END SOLUTION on line 2 without BEGIN"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n# END SOLUTION", "nested solution markers"),
        ("x = 1  # BEGIN SOLUTION", "mentions a solution marker but is not one"),
        ("x = 1", "has no BEGIN/END SOLUTION markers"),
        ("# BEGIN SOLUTION\ndef f():\n    return 1\n# END SOLUTION", "put the def line"),
    ],
)
def test_bad_markers_are_refused_naming_the_cell(source, message):
    with pytest.raises(CourseworkError, match=message) as info:
        make_student(master(solution(source, cell_id="bad-cell")), name="m.ipynb")
    assert "m.ipynb: cell 1 (id 'bad-cell'" in str(info.value)


def test_markers_outside_a_solution_cell_are_refused():
    cell = new_code_cell("# BEGIN SOLUTION\nx = 1\n# END SOLUTION", id="untagged")
    with pytest.raises(CourseworkError, match="has solution markers but no 'solution' tag"):
        make_student(master(cell))


def test_hidden_tests_and_instructor_cells_are_dropped():
    nb = master(
        solution("# BEGIN SOLUTION\nanswer = 42\n# END SOLUTION"),
        new_code_cell("assert answer == 42, 'the hidden value'", id="hid", metadata={"tags": ["hidden-tests"]}),
        new_markdown_cell("Answer key: 42", id="key", metadata={"tags": ["instructor"]}),
    )
    student = make_student(nb)
    assert [cell["id"] for cell in student["cells"]] == ["setup", "sol"]
    assert "42" not in json.dumps(student)


def test_leak_guard_catches_a_surviving_secret():
    nb = master(
        solution("# BEGIN SOLUTION\nanswer = np.sqrt(2.0) * 17.25\n# END SOLUTION"),
        new_code_cell("assert abs(answer - 24.395) < 1e-3", id="hid", metadata={"tags": ["hidden-tests"]}),
    )
    student = make_student(nb)
    check_no_leaks(nb, student)  # the real student version is clean
    for leaked in ("answer = np.sqrt(2.0) * 17.25", "assert abs(answer - 24.395) < 1e-3", "# BEGIN SOLUTION"):
        tampered = json.loads(json.dumps(student))
        tampered["cells"][1]["source"] = "x = 1\n" + leaked
        with pytest.raises(CourseworkError, match="student cell 1"):
            check_no_leaks(nb, tampered)
    tampered = json.loads(json.dumps(student))
    tampered["cells"][0]["outputs"] = [new_output("stream", text="24.395")]
    with pytest.raises(CourseworkError, match="outputs"):
        check_no_leaks(nb, tampered)
    # A line the master also shows publicly (the import) is not a secret.
    public = master(new_code_cell("import numpy as np", id="hid", metadata={"tags": ["hidden-tests"]}))
    check_no_leaks(public, make_student(public))


def test_outputs_counts_widget_state_and_private_metadata_are_dropped():
    cell = solution("# BEGIN SOLUTION\nanswer = 1\n# END SOLUTION")
    cell.execution_count = 7
    cell.outputs = [new_output("execute_result", data={"text/plain": "1"}, execution_count=7)]
    cell.metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    nb = master(cell)
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"abc": {}}}}
    student = make_student(nb)
    assert "widgets" not in student["metadata"]
    code = student["cells"][1]
    assert code["outputs"] == [] and code["execution_count"] is None
    assert set(code["metadata"]) == {"coursework"}
    nbformat.validate(nbformat.reads(notebook_bytes(student).decode(), as_version=4))


def test_output_checks_are_dropped_with_the_outputs():
    # A self-check cell of a master is compared by nbval; its student copy has no output to compare.
    check = new_code_cell('check("1.1", answer)', metadata={"tags": ["nbval-check-output", "remove-input"]})
    student = make_student(master(check))
    assert student["cells"][1]["metadata"]["tags"] == ["remove-input"]


def test_second_run_is_byte_identical(tmp_path):
    masters = tmp_path / "masters"
    masters.mkdir()
    nb = master(solution("# BEGIN SOLUTION\nanswer = 1\n# END SOLUTION"))
    del nb["cells"][0]["id"]  # a cell without id gets a position-derived one, never a random one
    (masters / "a.ipynb").write_text(json.dumps(nb))
    first = make_student_dir(masters, tmp_path / "out")[0].read_bytes()
    second = make_student_dir(masters, tmp_path / "out2")[0].read_bytes()
    assert first == second == (tmp_path / "out" / "a.ipynb").read_bytes()
    assert json.loads(first)["cells"][0]["id"] == "cell-0"


def test_command_line_refuses_and_writes_nothing(tmp_path, capsys):
    masters = tmp_path / "masters"
    masters.mkdir()
    (masters / "good.ipynb").write_text(json.dumps(master(solution("# BEGIN SOLUTION\nx = 1\n# END SOLUTION"))))
    (masters / "bad.ipynb").write_text(json.dumps(master(solution("# BEGIN SOLUTION\nx = 1", cell_id="oops"))))
    assert main(["make-student", str(masters), str(tmp_path / "out")]) == 1
    assert "id 'oops'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    (masters / "bad.ipynb").unlink()
    assert main(["make-student", str(masters), str(tmp_path / "out")]) == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["good.ipynb"]


def test_course_masters_convert_and_committed_student_versions_are_fresh(tmp_path):
    written = make_student_dir(ROOT / "book" / "assignments", tmp_path)
    assert len(written) == 6
    committed = ROOT / "book" / "coursework"
    if committed.exists():  # the book's copies must be what make-student writes today
        for path in written:
            assert (committed / path.name).read_bytes() == path.read_bytes(), (
                "stale copy, run: python -m langevin_lib.coursework make-student book/assignments book/coursework "
                f"({path.name})"
            )
