"""Training: cross-entropy of every head on random column orders, best epoch by validation.

Each row of a batch gets a column order: the table's own order for a share
``fixed_order_share`` of the rows (the order plain sampling uses, so it gets the most
practice), a random permutation of the columns for the rest (so any column subset can be
conditioned on). The sub-columns of one number stay together, coarse token before fine.

A held-out share of the rows (``val_share``) scores every epoch in the table's own order; the
weights of the best epoch are kept, the learning rate halves when the score stalls, and
training stops after ``patience`` epochs without improvement, at ``epochs``, or after the
epoch that exceeds ``time_budget_s``.

With a :class:`~synthohive_lib.models.privacy.PrivacyConfig` the loop is DP-SGD instead:
rows are drawn by Poisson sampling, each row's gradient is clipped to ``max_grad_norm`` (all
rows' norms and the clipped sum from one batched pass, :mod:`.per_sample`), Gaussian noise
scaled by Opacus' noise multiplier is added, and training stops when the planned steps (which
spend exactly ``epsilon``) are done, or before the first step past ``time_budget_s``. No rows
are held out: choosing an epoch on real rows would spend privacy outside the accountant.
"""

from __future__ import annotations

import copy
import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np
import structlog
import torch
from torch.nn import functional as F

from synthohive_lib.models.autoregressive.config import AutoregressiveConfig
from synthohive_lib.models.autoregressive.network import AutoregressiveNetwork
from synthohive_lib.models.autoregressive.per_sample import clipped_gradient_sum
from synthohive_lib.models.privacy import PrivacyBudget, release_noise_multiplier
from synthohive_lib.models.progress import (
    EpochProgress,
    ProgressCallback,
    TqdmProgress,
    fan_out,
)

log = structlog.get_logger(__name__)

#: Real rows per batched per-row-gradient pass under DP (bounds the activations' memory).
PRIVATE_CHUNK_ROWS = 4096
#: Share of epsilon the noisy token counts (the output biases' start) would spend alone.
MARGINAL_SHARE = 0.1


@dataclass
class TrainingResult:
    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int | None = None
    privacy: dict[str, float] | None = None
    stopped_by: str | None = None  # "patience", "time_budget_s", "epsilon" or None (all epochs)


class Reporter:
    """Progress reports (the caller's callback, a tqdm bar when verbose) and the deadline
    (``time_budget_s`` counted from the start of fit, checked after every step)."""

    def __init__(
        self,
        config: AutoregressiveConfig,
        started: float,
        table: str | None,
        progress: ProgressCallback | None,
    ) -> None:
        verbose = config.verbose if config.verbose is not None else sys.stderr.isatty()
        self.report = fan_out(
            progress, TqdmProgress(desc=table or "autoregressive") if verbose else None
        )
        self.config, self.started, self.table = config, started, table
        budget = config.time_budget_s
        self.deadline = None if budget is None else started + budget

    def out_of_time(self) -> bool:
        return self.deadline is not None and time.perf_counter() >= self.deadline

    def epoch(self, record: dict[str, float], done: bool) -> None:
        if self.report is None:
            return
        losses = {"nll": record["train_loss"]}
        if "val_loss" in record:
            losses["val_nll"] = record["val_loss"]
        self.report(
            EpochProgress.at(
                int(record["epoch"]), self.config.epochs, time.perf_counter() - self.started,
                losses, table=self.table, budget_s=self.config.time_budget_s, done=done,
            )
        )  # fmt: skip


