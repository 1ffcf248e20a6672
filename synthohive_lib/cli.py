"""The ``synthohive`` command line: the library's entry points for a terminal or CI job.

::

    synthohive schema infer URL -o schema.yaml [--sample-rows N] [--name NAME]
    synthohive schema validate schema.yaml [--source URL]
    synthohive schema describe schema.yaml
    synthohive report --real URL_OR_DIR --synthetic URL_OR_DIR --schema schema.yaml -o report.html
                      [--fail-under 0.8]
    synthohive run [--config synthohive.yaml] [--epochs N] [--seed N]

Exit codes: 0 success; 1 the schema or data is invalid (every issue is listed), a report
scores below ``--fail-under``, or a ``run`` fails a gate; 2 the command could not run
(unreadable schema file, unreachable source, bad arguments...), with a one-paragraph message
on stderr and no traceback. Passwords in URLs are never printed. Every command's ``--help``
ends with examples.

Command groups register themselves in :data:`COMMAND_GROUPS`.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from synthohive_lib import __version__
from synthohive_lib.errors import SchemaValidationError, SynthoHiveError

if TYPE_CHECKING:
    import pandas as pd

    from synthohive_lib.schema.model import Schema

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_ERROR = 2


# --------------------------------------------------------------------------- schema commands


def _cmd_schema_infer(args: argparse.Namespace) -> int:
    from synthohive_lib.profile.infer import infer
    from synthohive_lib.schema.yaml_io import dump_schema, save_schema

    result = infer(args.source, name=args.name, sample_rows=args.sample_rows)
    if args.output == "-":
        sys.stdout.write(dump_schema(result.schema))
        print(result.summary(), file=sys.stderr)
        return EXIT_OK
    existed = Path(args.output).exists()
    path = save_schema(result.schema, args.output)
    print(result.summary())
    note = " (merged into the existing file, comments kept)" if existed else ""
    print(f"Wrote {path}{note}. Review it, then run: synthohive schema validate {path} "
          "--source <URL>")  # fmt: skip
    return EXIT_OK


def _cmd_schema_validate(args: argparse.Namespace) -> int:
    from synthohive_lib.profile.source import validate_against_source
    from synthohive_lib.schema.validate import validate_schema
    from synthohive_lib.schema.yaml_io import load_schema

    schema = load_schema(args.schema)
    try:
        if args.source is None:
            validate_schema(schema)
            print(
                f"{args.schema} is valid: {len(schema.tables)} tables, "
                f"{len(schema.foreign_keys)} foreign keys (structure only; pass --source URL "
                "to check the data too)"
            )
            return EXIT_OK
        report = validate_against_source(schema, args.source, raise_on_error=False)
    except SchemaValidationError as exc:
        _print_issues(args.schema, exc)
        return EXIT_INVALID
    if not report.ok:
        print(report.summary())
        _print_issues(args.schema, SchemaValidationError(report.issues))
        return EXIT_INVALID
    print(f"{args.schema} is valid against the source: {len(schema.tables)} tables, "
          f"{len(schema.foreign_keys)} foreign keys")  # fmt: skip
    print(report.summary())
    return EXIT_OK


def _print_issues(schema_path: str, exc: SchemaValidationError) -> None:
    print(f"{schema_path}: {len(exc.issues)} problem(s):", file=sys.stderr)
    for issue in exc.issues:
        print(f"  - [{issue.code}] {issue}", file=sys.stderr)


def _cmd_schema_describe(args: argparse.Namespace) -> int:
    from synthohive_lib.schema.graph import SchemaGraph
    from synthohive_lib.schema.yaml_io import load_schema

    try:
        print(SchemaGraph(load_schema(args.schema)).describe())
    except SchemaValidationError as exc:
        _print_issues(args.schema, exc)
        return EXIT_INVALID
    return EXIT_OK


def _examples(*lines: str) -> str:
    """An ``examples:`` epilog for ``--help``."""
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


class _HelpFormatter(argparse.HelpFormatter):
    """Wraps descriptions as usual but keeps an ``examples:`` epilog's lines as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith("examples:"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def _parser(
    commands: argparse._SubParsersAction, name: str, **kwargs: object
) -> argparse.ArgumentParser:
    """A sub-command whose ``--help`` keeps the examples' line breaks."""
    return commands.add_parser(name, formatter_class=_HelpFormatter, **kwargs)


