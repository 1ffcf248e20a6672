"""Artifacts: reproducible across processes, verified on load, never executed."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from synthohive_lib.errors import ArtifactError
from synthohive_lib.models import CTGAN, AutoregressiveModel, load_model

from .conftest import people

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
        (lambda d: _sign_manifest(d, b"{not json"), "not valid JSON"),
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


def _sign_manifest(path: Path, data: bytes) -> None:
    (path / "manifest.json").write_bytes(data)
    (path / "manifest.sha256").write_text(hashlib.sha256(data).hexdigest())


def _edit_manifest(path: Path, **changes: object) -> None:
    """Change manifest entries and re-sign it (as a newer writer or a forger would)."""
    manifest = json.loads((path / "manifest.json").read_text())
    manifest.update(changes)
    _sign_manifest(path, json.dumps(manifest).encode())


def _forge(path: Path, name: str, data: bytes) -> None:
    """Replace one file and recompute every checksum, so only decoding can catch it."""
    (path / name).write_bytes(data)
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["files"][name] = hashlib.sha256(data).hexdigest()
    _edit_manifest(path, files=manifest["files"])


@pytest.fixture(scope="module")
def autoregressive() -> AutoregressiveModel:
    return AutoregressiveModel(
        epochs=2, seed=4, embedding_dim=8, hidden_dim=16, num_threads=1, verbose=False
    ).fit(people(200))


FORGERIES = {
    "CTGAN": [
        ("transformer.json", b"\xff\xfe not utf-8", "not valid JSON"),
        ("transformer.json", b'{"specs": []}', "does not rebuild the model"),
        ("transformer.json", b'{"params": {}, "specs": [{"name": 1}]}', "does not rebuild"),
        ("sampler.npz", b"PK\x03\x04 garbage", "cannot be read safely"),
        ("generator.pt", b"\x80\x04 not weights", "cannot be read safely"),
    ],
    "AutoregressiveModel": [
        ("encoder.json", b"\xc3\x28", "not valid JSON"),
        ("encoder.json", b'{"params": {"bins": "x"}}', "does not rebuild the model"),
        ("encoder.npz", b"not an npz", "cannot be read safely"),
        ("network.pt", b"\x00" * 64, "cannot be read safely"),
    ],
}


@pytest.mark.parametrize(
    ("which", "name", "data", "message"),
    [(which, *case) for which, cases in FORGERIES.items() for case in cases],
)
def test_a_forged_file_with_a_recomputed_checksum_is_a_typed_error(
    fitted, autoregressive, tmp_path, which, name, data, message
) -> None:
    model = fitted[0] if which == "CTGAN" else autoregressive
    path = model.save(tmp_path / "m")
    _forge(path, name, data)
    with pytest.raises(ArtifactError, match=message):
        load_model(path)


@pytest.mark.parametrize("which", ["CTGAN", "AutoregressiveModel"])
def test_the_manifest_itself_is_checksummed(fitted, autoregressive, tmp_path, which) -> None:
    model = fitted[0] if which == "CTGAN" else autoregressive
    path = model.save(tmp_path / "m")
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["hyper_parameters"]["epochs"] = 1
    (path / "manifest.json").write_text(json.dumps(manifest))  # checksum file left as it was
    with pytest.raises(ArtifactError, match=r"does not match manifest\.sha256"):
        load_model(path)
    (path / "manifest.sha256").unlink()
    with pytest.raises(ArtifactError, match=r"no manifest\.sha256"):
        load_model(path)


def test_a_manifest_naming_a_file_outside_the_artifact_is_refused(fitted, tmp_path) -> None:
    model, _ = fitted
    path = model.save(tmp_path / "m")
    (tmp_path / "outside.json").write_text("{}")
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["files"]["../outside.json"] = hashlib.sha256(b"{}").hexdigest()
    _edit_manifest(path, files=manifest["files"])
    with pytest.raises(ArtifactError, match="not a plain file name"):
        load_model(path)
