"""The interaction network of a story: who speaks to whom, and who shares scenes.

:func:`build_network` turns an :class:`~ficnlp.model.Analysis` into a
:class:`networkx.DiGraph` that the HTML report draws and that
:mod:`ficnlp.write.graph` writes as GraphML and GEXF (Gephi opens both).

Nodes are character ids (``"c3"``) with these attributes, all plain ``str`` / ``int`` /
``bool`` so that every graph format can hold them:

    label         the canonical name (Gephi shows ``label``)
    aliases       the other names, joined with ``"; "``
    gender        referential gender (:data:`ficnlp.model.GENDERS`)
    narrator      ``True`` for the first-person narrator
    mentions      name mentions (``Character.mention_count``)
    quotations    quotations attributed to the character
    words_spoken  words inside those quotations (as in :mod:`ficnlp.write.tables`)
    scenes        scenes the character is present in (see below)

Edges ``u → v`` carry:

    spoke_to      quotations by ``u`` whose addressees include ``v`` (directed)
    co_scenes     scenes in which both ``u`` and ``v`` are present (symmetric: the
                  same value on ``u → v`` and ``v → u``)
    weight        the count chosen by ``weight=`` (``spoke_to`` by default); never 0,
                  because Gephi drops edges of weight 0 on import
    relationship  the declared AO3 relationship tags joining ``u`` and ``v``, joined
                  with ``"; "`` (``""`` when none); the tag says romantic ``A/B`` or
                  platonic ``A & B``

With ``weight="spoke_to"`` an edge exists for every speaker → addressee pair that
occurs at least once; with ``weight="co_scenes"`` for every ordered pair of
characters that share a scene. Both counts are set on every edge either way.

**Presence.** A character is present in a scene when the scene holds one of its
mentions (names, pronoun and narrator mentions alike) or one of its quotations.
Scene-level co-occurrence follows the character-network literature (Elson, Dames and
McKeown 2010, "Extracting social networks from literary fiction", ACL; Agarwal et al.
2012), which uses conversation and co-occurrence as the two kinds of tie.

**Declared relationships.** A name in an AO3 relationship tag (``Addison
Montgomery/Alex Karev``) matches a character when it equals the character's name or
an alias (case-insensitive), or else when exactly one character has a name or alias
equal to the tag name's first or last word. The tag is recorded on the edges between
every matched pair that already has an edge, and all tags are kept in
``G.graph["declared_relationships"]``; unmatched names are listed in
``G.graph["unmatched_relationship_names"]``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from typing import Literal

import networkx as nx

from ficnlp.errors import ConfigError
from ficnlp.model import Analysis, Character, Relationship

__all__ = ["WEIGHTS", "build_network", "match_declared_name", "scene_presence"]

#: The counts :func:`build_network` can use as edge weight.
WEIGHTS = ("spoke_to", "co_scenes")


def scene_presence(a: Analysis) -> dict[str, Counter[int]]:
    """How often each character appears in each scene.

    Returns:
        ``{character id: Counter({scene index: mentions + quotations in that scene})}``;
        scene indexes are 0-based positions in ``a.scenes``. Characters never present in
        any scene (or every character, when the analysis has no scenes) are absent.
    """
    starts = [s.span.start for s in a.scenes]
    out: dict[str, Counter[int]] = defaultdict(Counter)

    def scene_of(pos: int) -> int | None:
        k = bisect_right(starts, pos) - 1
        if k < 0 or pos >= a.scenes[k].span.end:
            return None
        return k

    for m in a.mentions:
        k = scene_of(m.span.start)
        if k is not None:
            out[m.character_id][k] += 1
    for q in a.quotes:
        if q.speaker_id is None:
            continue
        k = scene_of(q.span.start)
        if k is not None:
            out[q.speaker_id][k] += 1
    return dict(out)


def match_declared_name(name: str, characters: tuple[Character, ...]) -> Character | None:
    """The character a name from a declared relationship tag refers to, or ``None``.

    See the module docstring for the rule (exact name/alias first, then a unique
    first-or-last-word match).
    """
    wanted = name.strip().casefold()
    if not wanted:
        return None
    for c in characters:
        if any(n.casefold() == wanted for n in c.names):
            return c
    words = wanted.split()
    probes = {words[0], words[-1]}
    hits = [c for c in characters if not c.narrator and any(n.casefold() in probes for n in c.names)]
    return hits[0] if len(hits) == 1 else None


def _declared(a: Analysis) -> tuple[dict[frozenset[str], list[str]], list[str]]:
    pairs: dict[frozenset[str], list[str]] = defaultdict(list)
    unmatched: list[str] = []
    rels: tuple[Relationship, ...] = a.story.metadata.relationships
    for r in rels:
        ids = []
        for n in r.names:
            c = match_declared_name(n, a.characters)
            if c is None:
                unmatched.append(n)
            else:
                ids.append(c.id)
        for i, u in enumerate(ids):
            for v in ids[i + 1 :]:
                if u != v and r.tag not in pairs[frozenset((u, v))]:
                    pairs[frozenset((u, v))].append(r.tag)
    return dict(pairs), sorted(set(unmatched))


def build_network(a: Analysis, *, weight: Literal["spoke_to", "co_scenes"] = "spoke_to") -> nx.DiGraph:
    """The character network of an analysis (see the module docstring for attributes).

    Args:
        a: the analysis.
        weight: which count becomes the edge ``weight`` and decides which pairs get an
            edge: ``"spoke_to"`` (quotations addressed, directed) or ``"co_scenes"``
            (shared scenes, symmetric).

    Returns:
        A directed graph with one node per character (in id order of
        ``a.characters``) and edges sorted by (source, target) character order.
        ``G.graph`` holds ``work_id``, ``title``, ``weight`` (the name of the weight
        count), ``declared_relationships`` and ``unmatched_relationship_names``
        (both ``"; "``-joined strings).

    Raises:
        ConfigError: ``weight`` is not one of :data:`WEIGHTS`.
    """
    if weight not in WEIGHTS:
        raise ConfigError(f"unknown network weight {weight!r}: choose from {', '.join(WEIGHTS)}")
    from ficnlp.write.tables import analysis_tables

    rows = {r["character_id"]: r for r in analysis_tables(a)["characters"]}
    spoke: Counter[tuple[str, str]] = Counter()
    for q in a.quotes:
        if q.speaker_id is None:
            continue
        for ad in q.addressee_ids:
            if ad != q.speaker_id:
                spoke[(q.speaker_id, ad)] += 1
    presence = scene_presence(a)
    shared: Counter[frozenset[str]] = Counter()
    by_scene: dict[int, list[str]] = defaultdict(list)
    for cid, scenes in presence.items():
        for k in scenes:
            by_scene[k].append(cid)
    for members in by_scene.values():
        members.sort()
        for i, u in enumerate(members):
            for v in members[i + 1 :]:
                shared[frozenset((u, v))] += 1
    declared, unmatched = _declared(a)

    g = nx.DiGraph()
    g.graph.update(
        work_id=a.story.id,
        title=a.story.metadata.title or "",
        weight=weight,
        declared_relationships="; ".join(r.tag for r in a.story.metadata.relationships),
        unmatched_relationship_names="; ".join(unmatched),
    )
    order = {c.id: i for i, c in enumerate(a.characters)}
    for c in a.characters:
        g.add_node(
            c.id,
            label=c.name,
            aliases="; ".join(c.aliases),
            gender=c.gender,
            narrator=c.narrator,
            mentions=c.mention_count,
            quotations=rows[c.id]["quotations"],
            words_spoken=rows[c.id]["words_spoken"],
            scenes=len(presence.get(c.id, ())),
        )
    if weight == "spoke_to":
        pairs = [p for p, n in spoke.items() if n > 0]
    else:
        pairs = [(u, v) for p in shared for u in p for v in p if u != v]
    for u, v in sorted((p for p in pairs if p[0] in order and p[1] in order), key=lambda p: (order[p[0]], order[p[1]])):
        s = spoke[(u, v)]
        co = shared[frozenset((u, v))]
        g.add_edge(
            u,
            v,
            spoke_to=s,
            co_scenes=co,
            weight=s if weight == "spoke_to" else co,
            relationship="; ".join(declared.get(frozenset((u, v)), ())),
        )
    return g
