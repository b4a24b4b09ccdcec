"""Token secrets: format, prefix, hashing."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from binhyen.accounts.tokens import TOKEN_PREFIX_LEN, generate_secret, hash_secret, prefix_of


def test_generated_secrets_carry_their_prefix_and_differ():
    # When two secrets are generated
    # Then they differ and each starts with its public prefix
    first, second = generate_secret(), generate_secret()
    assert first != second
    assert first.startswith("by_")
    assert len(prefix_of(first)) == TOKEN_PREFIX_LEN
    assert first.split("_")[1] == prefix_of(first)


def test_hash_is_sha256_hex():
    # Given a secret
    # Then only its SHA-256 hex digest is stored, never the secret
    raw = generate_secret()
    assert hash_secret(raw) == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in hash_secret(raw)


@given(st.text(max_size=200))
def test_prefix_of_never_fails_and_stays_short(text):
    # Given any text as a token
    # Then the prefix stays short and the hash is 64 hex digits
    assert len(prefix_of(text)) <= TOKEN_PREFIX_LEN
    assert len(hash_secret(text)) == 64
