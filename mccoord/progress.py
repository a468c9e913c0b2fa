"""A progress bar for ensemble runs: blocks done, ETA and throughput in region-steps/s."""

from __future__ import annotations

import sys
import time


class Progress:
    """Wraps :class:`tqdm.tqdm` (on stderr); a no-op when ``enabled`` is False.

    Parameters
    ----------
    total : int
        Blocks in the run.
    done : int
        Blocks already done (a resumed run starts there).
    enabled : bool
        Draw the bar.
    label : str
        Text in front of the bar.
    """

    def __init__(self, total: int, done: int = 0, *, enabled: bool = True, label: str = "") -> None:
        self.enabled = enabled
        self.steps = 0
        self.start = time.perf_counter()
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                initial=done,
                desc=label,
                unit="block",
                file=sys.stderr,
                dynamic_ncols=True,
                smoothing=0.1,
            )

    def update(self, info: dict) -> None:
        """Count one finished block (``info`` from :func:`mccoord.tasks.compute_block`)."""
        self.steps += info["region_steps"]
        if self.bar is not None:
            rate = self.steps / max(time.perf_counter() - self.start, 1e-9)
            self.bar.set_postfix_str(f"{rate / 1e6:.1f}M region-steps/s", refresh=False)
            self.bar.update(1)

    def note(self, text: str) -> None:
        """Print one line on stderr above the bar (nothing when disabled)."""
        if self.bar is not None:
            self.bar.write(f"mccoord: {text}", file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
