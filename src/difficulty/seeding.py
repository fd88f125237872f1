"""Deterministic seeds derived from the config and a target's keys."""

import hashlib


def _flat(keys):
    for key in keys:
        if isinstance(key, list | tuple):
            yield from _flat(key)
        else:
            yield key


def derive_seed(*keys) -> int:
    """A 63-bit seed from any keys (stable across runs, platforms and Python hash seeds).

    A key may itself be a tuple or list of keys: ``derive_seed((a, b), c) == derive_seed(a, b, c)``,
    so a seed given as the keys of a target extends to its parts.
    """
    text = "\x1f".join(str(k) for k in _flat(keys))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1
