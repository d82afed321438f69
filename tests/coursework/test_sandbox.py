"""What a submission's code can and cannot do inside its sandbox, probed from one sandboxed kernel.

The kernel runs the probes below as a submission would; each probe stores its findings in a
variable that the test reads back through the exchange.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import host_cmdlines, set_source, synthetic_master, write

from langevin_lib.coursework import make_student
from langevin_lib.coursework import sandbox as sandbox_module
from langevin_lib.coursework.__main__ import main
from langevin_lib.coursework.answers import student_session, value
from langevin_lib.coursework.exchange import request_source
from langevin_lib.coursework.grader import format_report, grade, grade_batch
from langevin_lib.coursework.kernel import Kernel
from langevin_lib.coursework.sandbox import HOME, Limits, Sandbox, SandboxUnavailable

MARKER = "coursework-sandbox-leftover-16"


@pytest.fixture(scope="module")
def kernel(tmp_path_factory, sandbox_ready):
    """One sandboxed kernel, plus the host files it must not see: a master, a classmate, a gradebook."""
    host = tmp_path_factory.mktemp("host")
    secrets = {name: host / name for name in ("master.ipynb", "classmate.ipynb", "scores.json")}
    for path in secrets.values():
        path.write_text("secret")
    box = Sandbox(b'{"cells": []}', Limits(memory_mb=1024, processes=64, file_mb=1))
    kernel = Kernel(box)

    def run(source: str) -> None:
        outcome = kernel.run(source, 60)
        assert outcome.status == "ok", outcome.message

    def read(name: str):
        def exchange(request):
            return kernel.run(request_source(request), 60, record=False).payload

        with student_session(exchange):
            return value(name)

    yield run, read, secrets, box
    kernel.shutdown()
    box.cleanup()


def test_the_submission_sees_only_its_own_copy(kernel):
    run, read, secrets, _ = kernel
    paths = [str(p) for p in secrets.values()]
    run(
        f"import os\nvisible = [os.path.exists(p) for p in {paths!r}]\n"
        "home = sorted(os.listdir('.'))\ncwd = os.getcwd()\n"
        "mine = open('submission.ipynb').read()"
    )
    assert read("visible") == [False, False, False]
    assert read("home") == ["submission.ipynb"] and read("cwd") == HOME
    assert read("mine") == '{"cells": []}'
    # The host's processes (the grader's command line names the master) are out of sight.
    run("cmdlines = [open(f'/proc/{p}/cmdline').read() for p in os.listdir('/proc') if p.isdigit()]")
    assert not any("pytest" in line or "master" in line for line in read("cmdlines"))


def test_the_submission_cannot_write_outside_its_folders(kernel, tmp_path):
    run, read, secrets, box = kernel
    targets = [
        "/usr/evil",
        "/etc/evil",
        f"{Path.cwd()}/evil",
        str(secrets["scores.json"]),
        "/evil",
        str(tmp_path / "x"),
    ]
    run(
        "written = []\n"
        f"for path in {targets!r}:\n"
        "    try:\n"
        "        open(path, 'w').write('x')\n"
        "        written.append(path)\n"
        "    except OSError:\n"
        "        pass\n"
        "open('/tmp/scratch', 'w').write('ok')\nopen('notes.txt', 'w').write('ok')"
    )
    assert read("written") == []
    assert secrets["scores.json"].read_text() == "secret"
    assert (box.home / "notes.txt").read_text() == "ok"  # its own folder is writable


def test_no_network_no_privileges_and_limits(kernel):
    run, read, _, _ = kernel
    run(
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('1.1.1.1', 53), timeout=3)\n"
        "    network = 'connected'\n"
        "except OSError as exc:\n"
        "    network = type(exc).__name__\n"
        "uid = os.getuid()\n"
        "caps = [l.split()[1] for l in open('/proc/self/status') if l.startswith('CapEff')][0]\n"
        "try:\n"
        "    big = bytearray(2 * 1024**3)\n"
        "    memory = 'allocated'\n"
        "except MemoryError:\n"
        "    memory = 'refused'\n"
        "try:\n"
        "    open('/tmp/big', 'wb').write(b'x' * 2 * 1024**2)\n"
        "    file_size = 'written'\n"
        "except OSError:\n"
        "    file_size = 'refused'"
    )
    assert read("network") != "connected"
    assert read("uid") == 65534 and int(read("caps"), 16) == 0
    assert read("memory") == "refused" and read("file_size") == "refused"


def test_no_process_survives_the_sandbox(sandbox_ready):
    box = Sandbox(b"{}", Limits())
    kernel = Kernel(box)
    try:
        spawn = (
            "import subprocess, sys\n"
            f"code = 'import os, time\\nif os.fork() == 0:\\n    os.setsid()\\n    time.sleep(300)\\ntime.sleep(300)'\n"
            f"subprocess.Popen([sys.executable, '-c', code, '{MARKER}'], start_new_session=True)\n"
            "import time\ntime.sleep(1)"
        )
        assert kernel.run(spawn, 60).status == "ok"
        assert any(MARKER in line for line in host_cmdlines())
    finally:
        kernel.shutdown()
        box.cleanup()
    deadline = time.monotonic() + 10
    while any(MARKER in line for line in host_cmdlines()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(MARKER in line for line in host_cmdlines())


def test_grading_refuses_without_bwrap_unless_told_it_is_unsafe(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(sandbox_module, "find_bwrap", lambda: None)
    sandbox_module.check_sandbox.cache_clear()
    master = tmp_path / "m.ipynb"
    master.write_text("{}")
    with pytest.raises(SandboxUnavailable, match="unsafe-no-sandbox"):
        grade(master, master)
    assert main(["grade", str(master), str(master)]) == 2
    assert "bubblewrap" in capsys.readouterr().err
    sandbox_module.check_sandbox.cache_clear()


def test_unsafe_mode_still_keeps_the_tests_in_the_grader(tmp_path, sandbox_ready):
    master = write(tmp_path, "master.ipynb", synthetic_master())
    cheat = set_source(
        make_student(synthetic_master()),
        "sol-1",
        "import numpy as np\nnp.isclose = np.allclose = lambda *a, **k: True\nroot = 1.0",
    )
    honest, cheater = grade_batch(master, [master, write(tmp_path, "cheat.ipynb", cheat)], time_limit=20, sandbox=False)
    assert (honest.total, cheater.total) == (8, 0)
    assert "NOT SANDBOXED" in format_report(honest)
