"""The Spark generation path on a real standalone cluster, not only ``local[2]``.

``local[n]`` runs the executors inside the driver's JVM, so a closure or an artifact that only
works because driver and executor share memory would pass there and fail on a cluster. This
test starts a Spark standalone master and one worker on 127.0.0.1 from pyspark's own
launcher (``bin/spark-class``, what ``sbin/start-master.sh`` and ``start-worker.sh`` call;
the pip wheel of pyspark ships ``spark-class`` but not those two scripts), runs
``generate_schema_spark`` in a driver process of its own against ``spark://127.0.0.1:<port>``
and checks that the worker's executor JVM and its Python workers produced exactly the tables
the shared local session produces for the same seed. Both daemons are stopped by PID.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from synthohive_lib.schema.yaml_io import save_schema
from synthohive_lib.spark import generate_schema_spark

pytestmark = [pytest.mark.spark, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SEED = 23
ROOT_ROWS = 300

# The driver of the cluster run: a process of its own (one SparkContext per process, and the
# test session already holds the local one). It reads the schema, the plans and the saved
# models from disk, so nothing reaches the executors but what Spark ships itself.
CLUSTER_DRIVER = r"""
import json, os, sys
from pathlib import Path
from pyspark.sql import SparkSession
from synthohive_lib.relational.plan import TablePlan
from synthohive_lib.schema.yaml_io import load_schema
from synthohive_lib.spark import generate_schema_spark

master, inputs, out = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
spec = json.loads((inputs / "inputs.json").read_text())
spark = (SparkSession.builder.master(master).appName("synthohive-cluster-test")
         .config("spark.driver.host", "127.0.0.1")
         .config("spark.driver.bindAddress", "127.0.0.1")
         .config("spark.executor.memory", "512m")
         .config("spark.executor.cores", "1")
         .config("spark.cores.max", "1")
         .config("spark.sql.shuffle.partitions", "2")
         .config("spark.ui.enabled", "false")
         .config("spark.pyspark.python", sys.executable)
         .config("spark.executorEnv.PYTHONPATH", os.environ.get("PYTHONPATH", ""))
         .getOrCreate())
plans = {name: TablePlan.from_dict(plan) for name, plan in spec["plans"].items()}
generate_schema_spark(spark, load_schema(inputs / "schema.yaml"), plans, spec["model_dirs"],
                      root_rows=spec["root_rows"], seed=spec["seed"], output_root=out,
                      format="parquet", block_rows=100)
executor_pids = (spark.sparkContext.parallelize(range(2), 2)
                 .map(lambda _: os.getpid()).distinct().collect())
print(json.dumps({"app_id": spark.sparkContext.applicationId, "driver_pid": os.getpid(),
                  "executor_python_pids": executor_pids}))
spark.stop()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def _cluster_env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SPARK_HOME=str(_spark_home()),
        SPARK_LOCAL_IP="127.0.0.1",
        SPARK_WORKER_DIR=str(work / "worker"),
        SPARK_LOG_DIR=str(work / "logs"),
        PYSPARK_PYTHON=sys.executable,
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
    )
    return env


def _start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the daemon's process group (the JVM and anything it started), then SIGKILL."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _master_state(web_port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/json/", timeout=5) as resp:
        return json.loads(resp.read())


def _wait_for(what: str, probe: Any, logs: list[Path], timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = probe()
        except OSError:
            found = None
        if found:
            return found
        time.sleep(0.5)
    tails = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2000:]}" for p in logs)
    raise AssertionError(f"timed out waiting for {what}\n{tails}")


@pytest.fixture(scope="module")
def standalone_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A standalone master and one worker (1 core, 1 GiB) on loopback, stopped by PID."""
    work = tmp_path_factory.mktemp("spark-cluster")
    env = _cluster_env(work)
    spark_class = str(_spark_home() / "bin" / "spark-class")
    port, web = _free_port(), _free_port()
    logs = [work / "master.log", work / "worker.log"]
    master = _start(
        [
            spark_class,
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--webui-port",
            str(web),
        ],
        env,
        logs[0],
    )
    worker = None
    try:
        _wait_for("the master's web UI", lambda: _master_state(web), logs[:1])
        url = f"spark://127.0.0.1:{port}"
        worker = _start(
            [
                spark_class,
                "org.apache.spark.deploy.worker.Worker",
                "--host",
                "127.0.0.1",
                "--cores",
                "1",
                "--memory",
                "1g",
                "--webui-port",
                str(_free_port()),
                url,
            ],
            env,
            logs[1],
        )
        _wait_for(
            "the worker to register", lambda: _master_state(web).get("aliveworkers", 0) >= 1, logs
        )
        yield {
            "url": url,
            "web_port": web,
            "env": env,
            "logs": logs,
            "pids": (master.pid, worker.pid),
        }
    finally:
        if worker is not None:
            _stop(worker)
        _stop(master)


def _write_inputs(family: dict[str, Any], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    save_schema(family["schema"], folder / "schema.yaml")
    spec = {
        "plans": {name: plan.to_dict() for name, plan in family["plans"].items()},
        "model_dirs": {name: str(path) for name, path in family["model_dirs"].items()},
        "root_rows": {"customers": ROOT_ROWS},
        "seed": SEED,
    }
    (folder / "inputs.json").write_text(json.dumps(spec), encoding="utf-8")


def _sorted_table(folder: Path, key: str) -> pd.DataFrame:
    return pd.read_parquet(folder).sort_values(key).reset_index(drop=True)


def test_cluster_generates_the_same_tables_as_local_mode(
    spark: Any, family: dict[str, Any], standalone_cluster: dict[str, Any], tmp_path: Path
) -> None:
    _write_inputs(family, tmp_path / "inputs")
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            CLUSTER_DRIVER,
            standalone_cluster["url"],
            str(tmp_path / "inputs"),
            str(tmp_path / "cluster"),
        ],
        env=standalone_cluster["env"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])

    # The work really ran on the worker: the master lists the finished application, and the
    # Python workers that ran the map are processes other than the driver.
    state = _master_state(standalone_cluster["web_port"])
    finished = {app["id"]: app for app in state.get("completedapps", [])}
    assert report["app_id"] in finished, state
    assert report["driver_pid"] not in report["executor_python_pids"]

    generate_schema_spark(
        spark,
        family["schema"],
        family["plans"],
        family["model_dirs"],
        root_rows={"customers": ROOT_ROWS},
        seed=SEED,
        output_root=tmp_path / "local",
        format="parquet",
        block_rows=100,
    )
    for table, key in (("customers", "customer_id"), ("orders", "order_id")):
        on_cluster = _sorted_table(tmp_path / "cluster" / table, key)
        in_local = _sorted_table(tmp_path / "local" / table, key)
        assert len(on_cluster) > 0
        pd.testing.assert_frame_equal(on_cluster, in_local)
    customers = _sorted_table(tmp_path / "cluster" / "customers", "customer_id")
    orders = _sorted_table(tmp_path / "cluster" / "orders", "order_id")
    assert len(customers) == ROOT_ROWS
    assert orders["customer_id"].isin(customers["customer_id"]).all()
