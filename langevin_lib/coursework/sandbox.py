"""A bubblewrap sandbox for one submission: what its code can see, write, reach and use.

Every submission's kernel runs under Debian's ``bwrap`` (bubblewrap, the
sandbox of Flatpak) with:

- a private mount namespace that shows only read-only system folders
  (``/usr`` and the few ``/etc`` files the dynamic loader needs), the grader's
  Python environment and the ``langevin_lib`` package (read-only), a private
  working folder holding a copy of the submission (``/home/student``), a private
  ``/tmp``, and the folder of the kernel's connection sockets. The master,
  the other submissions and the gradebook are not in it;
- new PID, network, IPC and UTS namespaces: no network at all, no view of the
  host's processes, and every process the kernel started is killed when the
  sandbox ends (``--die-with-parent``; the PID namespace dies with its init);
- an unprivileged user (uid 65534, no capabilities, ``no_new_privs``) and a
  new terminal session (no keystrokes injected into the grader's terminal);
- resource limits set inside the sandbox with ``prlimit``: address space, CPU
  seconds, processes, file size and open files.

Run as root, bwrap sets up the namespaces as root and ``setpriv`` drops to
uid 65534 (a real unprivileged user, so the process limit applies); run as
another user, bwrap maps uid 65534 of a new user namespace to that user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["HOME", "Limits", "Sandbox", "SandboxUnavailable", "find_bwrap"]

#: The submission's private working folder, as the sandbox sees it.
HOME = "/home/student"
NOBODY = 65534
# /etc files that Python, NumPy and the dynamic loader read; the rest of /etc stays hidden.
_ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf", "passwd", "group")


class SandboxUnavailable(RuntimeError):
    """bwrap is missing or cannot create a sandbox on this machine."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandbox (``prlimit`` inside it).

    Attributes
    ----------
    memory_mb : int
        Address space of each process, in MiB.
    cpu_seconds : int
        CPU time of each process, in seconds (the kernel is killed beyond it).
    processes : int
        Processes and threads of the sandbox user.
    file_mb : int
        Size of any one file written, in MiB.
    open_files : int
        Open file descriptors per process.
    """

    memory_mb: int = 4096
    cpu_seconds: int = 900
    processes: int = 256
    file_mb: int = 64
    open_files: int = 512

    def __post_init__(self) -> None:
        for name in ("memory_mb", "cpu_seconds", "processes", "file_mb", "open_files"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")

    def prlimit(self) -> list[str]:
        """The ``prlimit`` command prefix that applies these limits (soft = hard)."""
        mib = 1024 * 1024
        return [
            shutil.which("prlimit") or "/usr/bin/prlimit",
            f"--as={self.memory_mb * mib}",
            f"--cpu={self.cpu_seconds}",
            f"--nproc={self.processes}",
            f"--fsize={self.file_mb * mib}",
            f"--nofile={self.open_files}",
            "--core=0",
            "--",
        ]


def find_bwrap() -> str | None:
    """Path of the ``bwrap`` executable, or None."""
    return shutil.which("bwrap")


class Sandbox:
    """The private folders of one submission and the command that runs a program in its sandbox.

    Parameters
    ----------
    notebook : bytes
        The submission, copied to ``/home/student/submission.ipynb`` inside.
    limits : Limits
        Resource limits.
    isolate : bool
        False only for ``--unsafe-no-sandbox``: the command runs on the host
        (with the limits, in the private folder), seeing everything the grader sees.
    """

    def __init__(self, notebook: bytes, limits: Limits, *, isolate: bool = True):
        self.limits, self.isolate = limits, isolate
        if isolate:
            check_sandbox()
        self.root = Path(tempfile.mkdtemp(prefix="coursework-sandbox-"))
        self.home = self.root / "home"  # /home/student inside
        self.comm = self.root / "comm"  # the kernel's sockets and connection file, same path inside
        self.home.mkdir()
        self.comm.mkdir()
        (self.home / "submission.ipynb").write_bytes(notebook)
        for path in (self.home, self.comm, self.home / "submission.ipynb"):
            self.hand_over(path)
        self.root.chmod(0o755)

    def hand_over(self, path: Path) -> None:
        """Give a file of the private folders to the sandbox's user (uid 65534 on the host when root grades)."""
        if os.geteuid() == 0 and self.isolate:
            os.chown(path, NOBODY, NOBODY)

    @property
    def workdir(self) -> str:
        """The kernel's working folder, as the kernel sees it."""
        return HOME if self.isolate else str(self.home)

    def command(self, argv: list[str]) -> list[str]:
        """``argv`` wrapped to run inside this sandbox under its limits."""
        inner = self.limits.prlimit() + argv
        if not self.isolate:
            return inner
        return _bwrap_prefix(self.home, self.comm, self.environment()) + inner

    def environment(self) -> dict[str, str]:
        """The environment of the sandboxed program (bwrap clears everything else)."""
        home = self.workdir
        tmp = "/tmp" if self.isolate else str(self.home)
        return {
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": home,
            "LANG": "C.UTF-8",
            "TMPDIR": tmp,
            "IPYTHONDIR": f"{tmp}/.ipython",
            "JUPYTER_RUNTIME_DIR": f"{tmp}/.jupyter-runtime",
            "JUPYTER_CONFIG_DIR": f"{tmp}/.jupyter",
            "MPLCONFIGDIR": f"{tmp}/.matplotlib",
            "PYTHONDONTWRITEBYTECODE": "1",
            # The kernel imports the langevin_lib the grader uses (the one shown read-only), not another one
            # that the environment's own path may name (a checkout on PYTHONPATH, an editable install elsewhere).
            "PYTHONPATH": _library_parent(),
            # One thread per BLAS: fair on a shared machine, and within the process limit.
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }

    def visible(self, path: str | Path) -> bool:
        """Whether a host file would be visible inside the sandbox (outside its private folders)."""
        if not self.isolate:
            return True
        target = Path(path).resolve()
        return any(target == root or root in target.parents for root in map(Path, _readable_roots()))

    def cleanup(self) -> None:
        """Delete the private folders (the sandbox's processes are gone by then)."""
        shutil.rmtree(self.root, ignore_errors=True)


