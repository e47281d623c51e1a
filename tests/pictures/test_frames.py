"""Step-by-step frames: one per step, a pinned layout, the GIF and the offline HTML stepper.

The Baydin example is rendered once per mode (module-scoped fixtures); frame
counts come from the derivative pass (``n_ops + len(steps) + 2``: the primal
frames, one seed frame, one frame per step, one result frame).
"""

from __future__ import annotations

import html
import importlib.util
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import graphir as gi
from graphir.files import MANIFEST
from graphir.pictures import graphviz as draw
from graphir.pictures.frames import build_frames
from graphir.pictures.model import picture
from graphir.printing import display_number as fmt
from tests.pictures.render_helpers import graphviz_processes, needs_dot, node_geometry

BAYDIN = "ln(x1) + x1*x2 - sin(x2)"
AT = {"x1": 2.0, "x2": 5.0}
N_OPS = 5
HAVE_PILLOW = importlib.util.find_spec("PIL") is not None


def expected_frames(mode: str) -> int:
    f = gi.parse(BAYDIN)
    r = gi.reverse_pass(f) if mode == "reverse" else gi.forward_pass(f, {"x1": 1.0})
    return N_OPS + len(r.steps) + 2


def run(tmp: Path, mode: str) -> tuple[list[Path], list[str]]:
    """The paths written and the Graphviz programs started."""
    with graphviz_processes() as started:
        paths = gi.render(gi.parse(BAYDIN), tmp, at=AT, mode=mode, steps=True)
    return paths, started


@pytest.fixture(scope="module")
def reverse_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list[str]]:
    if not (draw.shutil.which("dot") and draw.shutil.which("neato")):
        pytest.skip("Graphviz is not installed")
    return run(tmp_path_factory.mktemp("reverse"), "reverse")


@pytest.fixture(scope="module")
def forward_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list[str]]:
    if not (draw.shutil.which("dot") and draw.shutil.which("neato")):
        pytest.skip("Graphviz is not installed")
    return run(tmp_path_factory.mktemp("forward"), "forward")


def of(paths: list[Path], suffix: str) -> list[Path]:
    return [p for p in paths if p.suffix == suffix]


# --------------------------------------------------------------------------- without Graphviz


def test_frame_sequence_reverse() -> None:
    pic = picture(gi.parse(BAYDIN), at=AT, mode="reverse")
    frames = build_frames(pic)
    assert len(frames) == expected_frames("reverse") == 15
    assert [f.kind for f in frames] == ["primal"] * 5 + ["seed"] + ["step"] * 8 + ["result"]
    assert [f.step for f in frames if f.kind == "step"] == pic.result.steps
    caps = [f.caption for f in frames]
    assert caps[0] == f"Primal pass: v₁ = ln v₋₁ = ln 2 = {fmt(math.log(2))}"
    assert caps[1] == "Primal pass: v₂ = v₋₁ × v₀ = 2 × 5 = 10"
    assert caps[5] == ("Reverse pass: seed the output's adjoint v̄₅ = ∂v₅/∂v₅ = 1; "
                       "adjoints flow back, arrows point from result to operand")
    c = math.cos(5.0)
    assert f"v̄₀ = v̄₃ · ∂v₃/∂v₀ = -1 · {fmt(c)} = {fmt(-c)}" in caps
    assert f"v̄₀ += v̄₂ · ∂v₂/∂v₀ = 1 · 2 = 2, so v̄₀ = {fmt(-c)} + 2 = {fmt(2 - c)}" in caps
    assert caps[-1] == f"Result: ∂f/∂x1 = v̄₋₁ = {fmt(0.5 + 5)}, ∂f/∂x2 = v̄₀ = {fmt(2 - c)}"


