"""A Jupyter kernel inside a submission's sandbox, with deadlines, interrupts, and a bounded restart.

The kernel talks to the grader over Unix sockets in the sandbox's ``comm``
folder (the sandbox has no network). Its own stdout and stderr go nowhere: a
submission's output reaches the grader only as Jupyter messages, of which the
grader keeps error names and messages (escaped by the report) and the
exchange's responses.
"""

from __future__ import annotations

import queue
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .exchange import MAX_PAYLOAD, MIME
from .sandbox import Sandbox

__all__ = ["Kernel", "KernelStartError", "Outcome"]

_GRACE_SECONDS = 3.0  # how long an interrupted cell gets to stop before the kernel is killed
_MAX_MESSAGE = 300


class KernelStartError(RuntimeError):
    """The sandboxed kernel did not start (or not within its time)."""


@dataclass
class Outcome:
    """How one execution ended: ``ok``, ``error`` or ``timeout``; ``payload`` is an exchange response."""

    status: str
    message: str = ""
    payload: str | None = None


def _manager_class():
    from jupyter_client.manager import KernelManager

    class SandboxedKernelManager(KernelManager):
        """A kernel manager whose kernel command runs inside a :class:`Sandbox`."""

        sandbox: Sandbox | None = None

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            argv = [sys.executable, "-m", "ipykernel_launcher", "-f", str(Path(self.connection_file).resolve())]
            return self.sandbox.command(argv + list(extra_arguments or []))

        def write_connection_file(self, **kwargs) -> None:
            super().write_connection_file(**kwargs)
            self.sandbox.hand_over(Path(self.connection_file))  # the kernel's user must read it

    return SandboxedKernelManager


class Kernel:
    """One sandboxed ipykernel; ``run`` executes a cell under a deadline, restarting when it must.

    Parameters
    ----------
    sandbox : Sandbox
        Where the kernel runs.
    startup_timeout : float
        Seconds allowed for the kernel to start.
    max_restarts : int
        Restarts allowed (each replays the cells that had succeeded); beyond it,
        every further cell fails with ``error``.
    """

    def __init__(self, sandbox: Sandbox, *, startup_timeout: float = 60.0, max_restarts: int = 2):
        self.sandbox, self.startup_timeout, self.max_restarts = sandbox, startup_timeout, max_restarts
        self.history: list[tuple[str, float]] = []  # cells that succeeded, with their run time
        self.restarts, self.dead_reason, self._replaying = 0, "", False
        self.deadline = float("inf")  # time.monotonic() after which nothing is replayed
        self.km = self.kc = None
        self._start()

    def _start(self) -> None:
        manager = _manager_class()(
            kernel_name="python3",
            transport="ipc",
            connection_file=str(self.sandbox.comm / "kernel.json"),
            ip=str(self.sandbox.comm / "kernel"),
        )
        manager.sandbox = self.sandbox
        # Interrupts travel as messages: a signal would reach bwrap, not the kernel.
        manager.kernel_spec.interrupt_mode = "message"
        self.km = manager
        try:
            manager.start_kernel(
                cwd=self.sandbox.workdir if not self.sandbox.isolate else None,
                env=self.sandbox.environment(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            self.kc = manager.client()
            self.kc.start_channels()
            self.kc.wait_for_ready(timeout=self.startup_timeout)
        except Exception as exc:
            self.shutdown()
            raise KernelStartError(f"the sandboxed kernel did not start: {type(exc).__name__}: {exc}") from exc

    def run(self, source: str, timeout: float, *, record: bool = True) -> Outcome:
        """Execute ``source`` within ``timeout`` seconds; a successful cell joins the replay history."""
        if self.dead_reason:
            return Outcome("error", self.dead_reason)
        started = time.monotonic()
        outcome = self._execute(source, timeout)
        if outcome.status == "ok" and record:
            self.history.append((source, time.monotonic() - started))
        return outcome

    def _execute(self, source: str, timeout: float) -> Outcome:
        try:
            msg_id = self.kc.execute(source, store_history=False, allow_stdin=False, stop_on_error=False)
        except Exception as exc:  # a closed channel: the kernel is gone
            return self._lost(f"the kernel stopped answering ({type(exc).__name__})", interrupted=False, timeout=0)
        deadline = time.monotonic() + timeout
        error, payload, interrupted = "", None, False
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 and not interrupted:
                try:
                    self.km.interrupt_kernel()
                    grace = _GRACE_SECONDS
                except Exception:  # an interrupt that cannot be sent is one that did not stop the cell
                    grace = 0.0
                interrupted, deadline = True, time.monotonic() + grace
                continue
            if remaining <= 0 or not self.km.is_alive():
                reason = "the kernel died" if not self.km.is_alive() else "the interrupt did not stop it"
                return self._lost(reason, interrupted=interrupted, timeout=timeout)
            try:
                msg = self.kc.get_iopub_msg(timeout=min(remaining, 0.5))
            except queue.Empty:
                continue
            except Exception:  # a malformed message from the kernel: ignore it, the deadline still holds
                continue
            if not isinstance(msg, dict) or msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg.get("msg_type"), msg.get("content", {})
            if kind == "error":
                error = f"{content.get('ename')}: {content.get('evalue')}"[:_MAX_MESSAGE]
            elif kind == "display_data" and payload is None:
                data = content.get("data", {})
                text = data.get(MIME) if isinstance(data, dict) else None
                if isinstance(text, str) and len(text) <= MAX_PAYLOAD:
                    payload = text
            elif kind == "status" and content.get("execution_state") == "idle":
                break
        if interrupted:
            return Outcome("timeout", f"exceeded the time limit of {timeout:.3g} s and was interrupted")
        return Outcome("error", error, payload) if error else Outcome("ok", "", payload)

    def _lost(self, reason: str, *, interrupted: bool, timeout: float) -> Outcome:
        """The kernel died or will not stop: kill it (and all its processes), restart, replay."""
        if self._replaying:
            self.shutdown()
            self.dead_reason = f"not run: replaying the earlier cells after a restart failed ({reason})"
        else:
            self._restart()
        if interrupted:
            return Outcome("timeout", f"exceeded the time limit of {timeout:.3g} s ({reason})")
        return Outcome("error", reason)

    def _restart(self) -> None:
        self.shutdown()
        if self.restarts >= self.max_restarts:
            self.dead_reason = f"not run: the kernel was already restarted {self.restarts} times"
            return
        self.restarts += 1
        try:
            self._start()
        except KernelStartError as exc:
            self.dead_reason = str(exc)
            return
        # Replay what had succeeded, each cell within a bound of its first run, so that a cell
        # which hangs only on replay cannot hold the grader; replay stops at the first failure.
        self._replaying = True
        try:
            for position, (source, seconds) in enumerate(self.history):
                budget = min(2 * seconds + 10.0, self.deadline - time.monotonic())
                if budget <= 0:
                    self.shutdown()
                    self.dead_reason = "not run: no time was left to replay the earlier cells after a restart"
                    break
                if self._execute(source, budget).status != "ok":
                    del self.history[position:]
                    break
        finally:
            self._replaying = False

    def shutdown(self) -> None:
        """Stop the kernel; killing bwrap ends every process of the sandbox."""
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:  # already closed
                pass
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:  # a kernel that will not die: kill its process directly
                process = getattr(getattr(self.km, "provisioner", None), "process", None)
                if process is not None:
                    process.kill()
            try:
                self.km.cleanup_resources()
            except Exception:  # nothing left to clean
                pass
        self.km = self.kc = None
