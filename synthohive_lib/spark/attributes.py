"""What a block does after its skeleton (keys, parents): the same steps as the pandas path.

The helpers live in :mod:`synthohive_lib.relational.blocks` (shared with the single-process
block-by-block path); this module keeps their Spark-side import location.
"""

from __future__ import annotations

from synthohive_lib.relational.blocks import PiiFiller, finish_block, sample_attributes

__all__ = ["PiiFiller", "finish_block", "sample_attributes"]