def test_frame_sequence_forward() -> None:
    pic = picture(gi.parse(BAYDIN), at=AT, mode="forward")
    frames = build_frames(pic)
    assert len(frames) == expected_frames("forward") == 12
    caps = [f.caption for f in frames]
    assert caps[5] == "Forward (tangent) pass: seed v̇₋₁ = 1, v̇₀ = 0 (derivative with respect to x1)"
    assert "v̇₄ += v̇₂ · ∂v₄/∂v₂ = 5 · 1 = 5, so v̇₄ = 0.5 + 5 = 5.5" in caps
    assert caps[-1] == "Result: ∂f/∂x1 = v̇₅ = 5.5"


def test_steps_show_before_plus_contribution() -> None:
    pic = picture(gi.parse(BAYDIN), at=AT, mode="reverse")
    frames = build_frames(pic)
    accumulating = [f for f in frames if f.step is not None and f.step.before is not None]
    assert len(accumulating) == 2  # v̄₀ and v̄₋₁ each get a second contribution
    for f in accumulating:
        s = f.step
        v = pic.values
        line = f"= {fmt(v[s.before])} + {fmt(v[s.contribution])} = {fmt(v[s.after])}"
        assert any(line in "".join(look.lines) for look in f.looks.values())
        # The edge of the step shows incoming · partial = contribution.
        k = [i for i, e in enumerate(pic.edges) if (e.dst, e.operand) == (s.node, s.operand)][0]
        assert f"{fmt(v[s.incoming])} · {fmt(v[s.partial])} = {fmt(v[s.contribution])}" in "".join(
            f.elooks[k].lines)


def test_tiny_expressions() -> None:
    (x,) = gi.symbols("x,")
    assert len(build_frames(picture(x, at={"x": 1}, mode="reverse"))) == 2
    frames = build_frames(picture(x * x, at={"x": 3}, mode="forward"))
    assert len(frames) == 1 + 2 + 2
    assert frames[-1].caption == "Result: ∂f/∂x = v̇₁ = 6"


# --------------------------------------------------------------------------- files


def test_files_and_counts(reverse_run: tuple[list[Path], list[str]]) -> None:
    paths, calls = reverse_run
    n = expected_frames("reverse")
    assert all(p.exists() for p in paths)
    assert [p.name for p in of(paths, ".svg")] == [f"frame_{k:03d}.svg" for k in range(n)]
    assert [p.name for p in of(paths, ".png")] == [f"frame_{k:03d}.png" for k in range(n)]
    gif = {"steps.gif"} if HAVE_PILLOW else set()
    assert {p.name for p in paths} - {p.name for p in of(paths, ".svg") + of(paths, ".png")} == {
        *gif, "stepper.html"}
    assert calls == ["dot", "neato", "neato"]  # one layout, one process for the SVGs, one for the PNGs


def test_forward_files(forward_run: tuple[list[Path], list[str]]) -> None:
    paths, calls = forward_run
    assert len(of(paths, ".svg")) == expected_frames("forward")
    assert calls == ["dot", "neato", "neato"]


_SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"\s+viewBox="([\d. -]+)"')


def test_frame_svgs_are_not_scaled(reverse_run: tuple[list[Path], list[str]]) -> None:
    """The SVG frames are drawn without a resolution: their viewBox is their size in points and
    nothing is scaled (a dpi made Graphviz write scale(1.53) beside a viewBox in points, which
    browsers clipped to the top-left 60%; the browser test sees it for real)."""
    for p in of(reverse_run[0], ".svg"):
        text = p.read_text(encoding="utf-8")
        m = _SVG_SIZE.search(text)
        assert m is not None, p.name
        x0, y0, w, h = (float(t) for t in m.group(3).split())
        assert (x0, y0) == (0.0, 0.0)
        assert abs(float(m.group(1)) - w) <= 1.0 and abs(float(m.group(2)) - h) <= 1.0, p.name
        assert "scale(1 1)" in text, p.name


