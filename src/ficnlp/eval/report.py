"""Evaluation reports: terminal tables (rich), Markdown for docs/benchmarks.md, JSON.

The same columns everywhere (figures are proportions shown with three decimals; ``–``
where undefined)::

    document  pers  gold  pred  P  R  F1  spk  spk|m  expl  anaph  impl  addr  major  span  s

``spk`` is speaker accuracy end to end, ``spk|m`` over matched quotations; ``expl``,
``anaph``, ``impl`` are end-to-end speaker accuracy by PDNC quotation type; ``addr`` the
addressee hit rate; ``major`` major gold characters found whole / major gold characters;
``span`` predicted characters spanning two gold characters / predicted characters
carrying gold names; ``s`` analysis seconds. Definitions: :mod:`ficnlp.eval.metrics`.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from ficnlp import __version__
from ficnlp.eval.metrics import Counts, DocumentResult, EvalResult, figures

__all__ = [
    "COLUMNS",
    "machine_description",
    "records_to_jsonl",
    "render_console",
    "results_to_json",
    "results_to_markdown",
]

#: (header, explanation) of each table column, in order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("document", "novel, work or gold file"),
    ("pers", "narrative person (1 = first person) where known"),
    ("gold", "gold quotation units"),
    ("pred", "predicted quotations"),
    ("P", "quotation precision"),
    ("R", "quotation recall"),
    ("F1", "quotation F1"),
    ("spk", "speaker accuracy, end to end"),
    ("spk|m", "speaker accuracy over matched quotations"),
    ("expl", "speaker accuracy, explicit quotations"),
    ("anaph", "speaker accuracy, anaphoric quotations"),
    ("impl", "speaker accuracy, implicit quotations"),
    ("addr", "addressee hit rate, end to end"),
    ("major", "major gold characters found whole / major gold characters"),
    ("span", "predicted characters spanning 2+ gold characters / predicted characters carrying gold names"),
    ("s", "analysis seconds"),
)


def _f(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def _row(name: str, person: str, c: Counts, seconds: float | None, error: str | None = None) -> list[str]:
    if error is not None:
        return [name, person, str(c.gold_quotes), "error", *(["–"] * 9), f"0/{c.major_characters}", "–", "–"]
    f = figures(c)
    return [
        name,
        person,
        str(c.gold_quotes),
        str(c.predicted_quotes),
        _f(f["quote_precision"]),
        _f(f["quote_recall"]),
        _f(f["quote_f1"]),
        _f(f["speaker_accuracy"]),
        _f(f["speaker_accuracy_matched"]),
        _f(f["explicit_accuracy"]),
        _f(f["anaphoric_accuracy"]),
        _f(f["implicit_accuracy"]),
        _f(f["addressee_hit_rate"]),
        f"{c.major_whole}/{c.major_characters}",
        f"{c.predicted_spanning}/{c.predicted_mapped}",
        "–" if seconds is None else f"{seconds:.1f}",
    ]


def _macro_row(result: EvalResult) -> list[str]:
    m = result.macro()
    keys = (
        "quote_precision",
        "quote_recall",
        "quote_f1",
        "speaker_accuracy",
        "speaker_accuracy_matched",
        "explicit_accuracy",
        "anaphoric_accuracy",
        "implicit_accuracy",
        "addressee_hit_rate",
    )
    return [
        "macro (mean of documents)",
        "",
        "",
        "",
        *(_f(m[k]) for k in keys),
        _f(m["major_whole_rate"]),
        _f(m["spanning_rate"]),
        "",
    ]


def _rows(result: EvalResult, *, per_document: bool = True) -> list[list[str]]:
    rows = []
    if per_document:
        for d in result.documents:
            rows.append(_row(d.doc.id, d.doc.narrative_person or "", d.counts, d.seconds, d.error))
    total_s = sum(d.seconds for d in result.documents)
    rows.append(_row(f"micro ({len(result.documents)} documents)", "", result.total, total_s))
    if len(result.documents) > 1:
        rows.append(_macro_row(result))
    return rows


def render_console(result: EvalResult, console: Any, *, per_document: bool = True) -> None:
    """Print one data set's table, errors, gold-data warnings and credits to a rich console.

    Args:
        result: the evaluation.
        console: a :class:`rich.console.Console`.
        per_document: one row per document before the micro/macro rows.
    """
    from rich.table import Table

    table = Table(title=f"{result.dataset}: quotations and speakers", show_edge=False, pad_edge=False)
    for i, (head, _) in enumerate(COLUMNS):
        table.add_column(head, justify="left" if i < 2 else "right", no_wrap=i == 0)
    rows = _rows(result, per_document=per_document)
    for k, r in enumerate(rows):
        table.add_row(*r, end_section=k == len(rows) - (3 if len(result.documents) > 1 else 2))
    console.print(table)
    for d in result.errors:
        console.print(f"[red]{d.doc.id}: {d.error}[/red]")
    warned = [d for d in result.documents if d.doc.warnings]
    if warned:
        n = sum(len(d.doc.warnings) for d in warned)
        console.print(
            f"gold data: {n} name(s) in {len(warned)} document(s) do not resolve to one character (see --json)"
        )
    for note in result.notes:
        console.print(note)


def machine_description() -> str:
    """The machine in words: OS, architecture, CPU count and Python version (no host name)."""
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU(s), "
        f"Python {platform.python_version()}, ficnlp {__version__}"
    )


def _md_table(rows: Sequence[Sequence[str]]) -> str:
    head = [h.replace("|", "\\|") for h, _ in COLUMNS]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" if i < 2 else "---:" for i in range(len(head))) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
    return "\n".join(lines)


def results_to_markdown(
    results: Sequence[EvalResult],
    *,
    command: str,
    date: str | None = None,
    remarks: Sequence[str] = (),
    per_document: Sequence[str] = ("pdnc", "gold"),
) -> str:
    """The Markdown for the ``eval`` section of docs/benchmarks.md.

    Args:
        results: the data sets evaluated.
        command: the command that produced the figures (shown).
        date: ISO date; default today (UTC).
        remarks: lines added after the tables (e.g. "no gold file found").
        per_document: data sets whose tables get one row per document (others show the
            micro and macro rows only).

    Returns:
        Markdown text (no trailing newline).
    """
    date = date or datetime.now(timezone.utc).date().isoformat()
    out = [
        "## Evaluation",
        "",
        f"Produced by `{command}` on {date}; machine: {machine_description()}.",
        "Definitions: [docs/eval.md](eval.md). Columns: "
        + "; ".join(f"**{h}** {what}" for h, what in COLUMNS[1:])
        + ".",
    ]
    for res in results:
        out += ["", f"### {res.dataset}", ""]
        out.append(_md_table(_rows(res, per_document=res.dataset in per_document)))
        for d in res.errors:
            out += ["", f"- error: {d.doc.id}: {d.error}"]
        if res.notes:
            out.append("")
            out += [f"{n}" for n in res.notes]
    if remarks:
        out.append("")
        out += [f"- {r}" for r in remarks]
    return "\n".join(out)


def _doc_json(d: DocumentResult) -> dict[str, Any]:
    return {
        "id": d.doc.id,
        "title": d.doc.title,
        "source": d.doc.source,
        "narrative_person": d.doc.narrative_person,
        "seconds": round(d.seconds, 3),
        "error": d.error,
        "counts": d.counts.as_dict(),
        "figures": d.figures(),
        "clustering": {
            "status": dict(d.clustering.status),
            "spanning": {k: list(v) for k, v in d.clustering.spanning.items()},
        },
        "gold_warnings": list(d.doc.warnings),
    }


def results_to_json(
    results: Sequence[EvalResult], *, date: str | None = None, remarks: Sequence[str] = ()
) -> dict[str, Any]:
    """Machine-readable figures: schema ``ficnlp-eval/1``.

    Shape::

        {"schema": "ficnlp-eval/1", "ficnlp_version", "date", "machine", "remarks": [...],
         "datasets": {name: {"micro": {"counts": {...}, "figures": {...}},
                             "macro": {"figures": {...}}, "notes": [...],
                             "documents": [{"id", "title", "source", "narrative_person",
                                            "seconds", "error", "counts", "figures",
                                            "clustering", "gold_warnings"}]}}}

    Figures are proportions in [0, 1] or ``null``; counts are integers (see
    :class:`~ficnlp.eval.metrics.Counts`).
    """
    return {
        "schema": "ficnlp-eval/1",
        "ficnlp_version": __version__,
        "date": date or datetime.now(timezone.utc).date().isoformat(),
        "machine": machine_description(),
        "remarks": list(remarks),
        "datasets": {
            r.dataset: {
                "micro": {"counts": r.total.as_dict(), "figures": r.micro()},
                "macro": {"figures": r.macro()},
                "notes": list(r.notes),
                "documents": [_doc_json(d) for d in r.documents],
            }
            for r in results
        },
    }


def records_to_jsonl(results: Sequence[EvalResult]) -> str:
    """One JSON line per gold quotation, for error analysis; offsets only, no text.

    Fields: ``dataset``, ``doc``, ``gold_id``, ``start``, ``end`` (code points of the
    gold document's text), ``type``, ``gold_speaker`` / ``gold_speaker_name``,
    ``gold_addressees``, ``pred_id``, ``pred_start``, ``pred_end``, ``overlap``,
    ``pred_speaker`` (predicted character id), ``mapped_speaker`` (gold id or null),
    ``correct``, ``mapped_addressees``, ``addressee_hit``.
    """
    lines = []
    for res in results:
        for d in res.documents:
            names = {c.id: c.name for c in d.doc.characters}
            for r in d.records:
                p = r.predicted
                row = {
                    "dataset": res.dataset,
                    "doc": d.doc.id,
                    "gold_id": r.gold.id,
                    "start": r.gold.span.start,
                    "end": r.gold.span.end,
                    "type": r.gold.type,
                    "gold_speaker": r.gold.speaker,
                    "gold_speaker_name": names.get(r.gold.speaker) if r.gold.speaker else None,
                    "gold_addressees": list(r.gold.addressees),
                    "pred_id": p.id if p else None,
                    "pred_start": p.span.start if p else None,
                    "pred_end": p.span.end if p else None,
                    "overlap": r.overlap,
                    "pred_speaker": r.predicted_speaker,
                    "mapped_speaker": r.mapped_speaker,
                    "correct": r.correct,
                    "mapped_addressees": list(r.mapped_addressees),
                    "addressee_hit": r.addressee_hit,
                }
                lines.append(json.dumps(row, ensure_ascii=False, sort_keys=True))
    return "\n".join(lines) + ("\n" if lines else "")
