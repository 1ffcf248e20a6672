"""The ``synthohive`` command line: the library's entry points for a terminal or CI job.

::

    synthohive schema infer URL -o schema.yaml [--sample-rows N] [--name NAME]
    synthohive schema validate schema.yaml [--source URL]
    synthohive schema describe schema.yaml

Exit codes: 0 success; 1 the schema or data is invalid (every issue is listed); 2 the
command could not run (unreadable schema file, unreachable source, bad arguments...), with a
one-paragraph message on stderr and no traceback. Passwords in URLs are never printed.

Command groups register themselves in :data:`COMMAND_GROUPS`; a later
``synthohive report ...`` adds one function there (see ``_add_report_commands`` below).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import sqlalchemy as sa

from synthohive_lib import __version__
from synthohive_lib.errors import SchemaValidationError, SynthoHiveError

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_ERROR = 2


# --------------------------------------------------------------------------- schema commands


def _cmd_schema_infer(args: argparse.Namespace) -> int:
    from synthohive_lib.schema.infer import infer
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
    from synthohive_lib.schema.validate import validate_against_source, validate_schema
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


def _add_schema_commands(commands: argparse._SubParsersAction) -> None:
    from synthohive_lib.schema.infer import DEFAULT_SAMPLE_ROWS

    schema = commands.add_parser("schema", help="infer, validate and describe schema.yaml")
    sub = schema.add_subparsers(dest="action", required=True, metavar="ACTION")

    infer = sub.add_parser(
        "infer",
        help="draft schema.yaml from a database or files",
        description="Reflect keys and types, sniff a sample of every table, and write a "
        "schema.yaml to review. Prints tables, foreign keys and PII candidates.",
    )
    infer.add_argument("source", metavar="URL", help="database URL, env:VAR, or a file/folder")
    infer.add_argument(
        "-o", "--output", required=True, help="schema.yaml to write ('-' for stdout)"
    )
    infer.add_argument(
        "--sample-rows",
        type=_positive_int,
        default=DEFAULT_SAMPLE_ROWS,
        help=f"rows read per table to sniff values (default {DEFAULT_SAMPLE_ROWS})",
    )
    infer.add_argument("--name", help="schema name (default: from the database/file name)")
    infer.set_defaults(func=_cmd_schema_infer)

    validate = sub.add_parser(
        "validate",
        help="check schema.yaml (and the source data) and list every problem",
        description="Exit 0 with a summary when valid; exit 1 listing every problem.",
    )
    validate.add_argument("schema", help="path to schema.yaml")
    validate.add_argument("--source", metavar="URL", help="also check this source's data")
    validate.set_defaults(func=_cmd_schema_validate)

    describe = sub.add_parser("describe", help="show tables in generation order and relations")
    describe.add_argument("schema", help="path to schema.yaml")
    describe.set_defaults(func=_cmd_schema_describe)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


# --------------------------------------------------------------------------- report commands
#
# ``synthohive report ...`` belongs here: write ``_add_report_commands(commands)`` (same
# shape as ``_add_schema_commands``) calling the validation report function, and append it
# to COMMAND_GROUPS below. Typed errors, exit codes and password scrubbing come for free.


#: Functions that add one top-level command (with its sub-commands) to the parser.
COMMAND_GROUPS: list[Callable[[argparse._SubParsersAction], None]] = [_add_schema_commands]


# --------------------------------------------------------------------------- entry point


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="synthohive",
        description="Synthetic copies of whole relational databases.",
    )
    parser.add_argument("--version", action="version", version=f"synthohive {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMAND_GROUPS:
        add(commands)
    return parser


def _secrets(argv: Sequence[str]) -> list[str]:
    """Passwords found in URL arguments, to be scrubbed from anything printed."""
    out = []
    for arg in argv:
        if "://" not in arg:
            continue
        try:
            password = sa.make_url(arg).password
        except (sa.exc.ArgumentError, ValueError):
            match = re.match(r"^[^:/]+://[^:/@]*:([^@]*)@", arg)
            password = match.group(1) if match else None
        if password:
            out.append(str(password))
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