def test_layout_is_pinned(reverse_run: tuple[list[Path], list[str]]) -> None:
    svgs = [p.read_text(encoding="utf-8") for p in of(reverse_run[0], ".svg")]
    geometry = [node_geometry(s) for s in svgs]
    first = geometry[0]
    assert len([k for k in first if k.isdigit()]) == 7
    for g in geometry[1:]:
        assert g == first
    # Same canvas and transform in every frame, so the coordinates mean the same place.
    heads = {re.search(r"<svg width=\"[^\"]+\" height=\"[^\"]+\"", s).group(0) for s in svgs}
    transforms = {re.search(r'class="graph" transform="([^"]+)"', s).group(1) for s in svgs}
    assert len(heads) == 1 and len(transforms) == 1
    # And the frames differ (labels and colours change).
    assert len(set(svgs)) == len(svgs)


def test_frames_are_well_formed_and_captioned(reverse_run: tuple[list[Path], list[str]]) -> None:
    frames = build_frames(picture(gi.parse(BAYDIN), at=AT, mode="reverse"))
    for p, f in zip(of(reverse_run[0], ".svg"), frames, strict=True):
        root = ET.fromstring(p.read_text(encoding="utf-8"))
        texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
        assert f.caption in texts
    for p in of(reverse_run[0], ".png"):
        assert p.read_bytes()[:4] == b"\x89PNG"


def test_gif(reverse_run: tuple[list[Path], list[str]], tmp_path: Path) -> None:
    pytest.importorskip("PIL")
    from PIL import Image, ImageSequence

    gif = [p for p in reverse_run[0] if p.suffix == ".gif"][0]
    with Image.open(gif) as im:
        durations = [fr.info["duration"] for fr in ImageSequence.Iterator(im)]
    assert len(durations) == expected_frames("reverse")
    assert durations[0] == 1200 and durations[-1] > durations[0]
    # Deterministic bytes: a second rendering writes the same GIF.
    again, _ = run(tmp_path, "reverse")
    assert [p for p in again if p.suffix == ".gif"][0].read_bytes() == gif.read_bytes()


def test_html_stepper(reverse_run: tuple[list[Path], list[str]]) -> None:
    page = [p for p in reverse_run[0] if p.name == "stepper.html"][0].read_text(encoding="utf-8")
    n = expected_frames("reverse")
    assert page.count('<figure class="gs-frame"') == n and page.count("<script>") == 1
    assert page.count("<svg") == n
    for f in build_frames(picture(gi.parse(BAYDIN), at=AT, mode="reverse")):
        assert html.escape(f.caption) in page
    for bad in ("http://", "https://", 'src="/', "<link", "<script src", "@import"):
        assert bad not in page
    for control in ('data-go="prev"', 'data-go="next"', 'data-go="play"', "ArrowRight", "ArrowLeft"):
        assert control in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # frames' SVG ids made unique


@needs_dot
def test_pdf_frames_on_request(tmp_path: Path) -> None:
    (x,) = gi.symbols("x,")
    paths = gi.render(x * x, tmp_path, at={"x": 3}, steps=True, format="pdf")
    pdfs = of(paths, ".pdf")
    assert len(pdfs) == 1 + 2 + 2 and pdfs[0].read_bytes()[:5] == b"%PDF-"


@needs_dot
@pytest.mark.parametrize(
    "fmt, extras",
    [
        ("svg", {"stepper.html"}),  # the HTML stepper is how SVG frames are stepped through
        ("png", {"steps.gif"} if HAVE_PILLOW else set()),  # the GIF is made of the PNG frames
        ("pdf", set()),
        ("dot", set()),  # each frame's DOT, laid out already (draw it with neato -n2)
    ],
)
def test_steps_write_only_the_format_asked_for(tmp_path: Path, fmt: str, extras: set[str]) -> None:
    (x,) = gi.symbols("x,")
    paths = gi.render(x * x, tmp_path, at={"x": 3}, steps=True, format=fmt)
    frames = [f"frame_{k:03d}.{fmt}" for k in range(1 + 2 + 2)]
    assert [p.name for p in paths] == frames + sorted(extras)
    # the paths returned are exactly the files written, besides the manifest
    assert set(tmp_path.iterdir()) == {*paths, tmp_path / MANIFEST}
    if fmt == "dot":
        assert paths[0].read_text(encoding="utf-8").startswith("digraph")


