"""DP-SGD for CTGAN: the critic is the only network that reads real rows, so only its
updates are privatised; the generator learns from the critic alone (post-processing).

One critic step (``PrivateCritic.step``):

* **Rows** are drawn by Poisson sampling (each real row independently with probability
  ``q = batch_size / rows``), the sampling Opacus' RDP accountant assumes. CTGAN's
  training-by-sampling (pick a category, then a real row holding it) is not used: it makes a
  row of a rare category far likelier to be drawn than ``q``, which the accountant cannot
  see.
* **The clipped unit is one real row** (``pac`` is 1 under DP). A PacGAN group made from a
  sampled batch would change with the presence of any other row (every later group shifts),
  so one row's influence on the step would not be bounded by the clip.
* **The per-row quantity** is the row's critic loss *including its gradient penalty*:
  ``-D(x_i) + λ (‖∇D(x̂_i)‖ - 1)²`` with ``x̂_i`` between ``x_i`` and a fake row. The
  penalty's interpolate is made from the real row, so it is clipped with it; dropping the
  penalty (weight clipping instead) would lose WGAN-GP's stable training, and a penalty on
  fake rows only would not constrain the critic where the real rows are. Per-row gradients
  of this double-backward loss come from ``torch.func`` (``vmap`` of ``grad`` of a function
  that itself takes ``grad``): Opacus' ``GradSampleModule`` hooks record one backward pass
  and do not support the penalty's double backward (opacus issue #31). Each row's gradient
  is clipped to ``max_grad_norm``, summed, Gaussian noise of ``noise_multiplier ·
  max_grad_norm`` is added and the sum is divided by the expected batch ``q · rows``.
* **The fake term** ``+D(G(z))`` is added unclipped and without noise: fake rows are made
  by the generator (a function of earlier private critic updates) from conditions drawn from
  the *noisy* category counts, so they depend on no real row.
* **The conditional vector** of a real row is its own category in a uniformly chosen discrete
  column (a function of that row alone, inside the clip); the fake rows' conditions follow
  the noisy counts, so both sides of the critic see the same condition distribution.

The category counts (what training-by-sampling and generation draw conditions from, stored
in the artifact) are released once with the Gaussian mechanism: each row adds one to one
category of each of the ``S`` discrete columns, an L2 sensitivity of ``√S``. That release
is given ``COUNT_SHARE`` of the budget alone and is composed with the training steps in the
RDP accountant (:class:`~synthohive_lib.models.privacy.PrivacyBudget`), so the total spent,
counts included, stays within epsilon.

Not covered by the guarantee (fitted on real rows without noise, as in most DP-SGD tabular
generators): the column encoding of the :class:`DataTransformer` - category lists, the
Gaussian-mixture modes of each number (weights, means, standard deviations), value ranges
and declared bounds. The transformer's rules learnt from real rows (dependent pairs,
determined columns, co-nullity) are switched off under DP, free-text columns are refused
(their character models are fitted on real text), and so is parent context (the
generator's step would read real parent rows outside the accountant).
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import structlog
import torch

from synthohive_lib.models.networks import Discriminator
from synthohive_lib.models.privacy import PrivacyBudget, PrivacyConfig, release_noise_multiplier
from synthohive_lib.models.progress import EpochProgress, TqdmProgress, fan_out
from synthohive_lib.models.sampler import ConditionalSampler
from synthohive_lib.models.weight_average import WeightAverage
from synthohive_lib.transform.encoders import Span

#: Share of epsilon the noisy category counts would spend on their own (composed with the
#: training steps in RDP, they cost the steps less than this share).
COUNT_SHARE = 0.1
#: Real rows per per-sample gradient pass (bounds the memory of the per-row gradients).
CHUNK_ROWS = 256
#: WGAN-GP's penalty weight (as :func:`synthohive_lib.models.networks.gradient_penalty`).
PENALTY_WEIGHT = 10.0


def row_slots(matrix: np.ndarray, spans: list[Span]) -> np.ndarray:
    """Global condition slot of every row in every discrete span, ``(rows, spans)``."""
    discrete = [s for s in spans if s.discrete]
    if not discrete:
        return np.zeros((matrix.shape[0], 0), dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum([s.width for s in discrete])[:-1]])
    local = [matrix[:, s.start : s.start + s.width].argmax(axis=1) for s in discrete]
    return (np.stack(local, axis=1) + offsets[None, :]).astype(np.int64)


def count_noise_multiplier(config: PrivacyConfig, rows: int) -> float:
    """Noise multiplier of the count release: what spends ``COUNT_SHARE`` of epsilon alone."""
    return release_noise_multiplier(config, rows, COUNT_SHARE)


def noisy_counts(
    slots: np.ndarray, widths: np.ndarray, noise_multiplier: float, rng: np.random.Generator
) -> np.ndarray:
    """Category counts plus Gaussian noise of ``noise_multiplier · √spans`` (the counts'
    L2 sensitivity), rounded and clipped at 0; a span left with no count becomes uniform
    (post-processing: it reads nothing but the noisy counts)."""
    cond_dim = int(widths.sum())
    counts = np.bincount(slots.ravel(), minlength=cond_dim).astype(np.float64)
    sigma = noise_multiplier * math.sqrt(slots.shape[1])
    noisy = np.clip(np.rint(counts + rng.normal(0.0, sigma, cond_dim)), 0, None)
    start = 0
    for width in widths:
        if noisy[start : start + width].sum() == 0:
            noisy[start : start + width] = 1
        start += int(width)
    return noisy.astype(np.int64)


class PrivateCritic:
    """The DP-SGD update of the critic (module docstring): Poisson rows, per-row clipped
    loss with its gradient penalty, Gaussian noise, the exact fake term, Opacus' accountant.
    """

    def __init__(
        self,
        critic: Discriminator,
        optimizer: torch.optim.Optimizer,
        real: torch.Tensor,
        slots: torch.Tensor,
        cond_dim: int,
        budget: PrivacyBudget,
        generator: torch.Generator,
    ) -> None:
        from torch.func import functional_call, grad, vmap

        self.critic, self.optimizer, self.real, self.slots = critic, optimizer, real, slots
        self.cond_dim, self.budget, self.generator = cond_dim, budget, generator
        self.clip = budget.config.max_grad_norm
        self.params = dict(critic.named_parameters())
        self.rate = budget.sample_rate

        def score(p: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
            return functional_call(critic, p, (x[None],)).sum()

        def row_loss(
            p: dict[str, torch.Tensor], x: torch.Tensor, partner: torch.Tensor, mix: torch.Tensor
        ) -> torch.Tensor:
            between = mix * x + (1 - mix) * partner
            slope = grad(score, argnums=1)(p, between)
            norm = torch.sqrt(slope.pow(2).sum() + 1e-12)
            return -score(p, x) + PENALTY_WEIGHT * (norm - 1) ** 2

        self._per_row: Callable[..., Any] = vmap(
            grad(row_loss), in_dims=(None, 0, 0, 0), randomness="different"
        )

    def _real_inputs(self, rows: torch.Tensor) -> torch.Tensor:
        """The sampled rows with their conditional vector: the row's own category in a
        uniformly chosen discrete column."""
        x = self.real[rows]
        if not self.cond_dim:
            return x
        span = torch.randint(
            self.slots.shape[1], (len(rows),), device=x.device, generator=self.generator
        )
        cond = torch.zeros(len(rows), self.cond_dim, device=x.device)
        cond[torch.arange(len(rows), device=x.device), self.slots[rows, span]] = 1.0
        return torch.cat([x, cond], 1)

    def step(self, fake_in: torch.Tensor) -> float:
        """One private update; ``fake_in`` are fake rows with their conditions. Returns the
        fake term (what may be logged: it reads no real row)."""
        device = fake_in.device
        n = len(self.real)
        chosen = torch.rand(n, device=device, generator=self.generator) < self.rate
        rows = chosen.nonzero().squeeze(1)
        detached = {k: v.detach() for k, v in self.params.items()}
        summed = {k: torch.zeros_like(v) for k, v in self.params.items()}
        for start in range(0, len(rows), CHUNK_ROWS):
            part = rows[start : start + CHUNK_ROWS]
            x = self._real_inputs(part)
            pick = torch.arange(start, start + len(part), device=device) % len(fake_in)
            mix = torch.rand(len(part), 1, device=device, generator=self.generator)
            grads = self._per_row(detached, x, fake_in[pick], mix)
            norms = torch.sqrt(sum(g.reshape(len(part), -1).pow(2).sum(1) for g in grads.values()))
            scale = (self.clip / (norms + 1e-6)).clamp(max=1.0)
            for k, g in grads.items():
                summed[k] += torch.einsum("b,b...->...", scale, g)
        self.optimizer.zero_grad(set_to_none=True)
        fake_term = self.critic(fake_in).mean()
        fake_term.backward()
        noise_std = self.budget.noise_multiplier * self.clip
        expected = self.rate * n
        for k, p in self.params.items():
            noise = torch.randn(p.shape, device=device, generator=self.generator) * noise_std
            private = (summed[k] + noise) / expected
            p.grad = private if p.grad is None else p.grad + private
        self.optimizer.step()
        self.budget.step()
        return float(fake_term.detach())


def private_sampler(
    slots: np.ndarray,
    widths: np.ndarray,
    log_frequency: bool,
    noise_multiplier: float,
    rng: np.random.Generator,
) -> ConditionalSampler:
    """A sampler that draws conditions from the noisy counts only (it holds no real row)."""
    counts = noisy_counts(slots, widths, noise_multiplier, rng) if len(widths) else widths
    return ConditionalSampler.from_counts(widths, counts, log_frequency)


def train_private(
    model: Any,
    matrix: np.ndarray,
    slots: np.ndarray,
    count_noise: float,
    rng: np.random.Generator,
    device: torch.device,
    started: float,
) -> None:
    """CTGAN's training loop with the private critic step; the generator step is CTGAN's.

    Stops when the planned steps are done (they spend the epsilon budget, the noisy counts
    included), at ``epochs``, or at ``time_budget_s`` (spending less; the deadline is checked
    before every critic step, so the run ends within one step of it). Sets the model's
    ``loss_history_`` (generator loss and the critic's fake term: the critic's loss on real
    rows is not recorded, it would be a release outside the accountant), ``privacy_`` and
    ``stopped_by_``.
    """
    log = structlog.get_logger("synthohive_lib.models.ctgan")
    c = model.config
    privacy: PrivacyConfig = c.privacy
    n = len(matrix)
    sampler: ConditionalSampler = model.sampler_
    model._build_networks(device)
    generator_net, activation = model.generator_, model.activation_
    critic = Discriminator(matrix.shape[1] + sampler.cond_dim, c.discriminator_dim, 1).to(device)
    opt_g = torch.optim.Adam(
        generator_net.parameters(), lr=c.generator_lr, betas=(0.5, 0.9),
        weight_decay=c.generator_decay,
    )  # fmt: skip
    opt_d = torch.optim.Adam(
        critic.parameters(), lr=c.discriminator_lr, betas=(0.5, 0.9),
        weight_decay=c.discriminator_decay,
    )  # fmt: skip
    batch = min(c.batch_size, n)
    rate = batch / n
    steps_per_epoch = max(round(1 / rate), 1)
    releases = ((count_noise, 1.0, 1),) if slots.shape[1] else ()
    budget = PrivacyBudget(
        privacy,
        rows=n,
        sample_rate=rate,
        steps=c.epochs * steps_per_epoch * c.discriminator_steps,
        releases=releases,
    )
    torch_rng = torch.Generator(device=device)
    torch_rng.manual_seed(int(rng.integers(2**62)))
    private = PrivateCritic(
        critic,
        opt_d,
        torch.from_numpy(matrix).to(device),
        torch.from_numpy(slots).to(device),
        sampler.cond_dim,
        budget,
        torch_rng,
    )
    no_context = torch.zeros(batch, 0, device=device)

    def fakes(draw_fn: Callable[..., Any]) -> tuple[Any, torch.Tensor, torch.Tensor | None]:
        draw = draw_fn(batch, rng)
        slot = None if draw is None else torch.from_numpy(draw.slot).to(device)
        cond = torch.zeros(batch, sampler.cond_dim, device=device)
        if slot is not None:
            cond[torch.arange(batch, device=device), slot] = 1.0
        return draw, cond, slot

    ema = WeightAverage(generator_net, c.generator_ema) if c.generator_ema else None
    verbose = c.verbose if c.verbose is not None else sys.stderr.isatty()
    report = fan_out(model.progress, TqdmProgress(desc=model.table or "ctgan") if verbose else None)
    deadline = None if c.time_budget_s is None else started + c.time_budget_s
    model.loss_history_ = []
    model.best_epoch_ = None
    model.stopped_by_ = None
    out_of_time = spent = False
    loss_g = fake_term = torch.zeros(())
    for epoch in range(c.epochs):
        epoch_started = time.perf_counter()
        generator_net.train()
        critic.train()
        for _ in range(steps_per_epoch):
            if out_of_time or spent:
                break
            for _ in range(c.discriminator_steps):
                # checked before every critic step: a run stops within one step of its
                # deadline (a private step on a large table takes seconds on a CPU)
                out_of_time = deadline is not None and time.perf_counter() >= deadline
                spent = not budget.can_step()
                if out_of_time or spent:
                    break
                # fake rows follow the noisy counts' own frequencies, as the real rows'
                # conditions do (no log-frequency here: the critic would tell them apart)
                _, cond, slot = fakes(sampler.sample_original)
                with torch.no_grad():
                    noise = torch.randn(batch, c.embedding_dim, device=device)
                    raw = generator_net.forward_slots(noise, slot, no_context, sampler.cond_dim)
                    fake_in = torch.cat([activation(raw), cond], 1)
                fake_term = torch.tensor(private.step(fake_in))
            if out_of_time or spent:
                break
            draw, cond, slot = fakes(sampler.sample_train)
            critic.requires_grad_(False)
            noise = torch.randn(batch, c.embedding_dim, device=device)
            raw = generator_net.forward_slots(noise, slot, no_context, sampler.cond_dim)
            fake = activation(raw)
            score = critic(torch.cat([fake, cond], 1)).mean()
            cond_loss = (
                activation.conditional_loss(
                    raw.float(),
                    torch.from_numpy(draw.span).to(device),
                    torch.from_numpy(draw.category).to(device),
                    None,
                )
                if draw is not None
                else torch.zeros((), device=device)
            )
            loss_g = cond_loss - score
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()
            if ema is not None:
                ema.update(generator_net)
            critic.requires_grad_(True)
        out_of_time = out_of_time or (deadline is not None and time.perf_counter() >= deadline)
        spent = spent or not budget.can_step()
        record = {
            "epoch": float(epoch + 1),
            "generator_loss": float(loss_g.detach()),
            "critic_fake_score": float(fake_term),
            "epsilon": budget.spent_epsilon,
            "seconds": time.perf_counter() - epoch_started,
        }
        model.loss_history_.append(record)
        log.info("ctgan.epoch", table=model.table, private=True, **record)
        done = out_of_time or spent or epoch + 1 == c.epochs
        if report is not None:
            report(
                EpochProgress.at(
                    epoch + 1, c.epochs, time.perf_counter() - started,
                    {"g": record["generator_loss"], "epsilon": record["epsilon"]},
                    table=model.table, budget_s=c.time_budget_s, done=done,
                )
            )  # fmt: skip
        if out_of_time or spent:
            model.stopped_by_ = "time_budget_s" if out_of_time else "epsilon"
            log.info("ctgan.stopped", table=model.table, epoch=epoch + 1, by=model.stopped_by_)
            break
    if ema is not None:
        ema.copy_to(generator_net)
    generator_net.eval()
    model.privacy_ = budget.report()
