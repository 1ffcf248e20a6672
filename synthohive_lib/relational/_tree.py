"""A fitted scikit-learn tree as plain lists, applied with NumPy.

Models of this package are saved as JSON, never pickled, so a decision tree is kept as its
node arrays (``left``, ``right``, ``feature``, ``threshold``) and walked for all rows at once,
one vectorised step per level.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.tree import DecisionTreeClassifier


def tree_arrays(tree: Any) -> dict[str, list[Any]]:
    """The node arrays of a fitted ``DecisionTree*`` (its ``tree_`` attribute)."""
    return {
        "left": tree.children_left.tolist(),
        "right": tree.children_right.tolist(),
        "feature": tree.feature.tolist(),
        "threshold": tree.threshold.tolist(),
    }


def apply_tree(arrays: dict[str, list[Any]] | None, x: np.ndarray) -> np.ndarray:
    """The leaf (node index) of every row of ``x``; node 0 for every row without a tree."""
    if arrays is None:
        return np.zeros(len(x), dtype=np.int64)
    left = np.asarray(arrays["left"], dtype=np.int64)
    right = np.asarray(arrays["right"], dtype=np.int64)
    feature = np.asarray(arrays["feature"], dtype=np.int64)
    threshold = np.asarray(arrays["threshold"], dtype=float)
    xf = x.astype(np.float32).astype(float)  # scikit-learn compares float32 values
    node = np.zeros(len(x), dtype=np.int64)
    rows = np.arange(len(x))
    for _ in range(len(left)):  # at most one step per level; stops at the deepest leaf
        inner = left[node] >= 0
        if not inner.any():
            break
        go_left = xf[rows, np.maximum(feature[node], 0)] <= threshold[node]
        node = np.where(inner, np.where(go_left, left[node], right[node]), node)
    return node


def fit_class_tree(
    x: np.ndarray, y: np.ndarray, n_classes: int, *, max_depth: int, min_leaf: int
) -> tuple[dict[str, list[Any]] | None, dict[int, list[float]]]:
    """A classification tree of ``y`` (0 .. n_classes-1) on ``x``, as JSON-ready state.

    Returns the node arrays (None when no split helps or there is nothing to split on) and
    the class probabilities of every leaf (the prior under leaf 0 without a tree).
    """
    prior = np.bincount(y, minlength=n_classes) / max(len(y), 1)
    if x.shape[1] == 0 or len(np.unique(y)) < 2:
        return None, {0: prior.tolist()}
    tree = DecisionTreeClassifier(
        max_depth=max_depth, min_samples_leaf=min_leaf, random_state=0
    ).fit(x, y)
    if tree.tree_.node_count <= 1:
        return None, {0: prior.tolist()}
    values = tree.tree_.value[:, 0, :]
    full = np.zeros((len(values), n_classes))
    full[:, tree.classes_] = values
    full /= full.sum(axis=1, keepdims=True)
    leaves = np.flatnonzero(tree.tree_.children_left < 0)
    return tree_arrays(tree.tree_), {int(leaf): full[leaf].tolist() for leaf in leaves}


def class_probabilities(
    arrays: dict[str, list[Any]] | None, leaf_probs: dict[int, list[float]], x: np.ndarray
) -> np.ndarray:
    """(rows, classes) probabilities from the state :func:`fit_class_tree` returned."""
    leaves = apply_tree(arrays, x)
    width = len(next(iter(leaf_probs.values())))
    table = np.zeros((max(leaf_probs) + 1, width))
    for leaf, probs in leaf_probs.items():
        table[leaf] = probs
    return table[leaves]
