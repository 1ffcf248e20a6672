"""The autoregressive model's batched per-row clipped gradients (DP-SGD's expensive part)
equal a plain loop that differentiates one row at a time, clips it and sums."""

from __future__ import annotations

import pytest
import torch

from synthohive_lib.models.autoregressive.network import AutoregressiveNetwork
from synthohive_lib.models.autoregressive.per_sample import clipped_gradient_sum, row_losses

VOCABS = [5, 3, 7, 4, 2]
CONTEXT_VOCABS = [3, 6]


def _batch(rows: int, with_context: bool, seed: int):
    torch.manual_seed(seed)
    network = AutoregressiveNetwork(
        VOCABS,
        CONTEXT_VOCABS if with_context else [],
        embedding_dim=4,
        hidden_dim=8,
        dropout=0.0,  # the loop below runs rows one by one: no random masks to line up
    ).double()
    tokens = torch.stack([torch.randint(v, (rows,)) for v in VOCABS], 1)
    context = (
        torch.stack([torch.randint(v, (rows,)) for v in CONTEXT_VOCABS], 1)
        if with_context
        else None
    )
    known = torch.rand(rows, len(VOCABS), len(VOCABS)) < 0.5
    return network, tokens, known, context


def _loop(network, tokens, known, context, clip):
    """The reference: each row's own backward pass, its norm, its clip, the sum."""
    params = dict(network.named_parameters())
    summed = {k: torch.zeros_like(v) for k, v in params.items()}
    norms = []
    for i in range(len(tokens)):
        ctx = None if context is None else context[i : i + 1]
        loss = row_losses(network(tokens[i : i + 1], known[i : i + 1], ctx), tokens[i : i + 1])
        grads = torch.autograd.grad(loss.sum(), list(params.values()))
        norm = torch.sqrt(sum(g.pow(2).sum() for g in grads))
        scale = min(1.0, clip / (float(norm) + 1e-6))
        for k, g in zip(params, grads, strict=True):
            summed[k] += scale * g
        norms.append(norm)
    return summed, torch.stack(norms)


@pytest.mark.parametrize("with_context", [False, True])
def test_batched_clipped_gradients_equal_a_per_row_loop(with_context) -> None:
    network, tokens, known, context = _batch(16, with_context, seed=1)
    _, norms = _loop(network, tokens, known, context, clip=float("inf"))
    clip = float(norms.median())  # half the rows are clipped, half are not
    expected, expected_norms = _loop(network, tokens, known, context, clip)
    fast = clipped_gradient_sum(network, tokens, known, context, clip)
    assert (expected_norms > clip).sum() >= 4 and (expected_norms < clip).sum() >= 4
    torch.testing.assert_close(fast.norms, expected_norms, rtol=1e-9, atol=1e-12)
    assert set(fast.grads) == set(expected)
    for name, grad in expected.items():
        torch.testing.assert_close(fast.grads[name], grad, rtol=1e-9, atol=1e-12, msg=name)
    # every parameter gets a gradient (a rule that silently dropped one would fail here)
    assert all(float(g.abs().sum()) > 0 for g in fast.grads.values())


def test_batched_clipping_leaves_the_parameters_grad_untouched() -> None:
    network, tokens, known, context = _batch(8, True, seed=2)
    clipped_gradient_sum(network, tokens, known, context, clip=1.0)
    assert all(p.grad is None for p in network.parameters())