def _add_schema_commands(commands: argparse._SubParsersAction) -> None:
    from synthohive_lib.profile.infer import DEFAULT_SAMPLE_ROWS

    schema = _parser(
        commands,
        "schema",
        help="infer, validate and describe schema.yaml",
        description="Draft the schema of a database (infer), check it (validate), show its "
        "tables and relations (describe). `synthohive schema ACTION --help` for each.",
        epilog=_examples(
            "synthohive schema infer sqlite:///chinook.sqlite -o schema.yaml",
            "synthohive schema validate schema.yaml --source env:SOURCE_URL",
            "synthohive schema describe schema.yaml",
        ),
    )
    sub = schema.add_subparsers(dest="action", required=True, metavar="ACTION")

    infer = _parser(
        sub,
        "infer",
        help="draft schema.yaml from a database or files",
        description="Reflect keys and types, sniff a sample of every table, and write a "
        "schema.yaml to review. Prints tables, foreign keys and PII candidates.",
        epilog=_examples(
            "synthohive schema infer sqlite:///examples/chinook/chinook.sqlite -o schema.yaml",
            "synthohive schema infer env:SOURCE_URL -o schema.yaml --sample-rows 50000",
            "synthohive schema infer data/ -o - --name shop      # a folder of CSV/Parquet",
        ),
    )
    infer.add_argument("source", metavar="URL", help="database URL, env:VAR, or a file/folder")
    infer.add_argument(
        "-o", "--output", required=True, help="schema.yaml to write ('-' for stdout)"
    )
    infer.add_argument(
        "--sample-rows",
        type=_positive_int,
        default=DEFAULT_SAMPLE_ROWS,
        help="rows sampled from across each table to sniff values (default "
        f"{DEFAULT_SAMPLE_ROWS}; bounds come from the whole table)",
    )
    infer.add_argument("--name", help="schema name (default: from the database/file name)")
    infer.set_defaults(func=_cmd_schema_infer)

    validate = _parser(
        sub,
        "validate",
        help="check schema.yaml (and the source data) and list every problem",
        description="Exit 0 with a summary when valid; exit 1 listing every problem.",
        epilog=_examples(
            "synthohive schema validate schema.yaml",
            "synthohive schema validate schema.yaml --source postgresql://analyst@db/shop",
        ),
    )
    validate.add_argument("schema", help="path to schema.yaml")
    validate.add_argument("--source", metavar="URL", help="also check this source's data")
    validate.set_defaults(func=_cmd_schema_validate)

    describe = _parser(
        sub,
        "describe",
        help="show tables in generation order and relations",
        description="The tables in the order they are generated (parents first) and every "
        "foreign-key relation.",
        epilog=_examples("synthohive schema describe examples/chinook/schema.yaml"),
    )
    describe.add_argument("schema", help="path to schema.yaml")
    describe.set_defaults(func=_cmd_schema_describe)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


# --------------------------------------------------------------------------- report commands


def _read_tables(target: str, schema: Schema, what: str) -> dict[str, pd.DataFrame]:
    """Every schema table present at ``target``, typed per the schema; absent ones skipped."""
    from synthohive_lib.io import open_connector
    from synthohive_lib.io.urls import resolve_target

    where = resolve_target(target)
    if isinstance(where, Path) and not where.exists():
        raise SynthoHiveError(
            f"--{what} {target}: no such file or folder",
            fix=f"point --{what} at a folder of CSV/Parquet files, a Delta table, a SQLite "
            "file or a database URL",
        )

    with open_connector(target) as connector:
        available = set(connector.list_tables())
        frames = {
            t.name: connector.read_table(t.name, table=t)
            for t in schema.tables
            if t.name in available
        }
    if not frames:
        raise SynthoHiveError(
            f"none of the schema's {len(schema.tables)} tables was found in the {what} data",
            fix=f"check that --{what} points at the folder or database holding the tables",
        )
    return frames


def _table_column(text: str) -> tuple[str, str]:
    table, sep, column = text.partition("=")
    if not sep or not table or not column:
        raise argparse.ArgumentTypeError(f"expected TABLE=COLUMN, got {text!r}")
    return table, column


