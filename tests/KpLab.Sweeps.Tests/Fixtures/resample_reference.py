#!/usr/bin/python3
"""Reference values for KpLab.Sweeps' bootstrap resamples of units (Sweep.Resamples) and their MTEB-style stability.

Resample r of a unit draws as many rows as the unit has, with replacement (MTEB's clustering evaluation draws with
rng.choices), by SplitMix64 from the seed of the stream "resample {unit id} {r}" of the run's random source; the
seeding and draws are those of bootstrap_reference.py (imported from it). The stability summary is, per unit, np.mean
and np.std (ddof=0, as MTEB's v_measure_std) over the resamples, then per embedder x clusterer x metric np.mean of
those means and of those stds over units; NaN scores are left out.
The end-to-end case replays FakeSweepHost (tests/KpLab.Sweeps.Tests/FakeSweepHost.cs): clusterer "mod" puts row i of
the resample in cluster (i + seed + len(text)) % k, metric "agreement" is the share of rows whose cluster equals the
label's code (labels coded in ordinal order of the labels present in the resample).
Run: /usr/bin/python3 resample_reference.py > resamples.json
"""
import contextlib
import io
import json
import math

import numpy as np

with contextlib.redirect_stdout(io.StringIO()):  # bootstrap_reference prints its own fixture when imported
    from bootstrap_reference import M64, stream_seed


def resample_rows(run_seed, unit, r, n):
    state = stream_seed(run_seed, f"resample {unit} {r}")
    rows = []
    for _ in range(n):
        state = (state + 0x9E3779B97F4A7C15) & M64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        z ^= z >> 31
        rows.append(int(((z >> 11) * (1.0 / (1 << 53))) * n))
    return rows


draws = []
for run_seed, unit, n, count in ((7, "q1", 6, 3), (7, "q2", 5, 3), (42, "big", 60, 10)):
    for r in range(count):
        draws.append(dict(runSeed=run_seed, unit=unit, index=r, rows=resample_rows(run_seed, unit, r, n)))

# End to end: FakeSweepHost's units, run seed 7, clusterer mod with k = labels in the unit, seeds 1 and 2, 3 resamples.
units = {
    "q1": [("apple", "a"), ("banana", "b"), ("cherry", "a"), ("date", "c"), ("elder", "b"), ("fig", "a")],
    "q2": [("grape", "a"), ("honeydew", "a"), ("kiwi", "b"), ("lemon", "b"), ("mango", "a")],
}
end_to_end = []
for unit, items in units.items():
    k = len(set(label for _, label in items))
    for seed in (1, 2):
        for r in range(3):
            rows = resample_rows(7, unit, r, len(items))
            texts = [items[i][0] for i in rows]
            labels = [items[i][1] for i in rows]
            names = sorted(set(labels))
            clusters = [(i + seed + len(t)) % k for i, t in enumerate(texts)]
            hits = np.array([1.0 if c == names.index(l) else 0.0 for c, l in zip(clusters, labels)])
            end_to_end.append(dict(unit=unit, seed=seed, resample=r, k=k, partition=clusters,
                                   sizes={name: labels.count(name) for name in names}, agreement=float(np.mean(hits))))

# Stability of synthetic scores: 2 embedders x 2 clusterers x 2 metrics x 7 units x 10 resamples, a few NaN.
rng = np.random.default_rng(11)
scores = []
for embedder in ("e1", "e2"):
    for clusterer in ("kmeans", "ward"):
        for unit in range(7):
            for metric in ("ari", "ami"):
                values = rng.normal(0.3 if embedder == "e1" else 0.2, 0.05 + 0.02 * unit, 10)
                if unit == 3 and metric == "ari":
                    values[4] = np.nan
                scores.append(dict(embedder=embedder, clusterer=clusterer, unit=f"u{unit}", metric=metric,
                                   values=[None if math.isnan(v) else float(v) for v in values]))
by_unit = []
for s in scores:
    v = np.array([x for x in s["values"] if x is not None])
    by_unit.append(dict(embedder=s["embedder"], clusterer=s["clusterer"], unit=s["unit"], metric=s["metric"],
                        mean=float(np.mean(v)), std=float(np.std(v)), resamples=int(v.size)))
summary = []
for embedder in ("e1", "e2"):
    for clusterer in ("kmeans", "ward"):
        for metric in ("ari", "ami"):
            cells = [c for c in by_unit if (c["embedder"], c["clusterer"], c["metric"]) == (embedder, clusterer, metric)]
            summary.append(dict(embedder=embedder, clusterer=clusterer, metric=metric,
                                mean=float(np.mean([c["mean"] for c in cells])), std=float(np.mean([c["std"] for c in cells])),
                                units=len(cells)))

print(json.dumps(dict(draws=draws, endToEnd=end_to_end, scores=scores, byUnit=by_unit, summary=summary), indent=1))
