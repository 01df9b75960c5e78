"""The HTML report, checked statically: self-contained, escaped, offsets sliced in Python."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import ficnlp
from ficnlp.cli import main
from ficnlp.model import Character, Relationship, Span, WorkMetadata
from ficnlp.write.report import _Ann, _render_spans, annotated_text_html, render_report

ROOT = Path(__file__).resolve().parents[1]
STORY = ROOT / "tests" / "data" / "stories" / "lighthouse.txt"
VOID = {"meta", "link", "br", "hr", "img", "input", "source", "wbr", "area", "base", "col", "embed", "track"}
SVG_VOID_OK = {"path", "rect", "circle", "line"}  # written with explicit end tags in the template


class Page(HTMLParser):
    """Collects tags, attributes, nesting errors, the text of #text and of each quotation."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.errors: list[str] = []
        self.text_parts: list[str] = []
        self.quote_text: dict[str, list[str]] = {}
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._raw: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        d = dict(attrs)
        self.tags.append((tag, d))
        if tag in VOID:
            return
        self.stack.append((tag, d))
        if tag in ("script", "style"):
            self._raw = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        self.stack.pop()
        self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw == "script":
            self.scripts.append(data)
        elif self._raw == "style":
            self.styles.append(data)
        if any(t == "div" and a.get("id") == "text" for t, a in self.stack):
            self.text_parts.append(data)
            for t, a in self.stack:
                if t == "span" and "q" in (a.get("class") or "").split():
                    self.quote_text.setdefault(a["data-qid"] or "", []).append(data)


def parse(html: str) -> Page:
    p = Page()
    p.feed(html)
    p.close()
    return p


@pytest.fixture(scope="module")
def lighthouse() -> ficnlp.Analysis:
    return ficnlp.analyze(STORY)


@pytest.fixture(scope="module")
def lighthouse_html(lighthouse: ficnlp.Analysis) -> str:
    return render_report(lighthouse)


def test_report_is_deterministic(lighthouse: ficnlp.Analysis, lighthouse_html: str) -> None:
    assert render_report(lighthouse) == lighthouse_html


def test_report_is_well_formed_and_self_contained(lighthouse_html: str) -> None:
    page = parse(lighthouse_html)
    assert page.errors == [] and page.stack == []
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), f"inline handler on <{tag}>"
            if name in ("src", "href", "xlink:href", "action", "poster", "srcset"):
                assert value is not None
                assert value.startswith("#") or value.startswith("url(#") or value == "data:,", (
                    f"<{tag} {name}={value!r}>"
                )
        assert tag not in ("img", "iframe", "object", "embed", "link") or attrs.get("href") == "data:,"
    scripts = [a for t, a in page.tags if t == "script"]
    assert len(scripts) == 1 and "src" not in scripts[0]
    css = "".join(page.styles)
    assert "@import" not in css and not re.search(r"url\(", css), "the stylesheet must not fetch anything"
    assert "http://" not in "".join(page.scripts) and "https://" not in "".join(page.scripts)


def test_report_csp_pins_the_inline_script_and_style(lighthouse_html: str) -> None:
    page = parse(lighthouse_html)
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and "default-src 'none'" in csp

    def digest(s: str) -> str:
        return "sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()

    assert f"script-src '{digest(''.join(page.scripts))}'" in csp
    assert f"style-src '{digest(''.join(page.styles))}'" in csp
    # the CSP meta comes before any script or style
    assert lighthouse_html.index("Content-Security-Policy") < lighthouse_html.index("<style>")


def test_report_text_keeps_every_character(lighthouse: ficnlp.Analysis, lighthouse_html: str) -> None:
    page = parse(lighthouse_html)
    assert "".join(page.text_parts) == lighthouse.text


def test_report_quotations_sliced_in_python_with_emoji() -> None:
    story = '🌊🌊🌊 Surf. 🐚\n\n"Look 🦀🦀 there," said Ivo. "No 🎩," Wren said.\n\n"Fine 👍🏽," Ivo told Wren.\n'
    a = ficnlp.analyze_text(story)
    assert a.quotes
    page = parse(render_report(a))
    for q in a.quotes:
        assert "".join(page.quote_text[q.id]) == a.text[q.span.start : q.span.end]
    assert "".join(page.text_parts) == a.text


