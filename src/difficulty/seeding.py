"""Deterministic seeds derived from the config and a target's keys."""

import hashlib


def derive_seed(*keys) -> int:
    """A 63-bit seed from any keys (stable across runs, platforms and Python hash seeds)."""
    text = "\x1f".join(str(k) for k in keys)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1
