#!/usr/bin/python3
"""Reference values for KpLab.Sweeps' Wilcoxon signed-rank test and Holm correction.

Wilcoxon: scipy.stats.wilcoxon(d) of Debian's SciPy 1.10.1 with its defaults (zero_method='wilcox', correction=False,
alternative='two-sided', method='auto'). What 1.10.1 does, read from scipy/stats/_morestats.py:
  - method 'auto' takes the exact null distribution when len(d) <= 50 (zeros counted), else the normal approximation;
  - any zero in d switches 'exact' to the normal approximation; zeros are then dropped ('wilcox');
  - ties (equal |d|) get average ranks; the exact branch still runs and truncates r_plus to an integer; the normal
    approximation subtracts sum(t^3 - t)/48 from the variance for each group of t tied ranks;
  - an empty d gives nan; a NaN in d gives nan (nan_policy='propagate'); an all-zero d raises ValueError.
Holm (1979) step-down, written out here by hand with numpy (statsmodels is not installed): sort p ascending,
adjusted p_(i) = max_{j<=i} min(1, (m - j + 1) p_(j)), returned in input order; NaN p-values are left out of m and
stay NaN (R's p.adjust). Checked against a textbook example below.
Run: /usr/bin/python3 wilcoxon_reference.py > wilcoxon.json
"""
import json
import math
import warnings

import numpy as np
import scipy
import scipy.stats

assert scipy.__version__ == "1.10.1", scipy.__version__
warnings.simplefilter("ignore")  # scipy warns when it switches to the normal approximation; the values are what count

rng = np.random.default_rng(2024)
cases = []


def add(name, d):
    d = [float(v) for v in d]
    try:
        res = scipy.stats.wilcoxon(d)
        stat, p = float(res.statistic), float(res.pvalue)
        error = None
    except ValueError as e:
        stat, p, error = None, None, str(e)
    nonzero = [v for v in d if v != 0 and not math.isnan(v)]
    exact = len(d) <= 50 and all(v != 0 for v in d)
    cases.append(dict(name=name, d=[None if math.isnan(v) else v for v in d], statistic=None if stat is None or math.isnan(stat) else stat,
                      pvalue=None if p is None or math.isnan(p) else p, error=error,
                      method=None if error or not nonzero or any(math.isnan(v) for v in d) else ("exact" if exact else "normal")))


# Continuous differences, n = 1..60: exact up to 50, normal approximation from 51.
for n in range(1, 61):
    add(f"continuous n={n}", rng.normal(0.3, 1.0, n))
# Strong effects: tiny p-values in both branches.
for n in (12, 30, 50, 51, 60):
    add(f"shifted n={n}", rng.normal(2.0, 0.5, n))
    add(f"all negative n={n}", -np.abs(rng.normal(1.0, 0.5, n)))
# Ties without zeros: exact branch with average ranks (r_plus truncated), and the tie-corrected normal branch.
for n in (5, 8, 15, 25, 40, 50, 51, 55, 60):
    add(f"ties n={n}", np.round(rng.normal(0.2, 1.0, n), 1))
    add(f"integer ties n={n}", rng.integers(-4, 6, n).astype(float))
    add(f"nonzero integer ties n={n}", rng.choice([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0, 4.0], n))
add("ties of opposite sign", [1.0, -1.0, 2.0, 2.0, -3.0])
add("all equal magnitude", [0.5, -0.5, 0.5, 0.5, -0.5, 0.5])
# Zeros: with n <= 50 they switch exact to the normal approximation; dropped before ranking.
for n in (3, 9, 20, 45, 50, 51, 60):
    d = np.round(rng.normal(0.1, 1.0, n), 1)
    d[: max(1, n // 5)] = 0.0
    add(f"zeros n={n}", rng.permutation(d))
add("one zero one value", [0.0, 1.0])
add("zero among ties", [0.0, 1.0, 1.0, -1.0, 2.0, 2.0])
# The r_plus at the centre of the exact distribution: p = 1.
add("centre", [1.0, -2.0, -3.0, 4.0])
# SciPy's docstring example (Darwin's plants): statistic 24, p 0.041259765625.
add("scipy docstring", [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75])
# Degenerate inputs.
add("empty", [])
add("nan propagates", [1.0, float("nan"), 2.0])
add("all zero n=3", [0.0, 0.0, 0.0])
add("all zero n=55", [0.0] * 55)

assert cases[[c["name"] for c in cases].index("scipy docstring")]["pvalue"] == 0.041259765625


def holm(p):
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = q.size
    order = np.argsort(q, kind="stable")
    scaled = (m - np.arange(m)) * q[order]
    adjusted = np.minimum(1.0, np.maximum.accumulate(scaled))
    back = np.empty(m)
    back[order] = adjusted
    out[ok] = back
    return out


# Textbook check (e.g. Wright 1992's worked example form): p = 0.01, 0.04, 0.03, 0.005 with m = 4 gives
# sorted 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.03, 0.06, 0.06, i.e. 0.03, 0.06, 0.06, 0.02 in input order.
assert np.allclose(holm([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02], rtol=0, atol=1e-15)

holm_cases = []
for p in ([0.01, 0.04, 0.03, 0.005], [0.5], [0.2, 0.2, 0.2], [0.001, 0.9, 0.02, 0.02, 0.6, 0.04, 0.3], [0.3, float("nan"), 0.01, 0.02],
          list(rng.uniform(0, 0.1, 12)), list(rng.uniform(0, 1, 25)), [0.9, 0.8, 0.95]):
    holm_cases.append(dict(p=[None if math.isnan(v) else float(v) for v in p], adjusted=[None if math.isnan(v) else float(v) for v in holm(p)]))

print(json.dumps(dict(scipy=scipy.__version__, cases=cases, holm=holm_cases), indent=1))
