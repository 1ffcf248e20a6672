"""A fitted scikit-learn tree as plain lists, applied with NumPy.

Models of this package are saved as JSON, never pickled, so a decision tree is kept as its
node arrays (``left``, ``right``, ``feature``, ``threshold``) and walked for all rows at once,
one vectorised step per level.
"""

from __future__ import annotations

from typing import Any

import numpy as np


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
