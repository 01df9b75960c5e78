"""Writing the package's gzipped data files reproducibly (shared by the build scripts)."""

from __future__ import annotations

import gzip
from pathlib import Path


def write_lines_gz(out: str, rows: list[str]) -> None:
    """Write ``rows`` (each ending in a newline), UTF-8, gzipped, to ``out``.

    ``mtime=0`` keeps the file byte-identical between builds of the same rows.
    """
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write("".join(rows).encode("utf-8"))
