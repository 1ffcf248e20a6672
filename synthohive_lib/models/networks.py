"""CTGAN's networks: a residual generator and a PacGAN critic with gradient penalty.

Architecture follows Xu et al. (2019): the generator stacks residual blocks whose outputs are
concatenated to their inputs; the critic sees ``pac`` rows at once (PacGAN) so it can detect
mode collapse, and is trained as a WGAN with gradient penalty.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn


class _Residual(nn.Module):
    def __init__(self, in_dim: int, out_dim: int) -> None:
        super().__init__()
        self.linear = nn.Linear(in_dim, out_dim)
        self.norm = nn.BatchNorm1d(out_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([torch.relu(self.norm(self.linear(x))), x], dim=1)


class Generator(nn.Module):
    """Maps noise (+ conditional vector + parent context) to raw, pre-activation rows."""

    def __init__(self, in_dim: int, hidden: Sequence[int], out_dim: int) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        dim = in_dim
        for width in hidden:
            layers.append(_Residual(dim, width))
            dim += width
        layers.append(nn.Linear(dim, out_dim))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def forward_slots(
        self, noise: torch.Tensor, slot: torch.Tensor | None, context: torch.Tensor, cond_dim: int
    ) -> torch.Tensor:
        """Same as ``forward(cat([noise, one_hot(slot, cond_dim), context]))``, cheaper.

        The one-hot conditional vector never enters a matrix product: in every layer its
        weight columns act as a lookup table (one row per slot, plus a zero row for slot
        ``cond_dim`` = no condition), so it costs a row gather instead of ``cond_dim``
        multiply-adds per output, forward and backward.
        """
        if slot is None or cond_dim == 0:
            zeros = noise.new_zeros(noise.shape[0], cond_dim)
            return self.forward(torch.cat([noise, zeros, context], 1))
        *residuals, last = list(self.net)
        x = torch.cat([noise, context], 1)  # input without the conditional vector
        before = 0
        for block in [*residuals, last]:
            linear = last if block is last else block.linear
            weight = linear.weight
            start = before + noise.shape[1]
            if weight.shape[1] == start + cond_dim:  # no context columns: a view, no copy
                dense = weight[:, :start]
            else:
                dense = torch.cat([weight[:, :start], weight[:, start + cond_dim :]], 1)
            table = F.pad(weight[:, start : start + cond_dim].T, (0, 0, 0, 1))
            added = F.embedding(slot, table) + linear.bias
            out = torch.addmm(added, x, dense.T)
            if block is last:
                return out
            x = torch.cat([torch.relu(block.norm(out)), x], 1)
            before += linear.out_features
        raise AssertionError("unreachable")


class _LeakyDropout(nn.Module):
    """LeakyReLU followed by dropout, as one multiplication by a constant (no-grad) factor.

    ``y = x * s`` with ``s = slope(x > 0) * mask / keep`` computed without autograd. The result
    and its first derivative equal ``dropout(leaky_relu(x))``, but the derivative ``s`` does
    not depend on ``x`` in the graph: the gradient penalty's double backward then has no
    path back through the activations (torch's ``leaky_relu_backward`` would propagate a
    tensor of zeros there, costing a full-size matrix product per layer for nothing). The
    dropout mask is drawn with ``uniform_`` (torch's CPU ``bernoulli_`` is ~4x slower).
    """

    def __init__(self, negative_slope: float, p: float) -> None:
        super().__init__()
        self.negative_slope, self.p = negative_slope, p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            if self.training and self.p > 0:
                keep = 1.0 - self.p
                scale = (torch.rand_like(x) < keep).to(x.dtype).mul_(1.0 / keep)
                scale *= torch.where(x > 0, 1.0, self.negative_slope)
            else:
                scale = torch.where(x > 0, 1.0, self.negative_slope).to(x.dtype)
        return x * scale


class Discriminator(nn.Module):
    """PacGAN critic: scores groups of ``pac`` rows (batch size must be a multiple of pac)."""

    def __init__(self, in_dim: int, hidden: Sequence[int], pac: int) -> None:
        super().__init__()
        self.pac = pac
        layers: list[nn.Module] = []
        dim = in_dim * pac
        for width in hidden:
            layers += [nn.Linear(dim, width), _LeakyDropout(0.2, 0.5)]
            dim = width
        layers.append(nn.Linear(dim, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.reshape(-1, x.shape[1] * self.pac))


def gradient_penalty(
    critic: Discriminator, real: torch.Tensor, fake: torch.Tensor, weight: float = 10.0
) -> torch.Tensor:
    """WGAN-GP penalty on random interpolates, one mixing weight per pac group."""
    pac = critic.pac
    groups = real.shape[0] // pac
    mix = torch.rand(groups, 1, 1, device=real.device).expand(groups, pac, 1)
    mix = mix.reshape(-1, 1)
    interpolates = (mix * real + (1 - mix) * fake).requires_grad_(True)
    scores = critic(interpolates)
    (grads,) = torch.autograd.grad(scores.sum(), interpolates, create_graph=True, retain_graph=True)
    norms = grads.reshape(-1, pac * real.shape[1]).norm(2, dim=1)
    return ((norms - 1) ** 2).mean() * weight


class GenerationPlan:
    """Inference-only form of a :class:`Generator`, for generating many rows fast.

    Built from the generator's current weights (eval mode): every BatchNorm is folded into
    the linear layer before it, and the columns of every weight matrix that read the one-hot
    conditional vector become a lookup table, so the conditional vector costs one row gather
    per layer instead of ``cond_dim`` multiply-adds per output. The residual concatenations
    are laid out once in a preallocated buffer ``[h_k | ... | h_1 | noise | context]``, so
    each layer reads a contiguous column slice and nothing is re-concatenated.
    """

    def __init__(
        self,
        generator: Generator,
        noise_dim: int,
        cond_dim: int,
        dtype: torch.dtype = torch.float32,
    ) -> None:
        blocks = list(generator.net)
        *residuals, last = blocks
        widths = [block.linear.out_features for block in residuals]
        self.noise_dim, self.cond_dim = noise_dim, cond_dim
        self.hidden = widths
        self.in_dim = last.in_features - sum(widths)  # noise + cond + context
        self.layers: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = []
        with torch.no_grad():
            before = 0  # hidden columns in front of the input of the current layer
            for block in [*residuals, last]:
                linear = last if block is last else block.linear
                weight, bias = linear.weight.detach(), linear.bias.detach()
                if block is not last:
                    norm = block.norm
                    scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
                    weight = weight * scale[:, None]
                    bias = (bias - norm.running_mean) * scale + norm.bias
                # Input of this layer: [hidden before | noise | cond | context].
                start = before + noise_dim
                cond_table = weight[:, start : start + cond_dim].T + bias
                dense = torch.cat([weight[:, :start], weight[:, start + cond_dim :]], 1)
                self.layers.append(
                    (dense.T.contiguous().to(dtype), bias.to(dtype), cond_table.to(dtype))
                )
                before += linear.out_features
        # Layer i reads the columns from offset[i] on (hidden widths are stacked newest first).
        total_hidden = sum(widths)
        self.offsets = [total_hidden - sum(widths[:i]) for i in range(len(widths) + 1)]
        self.hidden_slices = [
            slice(total_hidden - sum(widths[: i + 1]), total_hidden - sum(widths[:i]))
            for i in range(len(widths))
        ]
        self.total_hidden = total_hidden
        self.dtype = dtype

    def __call__(
        self, noise: torch.Tensor, slot: torch.Tensor | None, context: torch.Tensor
    ) -> torch.Tensor:
        """Raw generator output for ``noise``, conditional slots (or None) and context."""
        rows = noise.shape[0]
        # Zeros, not empty: oneDNN's bf16 kernels read past a column slice's end into the
        # next row's not-yet-written hidden columns (scaled by zero-padded weights); garbage
        # there, NaN or denormal, changed results from call to call.
        buf = torch.zeros(
            rows,
            self.total_hidden + noise.shape[1] + context.shape[1],
            dtype=self.dtype,
            device=noise.device,
        )
        buf[:, self.total_hidden : self.total_hidden + noise.shape[1]] = noise
        if context.shape[1]:
            buf[:, self.total_hidden + noise.shape[1] :] = context
        for i, (weight_t, bias, cond_table) in enumerate(self.layers):
            # The conditional term enters as addmm's added matrix (bias folded into the table).
            added = bias if slot is None else cond_table.index_select(0, slot)
            out = torch.addmm(added, buf[:, self.offsets[i] :], weight_t)
            if i == len(self.hidden):
                return out.float()
            buf[:, self.hidden_slices[i]] = out.clamp_min_(0)
        raise AssertionError("unreachable")
