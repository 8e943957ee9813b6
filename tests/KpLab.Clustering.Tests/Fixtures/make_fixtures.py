#!/usr/bin/python3
"""Reference for outlier reassignment (outlier_cases.json), numpy, after BERTopic's reduce_outliers.

Data: four Gaussian clusters in 8 dimensions (labels 0, 1, 2, 5: labels need not be contiguous) and 60 noise rows (-1)
spread between them. For each noise row:
* nearest centroid, cosine: centroid = mean of the cluster's rows; join argmax cosine similarity if it is >= threshold;
* nearest centroid, euclidean: join argmin distance if it is <= threshold (None = no limit);
* membership: an n x k matrix (columns = labels ascending); join argmax if it is > 0 and >= threshold;
* prediction: a label and strength per row; join the label if it is a cluster and strength >= threshold.
Ties go to the first (smallest) label (np.argmax / np.argmin). Run: /usr/bin/python3 make_fixtures.py.
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    rng = np.random.default_rng(1197)
    names = [0, 1, 2, 5]
    centres = rng.normal(scale=4.0, size=(4, 8))
    x = np.vstack([c + rng.normal(size=(50, 8)) for c in centres] + [rng.normal(scale=4.0, size=(60, 8))]).astype(np.float32)
    labels = np.array([names[i // 50] for i in range(200)] + [-1] * 60)
    np.save(os.path.join(HERE, "outliers.npy"), x)
    xd = x.astype(np.float64)
    noise = np.flatnonzero(labels == -1)
    cents = np.array([xd[labels == c].mean(0) for c in names])
    cases = []

    def record(strategy, threshold, new):
        cases.append(dict(strategy=strategy, threshold=threshold, labels=new.tolist(),
                          moved=int((new != labels).sum())))
        print(strategy, threshold, "moved", cases[-1]["moved"], "of", len(noise))

    sims = (xd[noise] @ cents.T) / np.outer(np.linalg.norm(xd[noise], axis=1), np.linalg.norm(cents, axis=1))
    for threshold in (0.0, 0.5, 0.8):
        new = labels.copy()
        best = np.argmax(sims, axis=1)
        ok = sims[np.arange(len(noise)), best] >= threshold
        new[noise[ok]] = np.array(names)[best[ok]]
        record("cosine", threshold, new)
    dist = np.sqrt(((xd[noise][:, None, :] - cents[None, :, :]) ** 2).sum(-1))
    for threshold in (None, 9.0):
        new = labels.copy()
        best = np.argmin(dist, axis=1)
        ok = np.ones(len(noise), bool) if threshold is None else dist[np.arange(len(noise)), best] <= threshold
        new[noise[ok]] = np.array(names)[best[ok]]
        record("euclidean", threshold, new)
    memberships = rng.dirichlet(np.ones(4) * 0.5, size=len(x))
    memberships[noise[:5]] = 0.0  # rows with no membership at all stay noise
    for threshold in (0.0, 0.6):
        new = labels.copy()
        best = np.argmax(memberships[noise], axis=1)
        top = memberships[noise][np.arange(len(noise)), best]
        ok = (top > 0) & (top >= threshold)
        new[noise[ok]] = np.array(names)[best[ok]]
        record("membership", threshold, new)
    predicted = rng.choice([-1, 0, 1, 2, 3, 5], size=len(x))  # 3 is not a cluster of the partition
    strengths = rng.random(len(x))
    strengths[predicted == -1] = 0.0
    for threshold in (0.0, 0.5):
        new = labels.copy()
        ok = np.isin(predicted[noise], names) & (strengths[noise] >= threshold)
        new[noise[ok]] = predicted[noise][ok]
        record("prediction", threshold, new)
    with open(os.path.join(HERE, "outlier_cases.json"), "w") as f:
        json.dump(dict(generator="make_fixtures.py (numpy " + np.__version__ + ")", labels=labels.tolist(),
                       memberships=memberships.tolist(), predicted=predicted.tolist(), strengths=strengths.tolist(),
                       cases=cases), f, indent=0)


if __name__ == "__main__":
    main()
