"""Proof-of-work: solved challenges pass once; forged, altered, expired or wrong ones fail."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from binhyen.tips import pow, ratelimit


def test_solved_challenge_passes_once():
    # given a fresh challenge and its solution
    challenge = pow.challenge_issue()
    solution = pow.solve(challenge.token, challenge.bits)
    # when verified, then it passes; a replay is refused
    pow.challenge_verify(challenge.token, solution)
    with pytest.raises(pow.ChallengeError, match="đã được dùng"):
        pow.challenge_verify(challenge.token, solution)


def test_a_replay_is_refused_after_many_other_sources():
    # given a spent challenge
    challenge = pow.challenge_issue()
    solution = pow.solve(challenge.token, challenge.bits)
    pow.challenge_verify(challenge.token, solution)
    # when a thousand other sources are counted by the rate limits (cache entries of their own)
    for n in range(1000):
        request = RequestFactory().get("/", REMOTE_ADDR=f"10.0.{n // 250}.{n % 250}")
        ratelimit.rate_limit_hit("challenge", request)
    # then the spent challenge is still remembered and its replay refused
    with pytest.raises(pow.ChallengeError, match="đã được dùng"):
        pow.challenge_verify(challenge.token, solution)


def test_missing_proof_is_refused():
    with pytest.raises(pow.ChallengeError, match="Thiếu"):
        pow.challenge_verify("", "")


def test_wrong_solution_is_refused(settings):
    settings.TIPS_POW_BITS = 12
    challenge = pow.challenge_issue()
    good = pow.solve(challenge.token, challenge.bits)
    wrong = next(
        str(n)
        for n in range(10_000)
        if pow.leading_zero_bits(pow.digest_for(challenge.token, str(n))) < 12 and str(n) != good
    )
    with pytest.raises(pow.ChallengeError, match="không đúng"):
        pow.challenge_verify(challenge.token, wrong)


def test_expired_challenge_is_refused(settings):
    settings.TIPS_POW_TTL_SECONDS = -1
    challenge = pow.challenge_issue()
    with pytest.raises(pow.ChallengeError, match="hết hạn"):
        pow.challenge_verify(challenge.token, pow.solve(challenge.token, challenge.bits))


def test_lowered_difficulty_cannot_be_forged():
    # a client cannot rewrite the difficulty inside the signed token
    challenge = pow.challenge_issue(bits=16)
    forged = challenge.token.replace('"b":16', '"b":0')
    with pytest.raises(pow.ChallengeError):
        pow.challenge_verify(forged, "0")


@hsettings(max_examples=50, deadline=None)
@given(st.text(max_size=200), st.text(max_size=30))
def test_arbitrary_input_is_refused_cleanly(token, solution):
    with pytest.raises(pow.ChallengeError):
        pow.challenge_verify(token, solution)
