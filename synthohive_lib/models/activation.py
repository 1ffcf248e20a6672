"""Fused output activations and the conditional loss over all spans at once.

CTGAN applies ``tanh`` to each scalar span and a Gumbel-softmax to each one-hot span, one Python
call per span (dozens per step). Here every softmax span is gathered into one padded tensor of
shape ``(batch, n_spans, max_width)`` (padding masked with ``-inf``), so all of them go through
a single softmax; a precomputed permutation puts the pieces back in column order. The same
padded view gives the cross-entropy of the conditioned span of every row in one call.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from synthohive_lib.transform.encoders import Span


class SpanActivation:
    """Precomputed index tensors for the fused activation of a given span layout."""

    def __init__(self, spans: list[Span], device: torch.device, tau: float = 0.2) -> None:
        self.tau = tau
        tanh_cols = [s.start for s in spans if s.activation == "tanh"]
        soft = [s for s in spans if s.activation == "softmax"]
        max_width = max((s.width for s in soft), default=1)
        gather = torch.zeros(len(soft), max_width, dtype=torch.long)
        mask = torch.zeros(len(soft), max_width, dtype=torch.bool)
        for i, span in enumerate(soft):
            gather[i, : span.width] = torch.arange(span.start, span.start + span.width)
            mask[i, : span.width] = True
        self.tanh_idx = torch.tensor(tanh_cols, dtype=torch.long, device=device)
        self.gather = gather.to(device)
        self.mask = mask.to(device)
        # Decoding groups: softmax spans bucketed by width rounded up to a power of two.
        n_cols = spans[-1].start + spans[-1].width if spans else 0
        buckets: dict[int, list[int]] = {}
        for i, span in enumerate(soft):
            buckets.setdefault(1 << (span.width - 1).bit_length(), []).append(i)
        self._decode_groups: list[tuple[torch.Tensor, int]] = []
        grouped: list[int] = []
        for width, members in sorted(buckets.items()):
            index = torch.full((len(members), width), n_cols, dtype=torch.long)
            for row, i in enumerate(members):
                span = soft[i]
                index[row, : span.width] = torch.arange(span.start, span.start + span.width)
            self._decode_groups.append((index.reshape(-1).to(device), width))
            grouped.extend(members)
        self._decode_order = torch.argsort(torch.tensor(grouped, dtype=torch.long)).to(device)
        # Training: position of every output column in [tanh values | group 1 | group 2 ...].
        position = torch.empty(n_cols, dtype=torch.long)
        position[torch.tensor(tanh_cols, dtype=torch.long)] = torch.arange(len(tanh_cols))
        at = len(tanh_cols)
        for index, _ in self._decode_groups:
            real = index < n_cols
            position[index[real]] = at + torch.nonzero(real).reshape(-1)
            at += len(index)
        self._train_order = position.to(device)
        # Discrete (category) spans, in the order used by the conditional vector.
        discrete = [i for i, s in enumerate(soft) if s.discrete]
        self.discrete_rows = torch.tensor(discrete, dtype=torch.long, device=device)
        # Conditional loss: each discrete span's columns, padded with a column of -1e9.
        cond_gather = torch.full((max(len(discrete), 1), max_width), n_cols, dtype=torch.long)
        for row, i in enumerate(discrete):
            cond_gather[row] = torch.where(mask[i], gather[i], n_cols)
        self._cond_gather = cond_gather.to(device)

    def padded_logits(self, raw: torch.Tensor) -> torch.Tensor:
        """``(batch, n_spans, max_width)`` view of the softmax spans, padding set to -inf."""
        shape = (raw.shape[0], *self.gather.shape)
        logits = raw.index_select(1, self.gather.reshape(-1)).reshape(shape)
        return logits.masked_fill(~self.mask, float("-inf"))

    def __call__(self, raw: torch.Tensor, hard: bool = False) -> torch.Tensor:
        """Activated rows: tanh on scalars, Gumbel-softmax on every one-hot span.

        The softmax spans run in a few groups of similar width (padded to a power of two with
        an extra ``-inf`` column, see :meth:`decode`), so the padded tensors stay close to the
        real width; one ``index_select`` puts every value back in column order.
        """
        uniform = torch.rand_like(raw).clamp_(1e-10, 1.0 - 1e-7)
        noisy = (raw - torch.log(-torch.log(uniform))) / self.tau
        padded = torch.cat([noisy, noisy.new_full((raw.shape[0], 1), float("-inf"))], 1)
        pieces = [torch.tanh(raw.index_select(1, self.tanh_idx))]
        for index, width in self._decode_groups:
            logits = padded.index_select(1, index).reshape(raw.shape[0], -1, width)
            probs = torch.softmax(logits, dim=-1)
            if hard:
                probs = F.one_hot(probs.argmax(-1), width).to(probs.dtype)
            pieces.append(probs.reshape(raw.shape[0], -1))
        return torch.cat(pieces, 1).index_select(1, self._train_order)

    def for_decoding(self, raw: torch.Tensor) -> torch.Tensor:
        """Rows ready for :meth:`DataTransformer.inverse_transform`, without any softmax.

        Decoding takes the argmax of each one-hot span, and the argmax of a Gumbel-softmax is
        the argmax of ``logits + Gumbel noise`` (the Gumbel-max trick): the same category
        distribution as :meth:`__call__` at a fraction of the cost.
        """
        uniform = torch.rand_like(raw).clamp_(1e-10, 1.0 - 1e-7)
        out = raw - torch.log(-torch.log(uniform))
        out[:, self.tanh_idx] = torch.tanh(raw.index_select(1, self.tanh_idx))
        return out

    def decode(
        self, raw: torch.Tensor, rng: np.random.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(alphas, codes)`` for :meth:`DataTransformer.inverse_from_codes`.

        ``alphas``: ``tanh`` of every scalar span; ``codes``: the category of every one-hot
        span drawn by the Gumbel-max trick (argmax of ``logits + Gumbel noise``, the same
        distribution as the argmax of a Gumbel-softmax). The noise is ``-log(E)`` with
        ``E ~ Exp(1)`` drawn by NumPy's ziggurat (several times faster than torch's
        ``exponential_`` on CPU). Spans are argmaxed in a few groups of similar width (padded
        to a power of two with an extra ``-inf`` column), not one by one.
        """
        exp = rng.standard_exponential(raw.shape, dtype=np.float32)
        noisy = raw - torch.from_numpy(exp).to(raw.device).log_()
        padded = torch.cat([noisy, noisy.new_full((raw.shape[0], 1), float("-inf"))], 1)
        parts = [
            padded.index_select(1, index).reshape(raw.shape[0], -1, width).argmax(-1)
            for index, width in self._decode_groups
        ]
        codes = torch.cat(parts, 1).index_select(1, self._decode_order)
        return torch.tanh(raw.index_select(1, self.tanh_idx)), codes

    def conditional_loss(
        self,
        raw: torch.Tensor,
        span_choice: torch.Tensor,
        category: torch.Tensor,
        active: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Mean cross-entropy between each row's conditioned span and its asked category."""
        padded = torch.cat([raw, raw.new_full((raw.shape[0], 1), -1e9)], 1)
        chosen = torch.gather(padded, 1, self._cond_gather[span_choice])
        loss = F.cross_entropy(chosen, category, reduction="none")
        if active is not None:
            return (loss * active).sum() / raw.shape[0]
        return loss.mean()
