"""The progress bar (rich): runs done, runs per second, time left."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

__all__ = ["progress_bar"]


class progress_bar:
    """A context giving ``advance(n)``: a bar on stderr, or nothing when quiet.

    The bar is drawn only on a terminal: a redirected stderr (a log, a pipe)
    gets nothing from it, not even the newline rich ends a live display with.
    """

    def __init__(self, total: int, quiet: bool, console: Console | None = None) -> None:
        self.console = console if console is not None else Console(stderr=True, quiet=quiet)
        self.total, self.quiet = total, quiet
        self.bar: Progress | None = None

    def __enter__(self) -> Callable[[int], None]:
        if self.quiet or not self.console.is_terminal:
            return lambda n: None
        bar = self.bar = Progress(
            TextColumn("simulating"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        bar.__enter__()
        task = bar.add_task("runs", total=self.total, rate="")
        start = time.perf_counter()
        done = [0]

        def advance(n: int) -> None:
            done[0] += n
            rate = done[0] / max(time.perf_counter() - start, 1e-9)
            bar.update(task, advance=n, rate=f"{rate:.1f} runs/s")

        return advance

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.__exit__(kind, exc, tb)
