"""The vectorised conditional sampler and fused activations do what CTGAN specifies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from synthohive_lib.models.activation import SpanActivation
from synthohive_lib.models.sampler import ConditionalSampler
from synthohive_lib.transform import DataTransformer


def _encoded() -> tuple[DataTransformer, np.ndarray]:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "colour": rng.choice(["red", "green", "blue"], 1000, p=[0.9, 0.09, 0.01]),
            "size": rng.choice(["S", "M"], 1000),
            "weight": rng.normal(50, 10, 1000),
        }
    )
    transformer = DataTransformer().fit(df, rng)
    return transformer, transformer.transform(df, rng)


def test_sampled_rows_hold_the_conditioned_category() -> None:
    transformer, matrix = _encoded()
    sampler = ConditionalSampler(matrix, transformer.spans)
    draw = sampler.sample_train(5000, np.random.default_rng(1))
    discrete = transformer.discrete_spans
    starts = np.array([s.start for s in discrete])[draw.span]
    assert (matrix[draw.rows, starts + draw.category] == 1.0).all()


def test_log_frequency_gives_rare_categories_more_training_rows() -> None:
    transformer, matrix = _encoded()
    sampler = ConditionalSampler(matrix, transformer.spans, log_frequency=True)
    rng = np.random.default_rng(2)
    draw = sampler.sample_train(20000, rng)
    blue = transformer.encoders_["colour"].categories_.index("blue")
    blue_share = (draw.category[draw.span == 0] == blue).mean()
    original = sampler.sample_original(20000, rng)
    blue_original = (original.category[original.span == 0] == blue).mean()
    assert blue_share > 0.1 > blue_original


def test_fused_activation_matches_per_span_definition() -> None:
    transformer, _ = _encoded()
    activation = SpanActivation(transformer.spans, torch.device("cpu"))
    raw = torch.randn(64, transformer.output_dim)
    out = activation(raw)
    for span in transformer.spans:
        block = out[:, span.start : span.start + span.width]
        if span.activation == "softmax":
            torch.testing.assert_close(block.sum(1), torch.ones(64))
        else:
            torch.testing.assert_close(block, torch.tanh(raw[:, span.start : span.start + 1]))


def test_conditional_loss_is_cross_entropy_of_the_chosen_span() -> None:
    transformer, _ = _encoded()
    activation = SpanActivation(transformer.spans, torch.device("cpu"))
    raw = torch.randn(8, transformer.output_dim)
    span_choice = torch.tensor([0, 1, 0, 1, 0, 0, 1, 1])
    category = torch.tensor([2, 1, 0, 0, 1, 2, 1, 0])
    discrete = transformer.discrete_spans
    expected = torch.stack(
        [
            F.cross_entropy(
                raw[i : i + 1, discrete[s].start : discrete[s].start + discrete[s].width],
                category[i : i + 1],
            )
            for i, s in enumerate(span_choice.tolist())
        ]
    ).mean()
    torch.testing.assert_close(activation.conditional_loss(raw, span_choice, category), expected)


def test_generation_plan_matches_the_generator_in_eval_mode() -> None:
    from synthohive_lib.models.networks import GenerationPlan, Generator

    torch.manual_seed(0)
    noise_dim, cond_dim, ctx_dim = 8, 5, 3
    generator = Generator(noise_dim + cond_dim + ctx_dim, (16, 12), 7)
    generator.train()
    with torch.no_grad():  # move the BatchNorm running statistics away from (0, 1)
        for _ in range(5):
            generator(torch.randn(64, noise_dim + cond_dim + ctx_dim) * 3 + 1)
    generator.eval()
    noise, ctx = torch.randn(50, noise_dim), torch.randn(50, ctx_dim)
    slot = torch.randint(cond_dim, (50,))
    cond = F.one_hot(slot, cond_dim).float()
    plan = GenerationPlan(generator, noise_dim, cond_dim)
    with torch.inference_mode():
        expected = generator(torch.cat([noise, cond, ctx], 1))
        torch.testing.assert_close(plan(noise, slot, ctx), expected, rtol=1e-5, atol=1e-5)
        without = generator(torch.cat([noise, torch.zeros(50, cond_dim), ctx], 1))
        torch.testing.assert_close(plan(noise, None, ctx), without, rtol=1e-5, atol=1e-5)


def test_decode_draws_categories_with_softmax_probabilities() -> None:
    transformer, _ = _encoded()
    activation = SpanActivation(transformer.spans, torch.device("cpu"))
    raw = torch.zeros(20_000, transformer.output_dim)
    colour = next(s for s in transformer.spans if s.column == "colour")
    logits = torch.tensor([0.0, 1.0, -1.0])
    raw[:, colour.start : colour.start + 3] = logits
    tanh = [s for s in transformer.spans if s.activation == "tanh"]
    weight = next(i for i, s in enumerate(tanh) if s.column == "weight")
    raw[:, tanh[weight].start] = 0.5
    alphas, codes = activation.decode(raw, np.random.default_rng(0))
    soft = [s for s in transformer.spans if s.activation == "softmax"]
    column = soft.index(colour)
    share = torch.bincount(codes[:, column], minlength=3).float() / len(raw)
    torch.testing.assert_close(share, torch.softmax(logits, 0), atol=0.015, rtol=0)
    assert torch.allclose(alphas[:, weight], torch.tanh(torch.tensor(0.5)))
    for i, span in enumerate(soft):
        assert int(codes[:, i].max()) < span.width


def test_grouped_activation_and_conditional_loss_match_a_per_span_reference() -> None:
    transformer, _ = _encoded()
    activation = SpanActivation(transformer.spans, torch.device("cpu"))
    raw = torch.randn(64, transformer.output_dim)
    torch.manual_seed(3)
    out = activation(raw)
    torch.manual_seed(3)
    uniform = torch.rand_like(raw).clamp_(1e-10, 1.0 - 1e-7)
    noisy = (raw - torch.log(-torch.log(uniform))) / activation.tau
    expected = torch.empty_like(raw)
    for span in transformer.spans:
        cols = slice(span.start, span.start + span.width)
        if span.activation == "tanh":
            expected[:, cols] = torch.tanh(raw[:, cols])
        else:
            expected[:, cols] = torch.softmax(noisy[:, cols], dim=1)
    torch.testing.assert_close(out, expected)
    discrete = transformer.discrete_spans
    choice = torch.randint(len(discrete), (64,))
    category = torch.tensor([int(torch.randint(discrete[c].width, ())) for c in choice])
    losses = [
        F.cross_entropy(raw[i : i + 1, s.start : s.start + s.width], category[i : i + 1])
        for i, s in enumerate(discrete[c] for c in choice)
    ]
    torch.testing.assert_close(
        activation.conditional_loss(raw, choice, category), torch.stack(losses).mean()
    )


def test_generator_forward_slots_equals_the_one_hot_forward() -> None:
    from synthohive_lib.models.networks import Generator

    torch.manual_seed(1)
    generator = Generator(6 + 4 + 2, (8, 8), 5)
    noise, ctx = torch.randn(30, 6), torch.randn(30, 2)
    slot = torch.randint(5, (30,))  # slot 4 = cond_dim: no condition (zero vector)
    cond = F.one_hot(slot, 5)[:, :4].float()
    expected = generator(torch.cat([noise, cond, ctx], 1))
    got = generator.forward_slots(noise, slot, ctx, 4)
    torch.testing.assert_close(got, expected)
    grads = torch.autograd.grad(got.square().sum(), list(generator.parameters()))
    reference = torch.autograd.grad(expected.square().sum(), list(generator.parameters()))
    for a, b in zip(grads, reference, strict=True):
        torch.testing.assert_close(a, b)
