"""Fit lunshu's paragraph-boundary scorer on the authors' own paragraphs (run from the repo root):

    PYTHONPATH=src python tests/gold/train_paragraphs.py [--shared ../shared] [--write]

Training documents are the ``train`` split of :mod:`paragraph_data` (Xinhua 2022–2024, 12371 pages
2017–2018, government work reports before 2000); the ``test`` split (Xinhua 2025, pages 2019–2021,
reports from 2000, all CPC congress reports) is never seen here except to print the held-out
figures at the end. The scorer is a logistic regression over :func:`lunshu.paragraphs.
boundary_features` (L2-regularised, features seen in fewer than ``MIN_COUNT`` training boundaries
dropped); the segmentation's length prior and break shift are then chosen on the training
documents by boundary F1. ``--write`` stores the model in ``src/lunshu/data/paragraph_model.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from paragraph_data import boundaries, documents, f1

from lunshu import paragraphs as P

MIN_COUNT = 5
L2_GRID = (1.0, 5.0, 20.0, 50.0, 100.0)
OUT = HERE.parent.parent / "src" / "lunshu" / "data" / "paragraph_model.json"


def samples(docs: list[tuple[str, str, str, list[str]]]) -> tuple[list[list[str]], list[int]]:
    feats: list[list[str]] = []
    labels: list[int] = []
    for _id, _corpus, _split, paras in docs:
        text = "".join(paras)
        gold = boundaries(paras)
        units = P._units(text)
        pieces = [text[u.start:u.end] for u in units]
        grams = [P._bigrams(p) for p in pieces]
        for i in range(1, len(pieces)):
            feats.append(P.boundary_features(pieces, grams, i))
            labels.append(int(units[i].start in gold))
    return feats, labels


def fit(feats: list[list[str]], labels: list[int], l2: float) -> tuple[float, dict[str, float]]:
    counts = Counter(name for f in feats for name in set(f))
    names = sorted(n for n, c in counts.items() if c >= MIN_COUNT)
    index = {n: j for j, n in enumerate(names)}
    rows, cols = [], []
    for r, f in enumerate(feats):
        for name in set(f):
            if name in index:
                rows.append(r)
                cols.append(index[name])
    rows_a, cols_a = np.array(rows), np.array(cols)
    y = np.array(labels, dtype=float)
    n, m = len(labels), len(names)
    w = np.zeros(m)
    b = 0.0
    mw, vw, mb, vb = np.zeros(m), np.zeros(m), 0.0, 0.0
    lr, beta1, beta2, eps = 0.05, 0.9, 0.999, 1e-8
    for t in range(1, 801):
        z = np.bincount(rows_a, weights=w[cols_a], minlength=n) + b
        p = 1 / (1 + np.exp(-z))
        g = p - y
        gw = (np.bincount(cols_a, weights=g[rows_a], minlength=m) + l2 * w) / n
        gb = g.mean()
        mw = beta1 * mw + (1 - beta1) * gw
        vw = beta2 * vw + (1 - beta2) * gw * gw
        mb = beta1 * mb + (1 - beta1) * gb
        vb = beta2 * vb + (1 - beta2) * gb * gb
        w -= lr * (mw / (1 - beta1 ** t)) / (np.sqrt(vw / (1 - beta2 ** t)) + eps)
        b -= lr * (mb / (1 - beta1 ** t)) / (np.sqrt(vb / (1 - beta2 ** t)) + eps)
    weights = {name: round(float(w[j]), 3) for name, j in index.items() if abs(w[j]) >= 0.01}
    return round(float(b), 3), weights


def log_loss(feats: list[list[str]], labels: list[int], bias: float, weights: dict[str, float]) -> float:
    total = 0.0
    for f, y in zip(feats, labels, strict=True):
        z = bias + sum(weights.get(name, 0.0) for name in f)
        p = 1 / (1 + np.exp(-z))
        total -= np.log(p if y else 1 - p)
    return total / len(labels)


def choose_l2(train: list[tuple[str, str, str, list[str]]]) -> float:
    """The L2 strength with the lowest log-loss over 3 folds of the training documents."""
    folds = [train[k::3] for k in range(3)]
    data = [samples(fold) for fold in folds]
    best = None
    for l2 in L2_GRID:
        loss = 0.0
        for k in range(3):
            feats = [f for j in range(3) if j != k for f in data[j][0]]
            labels = [y for j in range(3) if j != k for y in data[j][1]]
            bias, weights = fit(feats, labels, l2)
            loss += log_loss(*data[k], bias, weights) / 3
        print(f"  L2 {l2}: cross-validated log-loss {loss:.4f}", file=sys.stderr)
        if best is None or loss < best[0]:
            best = (loss, l2)
    assert best is not None
    return best[1]


def evaluate(docs: list[tuple[str, str, str, list[str]]], model: P._Model) -> dict[str, tuple[float, float, float]]:
    tot: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for _id, corpus, split, paras in docs:
        ours = boundaries(P.infer_paragraphs("".join(paras), model=model))
        for key in (f"{corpus}/{split}", f"all/{split}"):
            for k, v in enumerate(f1(boundaries(paras), ours)):
                tot[key][k] += v
    out = {}
    for key, (tp, fp, fn) in sorted(tot.items()):
        p = tp / max(1, tp + fp)
        r = tp / max(1, tp + fn)
        out[key] = (round(p, 3), round(r, 3), round(2 * p * r / (p + r) if p + r else 0.0, 3))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=HERE.parent.parent.parent / "shared")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--corpora", default="xinhua,pages")
    args = ap.parse_args()
    use = set(args.corpora.split(","))
    docs = list(documents(args.shared))
    train = [d for d in docs if d[2] == "train" and d[1] in use]
    print(f"training documents: {len(train)}; held out: {sum(d[2] == 'test' for d in docs)}", file=sys.stderr)
    feats, labels = samples(train)
    print(f"candidate breaks: {len(labels)}, of them authors' breaks: {sum(labels)}", file=sys.stderr)
    l2 = choose_l2(train)
    bias, weights = fit(feats, labels, l2)
    best = None
    for target in (130, 220):
        for lw in (0.0, 0.3):
            for shift in (0.0, 0.5, 1.0):
                model = P._Model(bias, weights, lw, target, shift)
                score = evaluate(train, model)["all/train"][2]
                if best is None or score > best[0]:
                    best = (score, model)
                print(f"  target {target} length weight {lw} shift {shift}: train F1 {score}", file=sys.stderr)
    assert best is not None
    model = best[1]
    figures = evaluate(docs, model)
    for key, v in figures.items():
        print(f"{key:16} P {v[0]:.3f} R {v[1]:.3f} F1 {v[2]:.3f}")
    if args.write:
        OUT.write_text(json.dumps({
            "about": "lunshu's paragraph-boundary scorer: logistic regression over "
                     "lunshu.paragraphs.boundary_features, trained by tests/gold/train_paragraphs.py",
            "trained_on": sorted(use), "l2": l2, "held_out_f1": {k: v[2] for k, v in figures.items() if k.endswith("/test")},
            "bias": model.bias, "length_weight": model.length_weight, "target": model.target,
            "cut_shift": model.cut_shift, "weights": dict(sorted(model.weights.items())),
        }, ensure_ascii=False, indent=0), encoding="utf-8")
        print(f"written {OUT} ({OUT.stat().st_size} bytes, {len(model.weights)} weights)", file=sys.stderr)


if __name__ == "__main__":
    main()
