"""The application layer: what a project run does, whoever runs it (CLI, notebook, Dagster).

The layers below (connectors, the table store, relational generation, validation) know nothing
of a project; this package turns a :class:`~synthohive_lib.config.ProjectConfig` into the
places and steps of a run, so the CLI (:mod:`synthohive_lib.pipeline`) and the Dagster assets
(:mod:`synthohive_pipelines`) agree on them by calling the same code. Its first piece is
:class:`OutputLayout`: where every output of a run lives; :mod:`~synthohive_lib.project.report`
builds, judges and writes the schema-wide report (:func:`build_stored_report`: from the
store, with bounded memory however many rows were generated).
"""

from synthohive_lib.project.layout import REPORT_HTML, REPORT_JSON, OutputLayout, key_name
from synthohive_lib.project.report import (
    build_report_from_frames,
    build_stored_report,
    copy_checks,
    judge,
    stored_table_quality,
    write_report,
)

__all__ = [
    "REPORT_HTML",
    "REPORT_JSON",
    "OutputLayout",
    "build_report_from_frames",
    "build_stored_report",
    "copy_checks",
    "judge",
    "key_name",
    "stored_table_quality",
    "write_report",
]
