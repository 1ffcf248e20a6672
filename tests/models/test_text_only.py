"""Text-only tables (Chinook ``Artist``) and the text generator's novel-value guarantee."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import ArtifactError, ModelError
from synthohive_lib.models import CTGAN, TextOnlyModel, load_model
from synthohive_lib.transform.specs import ColumnKind, ColumnSpec
from synthohive_lib.transform.text import MarkovText

NAMES = pd.Series([f"Band {chr(65 + i % 26)}{i}" for i in range(200)] + [None] * 20)


def test_ctgan_refuses_a_frame_of_free_text_with_a_typed_error() -> None:
    data = pd.DataFrame({"Name": NAMES.dropna()})
    specs = [ColumnSpec("Name", ColumnKind.TEXT)]
    with pytest.raises(ModelError, match="every column is free text"):
        CTGAN(specs=specs, epochs=1, table="Artist").fit(data)


def test_text_only_model_makes_novel_values_with_the_real_null_rate() -> None:
    data = pd.DataFrame({"Name": NAMES})
    model = TextOnlyModel(table="Artist", seed=0).fit(data)
    out = model.sample(2000, seed=1)
    assert list(out.columns) == ["Name"] and len(out) == 2000
    assert not set(out["Name"].dropna()) & set(NAMES.dropna())
    assert abs(out["Name"].isna().mean() - NAMES.isna().mean()) < 0.03
    assert len(model.sample(context=pd.DataFrame({"x": range(7)}), seed=1)) == 7


def test_text_only_model_round_trips_and_loads_by_manifest(tmp_path) -> None:
    model = TextOnlyModel(seed=0, table="Artist").fit(pd.DataFrame({"Name": NAMES}))
    model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert isinstance(loaded, TextOnlyModel)
    pd.testing.assert_frame_equal(loaded.sample(50, seed=3), model.sample(50, seed=3))
    with pytest.raises(ArtifactError):
        CTGAN.load(tmp_path / "m")


def test_text_only_model_refuses_non_text_specs() -> None:
    with pytest.raises(ModelError, match="free-text columns only"):
        TextOnlyModel(specs=[ColumnSpec("n", ColumnKind.INTEGER)]).fit(pd.DataFrame({"n": [1]}))


@pytest.mark.parametrize("values", [
    ["SP", "CA", "NY", "RM", "VV", "QC", "ON", "AB", "BC", "NS", "WA", "UT", "Dublin"],
    ["A", "AA", "AAA"],  # every string of the vocabulary up to the real length is real
])
def test_short_vocabularies_still_give_novel_values_without_failing(values) -> None:
    series = pd.Series(values * 5)
    model = MarkovText().fit(series, np.random.default_rng(0))
    out = model.sample(3000, np.random.default_rng(1), column="State")
    assert all(isinstance(v, str) and v for v in out)
    assert not set(out) & set(values)
    state = MarkovText.from_state(*model.state())
    assert not set(state.sample(200, np.random.default_rng(2))) & set(values)


def test_short_novel_values_keep_the_real_length_and_characters() -> None:
    values = ["SP", "CA", "NY", "RM", "QC", "ON", "AB", "BC", "NS", "WA"]
    model = MarkovText().fit(pd.Series(values), np.random.default_rng(0))
    out = pd.Series(model.sample(500, np.random.default_rng(1)))
    assert (out.str.len() == 2).all()
    assert set("".join(out)) <= set("".join(values))
