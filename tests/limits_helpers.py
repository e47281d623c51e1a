"""A guard for tests of things that used to hang: fail after a CPU-time budget instead.

The guard counts CPU time with ``ITIMER_VIRTUAL`` (signal ``SIGVTALRM``), so it leaves
``SIGALRM`` to graphir's own SymPy time limit (:mod:`graphir.bridges.sympy_limits`), which
stays armed inside the guarded block.
"""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Iterator

import pytest


class _Overtime(BaseException):
    """Raised by the guard's timer (a BaseException: no ``except Exception`` swallows it)."""


@contextlib.contextmanager
def cpu_budget(seconds: float, what: str = "the call") -> Iterator[None]:
    """Fail the test when the block uses more than ``seconds`` of CPU time."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def fire(signum: int, frame: object) -> None:
        raise _Overtime

    previous = signal.signal(signal.SIGVTALRM, fire)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    t0 = time.perf_counter()
    try:
        yield
    except _Overtime:
        pytest.fail(f"{what} was still running after {seconds} s of CPU time "
                    f"({time.perf_counter() - t0:.1f} s wall): it hangs")
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)