def _cmd_report(args: argparse.Namespace) -> int:
    from synthohive_lib.atomic import atomic_write_text
    from synthohive_lib.project.report import build_report_from_frames
    from synthohive_lib.schema.yaml_io import load_schema
    from synthohive_lib.validation.html import render_html

    schema = load_schema(args.schema)
    real = _read_tables(args.real, schema, "real")
    synthetic = _read_tables(args.synthetic, schema, "synthetic")
    holdout = _read_tables(args.holdout, schema, "holdout") if args.holdout else None
    report = build_report_from_frames(
        real,
        synthetic,
        schema,
        holdout_tables=holdout,
        targets=dict(args.target),
        privacy=not args.no_privacy,
    )
    out = Path(args.output)
    text = report.to_json() if out.suffix.lower() == ".json" else render_html(report)
    atomic_write_text(out, text)
    print(f"Overall quality {_score(report.score)}, validity {_score(report.validity_score)} "
          f"over {len(real)} tables. Worst first:")  # fmt: skip
    for table in report.tables_worst_first():
        print(f"  {table.table:<24} {_score(table.score)}")
    not_scored = [
        f"{t.table}.{column} ({action})"
        for t in report.tables_worst_first()
        for column, action in t.not_scored.items()
    ]
    if not_scored:
        print(f"Not scored (PII replaced by the privacy layer): {', '.join(not_scored)}")
    if report.pii_leak_scan is not None:
        print(_leak_line(report.pii_leak_scan))
    print(f"Wrote {out}")
    return _verdict(report.score, args.fail_under)


def _verdict(score: float, fail_under: float | None) -> int:
    """EXIT_INVALID when the overall score is below ``fail_under`` (or not scored at all)."""
    if fail_under is None:
        return EXIT_OK
    if math.isnan(score) or score < fail_under:
        print(
            f"FAILED: overall quality {_score(score)} is below --fail-under {fail_under}",
            file=sys.stderr,
        )
        return EXIT_INVALID
    print(f"PASSED: overall quality {_score(score)} >= --fail-under {fail_under}")
    return EXIT_OK


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number between 0 and 1, got {text!r}"
        ) from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}")
    return value


def _leak_line(scan: dict[str, object]) -> str:
    """One line on the PII leak scan: the check that covers the columns left unscored."""
    if scan["ok"]:
        return f"PII leak scan: no real PII value in {scan['columns_scanned']} synthetic columns."
    leaks = scan["leaks"]
    assert isinstance(leaks, list)
    listed = ", ".join(
        f"{leak['table']}.{leak['column']}={leak['rows']} (e.g. {leak['example']})"
        for leak in leaks
    )
    return f"PII leak scan: real PII values in {len(leaks)} synthetic column(s): {listed}"


def _score(value: float) -> str:
    """A score for the terminal; NaN (nothing comparable, e.g. only keys and free text) in words."""
    return "not scored" if math.isnan(value) else f"{value:.3f}"


def _add_report_commands(commands: argparse._SubParsersAction) -> None:
    report = _parser(
        commands,
        "report",
        help="compare real and synthetic data and write an HTML or JSON report",
        description="Fidelity (column shapes, pair trends, binned accuracy), structure (keys, "
        "referential integrity, children per parent) and privacy (exact copies, DCR, NNDR, "
        "PII leak scan) of a synthetic schema against the real one. PII columns the schema "
        "replaces (fake, mask, hash, drop) are listed as not scored; 'keep' ones are scored. "
        "Output format follows the -o suffix: "
        ".json for machines, anything else for a self-contained HTML page.",
        epilog=_examples(
            "synthohive report --real .synthohive/real --synthetic .synthohive/synthetic \\",
            "    --schema examples/chinook/schema.yaml -o report.html",
            "synthohive report --real env:SOURCE_URL --synthetic postgresql://ci@db/synthetic \\",
            "    --schema schema.yaml -o report.json --fail-under 0.8     # CI gate: exit 1 below",
        ),
    )
    report.add_argument("--real", required=True, metavar="URL_OR_DIR", help="the real data")
    report.add_argument(
        "--synthetic", required=True, metavar="URL_OR_DIR", help="the synthetic data"
    )
    report.add_argument("--schema", required=True, help="path to schema.yaml")
    report.add_argument("-o", "--output", required=True, help="report.html or report.json")
    report.add_argument(
        "--holdout", metavar="URL_OR_DIR", help="real rows not used for training (ceiling, DCR)"
    )
    report.add_argument(
        "--target",
        action="append",
        default=[],
        type=_table_column,
        metavar="TABLE=COLUMN",
        help="train-on-synthetic/test-on-real utility for this target (repeatable)",
    )
    report.add_argument("--no-privacy", action="store_true", help="skip DCR/NNDR distances")
    report.add_argument(
        "--fail-under",
        type=_fraction,
        metavar="SCORE",
        help="exit 1 when the overall quality is below SCORE (0-1); the report is written anyway",
    )
    report.set_defaults(func=_cmd_report)


