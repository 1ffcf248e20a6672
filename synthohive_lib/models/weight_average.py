"""Polyak averaging of a generator's weights, shared by CTGAN's plain and DP-SGD training.

Its own module so that :mod:`~synthohive_lib.models.ctgan` and
:mod:`~synthohive_lib.models.ctgan_dp` both use it without importing each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


class WeightAverage:
    """Exponential moving average of the generator's weights (Polyak averaging).

    A GAN's generator oscillates around a good solution from one step to the next; what it
    generates at the last step is one draw from that oscillation (TSTR accuracy on Adult moves
    by ±0.02 between neighbouring epochs). The average of the recent weights sits near the
    centre. The decay ramps up as ``min(decay, (1 + t) / (10 + t))`` over the steps ``t``, so
    a table trained for few steps is not averaged with its random initial weights.
    BatchNorm statistics are running averages already and stay the live ones.
    """

    def __init__(self, module: torch.nn.Module, decay: float) -> None:
        self.decay = decay
        self.steps = 0
        self.params = [p.detach().clone() for p in module.parameters()]

    def update(self, module: torch.nn.Module) -> None:
        self.steps += 1
        decay = min(self.decay, (1 + self.steps) / (10 + self.steps))
        with torch.no_grad():
            torch._foreach_lerp_(self.params, [p.detach() for p in module.parameters()], 1 - decay)

    def copy_to(self, module: torch.nn.Module) -> None:
        with torch.no_grad():
            for live, averaged in zip(module.parameters(), self.params, strict=True):
                live.copy_(averaged)

    @contextmanager
    def swapped_in(self, module: torch.nn.Module) -> Iterator[None]:
        """The averaged weights in ``module`` for the duration, the live ones after."""
        live = [p.detach().clone() for p in module.parameters()]
        self.copy_to(module)
        try:
            yield
        finally:
            with torch.no_grad():
                for param, saved in zip(module.parameters(), live, strict=True):
                    param.copy_(saved)
