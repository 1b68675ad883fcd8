"""Poisson tail probabilities and the expected hourly rate of a surge baseline (pure)."""

import math


def upper_tail(k: int, lam: float) -> float:
    """P(X ≥ k) for X ~ Poisson(lam): how improbable `k` or more complaints are when `lam` are expected.

    Summed in log space from the side that converges: above the mean the terms fall, so add
    P(X = k), P(X = k+1), … until they no longer matter; below it take 1 − P(X < k)."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    if k <= lam:
        below = sum(math.exp(i * math.log(lam) - lam - math.lgamma(i + 1)) for i in range(k))
        return max(0.0, 1.0 - below)
    total, i = 0.0, k
    while True:
        term = math.exp(i * math.log(lam) - lam - math.lgamma(i + 1))
        total += term
        if term < total * 1e-15 or term == 0.0:
            return min(1.0, total)
        i += 1


def hour_of_week_profile(
    counts: dict[tuple[int, int], int], pseudo: float = 1.0
) -> dict[tuple[int, int], float]:
    """How busy each (weekday, hour) is relative to the average hour, from counts over whole weeks.

    Smoothed with `pseudo` complaints per slot, so a quiet history gives factors near 1 and a single
    complaint cannot make an hour look ten times busier than the others."""
    total = sum(counts.values())
    mean = total / 168
    return {
        (day, hour): (counts.get((day, hour), 0) + pseudo) / (mean + pseudo)
        for day in range(7)
        for hour in range(24)
    }
