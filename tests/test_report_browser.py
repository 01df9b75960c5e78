"""The HTML report in a real browser: headless Chromium driven over the DevTools protocol.

Chromium is started with ``--remote-debugging-pipe`` (CDP messages on file descriptors 3
and 4, NUL-separated JSON), so no port, websocket library or browser download is
needed. ``.ci/run`` installs Debian's ``chromium`` when it runs as root; elsewhere these
tests skip with the reason. ``FICNLP_SCREENSHOT_DIR`` keeps the screenshots.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ficnlp
from ficnlp.model import Character, WorkMetadata
from ficnlp.write.report import render_report

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
#: The bundled sample story (``make demo`` analyses it too).
SAMPLE = ROOT / "src" / "ficnlp" / "data" / "sample" / "the-night-shift.txt"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)
TIMEOUT_S = 30.0


def _browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no Chromium found (install Debian's `chromium`; .ci/run does so as root)")


class Browser:
    """A minimal CDP client over Chromium's debugging pipe (one page, flat sessions)."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="ficnlp-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # Move the child's ends above fd 10 so the dup2 onto 3 and 4 cannot clobber them.
        child_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD_CLOEXEC, 10)
        for fd in (to_browser_r, from_browser_w):
            os.close(fd)

        def wire() -> None:  # runs in the child: the browser reads fd 3 and writes fd 4
            os.dup2(child_r, 3)
            os.dup2(child_w, 4)

        self.proc = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            preexec_fn=wire,  # fds 3/4 must be in place before exec; the test process is single-threaded
            close_fds=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(child_r)
        os.close(child_w)
        self._buf = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []
        self.session = ""

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: bool = True) -> dict[str, Any]:
        """Send a command and wait for its result; events that arrive meanwhile are kept."""
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))

    def _read(self, timeout: float = TIMEOUT_S) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("no message from Chromium")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed the pipe")
            self._buf += chunk
        raw, _, self._buf = self._buf.partition(b"\0")
        msg = json.loads(raw)
        if "method" in msg:
            self.events.append(msg)
            if msg["method"] == "Page.javascriptDialogOpening":
                # never leave a dialog open (it would block the page); the test fails on the event
                self.send("Page.handleJavaScriptDialog", {"accept": False})
        return dict(msg)

    def wait_for(self, method: str, timeout: float = TIMEOUT_S) -> dict[str, Any]:
        """Wait until an event of this kind has arrived (or return one already here)."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for e in self.events[seen:]:
                if e["method"] == method:
                    return e
            seen = len(self.events)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {method} event")
            self._read(left)

    def open_page(self) -> None:
        """Create a page, attach to it and enable the domains the tests watch."""
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False},
        )

    def navigate(self, url: str) -> None:
        """Load ``url`` and wait for its load event."""
        self.events.clear()
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression in the page."""
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in r:
            raise RuntimeError(f"evaluate failed: {r['exceptionDetails']}")
        return r["result"].get("value")

    def click(self, x: float, y: float) -> None:
        """A real mouse click at viewport coordinates."""
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def screenshot(self) -> bytes:
        """A PNG of the viewport."""
        return base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"])

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close", session=False)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture
def browser() -> Iterator[Browser]:
    b = Browser(_browser())
    try:
        b.open_page()
        yield b
    finally:
        b.close()


def _console_errors(events: list[dict[str, Any]]) -> list[Any]:
    bad = []
    for e in events:
        m, p = e["method"], e.get("params", {})
        if m == "Runtime.exceptionThrown":
            bad.append(p["exceptionDetails"])
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            bad.append(p)
        elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
            bad.append(p["entry"])
    return bad


def _requests(events: list[dict[str, Any]], page_url: str) -> list[str]:
    """URLs the page asked for, other than the page itself."""
    return [
        e["params"]["request"]["url"]
        for e in events
        if e["method"] == "Network.requestWillBeSent" and e["params"]["request"]["url"] != page_url
    ]


def _png_pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes) into rows of pixels."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width = 8, b"", 0
    height = colour = 0
    while pos < len(png):
        (n,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise ValueError("unsupported PNG layout")
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line) if bpp == 3 else bytes(v for k, v in enumerate(line) if k % 4 != 3))
        prev = line
    return width, height, rows


def _colour_stats(png: bytes) -> tuple[int, float]:
    """(distinct colours, share of pixels that differ from the most common colour)."""
    w, _, rows = _png_pixels(png)
    counts: dict[bytes, int] = {}
    for row in rows[::2]:
        for x in range(0, w * 3, 6):
            px = row[x : x + 3]
            counts[px] = counts.get(px, 0) + 1
    total = sum(counts.values())
    return len(counts), 1 - max(counts.values()) / total


