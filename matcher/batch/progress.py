"""The batch progress bar: patients done, rate and ETA on stderr (tqdm), silent when stderr is no terminal."""

from __future__ import annotations

import sys
from typing import Optional

from tqdm import tqdm

__all__ = ["Progress"]


class Progress:
    """``update(done)`` with the running total of patients screened; ``finish()`` once at the end."""

    def __init__(self, enabled: bool, total: Optional[int]):
        # A log file or a CI pipe gets the one-line summary only, never carriage-return redraws.
        self._bar = tqdm(total=total or None, unit=" patients", file=sys.stderr, dynamic_ncols=True,
                         disable=not (enabled and sys.stderr.isatty()), leave=False, smoothing=0.1)

    def update(self, done: int) -> None:
        if done > self._bar.n:
            self._bar.update(done - self._bar.n)

    def finish(self) -> None:
        self._bar.close()
