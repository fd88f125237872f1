"""Which cases a shard holds, and the order that puts the shards back together: one rule for every stage.

A stage that splits a dataset over ``shards`` parallel jobs gives shard k every
``shards``-th case of the case table, starting at case k; row r of shard k is
then case r · shards + k of the table.
"""

from __future__ import annotations

import numpy as np


def shard_positions(n: int, shard: int, shards: int) -> np.ndarray:
    """Positions (in the case table of ``n`` cases) of the cases of one shard, in order.

    Parameters
    ----------
    n : cases in the table; shard : 0 ≤ shard < shards; shards : how many shards.
    """
    if not 0 <= shard < shards:
        raise ValueError(f"shard {shard} is not one of {shards} shards")
    return np.arange(shard, n, shards)


def case_positions(shard, row, shards: int) -> np.ndarray:
    """The case-table position of row ``row`` of shard ``shard`` (arrays of equal length): row · shards + shard."""
    return np.asarray(row, dtype=np.int64) * shards + np.asarray(shard, dtype=np.int64)
