"""SynthoHive library: schema model, connectors, models, relational synthesis, validation.

Usable on its own (from a notebook or a script); it never imports Dagster. The Dagster layer
lives in :mod:`synthohive_pipelines` and only wires these pieces together.
"""

__version__ = "0.1.0"
