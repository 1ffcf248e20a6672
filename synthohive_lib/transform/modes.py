"""Mode-specific normalization of one numeric column (CTGAN, Xu et al. 2019, section 4.2).

A variational Gaussian mixture (scikit-learn's ``BayesianGaussianMixture`` with a Dirichlet
process prior, so unneeded modes get ~0 weight) is fitted on a bounded random subsample: the
mixture only has to find where the modes are, and a few tens of thousands of rows locate them as
well as millions do, at a fraction of the cost. After fitting, only the kept modes' weights,
means and standard deviations are stored; assigning rows to modes and normalising them is then
plain vectorised NumPy on all rows (no scikit-learn object is needed to transform or persist).

Point masses get modes of their own. Real columns are often spikes plus a spread
(``capital-gain`` is 0 in 92 % of rows, ``hours-per-week`` is 40 in 47 %); a Gaussian mode
fitted over a spike is never exactly narrow, so the generator's alpha scatters the spike into
nearby values (0 becomes 14, 49, ...). Every value that holds at least ``spike_share`` of the
rows is therefore an exact mode (alpha 0, decoded to the value itself), and the mixture only
models the remaining values.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture

#: Normalised values are ``(x - mean) / (SCALE * std)`` so that most of a mode fits in (-1, 1).
SCALE = 4.0
_CLIP = 0.99


@dataclass
class ModeNormalizer:
    """Fit modes on a subsample; map values to (alpha, mode) and back.

    ``max_modes`` bounds the mixture size, ``sample_rows`` the rows the mixture sees,
    ``max_iter`` its variational EM iterations; mixture modes whose weight falls below
    ``weight_threshold`` are dropped; values holding ``spike_share`` of the rows become exact
    point-mass modes (listed after the mixture modes).
    """

    max_modes: int = 10
    sample_rows: int = 20_000
    max_iter: int = 30
    weight_threshold: float = 0.005
    spike_share: float = 0.1

    def fit(self, values: np.ndarray, rng: np.random.Generator) -> ModeNormalizer:
        """Learn the modes of ``values`` (finite floats, no nulls)."""
        values = np.asarray(values, dtype=np.float64)
        if len(values) > self.sample_rows:
            values = rng.choice(values, self.sample_rows, replace=False)
        unique, counts = np.unique(values, return_counts=True)
        self.spikes_ = unique[counts >= self.spike_share * len(values)]
        rest = values[~np.isin(values, self.spikes_)]
        if len(rest) and (rest == rest[0]).all():
            # one value left beside the spikes (bakers_out: 0 and 1 in most rows, 2 once): a
            # mixture needs two distinct samples, and one value is a point mass anyway
            self.spikes_ = np.union1d(self.spikes_, rest[:1])
            rest = rest[:0]
        if len(rest) == 0:
            self.weights_ = self.means_ = self.stds_ = np.zeros(0)
            return self
        self._fit_mixture(rest, rng)
        return self

    def _fit_mixture(self, values: np.ndarray, rng: np.random.Generator) -> None:
        center = float(values.mean())
        scale = float(values.std()) or 1.0
        standardized = ((values - center) / scale).reshape(-1, 1)
        n_components = int(min(self.max_modes, len(np.unique(standardized))))
        mixture = BayesianGaussianMixture(
            n_components=max(n_components, 1),
            weight_concentration_prior_type="dirichlet_process",
            weight_concentration_prior=0.001,
            covariance_type="diag",  # one dimension: same model as "full", much faster
            init_params="k-means++",
            max_iter=self.max_iter,
            tol=1e-3,
            random_state=int(rng.integers(2**31 - 1)),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            mixture.fit(standardized)
        weights = mixture.weights_
        keep = weights > self.weight_threshold
        if not keep.any():
            keep = weights == weights.max()
        self.weights_ = weights[keep] / weights[keep].sum()
        self.means_ = mixture.means_.ravel()[keep] * scale + center
        stds = np.sqrt(mixture.covariances_.ravel()[keep]) * scale
        self.stds_ = np.maximum(stds, 1e-6 * scale)

    @property
    def n_gaussian(self) -> int:
        return len(self.means_)

    @property
    def n_modes(self) -> int:
        return len(self.means_) + len(self.spikes_)

    def _log_responsibilities(self, values: np.ndarray) -> np.ndarray:
        z = (values[:, None] - self.means_[None, :]) / self.stds_[None, :]
        return np.log(self.weights_)[None, :] - np.log(self.stds_)[None, :] - 0.5 * z * z

    def transform(
        self, values: np.ndarray, rng: np.random.Generator | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(alpha, mode)`` for each value.

        With an ``rng`` the mixture mode is sampled from the posterior (as in CTGAN, so that
        the generator sees overlapping modes); without one it is the most likely mode, which
        makes the encoding deterministic (used for conditioning context). Spike values always
        get their own mode and alpha 0.
        """
        values = np.asarray(values, dtype=np.float64)
        n = len(values)
        spike = np.searchsorted(self.spikes_, values)
        is_spike = np.zeros(n, dtype=bool)
        if len(self.spikes_):
            clipped = np.minimum(spike, len(self.spikes_) - 1)
            is_spike = self.spikes_[clipped] == values
        alpha = np.zeros(n, dtype=np.float64)
        if not self.n_gaussian:  # only spikes were seen: other values go to the nearest spike
            nearest = np.abs(values[:, None] - self.spikes_[None, :]).argmin(axis=1)
            return alpha, nearest
        if self.n_gaussian:
            log_r = self._log_responsibilities(values)
            if rng is None:
                mode = log_r.argmax(axis=1)
            else:
                log_r -= log_r.max(axis=1, keepdims=True)
                cumulative = np.cumsum(np.exp(log_r), axis=1)
                draw = rng.random(n) * cumulative[:, -1]
                mode = np.minimum((cumulative < draw[:, None]).sum(axis=1), self.n_gaussian - 1)
            alpha = (values - self.means_[mode]) / (SCALE * self.stds_[mode])
        mode = np.where(is_spike, self.n_gaussian + spike, mode)
        alpha = np.where(is_spike, 0.0, np.clip(alpha, -_CLIP, _CLIP))
        return alpha, mode

    def inverse(self, alpha: np.ndarray, mode: np.ndarray) -> np.ndarray:
        """Values from ``(alpha, mode)``; ``mode`` indexes mixture modes, then spikes."""
        alpha = np.clip(alpha, -1.0, 1.0)
        is_spike = mode >= self.n_gaussian
        if self.n_gaussian:
            gaussian = np.minimum(mode, self.n_gaussian - 1)
            values = alpha * SCALE * self.stds_[gaussian] + self.means_[gaussian]
        else:
            values = np.zeros(len(mode))
        if len(self.spikes_):
            spike = np.clip(mode - self.n_gaussian, 0, len(self.spikes_) - 1)
            values = np.where(is_spike, self.spikes_[spike], values)
        return values

    def state(self) -> dict[str, list[float]]:
        """JSON-able fitted state."""
        return {
            "weights": self.weights_.tolist(),
            "means": self.means_.tolist(),
            "stds": self.stds_.tolist(),
            "spikes": self.spikes_.tolist(),
        }

    def load_state(self, state: dict[str, list[float]]) -> ModeNormalizer:
        self.weights_ = np.asarray(state["weights"], dtype=np.float64)
        self.means_ = np.asarray(state["means"], dtype=np.float64)
        self.stds_ = np.asarray(state["stds"], dtype=np.float64)
        self.spikes_ = np.asarray(state.get("spikes", []), dtype=np.float64)
        return self
