"""PDNC, the Project Dialogism Novel Corpus: load its novels as gold documents and score them.

PDNC (Vishnubhotla, Hammond and Hirst, LREC 2022; https://github.com/Priya22/project-dialogism-novel-corpus)
annotates every quotation of 22+ full novels with its speaker, addressees and type. It has
no redistribution licence: it is read from ``../shared/data/pdnc`` at evaluation time and
never copied into the repository or the package.

Layout read here (``<root>`` is the folder holding ``PDNC-Novel-Index.csv``)::

    <root>/PDNC-Novel-Index.csv          Folder Name, Novel Title, Narrative Person, …
    <root>/data/<Folder>/novel_text.txt  the novel (UTF-8)
    <root>/data/<Folder>/quotation_info.csv
        quoteID, quoteText, subQuotationList, quoteByteSpans, speaker, addressees,
        quoteType, referringExpression, mentionTextsList, mentionSpansList, mentionEntitiesList
    <root>/data/<Folder>/character_info.csv
        Character ID, Main Name, Aliases (a Python set literal), Gender (M/F/U/X), Category

Despite its name, ``quoteByteSpans`` holds *code-point* offsets into ``novel_text.txt``,
covering the quoted words *without* the quote marks. A quotation interrupted by its tag
(``"Yes," he said, "you may."``) has one span per sub-quotation. **Gold unit:** each
sub-quotation span is one gold quotation (ficnlp emits one quotation per pair of quote
marks), inheriting the quotation's speaker, addressees and type; a span that runs over a
paragraph break where the next paragraph opens with a quote mark (multi-paragraph
speech, which PDNC usually but not always splits) is split there, because ficnlp emits
one quotation per paragraph. Units are trimmed of surrounding whitespace.
"""

from __future__ import annotations

import ast
import csv
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ficnlp.errors import InputError
from ficnlp.eval.metrics import (
    AnalyzeFn,
    DocumentResult,
    EvalResult,
    GoldCharacter,
    GoldDocument,
    GoldQuote,
    evaluate,
    normalize_name,
)
from ficnlp.model import Span

__all__ = [
    "PDNC_CREDIT",
    "evaluate_pdnc",
    "find_pdnc_root",
    "list_pdnc_novels",
    "load_pdnc_novel",
    "split_paragraph_quotes",
]

logger = logging.getLogger(__name__)

#: Shown under every PDNC table.
PDNC_CREDIT = (
    "PDNC: Project Dialogism Novel Corpus, Vishnubhotla, Hammond & Hirst (LREC 2022), "
    "read from ../shared at evaluation time (not redistributed)."
)

_GENDER = {"M": "he/him", "F": "she/her"}
#: A paragraph break (a blank line) followed by an opening quote mark: the convention for
#: speech that runs over several paragraphs.
_PARAGRAPH_QUOTE = re.compile(r"\n[ \t]*\n\s*[\"“]")


def find_pdnc_root(path: str | Path) -> Path:
    """The PDNC root (the folder with ``data/``) for a path to it or to its ``data/`` folder.

    Raises:
        InputError: neither ``path/data`` nor ``path`` holds novel folders.
    """
    p = Path(path)
    if (p / "data").is_dir() and any((p / "data").glob("*/quotation_info.csv")):
        return p
    if any(p.glob("*/quotation_info.csv")):
        return p.parent
    if (p / "data" / "pdnc" / "data").is_dir():
        return p / "data" / "pdnc"
    raise InputError(
        "not a PDNC folder: expected data/<Novel>/quotation_info.csv below it (give ../shared/data/pdnc)",
        source=str(p),
    )


def list_pdnc_novels(root: str | Path) -> list[str]:
    """The novel folder names under ``<root>/data``, sorted.

    Raises:
        InputError: see :func:`find_pdnc_root`.
    """
    data = find_pdnc_root(root) / "data"
    return sorted(d.name for d in data.iterdir() if (d / "quotation_info.csv").is_file())


