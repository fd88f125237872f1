"""Metric engine benchmark: 1000 bootstrap sessions, n = 1500, two classes, fraction 0.6.

For SIL and FID the baseline is the straightforward implementation of the
original code: a Python loop over sample pairs for SIL, ``scipy.linalg.sqrtm``
for FID. For the other measures it is the peer package where one exists
(``problexity`` for F1, N1, N2, LSC; ``spectral-metric`` for CSG). Baselines
are timed on a few sessions and scaled; each measure runs once on two sessions
first, untimed (imports, the BLAS threads' start); on a busy machine ``--timed-sessions``
runs fewer sessions of ours and scales them too, and the linear probe runs at
most ``--probe-sessions`` (scaled rows are marked ``*``). CPU seconds (all
threads) stand beside wall time, as they depend less on other load.

    python benchmarks/bench_metrics.py [--sessions 1000] [--timed-sessions 200] [--metrics sil,fid,...] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import scipy.linalg

from difficulty import metrics


def naive_silhouette(X, y):
    n = len(X)
    s = np.zeros(n)
    for i in range(n):
        own, other = [], []
        for j in range(n):
            if i != j:
                (own if y[j] == y[i] else other).append(np.sqrt(np.sum((X[i] - X[j]) ** 2)))
        a, b = np.mean(own), np.mean(other)
        s[i] = (b - a) / max(a, b)
    return s.mean()


def naive_fid(A, B):
    mu = A.mean(0) - B.mean(0)
    Sa, Sb = np.cov(A, rowvar=False), np.cov(B, rowvar=False)
    root = scipy.linalg.sqrtm(Sa @ Sb).real
    return mu @ mu + np.trace(Sa + Sb - 2 * root)


def naive_fid_score(X, y):
    a, b = X[y == 0], X[y == 1]
    ij = naive_fid(a, b)
    ii = min(naive_fid(m[: len(m) // 2], m[len(m) // 2 :]) for m in (a, b))
    return (ij - ii) / max(ij, ii)


def peers():
    """Measure type → the peer package's function ``fn(X, y)`` (binary labels 0/1)."""
    from problexity.classification import f1, lsc, n1, n2
    from spectral_metric.estimator import CumulativeGradientEstimator

    def csg(X, y):
        return CumulativeGradientEstimator(M_sample=len(X), k_nearest=3).fit(X, y).csg

    return {"f1": f1, "n1": n1, "n2": n2, "lsc": lsc, "csg": csg}


def data(n, d, seed=0):
    rng = np.random.default_rng(seed)
    y = (np.arange(n) >= round(0.6 * n)).astype(int)  # 900 vs 600 cases at n = 1500
    X = rng.normal(size=(n, d))
    X[y == 1] += 0.15
    return X, y


def baseline(fn, X, y, k, seed=0):
    """Seconds per session of the naive route, on k sessions drawn as the bootstrap does."""
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    for _ in range(k):
        idx = np.concatenate(
            [rng.choice(np.flatnonzero(y == c), round((y == c).sum() * 0.6), replace=False) for c in (0, 1)]
        )
        fn(X[idx], y[idx])
    return (time.perf_counter() - start) / k


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1500)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--timed-sessions", type=int, default=None, help="run this many and scale (default: all)")
    parser.add_argument("--baseline-sessions", type=int, default=2)
    parser.add_argument("--probe-sessions", type=int, default=20)
    parser.add_argument("--metrics", default=None, help="comma-separated metric types (default: all)")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument("--repeats", type=int, default=1, help="time this many runs of ours and keep the fastest")
    args = parser.parse_args()
    chosen = args.metrics.split(",") if args.metrics else None
    timed = args.timed_sessions or args.sessions
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, n={args.n}, {args.sessions} sessions"
        f" (* timed on fewer and scaled)"
    )
    print(f"{'case':<22}{'ours (s)':>10}{'ours CPU (s)':>14}{'baseline (s)':>14}{'ratio':>9}")
    naive = {"sil": naive_silhouette, "fid": naive_fid_score} | peers()
    cases = [("SIL d=210", "sil", 210), ("FID score d=210", "fid", 210), ("FID score d=1316", "fid", 1316)]
    cases += [(f"{name} d=210", name, 210) for name in metrics.metric_names() if name not in ("sil", "fid")]
    for label, metric, d in cases:
        if chosen and metric not in chosen:
            continue
        X, y = data(args.n, d)
        sessions = min(args.probe_sessions, timed) if metric == "probe" else timed
        metrics.bootstrap(metric, X, y, sessions=2, seed=0, device=args.device)  # warm-up, not timed: imports, threads
        runs = []
        for _ in range(args.repeats):
            start, cpu = time.perf_counter(), time.process_time()
            scores = metrics.bootstrap(metric, X, y, sessions=sessions, seed=1, device=args.device)
            runs.append((time.perf_counter() - start, time.process_time() - cpu))
        scale = args.sessions / sessions
        ours, ours_cpu = (min(runs)[0] * scale, min(runs)[1] * scale)
        assert scores.shape == (sessions,) and np.isfinite(scores).all()
        mark = "*" if sessions != args.sessions else " "
        row = f"{label:<22}{ours:>9.2f}{mark}{ours_cpu:>14.2f}"
        if metric in naive:
            base = baseline(naive[metric], X, y, args.baseline_sessions) * args.sessions
            print(f"{row}{base:>14.1f}{base / ours:>9.1f}", flush=True)
        else:
            print(f"{row}{'—':>14}{'—':>9}", flush=True)


if __name__ == "__main__":
    main()