def _library_parent() -> str:
    import langevin_lib

    return str(Path(langevin_lib.__file__).resolve().parents[1])


@cache
def _readable_roots() -> tuple[str, ...]:
    """Host folders the sandbox shows read-only: the system, Python, and langevin_lib."""
    import langevin_lib

    roots = {"/usr", *(str(Path("/etc", name)) for name in _ETC_FILES if Path("/etc", name).exists())}
    for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix, Path(sys.executable).resolve().parents[1]):
        roots.add(str(Path(prefix).resolve()))
    roots.add(str(Path(langevin_lib.__file__).resolve().parent))
    # Keep only outermost folders (a venv inside the Python prefix needs no second mount).
    ordered = sorted(roots, key=lambda p: (len(Path(p).parts), p))
    outer: list[str] = []
    for root in ordered:
        if not any(Path(root) == Path(o) or Path(o) in Path(root).parents for o in outer):
            outer.append(root)
    return tuple(outer)


def _bwrap_prefix(home: Path, comm: Path, environment: dict[str, str]) -> list[str]:
    bwrap = find_bwrap()
    if bwrap is None:
        raise SandboxUnavailable("bwrap is not installed")
    root = os.geteuid() == 0
    args = [bwrap, "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net", "--unshare-ipc"]
    args += ["--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox"]
    if not root:
        args += ["--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY)]
    # bwrap would create the parents of mount points with mode 0700, closed to uid 65534.
    made: set[str] = set()
    mounts: list[str] = []
    for readable in _readable_roots():
        for parent in reversed(Path(readable).parents):
            if str(parent) not in made and str(parent) not in ("/", "/tmp"):
                made.add(str(parent))
                mounts += ["--perms", "0755", "--dir", str(parent)]
        mounts += ["--ro-bind", readable, readable]
    for name in ("bin", "lib", "lib64", "sbin"):  # merged /usr: symlinks; otherwise real folders
        path = Path("/", name)
        if path.is_symlink():
            mounts += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            mounts += ["--ro-bind", str(path), str(path)]
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
    args += mounts
    args += ["--perms", "0755", "--dir", "/home", "--bind", str(home), HOME]
    for parent in reversed(comm.parents):
        if str(parent) not in ("/", "/tmp"):
            args += ["--perms", "0755", "--dir", str(parent)]
    args += ["--bind", str(comm), str(comm), "--chdir", HOME, "--clearenv"]
    args += [part for name, text in environment.items() for part in ("--setenv", name, text)]
    if root:
        # bwrap keeps only what setpriv needs to become uid 65534, and setpriv drops that too.
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--", shutil.which("setpriv") or "setpriv"]
        args += [f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--inh-caps=-all"]
        args += ["--bounding-set=-all", "--no-new-privs"]
    args.append("--")
    return args


@cache
def check_sandbox() -> None:
    """Raise :class:`SandboxUnavailable` unless a bwrap sandbox runs Python here (checked once)."""
    if find_bwrap() is None:
        raise SandboxUnavailable(
            "bwrap (bubblewrap) is not installed, so submissions cannot be sandboxed; install it "
            "(Debian/Ubuntu: apt-get install bubblewrap; `make test` does) or, only for notebooks you "
            "trust, pass --unsafe-no-sandbox"
        )
    with tempfile.TemporaryDirectory(prefix="coursework-check-") as tmp:
        home, comm = Path(tmp, "home"), Path(tmp, "comm")
        home.mkdir()
        comm.mkdir()
        if os.geteuid() == 0:
            os.chown(home, NOBODY, NOBODY)
        os.chmod(tmp, 0o755)
        probe = [sys.executable, "-c", "import numpy"]
        command = _bwrap_prefix(home, comm, {"PATH": "/usr/bin"}) + Limits().prlimit() + probe
        try:
            result = subprocess.run(command, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SandboxUnavailable(f"bwrap could not start a sandbox: {exc}") from exc
        if result.returncode != 0:
            message = result.stderr.decode(errors="replace").strip()[-500:]
            raise SandboxUnavailable(f"bwrap could not start a sandbox here (exit {result.returncode}): {message}")
