"""The Dagster layer: turns a schema and a project config into assets, checks, jobs.

Thin by design: every computation lives in :mod:`synthohive_lib`; this package only wires it
(see docs/architecture.md). Import :mod:`synthohive_pipelines.definitions` for the
``Definitions``.
"""
