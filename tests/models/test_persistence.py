"""Artifacts: reproducible across processes, verified on load, never executed."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from synthohive_lib.errors import ArtifactError
from synthohive_lib.models import CTGAN, load_model

REPO = Path(__file__).resolve().parents[2]

FIT_AND_SAMPLE = textwrap.dedent(
    """
    import hashlib, sys
    sys.path.insert(0, {tests!r})
    from models.conftest import FAST, people
    from synthohive_lib.models import CTGAN
    model = CTGAN(epochs=2, seed=21, **FAST).fit(people())
    print(hashlib.sha256(model.sample(300, seed=9).to_csv().encode()).hexdigest())
    """
)

LOAD_AND_SAMPLE = textwrap.dedent(
    """
    import sys
    from synthohive_lib.models import load_model
    load_model(sys.argv[1]).sample(300, seed=9).to_csv(sys.argv[2], index=False)
    """
)


def _python(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def test_seeded_fit_and_sample_are_bit_identical_across_processes() -> None:
    code = FIT_AND_SAMPLE.format(tests=str(REPO / "tests"))
    runs = [
        subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    digests = [run.communicate(timeout=120)[0].split()[-1] for run in runs]
    assert all(run.returncode == 0 for run in runs)
    assert digests[0] == digests[1]


def test_a_loaded_model_in_a_fresh_process_samples_the_same_rows(fitted, tmp_path) -> None:
    model, _ = fitted
    path = model.save(tmp_path / "model")
    _python(LOAD_AND_SAMPLE, str(path), str(tmp_path / "out.csv"))
    reloaded = pd.read_csv(tmp_path / "out.csv", parse_dates=["joined"])
    expected = model.sample(300, seed=9)
    pd.testing.assert_frame_equal(reloaded, expected, check_dtype=False)


def test_manifest_describes_format_versions_specs_and_hyper_parameters(fitted, tmp_path) -> None:
    model, _ = fitted
    manifest = json.loads((model.save(tmp_path / "m") / "manifest.json").read_text())
    assert manifest["format_version"] == 1 and manifest["model"] == "ctgan"
    assert {"torch", "numpy", "pandas"} <= set(manifest["library_versions"])
    assert [s["name"] for s in manifest["column_specs"]] == ["age", "income", "plan", "joined"]
    assert manifest["hyper_parameters"]["pac"] == 10
    assert set(manifest["files"]) >= {"generator.pt", "transformer.json", "transformer.npz"}


def test_saving_again_replaces_the_artifact_atomically(fitted, tmp_path) -> None:
    model, _ = fitted
    model.save(tmp_path / "m")
    model.save(tmp_path / "m")
    assert [p.name for p in tmp_path.iterdir()] == ["m"]
    assert CTGAN.load(tmp_path / "m").sample(5, seed=1).equals(model.sample(5, seed=1))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "generator.pt").write_bytes(b"\x00" * 10), "checksum"),
        (lambda d: _truncate(d / "transformer.npz"), "checksum"),
        (lambda d: _flip_byte(d / "transformer.json"), "checksum"),
        (lambda d: (d / "sampler.npz").unlink(), "missing"),
        (lambda d: _edit_manifest(d, format_version=99), "format version"),
        (lambda d: (d / "manifest.json").write_text("{not json"), "not valid JSON"),
    ],
    ids=["replaced-weights", "truncated", "altered", "missing-file", "version", "bad-manifest"],
)
def test_damaged_artifacts_fail_with_a_typed_error(fitted, tmp_path, damage, message) -> None:
    model, _ = fitted
    path = model.save(tmp_path / "m")
    damage(path)
    with pytest.raises(ArtifactError, match=message):
        load_model(path)


def test_weights_are_plain_tensors_loadable_without_code_execution(fitted, tmp_path) -> None:
    import torch

    model, _ = fitted
    path = model.save(tmp_path / "m")
    weights = torch.load(path / "generator.pt", weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in weights.values())


def _truncate(file: Path) -> None:
    file.write_bytes(file.read_bytes()[: file.stat().st_size // 2])


def _flip_byte(file: Path) -> None:
    data = bytearray(file.read_bytes())
    data[len(data) // 2] ^= 0x01
    file.write_bytes(bytes(data))


def _edit_manifest(path: Path, **changes: object) -> None:
    manifest = json.loads((path / "manifest.json").read_text())
    manifest.update(changes)
    (path / "manifest.json").write_text(json.dumps(manifest))