def _keep(name: str, png: bytes, tmp_path: Path) -> Path:
    out_dir = Path(os.environ.get("FICNLP_SCREENSHOT_DIR", tmp_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    p = out_dir / name
    p.write_bytes(png)
    return p


def _sample_story() -> Path:
    if not SAMPLE.is_file():
        pytest.skip(f"the bundled sample story is missing from this checkout: {SAMPLE}")
    return SAMPLE


def test_report_browser_sample_story_renders_and_highlights(browser: Browser, tmp_path: Path) -> None:
    a = ficnlp.analyze(_sample_story())
    page = tmp_path / "report.html"
    page.write_text(render_report(a), encoding="utf-8")
    url = page.as_uri()
    browser.navigate(url)

    assert _console_errors(browser.events) == []
    assert _requests(browser.events, url) == [], "the report must not fetch anything"

    png = browser.screenshot()
    _keep("report-top.png", png, tmp_path)
    colours, ink = _colour_stats(png)
    assert colours > 50 and ink > 0.05, f"screenshot looks blank ({colours} colours, {ink:.1%} non-background)"

    # The character who speaks most: click its name in the character table.
    spoken: dict[str, set[str]] = {}
    for q in a.quotes:
        if q.speaker_id:
            spoken.setdefault(q.speaker_id, set()).add(q.id)
    cid = max(spoken, key=lambda c: (len(spoken[c]), c))
    # chat lines by the same character are highlighted with its quotations
    spoken[cid] |= {f"msg{i}" for i, m in enumerate(a.messages) if m.speaker_id == cid}
    mentions = sum(1 for m in a.mentions if m.character_id == cid)
    selector = json.dumps(f'#characters button.pick[data-pick="{cid}"]')
    browser.evaluate(f"document.querySelector({selector}).scrollIntoView({{block: 'center', behavior: 'instant'}})")
    box = browser.evaluate(
        f"(() => {{ const r = document.querySelector({selector}).getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
    )
    browser.click(*box)

    js_cid = json.dumps(cid)
    state = browser.evaluate(
        """(() => {
          const hl = [...document.querySelectorAll('#text .q.hl')];
          return {
            quotes: [...new Set(hl.map(e => e.dataset.qid))].sort(),
            speakers: [...new Set(hl.map(e => e.dataset.speaker))],
            mentions: document.querySelectorAll('#text .m.hl').length,
            otherMentions: [...document.querySelectorAll('#text .m.hl')].filter(e => e.dataset.char !== CID).length,
            unlit: [...document.querySelectorAll('#text .q:not(.hl)')].filter(e => e.dataset.speaker === CID).length,
            selecting: document.body.classList.contains('selecting'),
            bar: document.getElementById('selname').textContent,
          };
        })()""".replace("CID", js_cid)
    )
    assert state["selecting"]
    assert state["speakers"] == [cid]
    assert state["quotes"] == sorted(spoken[cid])
    assert state["unlit"] == 0
    assert state["mentions"] == mentions and state["otherMentions"] == 0
    assert state["bar"] == a.character(cid).name
    # A highlighted quotation looks different from an unselected one.
    look = browser.evaluate(
        """(() => {
          const on = document.querySelector('#text .q.hl');
          const off = document.querySelector('#text .q:not(.hl)');
          const s = e => e ? getComputedStyle(e).backgroundColor + getComputedStyle(e).boxShadow : null;
          return [s(on), s(off)];
        })()"""
    )
    assert look[0] != look[1]
    browser.evaluate("document.querySelector('#text .q.hl').scrollIntoView({block: 'center', behavior: 'instant'})")
    _keep("report-highlight.png", browser.screenshot(), tmp_path)

    # Clicking the same name again clears the highlight.
    box = browser.evaluate(
        f"(() => {{ document.querySelector({selector}).scrollIntoView({{block: 'center', behavior: 'instant'}}); const r = document.querySelector({selector}).getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
    )
    browser.click(*box)
    assert browser.evaluate("document.querySelectorAll('.hl').length") == 0
    assert _console_errors(browser.events) == []
    assert _requests(browser.events, url) == []


XSS_STORY = """The note on the door read <script>window.__xss = 1; alert(1)</script> in red ink.

"Who wrote that?" asked Mara.

"Someone who likes <img src=x onerror="window.__xss = 2; alert(2)"> tags," said Tobias. "Don't open it, Mara."

"I won't," Mara said. <svg onload="window.__xss = 3; alert(3)"></svg>
"""
EVIL_NAME = '<img src=x onerror="window.__xss = 4; alert(4)">'


def test_report_browser_story_markup_never_runs(browser: Browser, tmp_path: Path) -> None:
    a = ficnlp.analyze_text(XSS_STORY)
    # Put the payloads in a character name, an alias and the declared metadata as well.
    chars = list(a.characters)
    assert chars, "the story should have characters"
    chars[0] = Character(
        chars[0].id,
        EVIL_NAME,
        ("<script>window.__xss = 5</script>",),
        chars[0].gender,
        chars[0].narrator,
        chars[0].mention_count,
    )
    a = a.replace(
        characters=tuple(chars),
        story=_with_metadata(
            a,
            WorkMetadata(
                title="<script>window.__xss = 6</script>", url="javascript:window.__xss = 7", summary=EVIL_NAME
            ),
        ),
    )
    page = tmp_path / "xss.html"
    page.write_text(render_report(a), encoding="utf-8")
    url = page.as_uri()
    browser.navigate(url)
    # click the evil-named character and a link, to give any handler a chance to run
    browser.evaluate("document.querySelector('#characters button.pick').click()")
    browser.evaluate(
        "document.querySelectorAll('#text .q').forEach(e => e.dispatchEvent(new MouseEvent('click', {bubbles: true})))"
    )
    time.sleep(0.3)
    with contextlib.suppress(TimeoutError):
        browser.wait_for("Page.javascriptDialogOpening", timeout=0.5)

    assert not [e for e in browser.events if e["method"] == "Page.javascriptDialogOpening"]
    assert browser.evaluate("typeof window.__xss") == "undefined"
    assert (
        browser.evaluate("document.querySelectorAll('#text script, #text img, #text svg, header script').length") == 0
    )
    text = browser.evaluate("document.getElementById('text').textContent")
    assert "<script>window.__xss = 1; alert(1)</script>" in text
    assert 'onerror="window.__xss = 2; alert(2)"' in text
    assert EVIL_NAME in browser.evaluate("document.querySelector('#characters button.pick').textContent")
    assert browser.evaluate("document.title").startswith("<script>")
    assert _requests(browser.events, url) == []
    assert _console_errors(browser.events) == []


def _with_metadata(a: ficnlp.Analysis, md: WorkMetadata) -> ficnlp.Story:
    import dataclasses

    return dataclasses.replace(a.story, metadata=md)
