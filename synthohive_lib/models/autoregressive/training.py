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
rows are drawn by Poisson sampling, each row's gradient (taken with ``torch.func``) is clipped
to ``max_grad_norm``, Gaussian noise scaled by Opacus' noise multiplier is added, and training
stops when the planned steps (which spend exactly ``epsilon``) are done. No rows are held
out: choosing an epoch on real rows would spend privacy outside the accountant.
"""

from __future__ import annotations

import copy
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import structlog
import torch
from torch.nn import functional as F

from synthohive_lib.models.autoregressive.config import AutoregressiveConfig
from synthohive_lib.models.autoregressive.network import AutoregressiveNetwork
from synthohive_lib.models.privacy import PrivacyBudget
from synthohive_lib.models.progress import (
    EpochProgress,
    ProgressCallback,
    TqdmProgress,
    fan_out,
)

log = structlog.get_logger(__name__)


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


def _train_private(
    network: AutoregressiveNetwork,
    tokens: torch.Tensor,
    context: torch.Tensor | None,
    orders: OrderSampler,
    config: AutoregressiveConfig,
    generator: torch.Generator,
    reporter: Reporter,
) -> TrainingResult:
    """DP-SGD (see the module docstring): Poisson batches, per-row clipping, Gaussian noise."""
    from torch.func import functional_call, grad, vmap

    assert config.privacy is not None
    n = len(tokens)
    batch = config.batch_size or auto_batch_size(n)
    rate = min(batch / n, 1.0)
    steps_per_epoch = max(round(1 / rate), 1)
    budget = PrivacyBudget(
        config.privacy, rows=n, sample_rate=rate, steps=config.epochs * steps_per_epoch
    )
    clip = config.privacy.max_grad_norm
    params = dict(network.named_parameters())
    buffers = dict(network.named_buffers())
    optimizer = torch.optim.Adam(params.values(), lr=config.lr)

    def row_loss(p: dict[str, torch.Tensor], tok: torch.Tensor, known: torch.Tensor, ctx: Any):
        logits = functional_call(network, (p, buffers), (tok[None], known[None], ctx))
        return head_loss(logits, tok[None])

    ctx_dim = None if context is None else 0
    per_row = vmap(grad(row_loss), in_dims=(None, 0, 0, ctx_dim), randomness="different")
    result = TrainingResult()
    network.train()
    for epoch in range(config.epochs):
        epoch_started = time.perf_counter()
        total, taken = 0.0, 0
        for _ in range(steps_per_epoch):
            if not budget.can_step():
                break
            chosen = torch.rand(n, generator=generator, device=tokens.device) < rate
            rows = chosen.nonzero().squeeze(1)
            summed = {k: torch.zeros_like(v) for k, v in params.items()}
            detached = {k: v.detach() for k, v in params.items()}
            for start in range(0, len(rows), 64):  # per-row gradients in small chunks
                part = rows[start : start + 64]
                known = orders.masks(len(part), config.fixed_order_share, generator)
                ctx = None if context is None else context[part][:, None]
                grads = per_row(detached, tokens[part], known, ctx)
                norms = torch.sqrt(
                    sum(g.reshape(len(part), -1).pow(2).sum(1) for g in grads.values())
                )
                scale = (clip / (norms + 1e-6)).clamp(max=1.0)
                for k, g in grads.items():
                    summed[k] += torch.einsum("b,b...->...", scale, g)
            noise_std = budget.noise_multiplier * clip
            expected = rate * n
            for k, p in params.items():
                noise = torch.randn(p.shape, generator=generator, device=p.device) * noise_std
                p.grad = (summed[k] + noise) / expected
            optimizer.step()
            budget.step()
            if reporter.out_of_time():
                break
            with torch.no_grad():
                if len(rows):
                    sample = rows[:256]
                    logits = network(
                        tokens[sample], orders.fixed(len(sample)), _ctx(context, sample)
                    )
                    total += float(head_loss(logits, tokens[sample]))
                    taken += 1
        record = {
            "epoch": float(epoch + 1),
            "train_loss": total / max(taken, 1),
            "seconds": time.perf_counter() - epoch_started,
        }
        result.history.append(record)
        log.info("autoregressive.epoch", table=reporter.table, private=True, **record)
        out_of_time = reporter.out_of_time()
        spent = not budget.can_step()
        reporter.epoch(record, out_of_time or spent or epoch + 1 == config.epochs)
        if out_of_time or spent:
            result.stopped_by = "time_budget_s" if out_of_time else "epsilon"
            break
    network.eval()
    result.privacy = budget.report()
    return result


def _ctx(context: torch.Tensor | None, rows: torch.Tensor) -> torch.Tensor | None:
    return None if context is None else context[rows]