def _read_index(root: Path) -> dict[str, dict[str, str]]:
    index = root / "PDNC-Novel-Index.csv"
    if not index.is_file():
        return {}
    with index.open(encoding="utf-8", newline="") as f:
        return {row["Folder Name"]: row for row in csv.DictReader(f) if row.get("Folder Name")}


def _literal(value: str, what: str, source: str, line: int) -> list[Any]:
    """Parse a PDNC list/set literal cell; an empty or ``nan`` cell is an empty list."""
    if value.strip() in ("", "nan", "None"):
        return []
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError) as exc:
        raise InputError(
            f"cannot parse {what} {value[:60]!r}: expected a Python list literal",
            source=source,
            position=f"line {line}",
        ) from exc
    if not isinstance(parsed, (list, set, tuple)):
        raise InputError(f"{what} {value[:60]!r} is not a list or set", source=source, position=f"line {line}")
    return list(parsed)


def split_paragraph_quotes(text: str, start: int, end: int) -> list[Span]:
    """Split a quotation span at paragraph breaks that open a new quoted paragraph.

    Args:
        text: the novel text.
        start: span start (code points).
        end: span end (code points).

    Returns:
        One or more spans covering the quoted words, each trimmed of surrounding
        whitespace and of the quote marks at the split points; empty pieces dropped.

    Example:
        >>> t = '"One.\\n\\n"Two."'
        >>> [t[s.start:s.end] for s in split_paragraph_quotes(t, 1, 12)]
        ['One.', 'Two.']
    """
    pieces = []
    pos = start
    for m in _PARAGRAPH_QUOTE.finditer(text, start, end):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, end))
    out = []
    for s, e in pieces:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append(Span(s, e))
    return out


def _resolver(characters: Sequence[GoldCharacter]) -> Callable[[str], str | None]:
    main = {c.name: c.id for c in characters}
    exact: dict[str, set[str]] = {}
    loose: dict[str, set[str]] = {}
    for c in characters:
        for n in c.names:
            exact.setdefault(n, set()).add(c.id)
            loose.setdefault(normalize_name(n), set()).add(c.id)

    def resolve(name: str) -> str | None:
        if name in main:
            return main[name]
        for table, key in ((exact, name), (loose, normalize_name(name))):
            ids = table.get(key, set())
            if len(ids) == 1:
                return next(iter(ids))
        return None

    return resolve


