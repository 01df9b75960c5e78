"""The character network: speaker → addressee counts, shared scenes, declared relationships."""

from __future__ import annotations

import pytest

from ficnlp.errors import ConfigError
from ficnlp.model import (
    Analysis,
    Character,
    Mention,
    Quote,
    Relationship,
    Scene,
    SourceRef,
    Span,
    Story,
    WorkMetadata,
)
from ficnlp.network import build_network, match_declared_name, scene_presence

# Three scenes. Scene 0: Ann and Bo talk (Ann → Bo twice, Bo → Ann once). Scene 1: Ann
# speaks to Cy; Bo is mentioned. Scene 2: only Cy. Dee never appears in a scene.
TEXT = (
    '"Hi, Bo," said Ann. "Again," Ann said. "Hello," said Bo.'
    "\n\n\n"
    '"Cy, come here," Ann said. Bo slept.'
    "\n\n\n"
    "Cy walked home."
)


def _span(sub: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(sub, start + 1)
    return Span(start, start + len(sub))


def small_analysis(relationships: tuple[Relationship, ...] = ()) -> Analysis:
    s1 = TEXT.index('"Cy, come')
    s2 = TEXT.index("Cy walked")
    story = Story(
        id="0123456789abcdef",
        text=TEXT,
        source=SourceRef(path="<text>", format="txt", sha256="0" * 64),
        metadata=WorkMetadata(title="Small", relationships=relationships),
    )
    characters = (
        Character("c0", "Ann Lee", ("Ann",), "she/her", False, 3),
        Character("c1", "Bo", (), "he/him", False, 3),
        Character("c2", "Cy", (), "unknown", False, 2),
        Character("c3", "Dee", (), "unknown", False, 0),
    )
    mentions = tuple(
        sorted(
            (
                Mention(_span("Bo", 0), "c1"),
                Mention(_span("Ann", 0), "c0"),
                Mention(_span("Ann", 1), "c0"),
                Mention(_span("Bo", 1), "c1"),
                Mention(_span("Cy", 0), "c2"),
                Mention(_span("Ann", 2), "c0"),
                Mention(_span("Bo", 2), "c1"),
                Mention(_span("Cy", 1), "c2"),
            ),
            key=lambda m: m.span.start,
        )
    )
    quotes = (
        Quote("q0", _span('"Hi, Bo,"'), "c0", ("c1",), "explicit", 0.9),
        Quote("q1", _span('"Again,"'), "c0", ("c1",), "explicit", 0.9),
        Quote("q2", _span('"Hello,"'), "c1", ("c0",), "explicit", 0.9),
        Quote("q3", _span('"Cy, come here,"'), "c0", ("c2",), "explicit", 0.9),
    )
    return Analysis(
        story=story,
        scenes=(Scene(Span(0, s1 - 3), 0), Scene(Span(s1, s2 - 3), 0), Scene(Span(s2, len(TEXT)), 0)),
        characters=characters,
        mentions=mentions,
        quotes=quotes,
    )


def test_network_spoke_to_edges_count_quotations() -> None:
    g = build_network(small_analysis())
    assert g.is_directed()
    assert sorted(g.edges(data="spoke_to")) == [("c0", "c1", 2), ("c0", "c2", 1), ("c1", "c0", 1)]
    for _, _, d in g.edges(data=True):
        assert d["weight"] == d["spoke_to"] > 0


def test_network_co_scenes_counts_shared_scenes() -> None:
    g = build_network(small_analysis(), weight="co_scenes")
    # Ann and Bo share scenes 0 and 1; Ann and Cy scene 1; Bo and Cy scene 1.
    assert g["c0"]["c1"]["co_scenes"] == g["c1"]["c0"]["co_scenes"] == 2
    assert g["c0"]["c2"]["co_scenes"] == 1 and g["c1"]["c2"]["co_scenes"] == 1
    assert g["c0"]["c1"]["weight"] == 2 and g["c0"]["c1"]["spoke_to"] == 2
    assert g["c2"]["c1"]["spoke_to"] == 0
    assert "c3" in g and g.degree("c3") == 0


def test_network_node_attributes_describe_characters() -> None:
    g = build_network(small_analysis())
    assert list(g.nodes) == ["c0", "c1", "c2", "c3"]
    ann = g.nodes["c0"]
    assert ann == {
        "label": "Ann Lee",
        "aliases": "Ann",
        "gender": "she/her",
        "narrator": False,
        "mentions": 3,
        "quotations": 3,
        "words_spoken": 6,
        "scenes": 2,
    }
    assert g.nodes["c2"]["scenes"] == 2 and g.nodes["c3"]["scenes"] == 0
    assert g.graph["work_id"] == "0123456789abcdef" and g.graph["title"] == "Small"


def test_network_scene_presence_counts_mentions_and_quotations() -> None:
    p = scene_presence(small_analysis())
    assert p["c0"] == {0: 4, 1: 2}  # 2 mentions + 2 quotations, 1 mention + 1 quotation
    assert p["c2"] == {1: 1, 2: 1}
    assert "c3" not in p


def test_network_declared_relationships_on_matching_edges() -> None:
    rels = (
        Relationship("Ann Lee/Bo Smith", "romantic", ("Ann Lee", "Bo Smith")),
        Relationship("Cy & Zed", "platonic", ("Cy", "Zed")),
    )
    g = build_network(small_analysis(rels))
    assert g["c0"]["c1"]["relationship"] == "Ann Lee/Bo Smith"
    assert g["c1"]["c0"]["relationship"] == "Ann Lee/Bo Smith"
    assert g["c0"]["c2"]["relationship"] == ""
    assert g.graph["declared_relationships"] == "Ann Lee/Bo Smith; Cy & Zed"
    assert g.graph["unmatched_relationship_names"] == "Zed"


def test_network_match_declared_name_needs_a_unique_match() -> None:
    chars = small_analysis().characters
    assert match_declared_name("ann lee", chars).id == "c0"  # type: ignore[union-attr]
    assert match_declared_name("Bo Smith", chars).id == "c1"  # type: ignore[union-attr]
    assert match_declared_name("Zed", chars) is None
    twins = (Character("c0", "Sam Reed"), Character("c1", "Sam Cole"))
    assert match_declared_name("Sam Smith", twins) is None


def test_network_unknown_weight_raises() -> None:
    with pytest.raises(ConfigError, match="spoke_to"):
        build_network(small_analysis(), weight="words")  # type: ignore[arg-type]


def test_network_without_scenes_has_no_co_presence() -> None:
    a = small_analysis().replace(scenes=())
    g = build_network(a, weight="co_scenes")
    assert g.number_of_edges() == 0
    assert build_network(a).number_of_edges() == 3
