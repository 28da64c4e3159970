"""Shared machinery of the demo seed (``manage.py seed_demo``).

Each app that contributes demo data has a ``<app>/demo.py`` with ``seed(ctx)`` (and, if it
needs one, ``reset(ctx)``); the command in ``marketplace`` calls them in layer order with one
:class:`SeedContext`. Nothing here knows about any app: only randomness, sizes, batching,
sections and progress.

Determinism: every section draws from its own ``ctx.rng("name")``, seeded from a fixed seed
and the name, so adding a section (say ``billing``) never changes what another one makes.
Dates hang off :data:`DEMO_TODAY`, never off the clock.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from django.db import connections, transaction

T = TypeVar("T")

SEED = 2026
SIZES = ("small", "large")
DEMO_TODAY = date(2026, 10, 31)  # "today" of the demo world; keeps dates reproducible
BATCH_SIZE = 1000


@dataclass
class SeedContext:
    size: str = "small"
    stdout: Any = None  # a BaseCommand.stdout (OutputWrapper) or any file-like object
    style: Any = None  # a BaseCommand.style, for coloured output; optional
    seed: int = SEED
    verbosity: int = 1
    # What sections made, for later sections (keys are documented where they are set).
    registry: dict[str, Any] = field(default_factory=dict)

    # --- sizes and randomness ------------------------------------------------------------
    @property
    def large(self) -> bool:
        return self.size == "large"

    def pick(self, *, small: T, large: T) -> T:
        return large if self.large else small

    def rng(self, name: str) -> random.Random:
        """A fresh generator for one named stream of choices; same name → same sequence."""
        return random.Random(f"{self.seed}:{name}")

    # --- output --------------------------------------------------------------------------
    def log(self, message: str = "", *, level: int = 1) -> None:
        if self.stdout is not None and self.verbosity >= level:
            self.stdout.write(message)

    def _styled(self, style_name: str, message: str) -> str:
        style = getattr(self.style, style_name, None)
        return style(message) if style else message

    def progress(self, label: str, done: int, total: int) -> None:
        """One line per batch, only for runs big enough to need it."""
        if total > BATCH_SIZE:
            self.log(f"    {label}: {done:,}/{total:,}")

    @contextmanager
    def section(self, title: str, *, atomic: bool = True) -> Iterator[dict[str, int]]:
        """One atomic unit of seeding, announced and timed. Yields a dict for counts to report.
        ``atomic=False`` for a step that is consistent by itself and runs faster outside a
        transaction (the health scoring spreads months over two connections only there)."""
        self.log(self._styled("MIGRATE_HEADING", f"→ {title}"))
        counts: dict[str, int] = {}
        started = time.perf_counter()
        with transaction.atomic() if atomic else nullcontext():
            yield counts
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{n:,} {what}" for what, n in counts.items())
        self.log(
            f"  {self._styled('SUCCESS', 'done')} in {elapsed:.1f}s" + (f": {summary}" if summary else "")
        )


@contextmanager
def without_savepoints(using: str = "default") -> Iterator[None]:
    """Inner ``atomic()`` blocks make no savepoints while this runs (on ``using``'s connection in
    this thread); outer transactions begin and commit as before.

    Nothing in the seed recovers from an error inside a transaction — one aborts the command —
    so the ~2,200 savepoints a small seed set and released (a ``SAVEPOINT`` and a ``RELEASE``
    each: ~4,400 of its ~25,000 statements, from treebeard, Wagtail, taggit and the services'
    own ``atomic()``) protected nothing. Should something inside catch an error after all, the
    enclosing transaction is marked for rollback and the next query fails loudly instead of
    going on from a savepoint.
    """
    features = connections[using].features
    own = "uses_savepoints" in vars(features)
    before = features.uses_savepoints
    features.uses_savepoints = False
    try:
        yield
    finally:
        if own:
            features.uses_savepoints = before
        else:
            del features.uses_savepoints


# --- helpers -------------------------------------------------------------------------------
def chunked(items: Sequence[T], size: int = BATCH_SIZE) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def distribute(total: int, weights: Sequence[float], *, minimum: int = 1) -> list[int]:
    """Split ``total`` into ``len(weights)`` whole counts proportional to ``weights``.

    Every bucket gets at least ``minimum`` when ``total`` allows it (so a small demo still
    has one partner at the top of each ladder); the rest follows the weights by largest
    remainder, so the result is exact and deterministic.
    """
    buckets = len(weights)
    floor_each = minimum if total >= minimum * buckets else 0
    counts = [floor_each] * buckets
    rest = total - floor_each * buckets
    scale = sum(weights)
    shares = [rest * w / scale for w in weights]
    for i, share in enumerate(shares):
        counts[i] += int(share)
    leftover = total - sum(counts)
    by_remainder = sorted(range(buckets), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in by_remainder[:leftover]:
        counts[i] += 1
    return counts


def shuffled(items: Iterable[T], rng: random.Random) -> list[T]:
    out = list(items)
    rng.shuffle(out)
    return out


def weighted_choice(rng: random.Random, options: Sequence[T], weights: Sequence[float]) -> T:
    return rng.choices(options, weights=weights, k=1)[0]


def date_within(rng: random.Random, *, days_back: int, end: date = DEMO_TODAY) -> date:
    return end - timedelta(days=rng.randint(0, days_back))
