"""Runs whose worker was killed: marked FAILURE instead of staying STARTED forever.

Dagster's default run launcher cannot tell whether a run worker still lives, so a run whose
process was SIGKILLed (or whose machine went down) stays STARTED: the UI shows it running,
it holds its slot of the ``gpu`` pool and queued runs wait behind it. The
``orphaned_runs`` sensor (RUNNING by default; the daemon that ``dagster dev`` starts
evaluates it every minute) and the command ``python -m synthohive_pipelines.housekeeping``
find every STARTED or STARTING run whose run worker — the process that reported the run's
start, on this machine — no longer exists, and report it failed. Use them where the runs'
workers run on the machine the daemon runs on (the default launcher, ``dagster dev``).
"""

import os
import sys

import dagster as dg

ORPHANED_RUNS_SENSOR = "orphaned_runs"
_ALIVE = (dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING)


def _worker_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The pid of the process that reported the run's start (its run worker), if any."""
    for event_type in (dg.DagsterEventType.RUN_START, dg.DagsterEventType.RUN_STARTING):
        records = instance.get_records_for_run(run_id, of_type=event_type, limit=1).records
        for record in records:
            event = record.event_log_entry.dagster_event
            if event is not None and event.pid is not None:
                return int(event.pid)
    return None


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def fail_orphaned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Report FAILURE for every started run whose run worker is gone; their run ids."""
    failed: list[str] = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=list(_ALIVE))):
        pid = _worker_pid(instance, run.run_id)
        if pid is None or _process_exists(pid):
            continue
        instance.report_run_failed(
            run,
            message=f"the run worker (pid {pid}) is gone: killed or crashed without ending the "
            "run; marked failed by synthohive's orphaned_runs housekeeping",
        )
        failed.append(run.run_id)
    return failed


@dg.sensor(
    name=ORPHANED_RUNS_SENSOR,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Marks FAILURE every STARTED run whose run worker process no longer exists "
    "(killed, crashed), so it frees its gpu pool slot and the UI stops showing it running.",
)
def orphaned_runs(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    failed = fail_orphaned_runs(context.instance)
    if failed:
        context.log.warning(f"marked {len(failed)} orphaned run(s) failed: {', '.join(failed)}")
        return dg.SkipReason(f"marked failed: {', '.join(failed)}")
    return dg.SkipReason("no orphaned run")


def main() -> int:
    """``python -m synthohive_pipelines.housekeeping``: one pass over ``$DAGSTER_HOME``'s runs."""
    failed = fail_orphaned_runs(dg.DagsterInstance.get())
    print(f"marked {len(failed)} orphaned run(s) failed" + "".join(f"\n  {r}" for r in failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
