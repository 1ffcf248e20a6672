"""The Dagster layer: turns a schema and a project config into assets, checks, jobs.

Thin by design: every computation lives in :mod:`synthohive_lib`; this package only wires it
(see docs/architecture.md). Import :mod:`synthohive_pipelines.definitions` for the
``Definitions``; :class:`SynthoHiveComponent` (``type: synthohive_pipelines.SynthoHiveComponent``
in a ``defs.yaml``) adds a project to another Dagster project.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SynthoHiveComponent"]


def __getattr__(name: str) -> Any:
    # imported on first use: `import synthohive_pipelines.assets` must not build the component
    if name == "SynthoHiveComponent":
        from synthohive_pipelines.component import SynthoHiveComponent

        return SynthoHiveComponent
    raise AttributeError(f"module 'synthohive_pipelines' has no attribute {name!r}")