# A minimal DOM stand-in: runs the stepper's script under Node.js and steps through it (keys on
# the document: the page's stepper listens there).
DOM_JS = r"""
const fs = require("fs");
const n = parseInt(process.argv[3], 10);
function cls() { const s = new Set(); return { add: (c) => s.add(c), contains: (c) => s.has(c),
  toggle: (c, on) => on ? s.add(c) : s.delete(c), has: (c) => s.has(c) }; }
const frames = Array.from({ length: n }, () => ({ classList: cls() }));
const els = {};
for (const id of [".gs-slider", ".gs-counter", "play", "first", "prev", "next", "last"]) {
  els[id] = { textContent: "", value: 0 }; }
let keydown = null, timers = [];
global.document = { addEventListener: (t, f) => { if (t === "keydown") keydown = f; } };
const root = { classList: cls(), isConnected: true, ownerDocument: document,
  getAttribute: (a) => a === "data-keys" ? "page" : null, querySelectorAll: () => frames,
  querySelector: (q) => els[q.replace(/^\[data-go="(\w+)"\]$/, "$1")],
  addEventListener: () => { throw new Error("keys belong to the page"); } };
document.currentScript = { closest: () => root };
global.setInterval = (f) => { timers.push(f); return timers.length; };
global.clearInterval = () => { timers = []; };
eval(fs.readFileSync(process.argv[2], "utf8"));
const on = () => frames.findIndex((f) => f.classList.has("gs-on"));
const key = (k) => keydown({ key: k, target: document, preventDefault() {} });
const out = [on(), els[".gs-counter"].textContent];
key("ArrowRight"); key("ArrowRight"); out.push(on());
key("ArrowLeft"); out.push(on());
key("End"); out.push(on()); key("ArrowRight"); out.push(on());
els.first.onclick(); out.push(on());
els.play.onclick(); out.push(els.play.textContent); timers[0](); timers[0](); out.push(on());
els.play.onclick(); out.push(els.play.textContent);
console.log(JSON.stringify(out));
"""


