"""Our own gold files (schema ``ficnlp-gold/1``): load, validate strictly, evaluate.

A gold file annotates a story that lives outside the repository (``../shared``) by
offsets only: it holds no story text. The format is documented in ``docs/eval.md``::

    {"schema": "ficnlp-gold/1",
     "source": "corpus/beside-you.txt",          # path relative to ../shared
     "sha256": "<hex digest of the source file's bytes>",
     "text_length": 35360,                       # code points of the decoded source
     "title": "…", "annotator": "…", "comment": "…",          # optional
     "characters": [{"id": "addison", "name": "Addison Montgomery",
                     "aliases": ["Addison", "Addie"], "gender": "she/her",
                     "category": "major", "comment": "…"}],   # category, comment optional
     "quotes": [{"start": 120, "end": 141, "speaker": "addison",
                 "addressees": ["alex"], "type": "explicit", "comment": "…"}]}  # comment optional

Offsets are half-open code points into the source decoded as UTF-8 (a leading byte-order
mark dropped), and a quotation's span includes its quote marks (for unquoted sung or
written lines: the lines themselves). Quotations are sorted by ``start`` and do not
overlap. Every rule is checked on load; an error names the file and the entry.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ficnlp.errors import InputError
from ficnlp.eval.litbank import MAJOR_MIN_QUOTES
from ficnlp.eval.metrics import AnalyzeFn, DocumentResult, EvalResult, GoldCharacter, GoldDocument, GoldQuote, evaluate
from ficnlp.model import GENDERS, QUOTE_KINDS, Span

__all__ = [
    "GOLD_SCHEMA",
    "GoldFormatError",
    "SourceMismatchError",
    "decode_source",
    "evaluate_gold",
    "find_gold_files",
    "load_gold",
    "parse_gold",
]

#: The schema string every gold file starts with.
GOLD_SCHEMA = "ficnlp-gold/1"
#: Character categories a gold file may give (as PDNC's).
CATEGORIES = ("major", "intermediate", "minor")

_TOP_REQUIRED = {"schema", "source", "sha256", "text_length", "characters", "quotes"}
_TOP_OPTIONAL = {"title", "annotator", "comment"}
_CHAR_REQUIRED = {"id", "name", "aliases", "gender"}
_CHAR_OPTIONAL = {"category", "comment"}
_QUOTE_REQUIRED = {"start", "end", "speaker", "addressees", "type"}
_QUOTE_OPTIONAL = {"comment"}
_HEX64 = re.compile(r"[0-9a-f]{64}")
_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")


class GoldFormatError(InputError):
    """A gold file breaks the ``ficnlp-gold/1`` format; the message names the entry."""


class SourceMismatchError(GoldFormatError):
    """The gold file's source text is missing or is not the text it was annotated on."""


def find_gold_files(folder: str | Path) -> list[Path]:
    """The ``*.gold.json`` files in ``folder``, sorted (empty when the folder is absent)."""
    p = Path(folder)
    return sorted(p.glob("*.gold.json")) if p.is_dir() else []


def _keys(entry: Any, required: set[str], optional: set[str], where: str, source: str) -> None:
    if not isinstance(entry, dict):
        raise GoldFormatError(f"{where} must be an object, got {type(entry).__name__}", source=source)
    missing = sorted(required - entry.keys())
    extra = sorted(entry.keys() - required - optional)
    if missing:
        raise GoldFormatError(f"{where} lacks {', '.join(missing)}", source=source)
    if extra:
        allowed = ", ".join(sorted(required | optional))
        raise GoldFormatError(f"{where} has unknown field(s) {', '.join(extra)}: allowed are {allowed}", source=source)