def test_report_sections_and_links_resolve(lighthouse: ficnlp.Analysis, lighthouse_html: str) -> None:
    page = parse(lighthouse_html)
    ids = {a["id"] for _, a in page.tags if a.get("id")}
    for section in ("summary", "characters", "dialogue", "presence", "network", "rating", "story", "text"):
        assert section in ids
    hrefs = {a["href"] for _, a in page.tags if (a.get("href") or "").startswith("#")}
    missing = {h for h in hrefs if h[1:] not in ids}
    assert missing == set()
    # every character has a row; every quotation, scene and evidence span an anchor
    picks = {a["data-pick"] for t, a in page.tags if t == "button" and a.get("data-pick")}
    assert picks == {c.id for c in lighthouse.characters}
    assert {q.id for q in lighthouse.quotes} <= ids
    assert {f"scene-{i}" for i in range(len(lighthouse.scenes))} <= ids
    assert lighthouse.rating is not None
    assert {f"ev-{i}" for i in range(len(lighthouse.rating.evidence))} <= ids
    assert {f"#ev-{i}" for i in range(len(lighthouse.rating.evidence))} <= hrefs
    # quotations carry their speaker; mentions their character
    speakers = {a["data-qid"]: a["data-speaker"] for t, a in page.tags if t == "span" and a.get("data-qid")}
    assert speakers == {q.id: q.speaker_id or "" for q in lighthouse.quotes}
    mentions = [a["data-char"] for t, a in page.tags if t == "span" and a.get("data-char")]
    assert len(mentions) == len(lighthouse.mentions)
    # the network is drawn, and its busiest pair is listed
    assert lighthouse_html.count('class="node"') >= 2
    assert "Rating estimate" in lighthouse_html and lighthouse.rating.estimate in lighthouse_html


def test_report_marks_notes_time_skips_and_scene_breaks(lighthouse: ficnlp.Analysis) -> None:
    text = lighthouse.text
    note_end = text.index("\n")
    skip = text.index("Three hours later.")
    stars = text.index("* * *")
    a = lighthouse.replace(
        notes=(ficnlp.Note(Span(0, note_end), "author_note"),),
        time_skips=(ficnlp.TimeSkip(Span(skip, skip + len("Three hours later."))),),
        scene_breaks=(Span(stars, stars + 5), Span(skip, skip)),
    )
    page = parse(render_report(a))
    assert page.errors == []
    classes = [(t, set((attrs.get("class") or "").split()), attrs) for t, attrs in page.tags]
    notes = [attrs for t, c, attrs in classes if t == "div" and "note" in c]
    assert [(n["data-kind"], n["data-label"]) for n in notes] == [("author_note", "Author's note")]
    assert sum("time-skip" in c for _, c, _ in classes) == 1
    assert sum("scene-break-line" in c for _, c, _ in classes) == 1
    assert sum("scene-break" in c for _, c, _ in classes) == 1
    assert "".join(page.text_parts) == a.text


def test_report_links_rating_evidence(lighthouse: ficnlp.Analysis) -> None:
    start = lighthouse.text.index("bad news")
    ev = ficnlp.Evidence(Span(start, start + len("bad news")), "mild_language", "test reason")
    rating = ficnlp.Rating("Teen And Up Audiences", ("No Archive Warnings Apply",), ("strong language",), (ev,))
    html = render_report(lighthouse.replace(rating=rating))
    page = parse(html)
    marks = [attrs for t, attrs in page.tags if t == "mark" and attrs.get("id") == "ev-0"]
    assert len(marks) == 1 and marks[0]["data-cat"] == "mild_language"
    assert any(t == "a" and attrs.get("href") == "#ev-0" for t, attrs in page.tags)
    assert "Teen And Up Audiences" in html and "test reason" in html


def test_report_marks_lyrics() -> None:
    a = ficnlp.analyze(STORY)
    start = a.text.index("Oh the light")
    end = a.text.index("once more") + len("once more")
    a = a.replace(lyrics=(ficnlp.Lyrics(Span(start, end)),))
    page = parse(annotated_text_html(a))
    lyr = [attrs for t, attrs in page.tags if t == "div" and "lyrics" in (attrs.get("class") or "")]
    assert len(lyr) == 1 and page.errors == []