def test_stepper_script_steps(reverse_run: tuple[list[Path], list[str]], tmp_path: Path) -> None:
    import json
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    page = [p for p in reverse_run[0] if p.name == "stepper.html"][0].read_text(encoding="utf-8")
    (tmp_path / "stepper.js").write_text(re.search(r"<script>(.*)</script>", page, re.S).group(1))
    (tmp_path / "dom.js").write_text(DOM_JS)
    n = expected_frames("reverse")
    out = subprocess.run([node, str(tmp_path / "dom.js"), str(tmp_path / "stepper.js"), str(n)],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    assert json.loads(out) == [0, f"1 / {n}", 2, 1, n - 1, n - 1, 0, "Pause", 2, "Play"]


@needs_dot
def test_rerender_into_same_folder_removes_stale_frames(tmp_path: Path) -> None:
    f = gi.parse(BAYDIN)
    gi.render(f, tmp_path, at=AT, steps=True)
    (x,) = gi.symbols("x,")
    paths = gi.render(x * x, tmp_path, at={"x": 3}, steps=True)
    assert sorted(p.name for p in tmp_path.glob("frame_*.svg")) == [f"frame_{k:03d}.svg" for k in range(5)]
    assert set(tmp_path.iterdir()) == {*paths, tmp_path / MANIFEST}
    (tmp_path / "file.svg").write_text("x")
    with pytest.raises(gi.RenderError, match="is a file"):
        gi.render(x * x, tmp_path / "file.svg", at={"x": 3}, steps=True)


def test_forward_direction_seed() -> None:
    pic = picture(gi.parse(BAYDIN), at=AT, mode="forward", wrt={"x1": 1, "x2": 2})
    frames = build_frames(pic)
    d = (1 / 2 + 5) * 1 + (2 - math.cos(5.0)) * 2
    assert frames[5].caption == "Forward (tangent) pass: seed v̇₋₁ = 1, v̇₀ = 2 (a direction)"
    assert frames[-1].caption == f"Result: directional derivative v̇₅ = {fmt(d)}"


def test_reverse_frames_point_back_from_the_seed_on() -> None:
    """Primal frames point forward (values flow to results); from the seed frame on, every edge
    that carries an adjoint points back to its operand, the highlighted one too."""
    pic = picture(gi.parse(BAYDIN), at=AT, mode="reverse")
    frames = build_frames(pic)
    carries = [e.partial is not None for e in pic.edges]
    for f in frames:
        dirs = [look.dir for look in f.elooks]
        if f.kind == "primal":
            assert set(dirs) == {"forward"}
        else:
            assert dirs == ["back" if c else "forward" for c in carries]
    forward = build_frames(picture(gi.parse(BAYDIN), at=AT, mode="forward"))
    assert {look.dir for f in forward for look in f.elooks} == {"forward"}


def test_forward_result_frame_shows_zero_tangent_edges() -> None:
    frames = build_frames(picture(gi.parse(BAYDIN), at=AT, mode="forward"))
    last = frames[-1]
    assert any("0 · 2 = 0" in line for look in last.elooks for line in look.lines)
    assert not any("0 · 2 = 0" in line for f in frames[:-1] for look in f.elooks for line in look.lines)


_ARROW = re.compile(r'<g id="(?:f\d+_)?(e\d+_\d+)" class="edge">.*?<polygon [^>]*points="([^"]+)"', re.S)


def _arrow_tips(svg: str) -> dict[str, tuple[float, float]]:
    """Edge id -> the middle of its arrowhead polygon (SVG coordinates)."""
    out = {}
    for m in _ARROW.finditer(svg):
        pts = [tuple(float(c) for c in p.split(",")) for p in m.group(2).split()]
        out[m.group(1)] = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
    return out


def _centres(svg: str) -> dict[str, float]:
    """Node DOT name -> the x of its centre (SVG coordinates)."""
    out = {}
    for name, shapes in node_geometry(svg).items():
        xs = []
        for tag, coords in shapes:
            if tag == "ellipse":
                xs.append(float(coords.split(",")[0]))
            elif tag in ("polygon", "path"):
                xs += [float(v) for v in re.findall(r"(-?[\d.]+),-?[\d.]+", coords)]
        if xs:
            out[name] = (min(xs) + max(xs)) / 2 if len(xs) > 1 else xs[0]
    return out


def test_drawn_arrowheads_sit_at_the_operand_in_reverse_frames(
        reverse_run: tuple[list[Path], list[str]]) -> None:
    """In the drawn SVG (left-to-right layout: operands on the left), the arrowhead of an edge
    is at its result's end in primal frames and at its operand's end from the seed frame on."""
    pic = picture(gi.parse(BAYDIN), at=AT, mode="reverse")
    ends = {e.id: (str(pic.dot_id(e.src)), str(pic.dot_id(e.dst))) for e in pic.edges}
    svgs = [p.read_text(encoding="utf-8") for p in of(reverse_run[0], ".svg")]
    centres = _centres(svgs[0])
    for k, svg in enumerate(svgs):
        tips = _arrow_tips(svg)
        assert set(tips) == set(ends), k
        for eid, (x, _) in tips.items():
            src, dst = ends[eid]
            at_operand = abs(x - centres[src]) < abs(x - centres[dst])
            assert at_operand == (k >= N_OPS), (k, eid)