def _str(value: Any, where: str, source: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise GoldFormatError(f"{where} must be a non-empty string, got {value!r}", source=source)
    return value


def _int(value: Any, where: str, source: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise GoldFormatError(f"{where} must be a non-negative integer, got {value!r}", source=source)
    return value


def decode_source(data: bytes, source: str) -> str:
    """The text gold offsets index: the bytes as UTF-8, a leading BOM dropped.

    Raises:
        SourceMismatchError: the bytes are not UTF-8.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceMismatchError(f"the source is not UTF-8 ({exc.reason}) at byte {exc.start}", source=source) from exc
    return text[1:] if text.startswith("\ufeff") else text


def parse_gold(data: Any, *, source: str, text: str | None = None, text_path: Path | None = None) -> GoldDocument:
    """Validate a parsed gold file and build the gold document.

    Args:
        data: the parsed JSON.
        source: the gold file's path (for messages and the document's ``source``).
        text: the decoded source text, to check offsets and boundaries against; when
            ``None`` only the structure is checked and the document's text is empty.
        text_path: the source file (kept as the document's ``path``).

    Returns:
        The gold document; its major characters are those with at least
        :data:`~ficnlp.eval.litbank.MAJOR_MIN_QUOTES` quotations.

    Raises:
        GoldFormatError: any rule of the format is broken (the message names the entry).
        SourceMismatchError: ``text`` does not have ``text_length`` code points.
    """
    _keys(data, _TOP_REQUIRED, _TOP_OPTIONAL, "the file", source)
    if data["schema"] != GOLD_SCHEMA:
        raise GoldFormatError(f"schema is {data['schema']!r}: this reader knows {GOLD_SCHEMA!r}", source=source)
    _str(data["source"], "source", source)
    digest = _str(data["sha256"], "sha256", source)
    if not _HEX64.fullmatch(digest):
        raise GoldFormatError(f"sha256 must be 64 lower-case hex digits, got {digest!r}", source=source)
    length = _int(data["text_length"], "text_length", source)
    if text is not None and len(text) != length:
        raise SourceMismatchError(
            f"the source text has {len(text):,} code points but the gold file says text_length {length:,}: "
            "the source changed since it was annotated",
            source=source,
        )
    for key in ("title", "annotator", "comment"):
        if key in data:
            _str(data[key], key, source, empty=True)

    if not isinstance(data["characters"], list) or not data["characters"]:
        raise GoldFormatError("characters must be a non-empty list", source=source)
    characters: list[GoldCharacter] = []
    ids: set[str] = set()
    for i, c in enumerate(data["characters"]):
        where = f"characters[{i}]"
        _keys(c, _CHAR_REQUIRED, _CHAR_OPTIONAL, where, source)
        cid = _str(c["id"], f"{where}.id", source)
        if not _ID.fullmatch(cid):
            raise GoldFormatError(f"{where}.id {cid!r} must be lower-case letters, digits, '-' or '_'", source=source)
        if cid in ids:
            raise GoldFormatError(f"{where}.id {cid!r} is used twice", source=source)
        ids.add(cid)
        name = _str(c["name"], f"{where}.name", source)
        if not isinstance(c["aliases"], list):
            raise GoldFormatError(f"{where}.aliases must be a list of strings", source=source)
        aliases = [_str(a, f"{where}.aliases[{k}]", source) for k, a in enumerate(c["aliases"])]
        dup = [a for a, n in Counter([name, *aliases]).items() if n > 1]
        if dup:
            raise GoldFormatError(f"{where} ({cid}) lists {', '.join(map(repr, dup))} twice", source=source)
        if c["gender"] not in GENDERS:
            raise GoldFormatError(f"{where}.gender {c['gender']!r} must be one of {', '.join(GENDERS)}", source=source)
        category = c.get("category", "unknown")
        if "category" in c and category not in CATEGORIES:
            raise GoldFormatError(
                f"{where}.category {category!r} must be one of {', '.join(CATEGORIES)}", source=source
            )
        if "comment" in c:
            _str(c["comment"], f"{where}.comment", source, empty=True)
        characters.append(
            GoldCharacter(id=cid, name=name, aliases=tuple(aliases), gender=c["gender"], category=category)
        )

    if not isinstance(data["quotes"], list):
        raise GoldFormatError("quotes must be a list", source=source)
    quotes: list[GoldQuote] = []
    prev_end = -1
    for i, q in enumerate(data["quotes"]):
        where = f"quotes[{i}]"
        _keys(q, _QUOTE_REQUIRED, _QUOTE_OPTIONAL, where, source)
        start = _int(q["start"], f"{where}.start", source)
        end = _int(q["end"], f"{where}.end", source)
        if end <= start:
            raise GoldFormatError(
                f"{where} [{start}, {end}) is empty or reversed: end must exceed start", source=source
            )
        if end > length:
            raise GoldFormatError(f"{where} [{start}, {end}) runs past text_length {length}", source=source)
        if start < prev_end:
            raise GoldFormatError(
                f"{where} [{start}, {end}) starts before the previous quotation ends ({prev_end}): "
                "quotations must be sorted by start and must not overlap",
                source=source,
            )
        prev_end = end
        if text is not None and (text[start].isspace() or text[end - 1].isspace()):
            raise GoldFormatError(
                f"{where} [{start}, {end}) starts or ends with whitespace ({text[start:end][:30]!r}): "
                "spans run from the opening to the closing quote mark",
                source=source,
            )
        speaker = _str(q["speaker"], f"{where}.speaker", source)
        if speaker not in ids:
            raise GoldFormatError(f"{where}.speaker {speaker!r} is not a character id", source=source)
        if not isinstance(q["addressees"], list):
            raise GoldFormatError(f"{where}.addressees must be a list of character ids", source=source)
        addressees = []
        for k, a in enumerate(q["addressees"]):
            if a not in ids:
                raise GoldFormatError(f"{where}.addressees[{k}] {a!r} is not a character id", source=source)
            addressees.append(a)
        if len(set(addressees)) != len(addressees):
            raise GoldFormatError(f"{where}.addressees lists an id twice", source=source)
        if q["type"] not in QUOTE_KINDS:
            raise GoldFormatError(f"{where}.type {q['type']!r} must be one of {', '.join(QUOTE_KINDS)}", source=source)
        if "comment" in q:
            _str(q["comment"], f"{where}.comment", source, empty=True)
        quotes.append(
            GoldQuote(
                id=f"q{i}", span=Span(start, end), speaker=speaker, addressees=tuple(sorted(addressees)), type=q["type"]
            )
        )

    spoken = Counter(q.speaker for q in quotes)
    stem = Path(source).name
    stem = stem[: -len(".gold.json")] if stem.endswith(".gold.json") else Path(source).stem
    return GoldDocument(
        id=stem,
        title=data.get("title") or stem,
        text=text or "",
        characters=tuple(characters),
        quotes=tuple(quotes),
        major=frozenset(c for c, n in spoken.items() if c is not None and n >= MAJOR_MIN_QUOTES),
        source=source,
        path=text_path,
        narrative_person=None,
    )


def load_gold(path: str | Path, shared: str | Path = "../shared") -> GoldDocument:
    """Load and validate a gold file, reading and checking its source text.

    Args:
        path: the ``*.gold.json`` file.
        shared: the folder the file's ``source`` is relative to.

    Returns:
        The gold document; ``text`` is the decoded source, ``path`` the source file.

    Raises:
        GoldFormatError: the file is missing, not JSON, or breaks the format.
        SourceMismatchError: the source file is missing, or its SHA-256 or length differs
            from the gold file's (the source changed since it was annotated).
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise GoldFormatError("no such gold file", source=str(p)) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise GoldFormatError(f"not valid JSON: {exc}", source=str(p)) from exc
    parse_gold(data, source=str(p))  # the structure first, so a bad entry is named before source checks
    src = Path(shared) / data["source"]
    if not src.is_file():
        raise SourceMismatchError(
            f"the source {src} does not exist: pass --shared DIR (the folder the source path is relative to)",
            source=str(p),
        )
    raw = src.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != data["sha256"]:
        raise SourceMismatchError(
            f"the source {src} has sha256 {digest}, the gold file says {data['sha256']}: "
            "the source changed since it was annotated; re-check the offsets before updating sha256",
            source=str(p),
        )
    return parse_gold(data, source=str(p), text=decode_source(raw, str(src)), text_path=src)


def evaluate_gold(
    files: Sequence[str | Path] | Iterable[str | Path],
    shared: str | Path = "../shared",
    analyze_fn: AnalyzeFn | None = None,
    *,
    progress: Callable[[DocumentResult], None] | None = None,
) -> EvalResult:
    """Evaluate on our gold files.

    Args:
        files: gold file paths.
        shared: the folder their sources are relative to.
        analyze_fn: ``GoldDocument -> Analysis``; default reads the source file.
        progress: called with each file's result.

    Returns:
        Per-file results.

    Raises:
        GoldFormatError, SourceMismatchError: see :func:`load_gold` (raised before any
            analysis runs).
    """
    docs = [load_gold(f, shared) for f in files]
    return evaluate(docs, analyze_fn, dataset="gold", progress=progress)
