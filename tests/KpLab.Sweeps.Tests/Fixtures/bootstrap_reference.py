#!/usr/bin/python3
"""Reference values for KpLab.Sweeps' bootstrap means and paired differences, computed with numpy.

KpLab draws bootstrap resamples with SplitMix64 seeded from the run's RandomSource (RandomSource.DeriveSeed, FNV-1a over
the stream name mixed with the run seed through SplitMix64's finaliser), index = floor(u * n) with u the top 53 bits of
a draw as a fraction. This script re-implements those draws and computes the means and percentile intervals with numpy
(np.quantile, linear interpolation). Run: /usr/bin/python3 bootstrap_reference.py > bootstrap.json
"""
import json
import math

import numpy as np

M64 = (1 << 64) - 1


def derive_seed(seed, stream):
    h = 14695981039346656037
    for ch in stream.encode("utf-16-le").decode("utf-16-le"):
        h ^= ord(ch)
        h = (h * 1099511628211) & M64
    z = h ^ (((seed & 0xFFFFFFFF) * 0x9E3779B97F4A7C15) & M64)
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    z ^= z >> 31
    return z & 0x7FFFFFFF


def stream_seed(run_seed, stream):
    return (derive_seed(run_seed, stream) << 32) | derive_seed(run_seed, stream + " (low)")


def bootstrap_mean(values, seed, resamples=2000, level=0.95):
    x = [v for v in values if math.isfinite(v)]
    n = len(x)
    if n == 0:
        return dict(mean=None, low=None, high=None, count=0)
    total = 0.0
    for v in x:
        total += v
    mean = total / n
    if n == 1:
        return dict(mean=mean, low=mean, high=mean, count=1)
    state = seed
    means = np.empty(resamples)
    for r in range(resamples):
        s = 0.0
        for _ in range(n):
            state = (state + 0x9E3779B97F4A7C15) & M64
            z = state
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            z ^= z >> 31
            u = (z >> 11) * (1.0 / (1 << 53))
            s += x[int(u * n)]
        means[r] = s / n
    alpha = (1 - level) / 2
    low, high = np.quantile(np.sort(means), [alpha, 1 - alpha])
    return dict(mean=mean, low=float(low), high=float(high), count=n)


rng = np.random.default_rng(7)
run_seed = 42

# Means: one group of 40 values with a NaN (left out), one of 7 values.
a = [float(v) for v in rng.normal(0.3, 0.1, 40)]
a[5] = float("nan")
b = [float(v) for v in rng.uniform(0, 1, 7)]
means = [
    dict(group="a", values=a, **bootstrap_mean(a, stream_seed(run_seed, "mean a"))),
    dict(group="b", values=b, **bootstrap_mean(b, stream_seed(run_seed, "mean b"))),
]

# Paired differences: 30 units, levels correct / partial / wrong; "wrong" is missing in units 0-4.
units = []
for u in range(30):
    base = float(rng.normal(0.4, 0.1))
    row = {"unit": f"q{u:02d}", "correct": base + float(rng.normal(0.1, 0.05)), "partial": base + float(rng.normal(0.02, 0.05))}
    if u >= 5:
        row["wrong"] = base + float(rng.normal(-0.05, 0.05))
    units.append(row)
paired = []
for level in ["partial", "wrong"]:
    d = [r["correct"] - r[level] for r in units if level in r]
    est = bootstrap_mean(d, stream_seed(run_seed, f"paired g correct - {level}"))
    paired.append(dict(level=level, positive=sum(1 for v in d if v > 0), negative=sum(1 for v in d if v < 0),
                       ties=sum(1 for v in d if v == 0), **est))

# JSON has no NaN: a missing value is written as null.
for m in means:
    m["values"] = [None if math.isnan(v) else v for v in m["values"]]
print(json.dumps(dict(runSeed=run_seed, resamples=2000, level=0.95, means=means, units=units, paired=paired), indent=1))
