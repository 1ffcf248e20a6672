"""CTGAN's networks: a residual generator and a PacGAN critic with gradient penalty.

Architecture follows Xu et al. (2019): the generator stacks residual blocks whose outputs are
concatenated to their inputs; the critic sees ``pac`` rows at once (PacGAN) so it can detect
mode collapse, and is trained as a WGAN with gradient penalty.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
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


class Discriminator(nn.Module):
    """PacGAN critic: scores groups of ``pac`` rows (batch size must be a multiple of pac)."""

    def __init__(self, in_dim: int, hidden: Sequence[int], pac: int) -> None:
        super().__init__()
        self.pac = pac
        layers: list[nn.Module] = []
        dim = in_dim * pac
        for width in hidden:
            layers += [nn.Linear(dim, width), nn.LeakyReLU(0.2), nn.Dropout(0.5)]
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
