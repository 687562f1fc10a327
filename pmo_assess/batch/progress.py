"""Progress of a batch: units done and failed, the rate, and the time left.

On a terminal, one tqdm bar (done/total, failed count, elapsed, time left, rate). Elsewhere (logs,
CI) one plain line per finished unit, and for long batches a status line every 5 % of the units
(at least every 10): "1200/5000 done, 3 failed, 42.5 units/min, about 1 h 28 min left".
"""
from __future__ import annotations

import time
from typing import Callable, TextIO

from pmo_assess.batch.summary import Outcome, visible

BAR_FORMAT = ("{desc}: {n_fmt}/{total_fmt} units |{bar}| {postfix} "
              "[{elapsed} elapsed, {remaining} left, {rate_fmt}]")


def duration_text(seconds: float) -> str:
    """A rough duration a person reads at a glance: '45 s', '12 min', '3 h 05 min'."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


class Progress:
    """Counts finished runs out of ``total`` and shows each one as it ends, with the rate and time left."""

    def __init__(self, total: int, stream: TextIO, bar: bool | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total, self.done, self.failed, self.stream = total, 0, 0, stream
        self.clock, self.started = clock, clock()
        self.every = max(10, total // 20)
        use_bar = stream.isatty() if bar is None else bar
        self.bar = None
        if use_bar and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, file=stream, unit="unit", desc="assessing", bar_format=BAR_FORMAT)

    def status(self) -> str:
        """Units done and failed so far, the rate, and the time left at that rate."""
        elapsed = max(self.clock() - self.started, 1e-9)
        rate = self.done / elapsed * 60
        left = f"about {duration_text((self.total - self.done) / rate * 60)} left" if rate else "time left unknown"
        return f"{self.done}/{self.total} done, {self.failed} failed, {rate:.1f} units/min, {left}"

    def finished(self, outcome: Outcome) -> None:
        self.done += 1
        self.failed += not outcome.succeeded
        if self.bar is not None:
            self.bar.set_postfix_str(f"{self.failed} failed · {visible(outcome.name)}: {outcome.status}",
                                     refresh=False)
            self.bar.update()
            return
        print(f"[{self.done}/{self.total}] {outcome.status:<8} {visible(outcome.name)} ({outcome.seconds:.1f} s)",
              file=self.stream, flush=True)
        if self.done % self.every == 0 and self.done < self.total:
            print(self.status(), file=self.stream, flush=True)

    def note(self, text: str) -> None:
        """One line of news about a run (above the bar, when there is one)."""
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
