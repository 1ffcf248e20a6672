"""Batch generation: one sub-column at a time for a whole chunk of rows.

Rows are generated in chunks of ``sample_batch_size``; within a chunk, the sub-columns are
visited in the generation order (given columns first, then the table's own order). A given
sub-column just takes its tokens; any other is drawn from its head's softmax with the
Gumbel-max trick (one exponential draw per logit, from a seeded torch generator, so the same
seed gives the same rows). Each drawn sub-column updates the pre-activations of the heads
to come with one table lookup (:class:`GenerationTables`), so no head recomputes its input.
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
                noise = torch.empty_like(logits).exponential_(generator=generator)
                tokens = (logits - noise.log_()).argmax(dim=1)
            out[start:stop, j] = tokens.cpu().numpy()
            tables.reveal_into(pre, p, tokens)
    return out
