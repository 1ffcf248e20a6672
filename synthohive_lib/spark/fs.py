"""File-system steps of atomic writes, through Hadoop's FileSystem API.

Spark writes wherever Hadoop can (local disk, HDFS, S3A, ABFS), so the staging-then-rename
dance goes through the same ``FileSystem`` the writers use, not through :mod:`os`.
Note: on object stores (S3) a directory rename is a copy, not atomic; use Delta there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession


def normalize_uri(uri: str | Path) -> str:
    """A URI Hadoop and delta-rs agree on: local paths become absolute, URLs stay."""
    text = str(uri)
    if "://" in text:
        return text
    if text.startswith("file:"):
        return str(Path(text[5:]).resolve())
    return str(Path(text).expanduser().resolve())


class HadoopFs:
    """The Hadoop FileSystem of ``uri`` (exists / rename / delete)."""

    def __init__(self, spark: SparkSession, uri: str) -> None:
        jvm: Any = spark._jvm
        self._jvm = jvm
        self._path = jvm.org.apache.hadoop.fs.Path(uri)
        self._fs = self._path.getFileSystem(spark._jsc.hadoopConfiguration())

    def _p(self, uri: str) -> Any:
        return self._jvm.org.apache.hadoop.fs.Path(uri)

    def exists(self, uri: str) -> bool:
        return bool(self._fs.exists(self._p(uri)))

    def rename(self, src: str, dst: str) -> bool:
        return bool(self._fs.rename(self._p(src), self._p(dst)))

    def delete(self, uri: str) -> None:
        if self.exists(uri):
            self._fs.delete(self._p(uri), True)

    def mkdirs(self, uri: str) -> None:
        self._fs.mkdirs(self._p(uri))


def sibling(uri: str, prefix: str, tag: str) -> str:
    """``<parent>/.<name>.<prefix>-<tag>`` next to ``uri`` (hidden from readers: leading '.')."""
    parent, _, name = uri.rstrip("/").rpartition("/")
    return f"{parent}/.{name}.{prefix}-{tag}"
