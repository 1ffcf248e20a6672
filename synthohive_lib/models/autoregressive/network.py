"""The network: a shared token embedding and one small head per sub-column.

Head ``j`` predicts sub-column ``j`` from the sub-columns that come *before* it in a row's
column order. Every head sees the embeddings of all sub-columns, but those not (yet) known are
replaced by a learned "absent" vector of that sub-column, so one weight set serves every
order: the table's own order (what plain sampling uses) and random ones (what conditional
generation and imputation use). Parent context is a prefix: the parent row's tokens, embedded
by their own table, enter every head's first layer and are always known.

Training runs all heads in one pass (a per-row order mask, batched ``einsum`` over heads).
Sampling is incremental: each head's first-layer pre-activation starts from the all-absent
input plus the context, and each generated sub-column adds its embedding's contribution to
the heads still to come, so generating a row costs about one training forward pass.
"""

from __future__ import annotations

import math

import torch
from torch import nn


class HeadStack(nn.Module):
    """``heads`` independent affine maps ``in_dim -> out_dim`` applied per head (one einsum).

    A leaf module with plain parameters, so per-row gradients (DP-SGD) can be taken with
    ``torch.func`` like any ``nn.Linear``.
    """

    def __init__(self, heads: int, in_dim: int, out_dim: int) -> None:
        super().__init__()
        bound = 1.0 / math.sqrt(max(in_dim, 1))
        self.weight = nn.Parameter(torch.empty(heads, in_dim, out_dim).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.zeros(heads, out_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (batch, heads, in_dim)
        return torch.einsum("bji,jio->bjo", x, self.weight) + self.bias


class AutoregressiveNetwork(nn.Module):
    """Heads over token sub-columns with vocabularies ``vocabs`` (see the module docstring)."""

    def __init__(
        self,
        vocabs: list[int],
        context_vocabs: list[int],
        *,
        embedding_dim: int,
        hidden_dim: int,
        dropout: float,
    ) -> None:
        super().__init__()
        self.vocabs = list(vocabs)
        self.context_vocabs = list(context_vocabs)
        k, d, h = len(vocabs), embedding_dim, hidden_dim
        self.k, self.d, self.h = k, d, h
        v_max = max(vocabs)
        self.register_buffer("offsets", _offsets(vocabs), persistent=False)
        self.embedding = nn.Embedding(sum(vocabs), d)
        nn.init.normal_(self.embedding.weight, std=0.5)
        self.absent = nn.Parameter(torch.zeros(k, d))
        self.first = HeadStack(k, k * d, h)
        self.second = HeadStack(k, h, h)
        self.out = HeadStack(k, h, v_max)
        pad = torch.zeros(k, v_max)
        for j, v in enumerate(vocabs):
            pad[j, v:] = float("-inf")
        self.register_buffer("pad", pad, persistent=False)
        self.dropout = nn.Dropout(dropout)
        self.context = None
        if context_vocabs:
            self.register_buffer("context_offsets", _offsets(context_vocabs), persistent=False)
            self.context_embedding = nn.Embedding(sum(context_vocabs), d)
            nn.init.normal_(self.context_embedding.weight, std=0.5)
            self.context = nn.Linear(len(context_vocabs) * d, k * h, bias=False)

    @torch.no_grad()
    def start_from_marginals(self, tokens: torch.Tensor) -> None:
        """Output biases = log frequencies of every sub-column's tokens: before any step the
        network is the independent-columns model, so the marginals are right from the start
        (and a short time budget spends its steps on the dependencies)."""
        for j, vocab in enumerate(self.vocabs):
            counts = torch.bincount(tokens[:, j], minlength=vocab).to(self.out.bias.dtype)
            self.out.bias[j, :vocab] = torch.log((counts + 0.5) / (counts.sum() + 0.5 * vocab))

    def _context_term(self, context: torch.Tensor | None, batch: int) -> torch.Tensor | None:
        if self.context is None:
            return None
        assert context is not None
        flat = self.context_embedding(context + self.context_offsets).reshape(batch, -1)
        return self.context(flat).reshape(batch, self.k, self.h)

    def forward(
        self, tokens: torch.Tensor, known: torch.Tensor, context: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Logits ``(batch, heads, max vocab)``; ``known[b, j, i]``: head j of row b sees
        sub-column i (it comes before j in that row's order)."""
        batch = tokens.shape[0]
        emb = self.embedding(tokens + self.offsets)  # (b, k, d)
        inputs = torch.where(known[..., None], emb[:, None], self.absent[None, None])
        pre = self.first(inputs.reshape(batch, self.k, self.k * self.d))
        ctx = self._context_term(context, batch)
        if ctx is not None:
            pre = pre + ctx
        hidden = self.dropout(torch.relu(pre))
        hidden = self.dropout(torch.relu(self.second(hidden)))
        return self.out(hidden) + self.pad


class GenerationTables:
    """What incremental generation reads, precomputed from an :class:`AutoregressiveNetwork`
    for one generation ``order`` (a permutation of the sub-columns).

    The pre-activations are kept in generation order: block ``p`` (``h`` wide) belongs to the
    ``p``-th head to be generated. ``reveal[p]`` is a lookup table ``(vocab, (k - p - 1) * h)``:
    what the ``p``-th sub-column taking each of its tokens adds to the heads still to come (its
    embedding minus its absent vector, times their first-layer slices). Revealing a
    sub-column is one gather and one add over the remaining heads only.
    """

    def __init__(self, network: AutoregressiveNetwork, order: list[int]) -> None:
        k, d, h = network.k, network.d, network.h
        self.network, self.order = network, list(order)
        self.k, self.h = k, h
        index = torch.tensor(order, dtype=torch.long, device=network.offsets.device)
        weight = network.first.weight.detach()[index]  # heads in generation order
        stacked = weight.permute(1, 0, 2).reshape(k * d, k * h)  # input slice -> all heads
        absent = network.absent.detach()
        bias = network.first.bias.detach()[index].reshape(1, -1)
        self.base = absent.reshape(1, k * d) @ stacked + bias
        self.position = index
        embedding = network.embedding.weight.detach()
        offsets = network.offsets.tolist()
        self.reveal = []
        for p, j in enumerate(order):
            rows = embedding[offsets[j] : offsets[j] + network.vocabs[j]] - absent[j]
            self.reveal.append((rows @ stacked[j * d : (j + 1) * d, (p + 1) * h :]).contiguous())
        self.second_w = [network.second.weight[j].detach().contiguous() for j in order]
        self.second_b = [network.second.bias[j].detach() for j in order]
        self.out_w = [
            network.out.weight[j, :, : network.vocabs[j]].detach().contiguous() for j in order
        ]
        self.out_b = [network.out.bias[j, : network.vocabs[j]].detach() for j in order]

    def start(self, batch: int, context: torch.Tensor | None) -> torch.Tensor:
        """Pre-activations ``(batch, k * h)`` in generation order, nothing known yet."""
        pre = self.base.expand(batch, -1).clone()
        ctx = self.network._context_term(context, batch)
        if ctx is not None:
            pre += ctx[:, self.position].reshape(batch, -1)
        return pre

    def reveal_into(self, pre: torch.Tensor, p: int, tokens: torch.Tensor) -> None:
        """The ``p``-th generated sub-column took ``tokens``: tell the heads after it."""
        if p + 1 < self.k:
            pre[:, (p + 1) * self.h :] += self.reveal[p].index_select(0, tokens)

    def logits(self, pre: torch.Tensor, p: int) -> torch.Tensor:
        """Logits of the ``p``-th generated sub-column (its own vocabulary only)."""
        hidden = torch.relu(pre[:, p * self.h : (p + 1) * self.h])
        hidden = torch.relu(torch.addmm(self.second_b[p], hidden, self.second_w[p]))
        return torch.addmm(self.out_b[p], hidden, self.out_w[p])


def _offsets(vocabs: list[int]) -> torch.Tensor:
    starts = [0]
    for v in vocabs[:-1]:
        starts.append(starts[-1] + v)
    return torch.tensor(starts, dtype=torch.long)
