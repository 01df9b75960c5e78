"""The HTML report: one self-contained page to look at an analysis.

:func:`render_report` returns a single HTML document that works offline: its one
stylesheet and one script are inline, its charts and the interaction network are
inline SVG computed here, and nothing is fetched (no CDN, fonts or images). A
Content-Security-Policy in the page allows only that stylesheet and that script (by
SHA-256 hash) and no network access at all, so even markup that slipped past escaping
could neither run nor load anything.

The page holds (sections in this order):

* a summary and, when the input declared it, the AO3 metadata;
* the character table (aliases, gender, mentions, quotations, words spoken, first and
  last appearance with links into the text);
* charts: dialogue share by character, and presence of each character per scene (and
  per chapter when there are several);
* the interaction network (who speaks to whom, who shares scenes), drawn from
  :func:`ficnlp.network.build_network` with a seeded spring layout, so the same
  analysis always gives the same picture;
* the rating estimate with links to each evidence span;
* the annotated text: quotations coloured by speaker, mentions, notes, lyrics, time
  skips, chat lines and scene breaks marked. Clicking a character anywhere (table,
  chart, network, a name in the text) highlights its quotations and mentions.

**Safety.** Story text, names and metadata are always escaped (Jinja2 autoescape in the
template, :func:`markupsafe.escape` for the annotated text built here); links are made
only for ``http(s)`` URLs. **Offsets** are sliced here in Python: JavaScript indexes
strings in UTF-16 code units, so emoji would shift code-point offsets there.

Template: ``ficnlp/write/templates/report.html.j2`` with ``report.css`` and ``report.js``.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import PurePath
from typing import Any

import jinja2
import networkx as nx
from markupsafe import Markup, escape

from ficnlp.model import Analysis, Span
from ficnlp.network import build_network, scene_presence
from ficnlp.write import text_blocks
from ficnlp.write.tables import analysis_tables, word_count

__all__ = ["PALETTE", "annotated_text_html", "render_report", "report_context"]

#: Speaker colours, most talkative first: Tableau 10 without its grey, then three
#: ColorBrewer Dark2 hues; all readable as a 20 % tint behind black text. Characters past
#: the twelfth share :data:`OTHER_COLOUR`.
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#1b9e77", "#d95f02", "#7570b3",
)  # fmt: skip
OTHER_COLOUR = "#8a8a8a"

#: Most characters drawn in the network and the presence chart (by quotations, then
#: mentions); the table always lists every character.
MAX_CHART_CHARACTERS = 24
#: Most evidence spans listed in the rating section (all stay marked in the text).
MAX_EVIDENCE_LISTED = 200
#: Seed of the network's spring layout (any fixed value: it makes the drawing repeatable).
LAYOUT_SEED = 7

_NOTE_LABELS = {
    "author_note": "Author's note",
    "disclaimer": "Disclaimer",
    "summary": "Summary",
    "work_notes": "Notes",
    "work_end_notes": "End notes",
    "chapter_summary": "Chapter summary",
    "chapter_notes": "Chapter notes",
    "chapter_end_notes": "Chapter end notes",
    "preface": "Preface",
    "afterword": "Afterword",
}


# --------------------------------------------------------------------------- text


@dataclass(slots=True)
class _Ann:
    """One element to wrap around ``text[start:end]`` (split where elements cross)."""

    start: int
    end: int
    level: int  # nesting order: lower levels are outer
    tag: str
    attrs: dict[str, str]
    first_attrs: dict[str, str] = field(default_factory=dict)  # only on the first fragment (ids)
    seq: int = 0
    opened: bool = False

    def open_tag(self) -> str:
        attrs = dict(self.attrs)
        if not self.opened:
            attrs.update(self.first_attrs)
            self.opened = True
        inner = "".join(f' {k}="{escape(v)}"' for k, v in attrs.items())
        return f"<{self.tag}{inner}>"


# Nesting levels, outermost first.
_L_BLOCK, _L_LYRICS, _L_PARA, _L_LINE, _L_QUOTE, _L_EVIDENCE, _L_MENTION = range(7)


def _render_spans(text: str, anns: list[_Ann], points: dict[int, list[str]]) -> str:
    """Wrap ``text`` in the elements of ``anns``, splitting any that cross, and insert
    the ready-made HTML of ``points`` (already escaped) at their offsets."""
    for i, a in enumerate(anns):
        a.seq = i
    anns = [a for a in anns if a.end > a.start]
    bounds = sorted({0, len(text), *(a.start for a in anns), *(a.end for a in anns), *points})
    by_start: dict[int, list[_Ann]] = defaultdict(list)
    for a in anns:
        by_start[a.start].append(a)
    active: list[_Ann] = []
    stack: list[_Ann] = []
    out: list[str] = []
    for i, pos in enumerate(bounds):
        active = [a for a in active if a.end > pos]
        active.extend(by_start.get(pos, ()))
        desired = sorted(active, key=lambda a: (a.level, a.start, -a.end, a.seq))
        k = 0
        while k < len(stack) and k < len(desired) and stack[k] is desired[k]:
            k += 1
        for a in reversed(stack[k:]):
            out.append(f"</{a.tag}>")
        stack = stack[:k]
        # Point markers go after whatever ends here and outside whatever starts here
        # (stack[:k] holds only elements that started before pos).
        out.extend(points.get(pos, ()))
        for a in desired[k:]:
            out.append(a.open_tag())
            stack.append(a)
        if i + 1 < len(bounds):
            out.append(str(escape(text[pos : bounds[i + 1]])))
    for a in reversed(stack):
        out.append(f"</{a.tag}>")
    return "".join(out)


def annotated_text_html(a: Analysis, colours: dict[str, int] | None = None) -> Markup:
    """The story text as HTML with every layer marked (the report's text section).

    Elements: ``p.para`` per paragraph; ``div.note[data-kind]``; ``div.lyrics``;
    ``span.chapter-heading#chapter-N``; ``span.time-skip``; ``span.q`` per quotation
    (``data-qid``, ``data-speaker``: the speaker id or ``""``; ``id`` = quote id on its
    first fragment); ``span.q.msg`` per chat line; ``mark.ev#ev-N`` per rating evidence
    span; ``span.m[data-char]`` per mention; ``span.scene-break`` and ``span.anchor``
    (``scene-N``, ``<cid>-first``, ``<cid>-last``) at points. An element that crosses
    another's boundary is split into fragments; ids go on the first.

    Args:
        a: the analysis.
        colours: character id -> palette index (``k<N>`` classes); defaults to
            :func:`_colours` of ``a``.

    Returns:
        Safe HTML (:class:`markupsafe.Markup`); all story text in it is escaped.
    """
    text = a.text
    colours = _colours(a) if colours is None else colours
    names = {c.id: c.name for c in a.characters}

    def kcls(cid: str | None) -> str:
        return f"k{colours.get(cid, len(PALETTE))}" if cid else "unattr"

    anns: list[_Ann] = []
    for n in a.notes:
        label = _NOTE_LABELS.get(n.kind, n.kind.replace("_", " ").capitalize())
        anns.append(
            _Ann(n.span.start, n.span.end, _L_BLOCK, "div", {"class": "note", "data-kind": n.kind, "data-label": label})
        )
    for ly in a.lyrics:
        anns.append(
            _Ann(ly.span.start, ly.span.end, _L_LYRICS, "div", {"class": "lyrics", "data-label": "Lyrics / verse"})
        )
    for b in text_blocks(a):
        anns.append(_Ann(b.start, b.end, _L_PARA, "p", {"class": "para"}))
    for i, ch in enumerate(a.chapters):
        if ch.heading is not None:
            anns.append(
                _Ann(
                    ch.heading.start,
                    ch.heading.end,
                    _L_LINE,
                    "span",
                    {"class": "chapter-heading"},
                    {"id": f"chapter-{i}"},
                )
            )
    for t in a.time_skips:
        anns.append(_Ann(t.span.start, t.span.end, _L_LINE, "span", {"class": "time-skip", "title": "time skip"}))
    for b in a.scene_breaks:
        if b.end > b.start:
            anns.append(_Ann(b.start, b.end, _L_LINE, "span", {"class": "scene-break-line", "title": "scene break"}))
    for q in a.quotes:
        who = names.get(q.speaker_id, "unattributed") if q.speaker_id else "unattributed"
        to = ", ".join(names.get(x, x) for x in q.addressee_ids)
        title = f"{who}{' → ' + to if to else ''} · {q.kind} · confidence {q.confidence:.2f} · {q.id}"
        attrs = {
            "class": f"q {kcls(q.speaker_id)}",
            "data-qid": q.id,
            "data-speaker": q.speaker_id or "",
            "title": title,
        }
        anns.append(_Ann(q.span.start, q.span.end, _L_QUOTE, "span", attrs, {"id": q.id}))
    for i, msg in enumerate(a.messages):
        who = names.get(msg.speaker_id, msg.label) if msg.speaker_id else msg.label
        attrs = {
            "class": f"q msg {kcls(msg.speaker_id)}",
            "data-qid": f"msg{i}",
            "data-speaker": msg.speaker_id or "",
            "title": f"chat line · {who}",
        }
        anns.append(_Ann(msg.span.start, msg.span.end, _L_LINE, "span", attrs))
    if a.rating is not None:
        for i, e in enumerate(a.rating.evidence):
            attrs = {"class": "ev", "data-cat": e.category, "title": f"rating evidence: {e.reason} ({e.category})"}
            anns.append(_Ann(e.span.start, e.span.end, _L_EVIDENCE, "mark", attrs, {"id": f"ev-{i}"}))
    for m in a.mentions:
        attrs = {
            "class": f"m {m.kind} {kcls(m.character_id)}",
            "data-char": m.character_id,
            "title": names.get(m.character_id, m.character_id),
        }
        anns.append(_Ann(m.span.start, m.span.end, _L_MENTION, "span", attrs))

    points: dict[int, list[str]] = defaultdict(list)
    for i, s in enumerate(a.scenes):
        points[s.span.start].append(f'<span class="anchor" id="scene-{i}"></span>')
    for b in a.scene_breaks:
        if b.end == b.start:
            points[b.start].append('<span class="scene-break" role="separator" title="scene break"></span>')
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for m in a.mentions:
        first.setdefault(m.character_id, m.span.start)
        last[m.character_id] = m.span.start
    for cid, pos in first.items():
        points[pos].append(f'<span class="anchor" id="{escape(cid)}-first"></span>')
    for cid, pos in last.items():
        points[pos].append(f'<span class="anchor" id="{escape(cid)}-last"></span>')
    return Markup(_render_spans(text, anns, dict(points)))


# --------------------------------------------------------------------------- charts


def _colours(a: Analysis) -> dict[str, int]:
    """Character id -> palette index: speakers by quotations (then mentions), then the rest."""
    spoken = Counter(q.speaker_id for q in a.quotes if q.speaker_id is not None)
    ranked = sorted(a.characters, key=lambda c: (-spoken.get(c.id, 0), -c.mention_count, _id_key(c.id)))
    return {c.id: min(i, len(PALETTE)) for i, c in enumerate(ranked)}


def _id_key(cid: str) -> tuple[int, str]:
    return (int(cid[1:]), cid) if cid[1:].isdigit() else (1 << 30, cid)


def _hex_rgb(h: str) -> tuple[int, int, int]:
    return int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)


def _colour_css() -> str:
    rules = []
    for i, h in enumerate((*PALETTE, OTHER_COLOUR)):
        r, g, b = _hex_rgb(h)
        rules.append(f".k{i}{{--c:{h};--cb:rgba({r},{g},{b},.22);--cs:rgba({r},{g},{b},.55)}}")
    return "\n".join(rules) + "\n"


def _fill(k: int) -> str:
    return (*PALETTE, OTHER_COLOUR)[min(k, len(PALETTE))]


def _dialogue_chart(
    rows: list[dict[str, Any]], colours: dict[str, int], unattributed: tuple[int, int]
) -> dict[str, Any]:
    """Bars of words spoken per character (top ones), then the rest and unattributed."""
    speakers = sorted(
        (r for r in rows if r["quotations"]),
        key=lambda r: (-r["words_spoken"], -r["quotations"], _id_key(r["character_id"])),
    )
    top = speakers[:15]
    rest = speakers[15:]
    bars = [
        {
            "id": r["character_id"],
            "label": r["name"],
            "words": r["words_spoken"],
            "quotes": r["quotations"],
            "fill": _fill(colours[r["character_id"]]),
        }
        for r in top
    ]
    if rest:
        bars.append(
            {
                "id": "",
                "label": f"{len(rest)} other characters",
                "words": sum(r["words_spoken"] for r in rest),
                "quotes": sum(r["quotations"] for r in rest),
                "fill": OTHER_COLOUR,
            }
        )
    if unattributed[0]:
        bars.append(
            {"id": "", "label": "unattributed", "words": unattributed[1], "quotes": unattributed[0], "fill": "#cccccc"}
        )
    total = sum(b["words"] for b in bars) or 1
    widest = max((b["words"] for b in bars), default=0) or 1
    row_h, label_w, bar_w = 24, 180, 420
    for i, b in enumerate(bars):
        b["y"] = i * row_h
        b["w"] = round(bar_w * b["words"] / widest, 1)
        b["share"] = f"{100 * b['words'] / total:.1f}"
    return {
        "bars": bars,
        "height": max(1, len(bars)) * row_h,
        "label_w": label_w,
        "bar_w": bar_w,
        "width": label_w + bar_w + 230,
        "row_h": row_h,
    }


def _presence_chart(a: Analysis, chosen: list[str], colours: dict[str, int], by: str) -> dict[str, Any] | None:
    """A heatmap of presence (mentions + quotations) per scene or per chapter."""
    presence = scene_presence(a)
    if by == "scene":
        columns = [
            {"label": f"scene {i + 1} (chapter {s.chapter + 1})", "href": f"#scene-{i}"} for i, s in enumerate(a.scenes)
        ]
        counts = {cid: dict(presence.get(cid, {})) for cid in chosen}
    else:
        columns = [
            {
                "label": f"chapter {i + 1}" + (f": {c.title}" if c.title else ""),
                "href": f"#chapter-{i}" if c.heading else "",
            }
            for i, c in enumerate(a.chapters)
        ]
        counts = {}
        for cid in chosen:
            per: Counter[int] = Counter()
            for k, n in presence.get(cid, {}).items():
                per[a.scenes[k].chapter] += n
            counts[cid] = dict(per)
    rows = [cid for cid in chosen if counts.get(cid)]
    if not columns or not rows:
        return None
    peak = max(max(c.values()) for c in counts.values() if c)
    label_w, row_h = 170, 18
    cell_w = max(3.0, min(28.0, 760 / len(columns)))
    names = {c.id: c.name for c in a.characters}
    cells = []
    for y, cid in enumerate(rows):
        for x, n in sorted(counts[cid].items()):
            cells.append(
                {
                    "x": round(label_w + x * cell_w, 2),
                    "y": 22 + y * row_h,
                    "w": round(max(cell_w - 1, 1.0), 2),
                    "h": row_h - 2,
                    "fill": _fill(colours[cid]),
                    "opacity": f"{0.2 + 0.8 * math.sqrt(n / peak):.2f}",
                    "title": f"{names[cid]} · {columns[x]['label']}: {n} mention(s)/quotation(s)",
                    "href": columns[x]["href"],
                }
            )
    ticks = []
    if by == "scene":
        last = None
        for i, s in enumerate(a.scenes):
            if s.chapter != last:
                ticks.append({"x": round(label_w + i * cell_w, 2), "label": f"ch. {s.chapter + 1}"})
                last = s.chapter
        if len(ticks) == 1:
            ticks = [
                {"x": round(label_w + i * cell_w, 2), "label": str(i + 1)}
                for i in range(0, len(columns), max(1, len(columns) // 12))
            ]
    else:
        step = max(1, len(columns) // 16)
        ticks = [{"x": round(label_w + i * cell_w, 2), "label": str(i + 1)} for i in range(0, len(columns), step)]
    return {
        "rows": [{"id": cid, "label": names[cid], "y": 22 + y * row_h} for y, cid in enumerate(rows)],
        "cells": cells,
        "ticks": ticks,
        "width": round(label_w + len(columns) * cell_w + 10, 2),
        "height": 22 + len(rows) * row_h + 4,
        "row_h": row_h,
        "label_w": label_w,
        "columns": len(columns),
    }


def _spread(
    xy: dict[str, tuple[float, float]], radius: dict[str, float], width: float, height: float, margin: float
) -> dict[str, tuple[float, float]]:
    """Push apart nodes closer than their radii plus room for a label (deterministic)."""
    pts = {c: list(p) for c, p in xy.items()}
    ids = list(pts)
    for _ in range(60):
        moved = False
        for i, u in enumerate(ids):
            for v in ids[i + 1 :]:
                need = radius[u] + radius[v] + 34
                dx, dy = pts[v][0] - pts[u][0], pts[v][1] - pts[u][1]
                d = math.hypot(dx, dy)
                if d >= need:
                    continue
                if d < 1e-6:
                    dx, dy, d = 1.0, 0.0, 1.0
                push = (need - d) / 2
                pts[u][0] -= dx / d * push
                pts[u][1] -= dy / d * push
                pts[v][0] += dx / d * push
                pts[v][1] += dy / d * push
                moved = True
        for c in ids:
            pts[c][0] = min(max(pts[c][0], margin), width - margin)
            pts[c][1] = min(max(pts[c][1], margin * 0.6), height - margin * 0.6)
        if not moved:
            break
    return {c: (p[0], p[1]) for c, p in pts.items()}


def _network_chart(
    a: Analysis, chosen: list[str], colours: dict[str, int], rows: dict[str, dict[str, Any]]
) -> dict[str, Any] | None:
    """Node positions and edge paths of the interaction network (inline SVG)."""
    spoken = build_network(a, weight="spoke_to")
    shared = build_network(a, weight="co_scenes")
    keep = set(chosen)
    union = nx.Graph()
    for g in (spoken, shared):
        for u, v, d in g.edges(data=True):
            if u in keep and v in keep:
                w = union.get_edge_data(u, v, {"w": 0})["w"]
                union.add_edge(u, v, w=w + d["weight"])
    if union.number_of_nodes() == 0:
        return None
    nodes = sorted(union.nodes, key=lambda c: chosen.index(c))
    layout_graph = nx.Graph()
    layout_graph.add_nodes_from(nodes)
    layout_graph.add_edges_from(sorted(union.edges(), key=lambda e: (chosen.index(e[0]), chosen.index(e[1]))))
    # Unweighted, with a longer ideal edge length than networkx's default (1/sqrt(n)):
    # weighted layouts pulled the main cast into one knot in the test stories.
    pos = nx.spring_layout(layout_graph, seed=LAYOUT_SEED, weight=None, k=2.2 / math.sqrt(len(nodes)), iterations=300)
    # Square-root the distance from the centre: minor characters on the rim otherwise
    # set the scale and leave the main cast crowded in the middle.
    cx = sum(p[0] for p in pos.values()) / len(pos)
    cy = sum(p[1] for p in pos.values()) / len(pos)
    for c, p in pos.items():
        dx, dy = p[0] - cx, p[1] - cy
        rho = math.hypot(dx, dy)
        if rho > 0:
            pos[c] = (cx + dx / math.sqrt(rho), cy + dy / math.sqrt(rho))
    width, height, margin = 760, 520, 70
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    max_words = max((rows[c]["words_spoken"] for c in nodes), default=0) or 1
    radius = {c: 6 + 16 * math.sqrt(rows[c]["words_spoken"] / max_words) for c in nodes}
    xy: dict[str, tuple[float, float]] = {}
    for c in nodes:
        if len(nodes) == 1:
            xy[c] = (width / 2, height / 2)
            continue
        xy[c] = (
            margin + (pos[c][0] - min(xs)) / span_x * (width - 2 * margin),
            margin * 0.6 + (pos[c][1] - min(ys)) / span_y * (height - 1.2 * margin),
        )
    xy = _spread(xy, radius, width, height, margin)
    out_nodes = []
    for c in nodes:
        x, y = xy[c]
        r = radius[c]
        out_nodes.append(
            {
                "id": c,
                "x": round(x, 1),
                "y": round(y, 1),
                "r": round(r, 1),
                "fill": _fill(colours[c]),
                "label": rows[c]["name"],
                "title": f"{rows[c]['name']}: {rows[c]['quotations']} quotation(s), {rows[c]['words_spoken']} words spoken, {rows[c]['mentions']} mention(s)",
            }
        )
    co_edges = []
    max_co = max((d["co_scenes"] for u, v, d in shared.edges(data=True) if u in xy and v in xy), default=0) or 1
    for u, v, d in shared.edges(data=True):
        if u in xy and v in xy and _id_key(u) < _id_key(v):
            (x1, y1), (x2, y2) = xy[u], xy[v]
            co_edges.append(
                {
                    "x1": round(x1, 1),
                    "y1": round(y1, 1),
                    "x2": round(x2, 1),
                    "y2": round(y2, 1),
                    "w": round(0.6 + 3.4 * d["co_scenes"] / max_co, 2),
                    "title": f"{rows[u]['name']} and {rows[v]['name']} share {d['co_scenes']} scene(s)",
                }
            )
    speech = []
    max_sp = max((d["spoke_to"] for u, v, d in spoken.edges(data=True) if u in xy and v in xy), default=0) or 1
    for u, v, d in spoken.edges(data=True):
        if u not in xy or v not in xy:
            continue
        (x1, y1), (x2, y2) = xy[u], xy[v]
        dx, dy = x2 - x1, y2 - y1
        dist = math.hypot(dx, dy) or 1.0
        ux, uy = dx / dist, dy / dist
        # bend to the left of the direction of travel, so u→v and v→u do not overlap
        bend = min(40.0, dist * 0.18)
        mx, my = (x1 + x2) / 2 - uy * bend, (y1 + y2) / 2 + ux * bend
        sx, sy = x1 + ux * radius[u], y1 + uy * radius[u]
        # stop short of the target so the arrowhead shows
        tx, ty = x2 - ux * (radius[v] + 4), y2 - uy * (radius[v] + 4)
        k = colours[u]
        speech.append(
            {
                "d": f"M{sx:.1f},{sy:.1f} Q{mx:.1f},{my:.1f} {tx:.1f},{ty:.1f}",
                "w": round(1 + 6 * math.sqrt(d["spoke_to"] / max_sp), 2),
                "stroke": _fill(k),
                "marker": f"arrow-{min(k, len(PALETTE))}",
                "title": f"{rows[u]['name']} → {rows[v]['name']}: {d['spoke_to']} quotation(s)",
                "n": d["spoke_to"],
            }
        )
    speech.sort(key=lambda e: e["n"])
    markers = [{"id": f"arrow-{i}", "fill": h} for i, h in enumerate((*PALETTE, OTHER_COLOUR))]
    top = sorted(
        (
            {
                "source": rows[u]["name"],
                "source_id": u,
                "target": rows[v]["name"],
                "target_id": v,
                "spoke_to": d["spoke_to"],
                "co_scenes": d["co_scenes"],
            }
            for u, v, d in spoken.edges(data=True)
        ),
        key=lambda e: (-e["spoke_to"], -e["co_scenes"], _id_key(e["source_id"]), _id_key(e["target_id"])),
    )[:15]
    return {
        "width": width,
        "height": height,
        "nodes": out_nodes,
        "co_edges": co_edges,
        "speech": speech,
        "markers": markers,
        "top": top,
    }


# --------------------------------------------------------------------------- page


def _where(a: Analysis, pos: int | None) -> str:
    if pos is None:
        return ""
    ch = bisect_right([c.span.start for c in a.chapters], pos) - 1
    sc = bisect_right([s.span.start for s in a.scenes], pos) - 1
    parts = []
    if len(a.chapters) > 1 and ch >= 0:
        parts.append(f"ch. {ch + 1}")
    if sc >= 0:
        parts.append(f"scene {sc + 1}")
    return ", ".join(parts) or f"offset {pos}"


def _excerpt(text: str, span: Span, limit: int = 140) -> str:
    s = " ".join(text[span.start : span.end].split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _context(text: str, span: Span, chars: int = 40) -> tuple[str, str]:
    """A few words of text before and after ``span`` (whitespace collapsed, cut at word edges)."""
    before = (
        " ".join(text[max(0, span.start - chars) : span.start].split(" ")[1:])
        if span.start > chars
        else text[: span.start]
    )
    after = " ".join(text[span.end : span.end + chars].split(" ")[:-1])
    before = " ".join(before.split())
    after = " ".join(after.split())
    return ("…" + before + " " if before else ""), (" " + after + "…" if after else "")


def _safe_url(url: str | None) -> str | None:
    if url and re.match(r"https?://[^\s\"'<>]+$", url.strip()):
        return url.strip()
    return None


def _metadata(a: Analysis) -> list[dict[str, Any]]:
    md = a.story.metadata
    items: list[tuple[str, Any]] = [
        ("Title", md.title),
        ("Authors", ", ".join(md.authors)),
        ("Fandoms", ", ".join(md.fandoms)),
        ("Rating", md.rating),
        ("Archive warnings", ", ".join(md.warnings)),
        ("Categories", ", ".join(md.categories)),
        ("Relationships", ", ".join(r.tag for r in md.relationships)),
        ("Characters", ", ".join(md.characters)),
        ("Additional tags", ", ".join(md.additional_tags)),
        ("Language", md.language),
        ("Series", ", ".join(md.series)),
        ("Published", md.published),
        ("Updated", md.updated),
        ("Completed", md.completed),
        ("Words", f"{md.words:,}" if md.words is not None else None),
        ("Chapters", md.chapters),
        ("Summary", md.summary),
        ("Source site", md.source_site),
        *((k, v) for k, v in md.extra),
    ]
    out = [{"label": k, "value": v, "url": None} for k, v in items if v]
    if md.url:
        out.append({"label": "URL", "value": md.url, "url": _safe_url(md.url)})
    return out


def report_context(a: Analysis) -> dict[str, Any]:
    """Everything the template needs, computed from the analysis (plain data, unescaped).

    Returns:
        A dict of template variables; see ``templates/report.html.j2`` for their use.
    """
    tables = analysis_tables(a)
    rows = {r["character_id"]: r for r in tables["characters"]}
    colours = _colours(a)
    ranked = sorted(a.characters, key=lambda c: colours[c.id])
    unattr = [q for q in a.quotes if q.speaker_id is None]
    unattributed = (len(unattr), sum(word_count(a.text[q.span.start : q.span.end]) for q in unattr))
    chosen = [c.id for c in ranked if rows[c.id]["quotations"] or rows[c.id]["mentions"]][:MAX_CHART_CHARACTERS]
    work = tables["works"][0]
    characters = []
    for c in ranked:
        r = rows[c.id]
        characters.append(
            {
                **r,
                "k": min(colours[c.id], len(PALETTE)),
                "first_where": _where(a, r["first_start"]),
                "last_where": _where(a, r["last_end"] - 1 if r["last_end"] else None),
                "has_mentions": r["first_start"] is not None,
            }
        )
    rating = None
    if a.rating is not None:
        est = a.rating
        rating = {
            "estimate": est.estimate,
            "declared": est.declared or a.story.metadata.rating,
            "warnings": est.warnings,
            "advisories": est.advisories,
            "scores": [{"category": k, "value": f"{v:.2f}"} for k, v in est.scores],
            "evidence": [
                {
                    "i": i,
                    "category": e.category,
                    "reason": e.reason,
                    "excerpt": _excerpt(a.text, e.span),
                    "context": _context(a.text, e.span),
                    "where": _where(a, e.span.start),
                }
                for i, e in enumerate(est.evidence[:MAX_EVIDENCE_LISTED])
            ],
            "more": max(0, len(est.evidence) - MAX_EVIDENCE_LISTED),
            "total": len(est.evidence),
        }
    from ficnlp import __version__

    title = a.story.metadata.title or PurePath(a.story.source.path).name or "story"
    speakers = [c for c in characters if c["quotations"]]
    return {
        "title": title,
        "version": __version__,
        "source_name": PurePath(a.story.source.path).name,
        "work": work,
        "counts": {
            "words": work["words"],
            "chapters": len(a.chapters),
            "scenes": len(a.scenes),
            "quotes": len(a.quotes),
            "attributed": work["attributed_quotations"],
            "characters": len(a.characters),
            "notes": len(a.notes),
            "lyrics": len(a.lyrics),
            "time_skips": len(a.time_skips),
            "messages": len(a.messages),
            "scene_breaks": len(a.scene_breaks),
        },
        "metadata": _metadata(a),
        "characters": characters,
        "speakers": speakers,
        "other_colour": len(PALETTE),
        "dialogue": _dialogue_chart(tables["characters"], colours, unattributed),
        "presence_scenes": _presence_chart(a, chosen, colours, "scene"),
        "presence_chapters": _presence_chart(a, chosen, colours, "chapter") if len(a.chapters) > 1 else None,
        "network": _network_chart(a, chosen, colours, rows),
        "network_note": len([c for c in a.characters if rows[c.id]["quotations"] or rows[c.id]["mentions"]])
        > MAX_CHART_CHARACTERS,
        "max_chart_characters": MAX_CHART_CHARACTERS,
        "rating": rating,
        "text_html": annotated_text_html(a, colours),
    }


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("ficnlp.write", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _asset(name: str) -> str:
    return resources.files("ficnlp.write").joinpath("templates", name).read_text(encoding="utf-8")


def _csp_hash(body: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")


def render_report(a: Analysis) -> str:
    """The self-contained HTML report of an analysis (see the module docstring).

    Args:
        a: the analysis (from :func:`ficnlp.analyze` or :meth:`Analysis.from_json`).

    Returns:
        One HTML document as text. The same analysis always gives the same text.

    Raises:
        jinja2.TemplateError: only if the packaged template is broken (a bug).
    """
    css = _asset("report.css") + _colour_css()
    js = _asset("report.js")
    csp = (
        "default-src 'none'; "
        f"script-src '{_csp_hash(js)}'; style-src '{_csp_hash(css)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    ctx = report_context(a)
    return _env().get_template("report.html.j2").render(**ctx, css=Markup(css), js=Markup(js), csp=csp)
