"""Progress of a batch: a tqdm bar on a terminal, one plain line per finished unit otherwise (logs, CI)."""
from __future__ import annotations

from typing import TextIO

from pmo_assess.batch.summary import Outcome, visible


class Progress:
    """Counts finished runs out of ``total`` and shows each one as it ends."""

    def __init__(self, total: int, stream: TextIO, bar: bool | None = None) -> None:
        self.total, self.done, self.stream = total, 0, stream
        use_bar = stream.isatty() if bar is None else bar
        self.bar = None
        if use_bar and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, file=stream, unit="unit", desc="assessing")

    def finished(self, outcome: Outcome) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.set_postfix_str(f"{visible(outcome.name)}: {outcome.status}", refresh=False)
            self.bar.update()
            return
        print(f"[{self.done}/{self.total}] {outcome.status:<8} {visible(outcome.name)} ({outcome.seconds:.1f} s)",
              file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
