"""Self-references become a valid hierarchy with the real shape (Employee.ReportsTo)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthohive_lib.errors import ModelError, SynthoHiveError
from synthohive_lib.relational._frames import locate
from synthohive_lib.relational.hierarchy import HierarchyModel, node_depths

from .conftest import rel

REPORTS_TO = rel("Employee", "Employee", "ReportsTo", "EmployeeId")


def synthesize(model, n, seed=0, rank=None):
    keys = pd.DataFrame({"EmployeeId": np.arange(1000, 1000 + n)})
    return pd.concat([keys, model.generate(keys, seed, rank=rank)], axis=1)


def depths_of(frame):
    pos = locate(frame, ["EmployeeId"], frame, ["ReportsTo"])
    assert (pos[frame["ReportsTo"].notna().to_numpy()] >= 0).all(), "dangling reference"
    return node_depths(pos)  # raises on a cycle


@pytest.fixture(scope="module")
def model(chinook):
    return HierarchyModel().fit(chinook["Employee"], REPORTS_TO)


def test_the_real_shape_is_learnt(model) -> None:
    assert model.root_rate_ == pytest.approx(1 / 8)
    assert model.depth_probs_ == pytest.approx([1 / 8, 2 / 8, 5 / 8])
    assert model.fanout_ == [[2], [2, 3]]


@pytest.mark.parametrize("n", [8, 80, 800])
def test_generated_hierarchies_are_acyclic_with_the_real_roots_and_depths(model, n) -> None:
    frame = synthesize(model, n, seed=n)
    depth = depths_of(frame)
    assert frame["ReportsTo"].isna().sum() == n // 8  # the share of roots, kept
    np.testing.assert_allclose(np.bincount(depth) / n, model.depth_probs_, atol=1 / n)
    assert not (frame["ReportsTo"] == frame["EmployeeId"]).any()


def test_every_manager_manages_like_a_real_one_at_the_real_scale(model) -> None:
    frame = synthesize(model, 8, seed=1)
    reports = frame.groupby("ReportsTo").size()
    assert sorted(reports.tolist()) == [2, 2, 3]  # the root: 2 managers; they: 3 and 2


def test_the_lowest_rank_becomes_the_root(model) -> None:
    rank = np.array([5, 3, 9, 0, 7, 1, 2, 8])
    frame = synthesize(model, 8, rank=rank)
    assert frame.loc[frame["ReportsTo"].isna(), "EmployeeId"].tolist() == [1003]


def test_tiny_outputs_still_have_a_root(model) -> None:
    assert synthesize(model, 1)["ReportsTo"].isna().all()
    two = synthesize(model, 2, seed=3)
    depths_of(two)
    assert two["ReportsTo"].isna().sum() >= 1


def test_a_cycle_in_the_real_data_is_reported() -> None:
    looped = pd.DataFrame({"EmployeeId": [1, 2, 3], "ReportsTo": [2, 1, None]})
    with pytest.raises(SynthoHiveError, match=r"\[Employee\] .*cycle: 2 row"):
        HierarchyModel().fit(looped, REPORTS_TO)


def test_only_self_references_are_accepted(chinook) -> None:
    with pytest.raises(ModelError, match="not a self-reference"):
        HierarchyModel().fit(chinook["Customer"], rel("Employee", "Customer", "SupportRepId"))


def test_save_and_load_round_trip(model, tmp_path) -> None:
    loaded = HierarchyModel.load(model.save(tmp_path / "h.json"))
    pd.testing.assert_frame_equal(synthesize(loaded, 80, 4), synthesize(model, 80, 4))


def test_level_sizes_keep_one_root_and_never_leave_a_gap(model) -> None:
    assert model.level_sizes(0).tolist() == []
    assert model.level_sizes(2).tolist() == [1, 1]
    assert model.level_sizes(11).tolist() == [1, 3, 7]
    for n in range(1, 40):
        sizes = model.level_sizes(n)
        assert sizes.sum() == n and sizes[0] >= 1 and (sizes > 0).all()


def test_job_titles_decide_who_sits_where_and_under_whom(chinook) -> None:
    model = HierarchyModel(attributes=("Title",), label="Title").fit(
        chinook["Employee"], REPORTS_TO
    )
    staff = pd.DataFrame({
        "EmployeeId": np.arange(1000, 1016),
        "Title": ["IT Staff"] * 5 + ["Sales Support Agent"] * 5 + ["Sales Manager", "IT Manager"]
        + ["General Manager"] * 2 + ["Sales Manager", "IT Manager"],
    })
    for seed in range(3):
        refs = model.generate(staff[["EmployeeId"]], seed, attributes=staff)
        frame = pd.concat([staff, refs], axis=1)
        depth = depths_of(frame)
        by_title = pd.Series(depth).groupby(frame["Title"]).agg(["min", "max"])
        assert by_title.loc["General Manager"].tolist() == [0, 0]
        assert by_title.loc[["IT Manager", "Sales Manager"]].to_numpy().max() == 1
        assert by_title.loc[["IT Staff", "Sales Support Agent"]].to_numpy().min() == 2
        boss = frame.set_index("EmployeeId")["Title"].reindex(frame["ReportsTo"]).to_numpy()
        matched = np.r_[boss[:5] == "IT Manager", boss[5:10] == "Sales Manager"]
        assert matched.mean() >= 0.8  # managers' fan-outs may not fit their teams exactly
    again = HierarchyModel.from_dict(model.to_dict())
    pd.testing.assert_frame_equal(
        again.generate(staff[["EmployeeId"]], 5, attributes=staff),
        model.generate(staff[["EmployeeId"]], 5, attributes=staff),
    )
