"""Keep generated sections of a Markdown file (docs/benchmarks.md) up to date.

A section is delimited by ``<!-- BEGIN name -->`` and ``<!-- END name -->`` lines;
:func:`update_section` replaces what lies between them (or appends the section), so
``make eval``, ``make bench`` and ``make train`` each refresh their own part.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["update_section"]


def update_section(path: str | Path, name: str, content: str) -> None:
    """Replace (or append) the generated section ``name`` of the Markdown file at ``path``."""
    p = Path(path)
    text = p.read_text(encoding="utf-8") if p.exists() else "# Benchmarks\n"
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    block = f"{begin}\n{content.rstrip()}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(p)
