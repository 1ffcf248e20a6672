"""Batch generation: one sub-column at a time for a whole chunk of rows.

Rows are generated in chunks of ``sample_batch_size``; within a chunk, the sub-columns are
visited in the generation order (given columns first, then the table's own order). A given
sub-column just takes its tokens; any other is drawn from its head's softmax by inverting
its cumulative distribution with one uniform draw per row (from a seeded torch generator, so
the same seed gives the same rows). That is about ten times faster on CPU than the Gumbel-max
trick, which needs one exponential draw (a ``log``) per *logit*: with Adult's ~400 tokens a
row, the noise alone was half of sampling. Each drawn sub-column updates the pre-activations
of the heads to come with one table lookup (:class:`GenerationTables`), so no head
recomputes its input.
"""

from __future__ import annotations

import numpy as np
import torch

from synthohive_lib.models.autoregressive.network import AutoregressiveNetwork, GenerationTables


@torch.inference_mode()
def generate_tokens(
    network: AutoregressiveNetwork,
    n: int,
    *,
    seed: int,
    context: np.ndarray | None = None,
    given: dict[int, np.ndarray] | None = None,
    batch_size: int = 2_048,
    temperature: float = 1.0,
) -> np.ndarray:
    """Tokens ``(n, k)``: ``given`` maps sub-column index -> its ``n`` fixed tokens."""
    device = network.offsets.device
    given = given or {}
    k = network.k
    order = [j for j in range(k) if j in given] + [j for j in range(k) if j not in given]
    generator = torch.Generator(device=device)
    generator.manual_seed(seed)
    out = np.empty((n, k), dtype=np.int64)
    network.eval()
    tables = GenerationTables(network, order)
    for start in range(0, n, max(batch_size, 1)):
        stop = min(start + batch_size, n)
        size = stop - start
        ctx = None
        if context is not None:
            ctx = torch.from_numpy(context[start:stop]).to(device)
        pre = tables.start(size, ctx)
        for p, j in enumerate(order):
            if j in given:
                tokens = torch.from_numpy(given[j][start:stop]).to(device)
            else:
                logits = tables.logits(pre, p)
                if temperature != 1.0:
                    logits = logits / temperature
                tokens = draw_categorical(logits, generator)
            out[start:stop, j] = tokens.cpu().numpy()
            tables.reveal_into(pre, p, tokens)
    return out


def draw_categorical(logits: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One token per row from ``softmax(logits)``: the first token whose cumulative
    probability reaches a uniform draw in ``(0, total]``.

    The uniform is scaled by the row's own total (not 1), so rounding in the cumulative sum
    can never push the draw past the last token with non-zero mass; a zero-probability token
    has the same cumulative value as its predecessor, so no draw selects it.
    """
    cumulative = torch.softmax(logits, dim=1).cumsum_(dim=1)
    uniform = torch.rand(
        (logits.shape[0], 1), generator=generator, device=logits.device, dtype=logits.dtype
    )
    draw = (1.0 - uniform) * cumulative[:, -1:]
    return (cumulative < draw).sum(dim=1).clamp_(max=logits.shape[1] - 1)