def auto_batch_size(rows: int) -> int:
    """About 2 % of the rows per step, between 32 and 1024: ~50 steps per epoch of a large
    table, at least ~10 of a small one."""
    return int(np.clip(rows // 50, min(32, max(rows // 10, 2)), 1024))


class OrderSampler:
    """Per-row column orders as "head j sees sub-column i" masks ``(batch, k, k)``."""

    def __init__(self, column_of_sub: np.ndarray, device: torch.device) -> None:
        self.column = torch.from_numpy(column_of_sub).to(device)
        part = np.zeros(len(column_of_sub), dtype=np.int64)
        for i in range(1, len(column_of_sub)):
            if column_of_sub[i] == column_of_sub[i - 1]:
                part[i] = part[i - 1] + 1
        self.part = torch.from_numpy(part).to(device)
        self.columns = int(column_of_sub.max()) + 1 if len(column_of_sub) else 0
        self.device = device

    def masks(
        self, batch: int, fixed_share: float, generator: torch.Generator | None
    ) -> torch.Tensor:
        keys = torch.rand(batch, self.columns, device=self.device, generator=generator)
        fixed = torch.rand(batch, 1, device=self.device, generator=generator) < fixed_share
        own = torch.arange(self.columns, device=self.device, dtype=keys.dtype) / self.columns
        keys = torch.where(fixed, own[None], keys)
        rank = keys.argsort(dim=1).argsort(dim=1)  # position of each column in the row's order
        position = rank[:, self.column] * 4 + self.part  # (batch, k): sub-columns stay together
        return position[:, None, :] < position[:, :, None]

    def fixed(self, batch: int) -> torch.Tensor:
        return self.masks(batch, 1.0, None)


def head_loss(logits: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """Sum over heads of each head's cross-entropy, averaged over rows (nats per row)."""
    flat = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens.reshape(-1))
    return flat * tokens.shape[1]


def train_network(
    network: AutoregressiveNetwork,
    tokens: np.ndarray,
    context: np.ndarray | None,
    column_of_sub: np.ndarray,
    config: AutoregressiveConfig,
    rng: np.random.Generator,
    device: torch.device,
    *,
    table: str | None = None,
    progress: ProgressCallback | None = None,
    started: float | None = None,
) -> TrainingResult:
    """Fit ``network`` on ``tokens`` (and its row-aligned parent ``context`` tokens);
    ``started`` is when fit began (the time budget counts from there)."""
    reporter = Reporter(
        config, started if started is not None else time.perf_counter(), table, progress
    )
    generator = torch.Generator(device=device)
    generator.manual_seed(int(rng.integers(2**62)))
    orders = OrderSampler(column_of_sub, device)
    all_tokens = torch.from_numpy(tokens).to(device)
    all_ctx = None if context is None else torch.from_numpy(context).to(device)
    if config.privacy is None:  # with DP, real frequencies would bypass the accountant
        network.start_from_marginals(all_tokens)
    else:
        return _train_private(network, all_tokens, all_ctx, orders, config, generator, reporter)
    n = len(tokens)
    n_val = int(n * config.val_share) if n >= 200 else 0
    perm = torch.from_numpy(rng.permutation(n)).to(device)
    val_idx, train_idx = perm[:n_val], perm[n_val:]
    batch = config.batch_size or auto_batch_size(len(train_idx))
    batch = min(batch, len(train_idx))
    optimizer = torch.optim.AdamW(
        network.parameters(), lr=config.lr, weight_decay=config.weight_decay
    )
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=2)
    result = TrainingResult()
    best, best_state, stale = float("inf"), None, 0
    for epoch in range(config.epochs):
        epoch_started = time.perf_counter()
        network.train()
        order = train_idx[torch.randperm(len(train_idx), device=device, generator=generator)]
        total, steps = 0.0, 0
        for start in range(0, len(order) - batch + 1, batch):
            rows = order[start : start + batch]
            known = orders.masks(len(rows), config.fixed_order_share, generator)
            ctx = None if all_ctx is None else all_ctx[rows]
            loss = head_loss(network(all_tokens[rows], known, ctx), all_tokens[rows])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += float(loss.detach())
            steps += 1
            if reporter.out_of_time():
                break
        record = {"epoch": float(epoch + 1), "train_loss": total / max(steps, 1)}
        if n_val:
            record["val_loss"] = _evaluate(network, all_tokens, all_ctx, val_idx, orders)
            scheduler.step(record["val_loss"])
            if record["val_loss"] < best - 1e-4:
                best, stale, result.best_epoch = record["val_loss"], 0, epoch + 1
                best_state = copy.deepcopy(network.state_dict())
            else:
                stale += 1
        record["seconds"] = time.perf_counter() - epoch_started
        result.history.append(record)
        log.info("autoregressive.epoch", table=table, **record)
        out_of_time = reporter.out_of_time()
        patience_over = bool(config.patience) and stale >= config.patience
        reporter.epoch(record, out_of_time or patience_over or epoch + 1 == config.epochs)
        if out_of_time or patience_over:
            result.stopped_by = "time_budget_s" if out_of_time else "patience"
            log.info("autoregressive.stopped", table=table, epoch=epoch + 1, by=result.stopped_by)
            break
    if best_state is not None:
        network.load_state_dict(best_state)
    network.eval()
    return result


@torch.no_grad()
def _evaluate(
    network: AutoregressiveNetwork,
    tokens: torch.Tensor,
    context: torch.Tensor | None,
    rows: torch.Tensor,
    orders: OrderSampler,
    chunk: int = 4096,
) -> float:
    """Mean per-row loss of ``rows`` in the table's own order (what sampling uses)."""
    network.eval()
    total = 0.0
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        ctx = None if context is None else context[part]
        logits = network(tokens[part], orders.fixed(len(part)), ctx)
        total += float(head_loss(logits, tokens[part])) * len(part)
    network.train()
    return total / max(len(rows), 1)


def noisy_counts(
    tokens: torch.Tensor, vocabs: list[int], noise_multiplier: float, generator: torch.Generator
) -> list[torch.Tensor]:
    """Every sub-column's token counts plus Gaussian noise of ``noise_multiplier · √k``: a row
    adds one to one count of each of the ``k`` sub-columns, an L2 sensitivity of ``√k``."""
    sigma = noise_multiplier * math.sqrt(len(vocabs))
    out = []
    for j, vocab in enumerate(vocabs):
        counts = torch.bincount(tokens[:, j], minlength=vocab).to(torch.float64)
        noise = torch.randn(vocab, generator=generator, device=tokens.device, dtype=torch.float64)
        out.append((counts + sigma * noise).clamp(min=0))
    return out


class PrivateStepper:
    """One DP-SGD step at a time: a Poisson sample of the rows (rate ``batch / rows``), their
    clipped gradients summed (:func:`~.per_sample.clipped_gradient_sum`), Gaussian noise of
    ``noise_multiplier · max_grad_norm``, divided by the expected batch ``rate · rows``, then
    Adam. The accountant's noise multiplier is set so the planned steps spend ``epsilon``.

    Before the first step the output biases start from the tokens' counts released once with
    the Gaussian mechanism (:func:`noisy_counts`, ``MARGINAL_SHARE`` of epsilon on its own,
    composed with the steps in the accountant), as the non-private fit starts from the exact
    marginals: the steps then go to the dependencies between columns, which is what the
    clipped, noisy gradients are worst at finding from scratch.
    """

    def __init__(
        self,
        network: AutoregressiveNetwork,
        tokens: torch.Tensor,
        context: torch.Tensor | None,
        orders: OrderSampler,
        config: AutoregressiveConfig,
        generator: torch.Generator,
    ) -> None:
        assert config.privacy is not None
        self.network, self.tokens, self.context, self.orders = network, tokens, context, orders
        self.config, self.generator = config, generator
        n = len(tokens)
        batch = config.batch_size or auto_batch_size(n)
        self.rate = min(batch / n, 1.0)
        self.steps_per_epoch = max(round(1 / self.rate), 1)
        marginal_noise = release_noise_multiplier(config.privacy, n, MARGINAL_SHARE)
        self.budget = PrivacyBudget(
            config.privacy,
            rows=n,
            sample_rate=self.rate,
            steps=config.epochs * self.steps_per_epoch,
            releases=((marginal_noise, 1.0, 1),),
        )
        network.start_from_counts(noisy_counts(tokens, network.vocabs, marginal_noise, generator))
        self.clip = config.privacy.max_grad_norm
        self.params = dict(network.named_parameters())
        self.optimizer = torch.optim.Adam(self.params.values(), lr=config.lr)

    def step(self) -> torch.Tensor:
        """Take one private step; returns the sampled rows' losses."""
        n = len(self.tokens)
        chosen = torch.rand(n, generator=self.generator, device=self.tokens.device) < self.rate
        rows = chosen.nonzero().squeeze(1)
        summed = {k: torch.zeros_like(v) for k, v in self.params.items()}
        losses = [torch.zeros(0, device=self.tokens.device)]
        for start in range(0, len(rows), PRIVATE_CHUNK_ROWS):  # bounds activation memory
            part = rows[start : start + PRIVATE_CHUNK_ROWS]
            known = self.orders.masks(len(part), self.config.fixed_order_share, self.generator)
            clipped = clipped_gradient_sum(
                self.network, self.tokens[part], known, _ctx(self.context, part), self.clip
            )
            for k, g in clipped.grads.items():
                summed[k] += g
            losses.append(clipped.losses)
        noise_std = self.budget.noise_multiplier * self.clip
        expected = self.rate * n
        for k, p in self.params.items():
            noise = torch.randn(p.shape, generator=self.generator, device=p.device) * noise_std
            p.grad = (summed[k] + noise) / expected
        self.optimizer.step()
        self.budget.step()
        return torch.cat(losses)


def _train_private(
    network: AutoregressiveNetwork,
    tokens: torch.Tensor,
    context: torch.Tensor | None,
    orders: OrderSampler,
    config: AutoregressiveConfig,
    generator: torch.Generator,
    reporter: Reporter,
) -> TrainingResult:
    """DP-SGD (see the module docstring and :class:`PrivateStepper`).

    The deadline and the budget are checked before every step, so a run stops within one
    step of ``time_budget_s`` and never takes a step the planned epsilon does not cover.
    """
    stepper = PrivateStepper(network, tokens, context, orders, config, generator)
    budget = stepper.budget
    result = TrainingResult()
    network.train()
    out_of_time = spent = False
    for epoch in range(config.epochs):
        epoch_started = time.perf_counter()
        total, taken = 0.0, 0
        for _ in range(stepper.steps_per_epoch):
            out_of_time = reporter.out_of_time()
            spent = not budget.can_step()
            if out_of_time or spent:
                break
            losses = stepper.step()
            if len(losses):
                total += float(losses.mean())
                taken += 1
        record = {
            "epoch": float(epoch + 1),
            "train_loss": total / max(taken, 1),
            "epsilon": budget.spent_epsilon,
            "seconds": time.perf_counter() - epoch_started,
        }
        result.history.append(record)
        log.info("autoregressive.epoch", table=reporter.table, private=True, **record)
        out_of_time = out_of_time or reporter.out_of_time()
        spent = spent or not budget.can_step()
        reporter.epoch(record, out_of_time or spent or epoch + 1 == config.epochs)
        if out_of_time or spent:
            result.stopped_by = "time_budget_s" if out_of_time else "epsilon"
            break
    network.eval()
    result.privacy = budget.report()
    return result


def _ctx(context: torch.Tensor | None, rows: torch.Tensor) -> torch.Tensor | None:
    return None if context is None else context[rows]
