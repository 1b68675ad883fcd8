"""Erlang C against published values, closed forms, a brute-force simulation, and very large staffs."""

import heapq
import math
import random

import pytest

from complaintdesk.promotions import erlang


def naive_erlang_c(c: int, a: float) -> float:
    """The textbook formula with powers and factorials: overflows once A^c or c! passes 1e308."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def log_space_erlang_c(c: int, a: float) -> float:
    """An independent route for large c: the same formula with every term in log space (lgamma)."""
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
    log_top = c * math.log(a) - math.lgamma(c + 1) + math.log(c / (c - a))
    peak = max(*logs, log_top)
    top = math.exp(log_top - peak)
    return top / (sum(math.exp(x - peak) for x in logs) + top)


# Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example": 100 calls per half
# hour, 180 s average handling time (A = 10 Erlangs), 20 s target answer time. Published: 11 agents wait
# 68.21 % of the time; 14 agents wait 17.41 %, answer 88.8 % within 20 s, average speed of answer 7.8 s.
@pytest.mark.parametrize(("agents", "wait", "service_level"), [(11, 0.6821, 0.3896), (14, 0.1741, 0.8884)])
def test_the_call_centre_helper_worked_example(agents, wait, service_level):
    per_second = 200 / 3600
    service = 1 / 180
    assert erlang.erlang_c(agents, 10.0) == pytest.approx(wait, abs=5e-5)
    assert erlang.share_within(agents, per_second, service, 20) == pytest.approx(service_level, abs=5e-4)


def test_the_call_centre_helper_average_speed_of_answer():
    assert erlang.mean_wait(14, 200 / 3600, 1 / 180) == pytest.approx(7.8, abs=0.05)


def test_the_mitan_worked_example():
    """Mitan Ltd, "The Erlang-C formula" worked example: 360 calls per half hour, 4-minute calls, 55 agents,
    15 s target. Published: traffic 48 Erlangs, P(wait) 23.9 %, average speed of answer 8.2 s, service
    level 84.6 %. (Rates per minute here.)"""
    arrivals, service = 360 / 30, 1 / 4
    assert erlang.erlang_c(55, 48.0) == pytest.approx(0.2387, abs=5e-4)
    assert erlang.mean_wait(55, arrivals, service) * 60 == pytest.approx(8.2, abs=0.05)
    assert erlang.share_within(55, arrivals, service, 15 / 60) == pytest.approx(0.846, abs=5e-4)


def test_the_wolfram_minimum_staff_example():
    """Wolfram Language documentation, ErlangC, "Applications": 30 calls per hour, 5-minute calls; at least
    90 % must not be delayed. Published answer: 6 employees. P(no wait) is the share within t = 0."""
    assert erlang.min_servers(30, 12, 0, 0.9) == 6
    assert 1 - erlang.erlang_c(5, 2.5) < 0.9 <= 1 - erlang.erlang_c(6, 2.5)


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.9, 0.99])
def test_closed_forms_for_one_and_two_agents(rho):
    assert erlang.erlang_c(1, rho) == pytest.approx(rho)  # M/M/1: P(wait) = ρ
    assert erlang.erlang_c(2, 2 * rho) == pytest.approx(2 * rho**2 / (1 + rho))  # M/M/2


@pytest.mark.parametrize(("c", "a"), [(3, 2.0), (10, 7.5), (25, 20.0), (60, 55.5), (100, 90.0)])
def test_it_agrees_with_the_factorial_formula_where_that_one_works(c, a):
    assert erlang.erlang_c(c, a) == pytest.approx(naive_erlang_c(c, a), rel=1e-9)


@pytest.mark.parametrize(("c", "a"), [(200, 190.0), (500, 480.0), (1000, 980.0), (5000, 4950.0)])
def test_hundreds_and_thousands_of_agents_do_not_overflow(c, a):
    with pytest.raises(OverflowError):
        naive_erlang_c(c, a)
    value = erlang.erlang_c(c, a)
    assert 0 < value < 1
    assert value == pytest.approx(log_space_erlang_c(c, a), rel=1e-9)


def test_without_a_steady_state_everyone_waits_and_nobody_is_answered_in_time():
    assert erlang.erlang_c(5, 5.0) == 1.0
    assert erlang.erlang_c(4, 9.0) == 1.0
    assert erlang.share_within(4, 9.0, 1.0, 10.0) == 0.0
    assert erlang.mean_wait(4, 9.0, 1.0) == math.inf


def test_no_complaints_means_no_wait():
    assert erlang.erlang_c(1, 0.0) == 0.0
    assert erlang.share_within(1, 0.0, 1.0, 0.0) == 1.0
    assert erlang.min_servers(0.0, 1.0, 1.0, 0.95) == 1


def test_the_minimum_staff_is_the_first_count_that_reaches_the_target():
    arrivals, service, t = 200 / 3600, 1 / 180, 20
    found = erlang.min_servers(arrivals, service, t, 0.80)
    assert found == 14
    assert (
        erlang.share_within(found - 1, arrivals, service, t)
        < 0.80
        <= erlang.share_within(found, arrivals, service, t)
    )


@pytest.mark.parametrize(
    ("arrivals", "service", "t", "target"),
    [(40.0, 9.0, 2.0, 0.95), (3000.0, 10.0, 0.05, 0.95), (50_000.0, 12.0, 0.01, 0.99)],
)
def test_the_minimum_staff_matches_a_plain_search(arrivals, service, t, target):
    load = arrivals / service
    plain = next(
        c
        for c in range(math.floor(load) + 1, 100_000)
        if erlang.share_within(c, arrivals, service, t) >= target
    )
    assert erlang.min_servers(arrivals, service, t, target) == plain


def test_an_unreachable_target_within_the_limit_says_so():
    assert erlang.min_servers(1000.0, 1.0, 0.001, 0.99, limit=500) is None


def simulate(c: int, arrivals: float, service: float, customers: int, seed: int) -> list[float]:
    """Brute force M/M/c, first come first served: each arrival takes the agent that frees up first."""
    rng = random.Random(seed)
    free_at = [0.0] * c
    now, waits = 0.0, []
    for _ in range(customers):
        now += rng.expovariate(arrivals)
        earliest = heapq.heappop(free_at)
        start = max(now, earliest)
        waits.append(start - now)
        heapq.heappush(free_at, start + rng.expovariate(service))
    return waits[customers // 10 :]  # drop the warm-up from an empty system


@pytest.mark.parametrize(
    ("c", "arrivals", "service", "seed"), [(3, 2.4, 1.0, 1), (10, 8.5, 1.0, 2), (40, 36.0, 1.0, 3)]
)
def test_it_agrees_with_a_seeded_simulation(c, arrivals, service, seed):
    waits = simulate(c, arrivals, service, 150_000, seed)
    waited = sum(w > 0 for w in waits) / len(waits)
    assert waited == pytest.approx(erlang.erlang_c(c, arrivals / service), abs=0.02)
    for t in (0.1, 0.5, 1.0):
        within = sum(w <= t for w in waits) / len(waits)
        assert within == pytest.approx(erlang.share_within(c, arrivals, service, t), abs=0.02)
