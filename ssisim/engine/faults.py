"""The engine's test seam: fault injection, read from the environment.

The failure paths of the engine (a worker that dies, a user who presses
Ctrl-C) must be tested in real processes, where a mock cannot reach. Two
environment variables, both unset in normal use, trigger them:

``SSISIM_TEST_EXIT_AT=POINT:REPLICATION[:once]``
    a worker process (never the parent) exits abruptly (``os._exit(70)``)
    before that run; with ``:once``, only on the first attempt, so that the
    retry succeeds.
``SSISIM_TEST_INTERRUPT_AFTER=N``
    the driver raises :class:`KeyboardInterrupt` once N chunks are done.

Nothing else in ssisim reads them; a run with neither set takes no branch here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["Faults", "interrupt_after"]


@dataclass(frozen=True)
class Faults:
    """Where a worker should die (``SSISIM_TEST_EXIT_AT``); empty in normal use."""

    exit_at: tuple[int, int] | None = None
    once: bool = False
    parent_pid: int = 0

    @classmethod
    def from_env(cls) -> Faults:
        spec = os.environ.get("SSISIM_TEST_EXIT_AT", "")
        if not spec:
            return cls()
        parts = spec.split(":")
        return cls((int(parts[0]), int(parts[1])), parts[2:] == ["once"], os.getpid())

    def maybe_exit(self, point: int, replication: int, attempt: int) -> None:
        """Exit this worker process abruptly if it is the run to fail."""
        if self.exit_at != (point, replication) or os.getpid() == self.parent_pid:
            return
        if self.once and attempt > 0:
            return
        os._exit(70)


def interrupt_after() -> int:
    """Chunks after which the driver simulates Ctrl-C (``SSISIM_TEST_INTERRUPT_AFTER``); 0: never."""
    return int(os.environ.get("SSISIM_TEST_INTERRUPT_AFTER", "0") or 0)
