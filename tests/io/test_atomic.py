"""Atomic small-file writes and the JSON state helpers built on them."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthohive_lib.atomic import atomic_write, read_json, write_json
from synthohive_lib.errors import ArtifactError


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = write_json(tmp_path / "state.json", {"version": 1})

    def explode(fh: object) -> None:
        fh.write(b'{"version": 2')  # type: ignore[attr-defined]
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(target, explode)
    assert read_json(target, "state") == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_a_missing_or_corrupt_state_is_a_typed_error_naming_what_it_held(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="cannot read cardinality model"):
        read_json(tmp_path / "absent.json", "cardinality model")
    broken = tmp_path / "broken.json"
    broken.write_text('{"leaves": ', encoding="utf-8")
    with pytest.raises(ArtifactError, match="re-fit and save the hierarchy model"):
        read_json(broken, "hierarchy model")
