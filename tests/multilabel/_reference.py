"""Slow references written from the papers' pseudo-code, on rows, in plain loops.

They draw from the same NumPy Generator in the same order as balancekit's samplers:
one ``rng.integers(len(bag))`` per clone/deletion, a bag's rows listed by (label
combination in lexicographic order of the 0/1 row, row index). So a seed must give
exactly the same rows.
"""

from __future__ import annotations

import math

import numpy as np


def irlbl(counts):
    counts = np.asarray(counts, dtype=float)
    with np.errstate(divide="ignore"):
        return counts.max() / counts


def mean_ir(counts):
    counts = np.asarray(counts)
    present = counts > 0
    return float(np.mean(irlbl(counts)[present]))


def _key(Y, row):
    return (tuple(int(v) for v in Y[row]), row)


def bag(Y, label, rows):
    """The given rows having ``label``, by (combination, row index)."""
    return sorted((r for r in rows if Y[r, label]), key=lambda r: _key(Y, r))


def _budget(P, target, n):
    if P is not None:
        return math.floor(P * n + 1e-9)
    return n


def mlros(Y, rng, P=None, target=None):
    """Charte 2015, Algorithm MLROS. Returns the output's source rows."""
    n, q = Y.shape
    counts = Y.sum(axis=0).astype(np.int64)
    mean0 = mean_ir(counts)
    ratios = irlbl(counts)
    bags = {
        i: bag(Y, i, range(n)) for i in range(q) if counts[i] > 0 and ratios[i] > mean0
    }
    to_clone = _budget(P, target, n)
    clones = []

    def done():
        return to_clone <= 0 or (target is not None and mean_ir(counts) <= target)

    while bags and not done():
        for i in list(bags):
            if done():
                break
            rows = bags[i]
            row = rows[rng.integers(len(rows))]
            clones.append(row)
            counts += Y[row]
            if counts.max() / counts[i] <= mean0:
                del bags[i]
            to_clone -= 1
    return list(range(n)) + clones


def mlrus(Y, rng, P=None, target=None):
    """Charte 2015, Algorithm MLRUS, rows with a minority label protected."""
    n, q = Y.shape
    counts = Y.sum(axis=0).astype(np.int64)
    mean0 = mean_ir(counts)
    ratios = irlbl(counts)
    minority = [i for i in range(q) if counts[i] > 0 and ratios[i] > mean0]
    protected = {r for r in range(n) if any(Y[r, i] for i in minority)}
    present = set(range(n))
    bags = [i for i in range(q) if counts[i] > 0 and ratios[i] < mean0]
    to_delete = _budget(P, target, n)

    def done():
        return to_delete <= 0 or (target is not None and mean_ir(counts) <= target)

    while bags and not done():
        for i in list(bags):
            if done():
                break
            rows = bag(Y, i, sorted(present - protected))
            if not rows:
                bags.remove(i)
                continue
            row = rows[rng.integers(len(rows))]
            present.discard(row)
            counts -= Y[row]
            with np.errstate(divide="ignore"):
                if counts.max() / counts[i] >= mean0:
                    bags.remove(i)
            to_delete -= 1
    return sorted(present)


def _groups(Y):
    """Rows of each combination (lexicographic order), each in row order."""
    keys = sorted({tuple(int(v) for v in row) for row in Y})
    return keys, [[r for r in range(len(Y)) if tuple(Y[r]) == key] for key in keys]


def lp(Y, rng, P, over):
    """LP-ROS / LP-RUS (Charte 2013) with a percentage P."""
    n = len(Y)
    keys, groups = _groups(Y)
    mean = n / len(keys)
    top = math.ceil(mean)
    ids = range(len(keys))
    if over:
        chosen = sorted(
            (c for c in ids if len(groups[c]) < mean), key=lambda c: -len(groups[c])
        )
        gaps = [top - len(groups[c]) for c in chosen]
    else:
        chosen = sorted(
            (c for c in ids if len(groups[c]) > mean), key=lambda c: len(groups[c])
        )
        gaps = [len(groups[c]) - top for c in chosen]
    budget = math.floor(P * n + 1e-9)
    amount = {}
    for j, c in enumerate(chosen):
        share = math.ceil(budget / (len(chosen) - j))
        amount[c] = min(gaps[j], share)
        budget -= amount[c]
    if over:
        out = list(range(n))
        for c in sorted(amount):
            out += [groups[c][o] for o in rng.integers(len(groups[c]), size=amount[c])]
        return out
    gone = set()
    for c in sorted(amount):
        picked = rng.choice(len(groups[c]), size=amount[c], replace=False)
        gone |= {groups[c][o] for o in picked}
    return [r for r in range(n) if r not in gone]


def mlsmote(X, Y, rng, k, combination="ranking"):
    """Charte 2015, MLSMOTE with brute-force neighbours (ties to the lower index)."""
    counts = Y.sum(axis=0)
    mean0 = mean_ir(counts)
    ratios = irlbl(counts)
    new_X, new_Y, seeds = [], [], []
    for i in range(Y.shape[1]):
        if not (counts[i] > 0 and ratios[i] > mean0):
            continue
        members = np.flatnonzero(Y[:, i])
        if len(members) < 2:
            continue
        kk = min(k, len(members) - 1)
        neighbours = []
        for s in members:
            d = [float(np.sum((X[t] - X[s]) ** 2)) for t in members]
            order = np.argsort(d, kind="stable")
            neighbours.append([members[j] for j in order[1 : kk + 1]])
        choice = rng.integers(0, kk, size=len(members))
        gaps = rng.random(len(members))
        for a, s in enumerate(members):
            r = neighbours[a][choice[a]]
            new_X.append(X[s] + gaps[a] * (X[r] - X[s]))
            held = Y[s].astype(int) + sum(Y[t].astype(int) for t in neighbours[a])
            if combination == "ranking":
                labels = 2 * held > kk + 1
            elif combination == "intersection":
                labels = held == kk + 1
            else:
                labels = held > 0
            new_Y.append(labels)
            seeds.append(s)
    return np.array(new_X).reshape(-1, X.shape[1]), np.array(new_Y), seeds
