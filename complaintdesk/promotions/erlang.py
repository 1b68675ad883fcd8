"""Erlang C: the M/M/c queue of complaints waiting for one of c customer-service agents. Pure Python.

Notation: λ arrivals per unit of time, μ = 1 / average handling time, A = λ/μ the offered load in Erlangs,
c agents. The textbook formula has A^c / c!, which overflows a float from c ≈ 170; here nothing is ever
larger than 1 but c itself:

1. Erlang B by its recursion B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)), every term in [0, 1];
2. Erlang C from it: C = c·B / (c − A·(1 − B)), the probability that an arrival has to wait;
3. the share answered within t: P(W ≤ t) = 1 − C·e^{−(cμ − λ)·t}.

With c ≤ A the queue has no steady state (it grows without end): C = 1 and the share is 0.
"""

import math


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of M/M/c/c with `servers` servers and `load` Erlangs."""
    if servers < 0 or load < 0:
        raise ValueError("servers and load must not be negative")
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def _c_from_b(servers: int, load: float, b: float) -> float:
    if servers <= load:
        return 1.0
    return servers * b / (servers - load * (1.0 - b))


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits, in M/M/c with `servers` agents and `load` Erlangs."""
    if load == 0:
        return 0.0
    return _c_from_b(servers, load, erlang_b(servers, load))


def _share(servers: int, load: float, c: float, arrival_rate: float, service_rate: float, t: float) -> float:
    if servers <= load:
        return 0.0
    return 1.0 - c * math.exp(-(servers * service_rate - arrival_rate) * t)


def share_within(servers: int, arrival_rate: float, service_rate: float, t: float) -> float:
    """P(W ≤ t): the share of arrivals that an agent picks up within `t` (same time unit as the rates)."""
    load = arrival_rate / service_rate
    return _share(servers, load, erlang_c(servers, load), arrival_rate, service_rate, t)


def mean_wait(servers: int, arrival_rate: float, service_rate: float) -> float:
    """E[W] = C / (cμ − λ); infinite without a steady state."""
    load = arrival_rate / service_rate
    if servers <= load:
        return math.inf
    return erlang_c(servers, load) / (servers * service_rate - arrival_rate)


def min_servers(
    arrival_rate: float, service_rate: float, t: float, target: float, limit: int = 1_000_000
) -> int | None:
    """The fewest agents with P(W ≤ t) ≥ target; None when even `limit` agents do not reach it.

    1. Start at the least c above the load (fewer never reach a steady state), B computed up to there.
    2. Step c up by one, carrying B forward with one step of its recursion, until the share reaches the
       target: the share only grows with c, so the first c that reaches it is the answer.
    Cost: O(answer) float operations, e.g. about 1,000 steps for 1,000 agents.
    """
    if not 0 < target < 1:
        raise ValueError("target must be between 0 and 1")
    load = arrival_rate / service_rate
    if load == 0:
        return 1
    servers = math.floor(load) + 1
    if servers > limit:
        return None
    b = erlang_b(servers, load)
    while servers <= limit:
        c = _c_from_b(servers, load, b)
        if _share(servers, load, c, arrival_rate, service_rate, t) >= target:
            return servers
        servers += 1
        b = load * b / (servers + load * b)
    return None
