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
from torch.nn import functional as F


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
        self.start_from_counts(
            [torch.bincount(tokens[:, j], minlength=v) for j, v in enumerate(self.vocabs)]
        )

    @torch.no_grad()
    def start_from_counts(self, counts: list[torch.Tensor]) -> None:
        """Output biases = log of every sub-column's token ``counts`` (smoothed by 0.5); under
        DP-SGD the counts are the noisy ones the accountant covers."""
        for j, vocab in enumerate(self.vocabs):
            c = counts[j].to(self.out.bias.dtype).clamp(min=0)
            self.out.bias[j, :vocab] = torch.log((c + 0.5) / (c.sum() + 0.5 * vocab))

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

    The first layer is linear in the embeddings, so the ``p``-th head to be generated has the
    pre-activation ``base_p + sum_{q<p} table_p[offset_q + token_q]``: ``table_p`` stacks, for
    every sub-column ``q`` generated before it, what each of ``q``'s tokens adds (its
    embedding minus its absent vector, times head ``p``'s first-layer slice for ``q``), and
    ``base_p`` (the all-absent input plus the bias) is folded into the rows of the first
    generated sub-column, which every row has. One ``embedding_bag`` (a fused gather-sum)
    per head then gives its pre-activation for a whole chunk, reading small cached tables and
    writing only ``h`` numbers per row. (Adding each revealed column into a running
    ``(rows, k * h)`` buffer of all later heads instead did the same sums through memory and
    was half of sampling.) The output layer is scaled by ``1 / temperature`` here, once.
    """

    def __init__(
        self, network: AutoregressiveNetwork, order: list[int], *, temperature: float = 1.0
    ) -> None:
        k, d, h = network.k, network.d, network.h
        self.network, self.order = network, list(order)
        self.k, self.h = k, h
        index = torch.tensor(order, dtype=torch.long, device=network.offsets.device)
        self.position = index
        weight = network.first.weight.detach()[index]  # (k, k * d, h): heads in order
        absent = network.absent.detach()
        self.base = torch.einsum("i,jio->jo", absent.reshape(-1), weight)
        self.base += network.first.bias.detach()[index]  # (k, h)
        embedding = network.embedding.weight.detach()
        offsets = network.offsets.tolist()
        delta = [  # (vocab, d) per sub-column in generation order
            embedding[offsets[j] : offsets[j] + network.vocabs[j]] - absent[j] for j in order
        ]
        vocabs = [network.vocabs[j] for j in order]
        self.bag_offsets = torch.tensor(
            [sum(vocabs[:p]) for p in range(k)], dtype=torch.long, device=index.device
        )
        self.tables: list[torch.Tensor | None] = [None]
        for p in range(1, k):
            parts = [delta[q] @ weight[p, order[q] * d : (order[q] + 1) * d] for q in range(p)]
            parts[0] = parts[0] + self.base[p]
            self.tables.append(torch.cat(parts).contiguous())
        scale = 1.0 / temperature
        self.second_w = [network.second.weight[j].detach().contiguous() for j in order]
        self.second_b = [network.second.bias[j].detach() for j in order]
        self.out_w = [
            (network.out.weight[j, :, : network.vocabs[j]].detach() * scale).contiguous()
            for j in order
        ]
        self.out_b = [network.out.bias[j, : network.vocabs[j]].detach() * scale for j in order]

    def context_term(self, context: torch.Tensor | None, batch: int) -> torch.Tensor | None:
        """The parent prefix's first-layer term ``(batch, k, h)``, heads in generation order."""
        ctx = self.network._context_term(context, batch)
        return None if ctx is None else ctx[:, self.position]

    def logits(
        self, bag: torch.Tensor, p: int, context: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Logits (divided by the temperature) of the ``p``-th generated sub-column, given
        ``bag[:, q] = bag_offsets[q] + token_q`` for the sub-columns ``q < p``."""
        table = self.tables[p]
        if table is None:
            pre = self.base[p].expand(bag.shape[0], -1)
            pre = pre + context[:, p] if context is not None else pre.clone()
        else:
            pre = F.embedding_bag(bag[:, :p], table, mode="sum")
            if context is not None:
                pre += context[:, p]
        hidden = torch.addmm(self.second_b[p], pre.relu_(), self.second_w[p]).relu_()
        return torch.addmm(self.out_b[p], hidden, self.out_w[p])


def _offsets(vocabs: list[int]) -> torch.Tensor:
    starts = [0]
    for v in vocabs[:-1]:
        starts.append(starts[-1] + v)
    return torch.tensor(starts, dtype=torch.long)
