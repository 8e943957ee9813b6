#!/usr/bin/python3
"""Reference PCAs from scikit-learn 1.2.1 for KpLab's pca plugin tests.

Run from this folder with Debian's interpreter: /usr/bin/python3 make_fixtures.py
Deterministic (fixed seeds). Writes <name>.npy (float32 data: tall = more rows than columns, wide = fewer) and
pca_reference.json holding, per case, PCA(svd_solver="full") mean_, components_, explained_variance_,
explained_variance_ratio_, the fit_transform of the data and the transform of new rows (new_<name>.npy), with and
without whitening.
"""
import json

import numpy as np
import sklearn
from sklearn.decomposition import PCA

assert sklearn.__version__ == "1.2.1", sklearn.__version__


def data(rng, n, d):
    # Correlated columns with a spread of variances, offset from the origin so centring matters.
    basis = rng.normal(size=(d, d)) * np.linspace(3.0, 0.2, d)[:, None]
    return (rng.normal(size=(n, d)) @ basis + rng.normal(size=d) * 5).astype(np.float32)


def main():
    rng = np.random.default_rng(7)
    out = {"sklearn": sklearn.__version__}
    for name, n, d, k in [("tall", 200, 12, 5), ("wide", 15, 40, 6)]:
        x, new = data(rng, n, d), None
        new = (x[:5] + rng.normal(size=(5, d)).astype(np.float32)).astype(np.float32)
        np.save(f"{name}.npy", x)
        np.save(f"new_{name}.npy", new)
        case = {"components": k}
        for whiten in (False, True):
            pca = PCA(n_components=k, svd_solver="full", whiten=whiten)
            scores = pca.fit_transform(x.astype(np.float64))
            case["whiten" if whiten else "plain"] = {
                "mean": pca.mean_.tolist(),
                "components": pca.components_.tolist(),
                "explained_variance": pca.explained_variance_.tolist(),
                "explained_variance_ratio": pca.explained_variance_ratio_.tolist(),
                "scores": scores.tolist(),
                "new_scores": pca.transform(new.astype(np.float64)).tolist(),
            }
        out[name] = case
    with open("pca_reference.json", "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