def test_report_shows_declared_metadata_only_when_present(lighthouse: ficnlp.Analysis, lighthouse_html: str) -> None:
    assert 'id="metadata"' not in lighthouse_html
    import dataclasses

    md = WorkMetadata(
        title="The Lighthouse Keeper",
        authors=("wren_writes",),
        rating="Teen And Up Audiences",
        relationships=(Relationship("Mara/Tobias", "romantic", ("Mara", "Tobias")),),
        url="https://archiveofourown.org/works/1",
    )
    a = lighthouse.replace(story=dataclasses.replace(lighthouse.story, metadata=md))
    html = render_report(a)
    assert 'id="metadata"' in html
    for s in ("The Lighthouse Keeper", "wren_writes", "Mara/Tobias", "Teen And Up Audiences"):
        assert s in html
    assert 'href="https://archiveofourown.org/works/1"' in html


XSS = '<script>alert(1)</script> and <img src=x onerror=alert(2)> and <a href="javascript:alert(3)">x</a>'


def test_report_escapes_story_text_names_and_metadata() -> None:
    import dataclasses

    a = ficnlp.analyze_text(f'The sign said {XSS}.\n\n"Who put it there?" asked Mara. "Not me," said Tobias.\n')
    chars = list(a.characters)
    chars[0] = dataclasses.replace(chars[0], name=XSS, aliases=("<b onmouseover=alert(4)>",))
    md = WorkMetadata(title=XSS, summary=XSS, url="javascript:alert(5)", additional_tags=(XSS,))
    a = a.replace(characters=tuple(chars), story=dataclasses.replace(a.story, metadata=md))
    html = render_report(a)
    page = parse(html)
    assert page.errors == []
    assert [t for t, _ in page.tags].count("script") == 1
    assert not [t for t, _ in page.tags if t in ("img", "a") and t == "img"]
    for tag, attrs in page.tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert not any((v or "").lower().startswith("javascript:") for v in attrs.values()), (tag, attrs)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "".join(page.text_parts) == a.text


def test_report_render_spans_splits_crossing_elements() -> None:
    text = "abcdefghij"
    anns = [
        _Ann(0, 10, 0, "p", {"class": "p"}),
        _Ann(2, 6, 1, "span", {"class": "a"}, {"id": "A"}),
        _Ann(4, 8, 2, "mark", {"class": "b"}, {"id": "B"}),
    ]
    html = _render_spans(text, anns, {5: ['<span class="pt"></span>']})
    assert html == (
        '<p class="p">ab<span class="a" id="A">cd<mark class="b" id="B">e<span class="pt"></span>f</mark></span>'
        '<mark class="b">gh</mark>ij</p>'
    )
    page = parse(html)
    assert page.errors == [] and page.stack == []


def test_report_cli_writes_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.html"
    assert main(["report", str(STORY), "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html == render_report(ficnlp.analyze(STORY))
    assert main(["report", str(STORY), "-o", str(out)]) == 2  # exists: needs --force
    assert "--force" in capsys.readouterr().err
    saved = tmp_path / "a.json"
    saved.write_text(ficnlp.analyze(STORY).to_json(), encoding="utf-8")
    assert main(["report", str(saved), "-o", str(out), "--force"]) == 0
    assert out.read_text(encoding="utf-8") == html


def test_report_analyze_html_option(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    assert main(["analyze", str(STORY), "--html", str(out), "-q"]) == 0
    assert 'id="text"' in out.read_text(encoding="utf-8")


def test_report_handles_a_story_without_dialogue() -> None:
    a = ficnlp.analyze_text("The sea was calm. Nobody spoke at all that day.\n\nThe end.\n")
    html = render_report(a)
    page = parse(html)
    assert page.errors == []
    assert "".join(page.text_parts) == a.text


def test_report_character_with_odd_id_is_escaped(lighthouse: ficnlp.Analysis) -> None:
    c = lighthouse.characters[0]
    odd = Character('c0"><script>', c.name, c.aliases, c.gender, c.narrator, c.mention_count)
    a = lighthouse.replace(characters=(odd, *lighthouse.characters[1:]))
    html = render_report(a)
    assert '"><script>' not in html
    assert parse(html).errors == []
