# Two commands do all the set-up on a fresh machine:
#   make run   - create .venv if needed, install, run the main job on the bundled Chinook example
#   make test  - same set-up, then the whole test suite
# Optional: make ui (webserver + daemon), make bench, make lint.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# torch is installed first and on its own: a plain `torch` requirement with nothing installed
# pulls a multi-GB CUDA build. Override on a GPU host, e.g. TORCH_SPEC="torch==2.13.0" with the
# CUDA index of your choice in PIP_INDEX_URL/PIP_EXTRA_INDEX_URL.
TORCH_SPEC ?= torch==2.13.0
STAMP  := $(VENV)/.installed
export DAGSTER_HOME := $(abspath dagster_home)
export SPARK_LOCAL_IP ?= 127.0.0.1

.PHONY: setup run test lint bench bench-peer-venv ui clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	touch $(STAMP)

run: $(STAMP)
	mkdir -p "$(DAGSTER_HOME)"
	# `dagster job execute` takes no workspace file (-w); it loads the same code location
	# that workspace.yaml names, by module.
	$(VENV)/bin/dagster job execute -m synthohive_pipelines.definitions -a defs -j synthesize_all

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Each benchmark prints one JSON object (ours vs the peer measured in the same run); figures
# and the machine they were measured on are in benchmarks/RESULTS.md.
bench: $(STAMP)
	mkdir -p benchmarks/out
	$(PY) benchmarks/ctgan_vs_peer.py --epochs 10 --json-out benchmarks/out/ctgan_vs_peer.json
	$(PY) benchmarks/ctgan_wide.py --json-out benchmarks/out/ctgan_wide.json
	$(PY) benchmarks/relational_vs_hma.py
	$(PY) benchmarks/metrics_scale.py
	$(PY) benchmarks/spark_scale.py
	$(PY) benchmarks/gauntlet.py --json-out benchmarks/out/gauntlet.json

# The TabularARGN peer of benchmarks/model_vs_argn.py lives in its own venv: mostlyai-engine
# pins its own stack and pulls torchvision/torchaudio builds that break beside the CPU torch
# (they are optional for tabular use, so they are removed). torch goes first, on its own, so
# that it comes from the CPU wheel rather than a multi-GB CUDA build.
PEER_VENV ?= benchmarks/.venv-argn
PEER_STAMP := $(PEER_VENV)/.installed
bench-peer-venv: $(PEER_STAMP)

$(PEER_STAMP):
	test -x $(PEER_VENV)/bin/python || $(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip install --quiet "$(TORCH_SPEC)"
	$(PEER_VENV)/bin/python -m pip install --quiet "mostlyai-engine==2.7.3"
	$(PEER_VENV)/bin/python -m pip uninstall --quiet --yes torchvision torchaudio
	touch $(PEER_STAMP)

# `set -m` gives dagster dev its own process group; Ctrl-C or SIGTERM stops the webserver,
# the daemon and their code servers together (checked by scripts/check_ui_shutdown.py).
UI_PORT ?= 3000
ui: $(STAMP)
	mkdir -p "$(DAGSTER_HOME)"
	set -m; exec $(VENV)/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p $(UI_PORT)

clean:
	rm -rf .synthohive benchmarks/out .pytest_cache .ruff_cache
