"""Feature tables: standardisation, NaN-column dropping and PCA."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)


def feature_matrix(table: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    """Case ids and the float matrix of all other columns."""
    return list(table["case_id"]), table.drop(columns="case_id").to_numpy(dtype=np.float64)


def zscore_drop_nan(table: pd.DataFrame) -> pd.DataFrame:
    """The study's post-processing: z-score every feature over the dataset, drop columns holding NaN.

    Constant columns become NaN under z-scoring and are dropped with them.
    """
    values = table.drop(columns="case_id").astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (values - values.mean()) / values.std(ddof=0).replace(0.0, np.nan)
    z = z.replace([np.inf, -np.inf], np.nan).dropna(axis=1, how="any")
    dropped = [c for c in values.columns if c not in z.columns]
    if dropped:
        finite = np.isfinite(values[dropped]).all()
        reasons = [f"{c!r} ({'constant' if finite[c] else 'NaN or inf'})" for c in dropped]
        more = f", ... ({len(dropped) - 10} more)" if len(dropped) > 10 else ""
        log.info("%d feature(s) dropped: %s%s", len(dropped), ", ".join(reasons[:10]), more)
    if z.shape[1] == 0:
        raise ValueError("no feature column is left after z-scoring and dropping columns with NaN")
    z.insert(0, "case_id", table["case_id"].to_numpy())
    return z


def reduce_pca(table: pd.DataFrame, n_components: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Standardise, then PCA to ``n_components`` (capped at n − 1 and d), fitted on all cases.

    The full SVD is deterministic. Returns the component table and the
    explained variance per component.
    """
    from sklearn.decomposition import PCA

    z = zscore_drop_nan(table)
    case_ids, X = feature_matrix(z)
    k = min(int(n_components), X.shape[0] - 1, X.shape[1])
    if k < n_components:
        log.warning("pca: %d components asked, %d computed (%d cases, %d features)", n_components, k, *X.shape)
    pca = PCA(n_components=k, svd_solver="full")
    scores = pca.fit_transform(X)
    out = pd.DataFrame(scores, columns=[f"pc{i + 1:03d}" for i in range(k)])
    out.insert(0, "case_id", case_ids)
    variance = pd.DataFrame(
        {
            "component": out.columns[1:],
            "explained_variance_ratio": pca.explained_variance_ratio_,
            "cumulative": np.cumsum(pca.explained_variance_ratio_),
        }
    )
    return out, variance
