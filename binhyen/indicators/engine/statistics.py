"""Whether a change in a count is ordinary: an exact conditional (binomial) test of two
Poisson counts over periods of different lengths.

Invariant: pure functions of their arguments (cached), no database.
"""

from __future__ import annotations

import math
from functools import lru_cache


def _binom_logpmf(k: int, n: int, p: float) -> float:
    if p <= 0.0:
        return 0.0 if k == 0 else -math.inf
    if p >= 1.0:
        return 0.0 if k == n else -math.inf
    return (
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + k * math.log(p)
        + (n - k) * math.log1p(-p)
    )


def poisson_change_p_value(
    current: float, previous: float, t_current: float = 1.0, t_previous: float = 1.0
) -> float:
    """Return the two-sided p-value that two Poisson counts come from the same rate (cached)."""
    return _poisson_p(round(max(current, 0.0)), round(max(previous, 0.0)), t_current, t_previous)


@lru_cache(maxsize=65536)
def _poisson_p(k: int, m: int, t_current: float, t_previous: float) -> float:
    """Return the two-sided p-value that two Poisson counts come from the same rate.

    Conditional test (Przyborowski–Wilenski, R's ``poisson.test`` for two samples): given
    ``n = current + previous``, ``current`` is Binomial(n, t_c / (t_c + t_p)) under equal
    rates, where ``t`` are the exposures (days in each period). The exact two-sided p-value
    is the probability of every outcome no more likely than the observed one, computed as
    1 − (mass of the more likely outcomes): those form one interval around the mode, walked
    outward with the pmf ratio, so the cost grows with the distance from the mode, not with
    n. SciPy is not needed.
    """
    n = k + m
    if n == 0:
        return 1.0
    p = t_current / (t_current + t_previous)
    observed = _binom_logpmf(k, n, p)
    limit = observed + 1e-7 * abs(observed) + 1e-12
    mode = min(n, int((n + 1) * p))
    log_mode = _binom_logpmf(mode, n, p)
    if log_mode <= limit:
        return 1.0
    ratio = p / (1.0 - p) if p < 1.0 else math.inf
    inner = math.exp(log_mode)
    lp = log_mode
    i = mode
    while i < n:  # walk up from the mode
        lp += math.log((n - i) / (i + 1) * ratio)
        i += 1
        if lp <= limit:
            break
        inner += math.exp(lp)
    lp = log_mode
    i = mode
    while i > 0:  # walk down from the mode
        lp -= math.log((n - i + 1) / i * ratio)
        i -= 1
        if lp <= limit:
            break
        inner += math.exp(lp)
    return min(1.0, max(0.0, 1.0 - inner))
