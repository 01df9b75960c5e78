"""LitBank quotations: load its attributed quotations as gold documents and score them.

LitBank (Bamman, Popat & Shen, NAACL 2019; Bamman, Lewke & Mansoor, LREC 2020; quotation
layer: Sims & Bamman, TACL 2020; https://github.com/dbamman/litbank) is licensed CC BY
4.0: every report that uses it says so (:data:`LITBANK_CREDIT`). It is read from
``../shared/data/litbank`` at evaluation time.

Files read for a work ``<name>`` (e.g. ``1342_pride_and_prejudice``)::

    quotations/tsv/<name>_brat.txt   the ~2,000-word excerpt, tokenised: one sentence a
                                     line, tokens separated by single spaces
    quotations/tsv/<name>_brat.ann   QUOTE  <qid> <start sent> <start tok> <end sent> <end tok> <text>
                                     ATTRIB <qid> <entity id>
    coref/tsv/<name>_brat.ann        MENTION <tid> <start sent> <start tok> <end sent> <end tok> <text> <type> <PROP|NOM|PRON>
                                     COREF <tid> <entity id>   (also APPOS, COP: ignored)
    original/<name>.txt              the full original text

**Offsets.** Sentence and token indices (end token inclusive) address the tokenised
excerpt. The tokens are substrings of ``original/<name>.txt`` in order: each token is
found at the next non-space position (checked; a token that is not there raises
:class:`~ficnlp.errors.InputError`), which gives every token a code-point span of the
original. The text analysed is the original from its start to the end of the excerpt's
last token, so offsets need no mapping back. A gold quotation runs from its first
token's start to its last token's end (quote marks included, as LitBank tokenises them).

**Characters.** Each coreference entity with a PER mention or an attributed quotation
is a gold character; its names are its proper-name (PROP) mentions, or its nominal
(NOM) mentions when it has no proper name, as written in the original. Its name is the
most frequent of them. LitBank gives no addressees, quotation types or character
categories: the major characters are those with at least five gold quotations
(:data:`MAJOR_MIN_QUOTES`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from ficnlp.errors import InputError
from ficnlp.eval.metrics import AnalyzeFn, DocumentResult, EvalResult, GoldCharacter, GoldDocument, GoldQuote, evaluate
from ficnlp.model import Span

__all__ = ["LITBANK_CREDIT", "MAJOR_MIN_QUOTES", "evaluate_litbank", "list_litbank_works", "load_litbank_work"]

#: Shown under every LitBank table (CC BY 4.0 asks for attribution).
LITBANK_CREDIT = (
    "LitBank (Bamman, Popat & Shen 2019; Bamman, Lewke & Mansoor 2020; quotations: Sims & Bamman 2020), "
    "CC BY 4.0, https://github.com/dbamman/litbank."
)

#: Characters with at least this many gold quotations count as major in the clustering
#: figures for data sets without a category (LitBank, our gold files); set by issue 3.
MAJOR_MIN_QUOTES = 5


def _paths(root: Path, name: str) -> dict[str, Path]:
    return {
        "tokens": root / "quotations" / "tsv" / f"{name}_brat.txt",
        "quotes": root / "quotations" / "tsv" / f"{name}_brat.ann",
        "coref": root / "coref" / "tsv" / f"{name}_brat.ann",
        "original": root / "original" / f"{name}.txt",
    }


def list_litbank_works(root: str | Path) -> list[str]:
    """The works with quotation annotations and an original text, sorted.

    Raises:
        InputError: ``root`` has no ``quotations/tsv`` folder.
    """
    base = Path(root)
    qdir = base / "quotations" / "tsv"
    if not qdir.is_dir():
        raise InputError(
            "not a LitBank folder: expected quotations/tsv/ below it (give ../shared/data/litbank)", source=str(base)
        )
    names = sorted(p.name[: -len("_brat.ann")] for p in qdir.glob("*_brat.ann"))
    return [n for n in names if (base / "original" / f"{n}.txt").is_file()]


def _token_offsets(sentences: list[list[str]], original: str, source: str) -> list[list[tuple[int, int]]]:
    pos = 0
    out: list[list[tuple[int, int]]] = []
    for si, sent in enumerate(sentences):
        row = []
        for ti, tok in enumerate(sent):
            while pos < len(original) and original[pos].isspace():
                pos += 1
            if not original.startswith(tok, pos):
                raise InputError(
                    f"token {tok!r} (sentence {si}, token {ti}) is not at code point {pos} of the original text "
                    f"(found {original[pos : pos + len(tok) + 10]!r}): the excerpt and original/ disagree",
                    source=source,
                    position=f"line {si + 1}",
                )
            row.append((pos, pos + len(tok)))
            pos += len(tok)
        out.append(row)
    return out


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    return [
        (i, line.rstrip("\n").split("\t"))
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(keepends=True), start=1)
        if line.strip()
    ]


def load_litbank_work(root: str | Path, name: str) -> GoldDocument:
    """Load one LitBank work's quotations as a gold document.

    Args:
        root: the LitBank folder (``../shared/data/litbank``).
        name: the work, e.g. ``1342_pride_and_prejudice``.

    Returns:
        The excerpt (``text`` = the original up to the excerpt's last token, ``path``
        ``None``), its attributed quotations sorted by span, and its characters; see the
        module docstring.

    Raises:
        InputError: a file is missing, a row is malformed, or the tokens cannot be found
            in the original text.
    """
    base = Path(root)
    paths = _paths(base, name)
    for p in paths.values():
        if not p.is_file():
            raise InputError(
                "missing LitBank file (each work needs quotations/tsv, coref/tsv and original/ files)", source=str(p)
            )
    original = paths["original"].read_text(encoding="utf-8")
    sentences = [
        line.rstrip("\n").split(" ") if line.strip() else []
        for line in paths["tokens"].read_text(encoding="utf-8").splitlines()
    ]
    offsets = _token_offsets(sentences, original, str(paths["tokens"]))
    last = max((row[-1][1] for row in offsets if row), default=0)
    text = original[:last]

    def span(fields: list[str], lineno: int, source: Path) -> Span:
        try:
            s_sent, s_tok, e_sent, e_tok = (int(x) for x in fields)
            return Span(offsets[s_sent][s_tok][0], offsets[e_sent][e_tok][1])
        except (ValueError, IndexError) as exc:
            raise InputError(
                f"bad token position {fields!r}: {exc}", source=str(source), position=f"line {lineno}"
            ) from exc

    quote_spans: dict[str, Span] = {}
    speakers: dict[str, str] = {}
    for lineno, f in _rows(paths["quotes"]):
        if f[0] == "QUOTE" and len(f) >= 6:
            quote_spans[f[1]] = span(f[2:6], lineno, paths["quotes"])
        elif f[0] == "ATTRIB" and len(f) >= 3:
            speakers[f[1]] = f[2].strip()
        else:
            raise InputError(
                f"unknown row {f[0]!r}: expected QUOTE or ATTRIB",
                source=str(paths["quotes"]),
                position=f"line {lineno}",
            )

    mentions: dict[str, tuple[str, str, str]] = {}
    entity_of: dict[str, str] = {}
    for lineno, f in _rows(paths["coref"]):
        if f[0] == "MENTION" and len(f) >= 9:
            sp = span(f[2:6], lineno, paths["coref"])
            mentions[f[1]] = (" ".join(original[sp.start : sp.end].split()), f[7], f[8])
        elif f[0] == "COREF" and len(f) >= 3:
            entity_of[f[1]] = f[2].strip()
    names: dict[str, Counter[str]] = defaultdict(Counter)
    nominal: dict[str, Counter[str]] = defaultdict(Counter)
    is_person: set[str] = set()
    for tid, (mtext, mtype, kind) in mentions.items():
        ent = entity_of.get(tid)
        if ent is None:
            continue
        if mtype == "PER":
            is_person.add(ent)
        if kind == "PROP":
            names[ent][mtext] += 1
        elif kind == "NOM":
            nominal[ent][mtext] += 1
    quote_counts = Counter(speakers.values())
    characters = []
    for ent in sorted(is_person | set(quote_counts)):
        forms = names.get(ent) or nominal.get(ent) or Counter({ent.rsplit("-", 1)[0].replace("_", " "): 1})
        main = sorted(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        characters.append(GoldCharacter(id=ent, name=main, aliases=tuple(sorted(set(forms) - {main}))))
    quotes = sorted(
        (GoldQuote(id=qid, span=sp, speaker=speakers.get(qid)) for qid, sp in quote_spans.items()),
        key=lambda q: (q.span.start, q.span.end, q.id),
    )
    unattributed = [q.id for q in quotes if q.speaker is None]
    return GoldDocument(
        id=name,
        title=name.split("_", 1)[-1].replace("_", " "),
        text=text,
        characters=tuple(characters),
        quotes=tuple(quotes),
        major=frozenset(e for e, k in quote_counts.items() if k >= MAJOR_MIN_QUOTES),
        source=str(paths["quotes"]),
        path=None,
        warnings=tuple(f"quotation {q} has no speaker" for q in unattributed),
    )


def evaluate_litbank(
    root: str | Path,
    works: Iterable[str] | None = None,
    analyze_fn: AnalyzeFn | None = None,
    *,
    progress: Callable[[DocumentResult], None] | None = None,
) -> EvalResult:
    """Evaluate on LitBank's attributed quotations.

    Args:
        root: ``../shared/data/litbank``.
        works: work names (default: every work with quotations and an original text).
        analyze_fn: ``GoldDocument -> Analysis``; default analyses the excerpt text.
        progress: called with each work's result.

    Returns:
        Per-work results; the result's notes carry the CC BY attribution.

    Raises:
        InputError: not a LitBank folder, an unknown work, or unparsable files.
    """
    available = list_litbank_works(root)
    chosen = list(works) if works is not None else available
    missing = [w for w in chosen if w not in available]
    if missing:
        raise InputError(
            f"no LitBank work named {', '.join(missing)}: see quotations/tsv for the names", source=str(root)
        )
    docs = (load_litbank_work(root, w) for w in chosen)
    return evaluate(docs, analyze_fn, dataset="litbank", progress=progress, notes=(LITBANK_CREDIT,))