def load_pdnc_novel(folder: str | Path) -> GoldDocument:
    """Load one PDNC novel as a gold document.

    Speaker and addressee names are resolved to character ids by exact ``Main Name``,
    then exact alias, then :func:`~ficnlp.eval.metrics.normalize_name` match, each only
    when it names one character; names that do not resolve are listed in
    ``warnings`` (a speaker that does not resolve leaves the unit's speaker ``None``).
    Major characters are those PDNC's ``Category`` calls ``major``.

    Args:
        folder: ``<root>/data/<Folder>``.

    Returns:
        The novel: ``text`` is ``novel_text.txt`` decoded as UTF-8 (no newline
        translation), ``path`` that file; quotes as described in the module docstring,
        sorted by span.

    Raises:
        InputError: a file is missing, not UTF-8, or a row cannot be parsed; or a span
            lies outside the text.
    """
    folder = Path(folder)
    text_path = folder / "novel_text.txt"
    qpath = folder / "quotation_info.csv"
    cpath = folder / "character_info.csv"
    for p in (text_path, qpath, cpath):
        if not p.is_file():
            raise InputError(
                "missing PDNC file: each novel folder needs novel_text.txt, quotation_info.csv and character_info.csv",
                source=str(p),
            )
    raw = text_path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 ({exc.reason})", source=str(text_path), position=exc.start) from exc
    if text.startswith("\ufeff"):
        text = text[1:]

    characters = []
    with cpath.open(encoding="utf-8", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            aliases = _literal(row.get("Aliases", ""), "Aliases", str(cpath), line)
            name = row["Main Name"].strip()
            characters.append(
                GoldCharacter(
                    id=row["Character ID"].strip(),
                    name=name,
                    aliases=tuple(sorted({str(a).strip() for a in aliases} - {name, ""})),
                    gender=_GENDER.get(row.get("Gender", "").strip(), "unknown"),
                    category=(row.get("Category") or "unknown").strip().lower() or "unknown",
                )
            )
    resolve = _resolver(characters)

    root = folder.parent.parent
    meta = _read_index(root).get(folder.name, {})
    unresolved: dict[str, int] = {}
    quotes = []
    with qpath.open(encoding="utf-8", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            qid = row["quoteID"].strip()
            spans = _literal(row["quoteByteSpans"], "quoteByteSpans", str(qpath), line)
            speaker_name = row["speaker"].strip()
            speaker = resolve(row["speaker"])
            if speaker is None:
                unresolved[speaker_name] = unresolved.get(speaker_name, 0) + 1
            addressees = set()
            for a in _literal(row.get("addressees", ""), "addressees", str(qpath), line):
                gid = resolve(str(a))
                if gid is None:
                    unresolved[str(a).strip()] = unresolved.get(str(a).strip(), 0) + 1
                else:
                    addressees.add(gid)
            qtype = (row.get("quoteType") or "").strip().lower()
            units: list[Span] = []
            for pair in spans:
                s, e = int(pair[0]), int(pair[1])
                if not 0 <= s <= e <= len(text):
                    raise InputError(
                        f"quotation {qid} span [{s}, {e}) lies outside the text ({len(text):,} code points)",
                        source=str(qpath),
                        position=f"line {line}",
                    )
                units.extend(split_paragraph_quotes(text, s, e))
            for k, span in enumerate(units):
                quotes.append(
                    GoldQuote(
                        id=qid if len(units) == 1 else f"{qid}.{k}",
                        span=span,
                        speaker=speaker,
                        addressees=tuple(sorted(addressees)),
                        type=qtype if qtype in ("explicit", "anaphoric", "implicit") else None,
                    )
                )
    quotes.sort(key=lambda q: (q.span.start, q.span.end, q.id))
    warnings = tuple(f"name {n!r} ({k}x) names no single PDNC character" for n, k in sorted(unresolved.items()))
    person = (meta.get("Narrative Person") or "").strip()
    return GoldDocument(
        id=folder.name,
        title=(meta.get("Novel Title") or folder.name).strip(),
        text=text,
        characters=tuple(characters),
        quotes=tuple(quotes),
        major=frozenset(c.id for c in characters if c.category == "major"),
        source=str(folder),
        path=text_path,
        narrative_person=person.split(".")[0] if person else None,
        warnings=warnings,
    )


def evaluate_pdnc(
    root: str | Path,
    novels: Iterable[str] | None = None,
    analyze_fn: AnalyzeFn | None = None,
    *,
    progress: Callable[[DocumentResult], None] | None = None,
) -> EvalResult:
    """Evaluate on PDNC novels.

    Args:
        root: ``../shared/data/pdnc`` (or its ``data/`` folder).
        novels: folder names to evaluate (default: all, sorted). A training script
            passes the held-out fold here.
        analyze_fn: ``GoldDocument -> Analysis``; default runs the full pipeline on
            ``novel_text.txt`` (see :func:`~ficnlp.eval.metrics.default_analyze`).
        progress: called with each novel's result as it is done.

    Returns:
        Per-novel results with per-quotation records (``result.records``).

    Raises:
        InputError: the folder is not PDNC, a named novel does not exist, or its files
            cannot be parsed.

    Example (not run)::

        res = evaluate_pdnc("../shared/data/pdnc", novels=["DaisyMiller"])
        res.micro()["speaker_accuracy"]
        wrong = [r for r in res.records if not r.correct]
    """
    base = find_pdnc_root(root)
    available = list_pdnc_novels(base)
    chosen = list(novels) if novels is not None else available
    missing = [n for n in chosen if n not in available]
    if missing:
        raise InputError(
            f"no PDNC novel named {', '.join(missing)}: choose from {', '.join(available)}",
            source=str(base / "data"),
        )
    docs = (load_pdnc_novel(base / "data" / n) for n in chosen)
    return evaluate(docs, analyze_fn, dataset="pdnc", progress=progress, notes=(PDNC_CREDIT,))