# --------------------------------------------------------------------------- run


def _cmd_run(args: argparse.Namespace) -> int:
    from synthohive_lib.config import load_project_config
    from synthohive_lib.pipeline import run_project

    config = load_project_config(args.config, environment=args.env)
    print(f"Project {config.project}: {len(config.schema.tables)} tables from "
          f"{config.source.dialect} into {config.output_root()}")  # fmt: skip
    run = run_project(
        config,
        epochs=args.epochs,
        seed=args.seed,
        time_budget_s=args.time_budget_s,
        log=lambda message: print(f"  {message}", flush=True),
    )
    assert run.report is not None
    print(f"Overall quality {_score(run.report.score)}; report: {run.report_html}")
    for gate in run.failed_gates:
        print(f"  FAILED {gate.gate} on {gate.table}: {gate.detail}", file=sys.stderr)
    if not run.passed:
        print(f"{len(run.failed_gates)} of {len(run.gates)} gates failed", file=sys.stderr)
        return EXIT_INVALID
    print(f"All {len(run.gates)} gates passed.")
    return EXIT_OK


def _add_run_command(commands: argparse._SubParsersAction) -> None:
    run = _parser(
        commands,
        "run",
        help="run the whole pipeline without Dagster (snapshot, fit, generate, validate)",
        description="Every table of the project config, in generation order: snapshot the "
        "real table, fit its model, generate the synthetic table, then write the validation "
        "report and judge the gates (fidelity threshold, exact copies, PII leaks) as the "
        "Dagster job does. Outputs go where the Dagster run puts them (the config's output "
        "root). Exit 1 when a gate fails (the report is written anyway).",
        epilog=_examples(
            "synthohive run                                  # ./synthohive.yaml",
            "synthohive run --config synthohive.ci.yaml --env ci",
            "synthohive run --config project.yaml --epochs 5 --seed 7   # every table",
        ),
    )
    run.add_argument(
        "--config",
        metavar="PATH",
        help="project config (default: $SYNTHOHIVE_CONFIG, else ./synthohive.yaml)",
    )
    run.add_argument("--env", choices=["local", "ci", "prod"], help="environment to apply")
    run.add_argument("--epochs", type=_positive_int, help="training epochs of every table")
    run.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    run.add_argument(
        "--time-budget-s",
        type=float,
        metavar="SECONDS",
        help="stop each table's training after the epoch that exceeds SECONDS",
    )
    run.set_defaults(func=_cmd_run)


#: Functions that add one top-level command (with its sub-commands) to the parser.
COMMAND_GROUPS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_schema_commands,
    _add_report_commands,
    _add_run_command,
]


# --------------------------------------------------------------------------- entry point


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="synthohive",
        description="Synthetic copies of whole relational databases. `synthohive COMMAND "
        "--help` shows each command's options and examples.",
        formatter_class=_HelpFormatter,
        epilog=_examples(
            "synthohive schema infer sqlite:///examples/chinook/chinook.sqlite -o schema.yaml",
            "synthohive run --config synthohive.yaml",
            "synthohive report --real .synthohive/real --synthetic .synthohive/synthetic \\",
            "    --schema examples/chinook/schema.yaml -o report.html --fail-under 0.8",
        ),
    )
    parser.add_argument("--version", action="version", version=f"synthohive {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMAND_GROUPS:
        add(commands)
    return parser


def _secrets(argv: Sequence[str]) -> list[str]:
    """Passwords in URL arguments, or in the URLs their ``env:VAR`` arguments name.

    The last line of defence: connectors already redact what they print, but an error from a
    driver or a library could still quote the URL it was given, so any password the command
    line can reach is scrubbed from what the CLI prints.
    """
    from synthohive_lib.io.urls import env_variable, url_password

    out: list[str] = []
    for given in argv:
        variable = env_variable(given)
        out += url_password(os.environ.get(variable, "") if variable else given)
    return out


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (see the module docstring)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # --help, --version, or a usage error (already printed)
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_ERROR
    secrets = _secrets(args_list)
    try:
        return int(args.func(args))
    except SynthoHiveError as exc:
        # one paragraph: the message (and its indented list of problems, if any), no traceback
        message = "\n".join(line for line in str(exc).splitlines() if line.strip())
        print(f"synthohive: error: {_scrub(message, secrets)}", file=sys.stderr)
        return EXIT_ERROR
    except (sa.exc.SQLAlchemyError, OSError) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(
            f"synthohive: error: {type(exc).__name__}: {_scrub(detail, secrets)}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("synthohive: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
