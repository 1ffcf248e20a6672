"""The model factory builds the table model the project chose (CTGAN by default)."""

from __future__ import annotations

import pytest

from synthohive_lib.errors import ModelError
from synthohive_lib.models import CTGAN, AutoregressiveModel
from synthohive_lib.relational.generate import RelationalSynthesizer
from synthohive_lib.relational.modelling import ctgan_factory, model_factory
from synthohive_lib.schema.validate import validate_data

from .test_generate_shop import SCHEMA, shop_tables

TINY = {"epochs": 2, "seed": 0, "device": "cpu", "num_threads": 1}


def test_autoregressive_models_generate_a_valid_database_under_their_parents() -> None:
    real = shop_tables()
    synth = RelationalSynthesizer(SCHEMA, model_factory(model="autoregressive", **TINY))
    synth.fit(real)
    fitted = list(synth.models_.values())
    assert any(isinstance(m, AutoregressiveModel) for m in fitted)
    assert not any(isinstance(m, CTGAN) for m in fitted)
    output = synth.generate(scale=1, seed=0)
    assert validate_data(SCHEMA, output, raise_on_error=False).issues == []


def test_ctgan_stays_the_default_and_ctgan_factory_keeps_working() -> None:
    real = shop_tables()
    default = RelationalSynthesizer(SCHEMA, model_factory(epochs=1, seed=0, num_threads=1))
    legacy = RelationalSynthesizer(SCHEMA, ctgan_factory(epochs=1, seed=0, num_threads=1))
    for synth in (default, legacy):
        synth.fit(real)
        assert any(isinstance(m, CTGAN) for m in synth.models_.values())


def test_an_unknown_model_is_a_typed_error() -> None:
    with pytest.raises(ModelError, match="unknown model 'tvae'"):
        model_factory(model="tvae")


def test_ctgan_with_privacy_is_no_longer_refused_by_the_factory() -> None:
    """DP-SGD for CTGAN exists now (tests/models/test_ctgan_dp.py): the factory accepts it."""
    assert callable(model_factory(model="ctgan", privacy={"epsilon": 5}, **TINY))
