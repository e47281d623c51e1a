"""The chain rule step by step: one picture per step, on one pinned layout.

Frames, in order (``len(frames) == n_ops + len(steps) + 2``):

1. the primal pass, one frame per operation node in evaluation order (its
   value appears; inputs show their values from the first frame);
2. one *seed* frame: the output's adjoint ``v̄ = 1`` (reverse) or the input
   tangents (forward) are set;
3. one frame per :class:`~graphir.passes.chain.Step` of the derivative pass,
   edge by edge: the current edge and its two nodes are highlighted, the edge
   label shows ``incoming · partial = contribution`` and the receiving node
   ``before + contribution = after`` when it accumulates; earlier results stay;
4. one *result* frame: the derivatives, every tangent or adjoint final.

Every frame has a caption in words (also drawn under the picture).

The layout is computed once (``dot -Tjson0`` on the graph with every label at
its largest over all frames) and pinned: each frame gives every node its
position and size (``fixedsize``), every edge its spline and label position,
and all frames go through one ``neato -n2`` process per kind of output (one
for SVG/PDF, one for PNG, which alone gets a resolution).  A reader flipping
frames sees labels and colours change, never nodes move.  So a whole
step-by-step rendering costs two or three Graphviz processes.

>>> import graphir as gi
>>> from graphir.pictures.model import picture
>>> f = gi.parse("ln(x1) + x1*x2 - sin(x2)")
>>> frames = build_frames(picture(f, at={"x1": 2, "x2": 5}, mode="reverse"))
>>> len(frames)  # 5 primal + seed + 8 steps + result
15
>>> frames[10].caption
'v̄₀ = v̄₃ · ∂v₃/∂v₀ = -1 · 0.284 = -0.284'
"""

from __future__ import annotations

import io
import json
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import RenderError
from ..files import check_folder, write_folder
from ..passes.chain import Step
from ..printing import display_number, display_operand
from . import style
from .dot import Html, write_dot
from .graphviz import RASTER, finish, graphviz_args, output_format, run_graphviz
from .labels import (
    EdgeLook,
    NodeLook,
    adjoint_dir,
    colored,
    contribution_text,
    flow_text,
    fragment_lines,
    has_arrays,
    name_line,
    number,
    partial_text,
    plain,
    value_block,
    value_text,
    zero_tangent_text,
)
from .model import Picture, picture
from .style import COLORS, escape

__all__ = [
    "Frame", "build_frames", "drawn_frames", "frame_sources", "render_steps", "step_files", "Layout",
    "oriented_spline",
]

_BLANK = "&#160;"  # keeps an empty label line's height


@dataclass
class Frame:
    """One picture of the sequence: its caption, node and edge looks, and its kind
    (``"primal"``, ``"seed"``, ``"step"``, ``"result"``)."""

    caption: str
    kind: str
    looks: dict[int, NodeLook]
    elooks: list[EdgeLook]
    step: Step | None = None


# --------------------------------------------------------------------------- frames


class _Builder:
    """Walks the passes, keeping what is known so far, and makes one frame per event."""

    def __init__(self, pic: Picture):
        if pic.at is None or pic.result is None:
            raise RenderError("step-by-step pictures need a point (at=...) and a mode")
        self.pic = pic
        self.dkind = pic.deriv_kind
        self.dcolor = COLORS[self.dkind]
        self.primal: set[int] = set()
        self.deriv: dict[int, str] = {}  # node -> derivative line (plain text)
        self.done: dict[int, str] = {}  # edge index -> contribution line (plain text)
        self.derivative_phase = False
        self.edge_of = {(e.dst, e.operand): k for k, e in enumerate(pic.edges)}
        self.stepped = {self.edge_of[(s.node, s.operand)] for s in pic.result.steps}
        self.zero: dict[int, str] = {}  # forward edges that carry nothing, shown in the result frame

    # ----------------------------------------------------------------- looks
    def node_look(self, i: int, target: bool = False, source: bool = False,
                  deriv: str | None = None) -> NodeLook:
        pic = self.pic
        fill, border = COLORS[pic.kind[i]]
        lines = [name_line(pic, i)]
        if pic.kind[i] == "data":
            lines.extend(fragment_lines(value_text(pic, i)))
        elif pic.kind[i] != "const":
            shown = pic.kind[i] == "input" or i in self.primal
            lines.extend(fragment_lines(value_text(pic, i)) if shown else [_BLANK])
            d = deriv if deriv is not None else self.deriv.get(i)
            lines.extend(fragment_lines(d, self.dcolor) if d else [_BLANK])
        width = 1.2
        if target:
            fill, border, width = COLORS["current_fill"], COLORS["current_border"], 2.8
        elif source:
            border, width = COLORS["current_border"], 2.8
        return NodeLook(lines, fill, border, width)

    def edge_look(self, k: int, current: bool = False, contribution: str | None = None) -> EdgeLook:
        e = self.pic.edges[k]
        if not e.carries:
            return EdgeLook([], COLORS["const_edge"], 1.0, "dashed")
        color, width = COLORS["edge"], 1.0
        lines: list[str] = []
        if self.derivative_phase:
            if e.partial is not None:
                lines.append(colored(partial_text(self.pic, e), COLORS["partial"]))
            elif k not in self.stepped:
                lines.append(colored(flow_text(self.pic, e), COLORS["partial"]))
            if k in self.stepped:
                c = contribution if contribution is not None else self.done.get(k)
                lines.append(colored(c, self.dcolor) if c else _BLANK)
            elif k in self.zero:
                lines.append(colored(self.zero[k], COLORS["muted"]))
            if k in self.done:
                color, width = self.dcolor, 1.6
        if current:
            color, width = COLORS["current_border"], 2.8
        # Adjoints flow from result to operand: from the seed on, reverse-mode arrows point back.
        direction = adjoint_dir(self.pic, e) if self.derivative_phase else "forward"
        return EdgeLook(lines, color, width, dir=direction)

    def frame(self, caption: str, kind: str, targets: set[int] = frozenset(),  # type: ignore[assignment]
              sources: set[int] = frozenset(), edges: set[int] = frozenset(),  # type: ignore[assignment]
              deriv: Mapping[int, str] | None = None, contrib: Mapping[int, str] | None = None,
              step: Step | None = None) -> Frame:
        deriv = deriv or {}
        contrib = contrib or {}
        looks = {i: self.node_look(i, i in targets, i in sources, deriv.get(i)) for i in self.pic.nodes}
        elooks = [self.edge_look(k, k in edges, contrib.get(k)) for k in range(len(self.pic.edges))]
        return Frame(caption, kind, looks, elooks, step)

    # ----------------------------------------------------------------- passes
    def build(self) -> list[Frame]:
        frames = self.primal_frames()
        self.derivative_phase = True
        frames.append(self.seed_frame())
        frames += self.step_frames()
        frames.append(self.result_frame())
        return frames

    def primal_frames(self) -> list[Frame]:
        """One frame per operation node, in evaluation order: its value appears."""
        pic = self.pic
        v = pic.values
        frames = []
        for i in pic.op_nodes:
            self.primal.add(i)
            numbers = pic.formula(i, numbers=True)
            caption = f"Primal pass: {pic.names[i]} = {pic.formula(i)} = "
            value = number(v[i])
            caption += f"{numbers} = {value}" if numbers != value else value
            ins = {k for k, e in enumerate(pic.edges) if e.dst == i}
            frames.append(self.frame(caption, "primal", targets={i}, edges=ins))
        return frames

    def seed_frame(self) -> Frame:
        """The outputs' adjoints (reverse) or the inputs' tangents (forward) are set."""
        pic = self.pic
        r = pic.result
        assert r is not None
        v = pic.values
        seeded = []
        if pic.mode == "reverse":
            for o, s in r.seeds.items():
                if o in pic.shows_derivative:
                    self.deriv[o] = value_block(pic.name(o, 'adjoint'), v[s])
                    seeded.append(o)
            parts = [f"{pic.name(o, 'adjoint')} = {number(v[r.seeds[o]])}" for o in seeded]
            if len(pic.outputs) == 1 and seeded:
                o = seeded[0]
                caption = (f"Reverse pass: seed the output's adjoint {pic.name(o, 'adjoint')} = "
                           f"∂{pic.names[o]}/∂{pic.names[o]} = {number(v[r.seeds[o]])}; "
                           f"adjoints flow back, arrows point from result to operand")
            elif seeded:
                caption = ("Reverse pass: seed the outputs' adjoints " + ", ".join(parts)
                           + "; adjoints flow back, arrows point from result to operand")
            else:
                caption = "Reverse pass: nothing to do, no output depends on the variables"
        else:
            inputs = [i for i in pic.nodes if pic.kind[i] == "input"]
            parts = []
            for i in inputs:
                s = r.seeds.get(i)
                val = 0.0 if s is None else v[s]
                self.deriv[i] = value_block(pic.name(i, 'tangent'), val)
                parts.append(f"{pic.name(i, 'tangent')} = {number(val)}")
                if np.any(val != 0.0):
                    seeded.append(i)
            about = f" (derivative with respect to {pic.wrt[0]})" if pic.unit_seed else " (a direction)"
            caption = "Forward (tangent) pass: seed " + ", ".join(parts) + about
        return self.frame(caption, "seed", targets=set(seeded))

    def step_frames(self) -> list[Frame]:
        """One frame per step of the derivative pass, edge by edge."""
        pic = self.pic
        r = pic.result
        assert r is not None
        v = pic.values
        frames = []
        for s in r.steps:
            k = self.edge_of[(s.node, s.operand)]
            e = pic.edges[k]
            contribution = contribution_text(pic, s)
            t = pic.name(s.target, self.dkind)
            if pic.mode == "reverse":
                incoming, other = pic.name(s.node, "adjoint"), s.node
            else:
                incoming, other = pic.name(s.arg, "tangent"), s.arg
            pname = pic.partial_name(e) + (f" (operand {e.operand + 1})" if e.repeated else "")
            product = f"{incoming} · {pname} = {contribution}"
            after = number(v[s.after])
            if has_arrays(pic, e):
                product = contribution if e.partial is None else f"{contribution} (∂ = {pname})"
                caption = f"{t} {'=' if s.before is None else '+='} {product}"
                if s.before is not None:
                    caption += f", so {t} = {after}"
                line = value_block(t, v[s.after])
            elif s.before is None:
                caption = f"{t} = {product}"
                line = f"{t} = {after}"
            else:
                sum_text = f"{display_number(v[s.before])} + {display_operand(v[s.contribution])} = {after}"
                caption = f"{t} += {product}, so {t} = {sum_text}"
                line = f"{t} = {sum_text}"
            frames.append(self.frame(caption, "step", targets={s.target}, sources={other}, edges={k},
                                     deriv={s.target: line}, contrib={k: contribution}, step=s))
            self.done[k] = contribution
            self.deriv[s.target] = value_block(t, v[s.after])
        return frames

    def result_frame(self) -> Frame:
        """Every tangent/adjoint final (missing ones are zero)."""
        pic = self.pic
        r = pic.result
        assert r is not None
        for i in pic.nodes:
            if i in pic.shows_derivative:
                d = r.derivative_of(i)
                value = 0.0 if d is None else pic.values[d]
                self.deriv[i] = value_block(pic.name(i, self.dkind), value)
        for k, e in enumerate(pic.edges):
            zero = None if k in self.stepped else zero_tangent_text(pic, e)
            if zero is not None:
                self.zero[k] = zero
        return self.frame(self.result_caption(), "result", sources=self.result_nodes())

    def result_nodes(self) -> set[int]:
        pic = self.pic
        if pic.mode == "reverse":
            return {i for i in pic.nodes if pic.kind[i] == "input" and pic.graph.params[i] in pic.wrt}
        return set(pic.outputs)

    def result_caption(self) -> str:
        pic = self.pic
        r = pic.result
        assert r is not None

        def val(i: int) -> str:
            d = r.derivative_of(i)
            return number(0.0 if d is None else pic.values[d])

        g = pic.graph
        parts = []
        if pic.mode == "reverse":
            for i in pic.nodes:
                if pic.kind[i] != "input" or g.params[i] not in pic.wrt:
                    continue
                if len(pic.outputs) == 1:
                    parts.append(f"∂{pic.output_name}/∂{g.params[i]} = {pic.name(i, 'adjoint')} = {val(i)}")
                else:
                    parts.append(f"{pic.name(i, 'adjoint')} = {val(i)} ({g.params[i]})")
        elif pic.wrt:
            for o in pic.outputs:
                if o not in pic.num:
                    continue
                f = pic.output_name if len(pic.outputs) == 1 else pic.names[o]
                if pic.unit_seed:
                    parts.append(f"∂{f}/∂{pic.wrt[0]} = {pic.name(o, 'tangent')} = {val(o)}")
                else:
                    parts.append(f"directional derivative {pic.name(o, 'tangent')} = {val(o)}")
        if not parts:
            return "Result: no derivatives (nothing depends on the variables)"
        return "Result: " + ", ".join(parts)


def build_frames(pic: Picture) -> list[Frame]:
    """The frames of ``pic`` (which needs ``at`` and a mode); see the module docstring."""
    return _Builder(pic).build()


# --------------------------------------------------------------------------- layout


def _widest(candidates: list[str]) -> str:
    """The candidate label line that is widest on paper (first one on ties)."""
    best, width = candidates[0], -1.0
    for c in candidates:
        w = style.text_width(plain(c)) * (1.08 if "<B>" in c else 1.0)
        if w > width:
            best, width = c, w
    return best


def _widest_lines(all_lines: list[list[str]]) -> list[str]:
    n = max((len(x) for x in all_lines), default=0)
    return [_widest([x[k] for x in all_lines if len(x) > k]) for k in range(n)]


@dataclass
class Layout:
    """Pinned positions (points) and sizes (inches) from one Graphviz layout."""

    node_pos: dict[int, tuple[str, str, str]]  # node id -> (pos, width, height)
    edge_pos: list[tuple[str, str | None]]  # per edge: (spline pos, label pos)
    bb: tuple[float, float, float, float]
    caption_pos: tuple[float, float]
    caption_size: tuple[float, float]  # inches
    cluster_pos: list[dict[str, str]]  # per group of pic.groups: its box (bb) and label position (lp)


def _caption_html(caption: str, width_pt: float) -> Html:
    return Html(
        f'<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0" WIDTH="{int(width_pt)}">'
        f'<TR><TD ALIGN="LEFT">{escape(caption)}</TD></TR></TABLE>'
    )


def compute_layout(pic: Picture, frames: list[Frame], page: style.Page = style.DEFAULT_PAGE) -> Layout:
    """Lay the graph out once, every label at its largest over ``frames`` (one ``dot`` call)."""
    looks = {
        i: NodeLook(_widest_lines([f.looks[i].lines for f in frames]), "white", "black")
        for i in pic.nodes
    }
    elooks = [
        EdgeLook(_widest_lines([f.elooks[k].lines for f in frames]), "black",
                 dir="both" if any(f.elooks[k].dir == "back" for f in frames) else "forward")
        for k in range(len(pic.edges))
    ]
    caption = _widest([escape(f.caption) for f in frames])
    src = write_dot(pic, looks, elooks, graph_label=caption, page=page)
    data = json.loads(run_graphviz(["dot", "-Tjson0"], src.encode("utf-8")).decode("utf-8"))
    by_name = {o["name"]: o for o in data.get("objects", [])}
    node_pos = {}
    for i in pic.nodes:
        o = by_name[str(pic.dot_id(i))]
        node_pos[i] = (o["pos"], o["width"], o["height"])
    by_id = {e["id"]: e for e in data.get("edges", [])}
    edge_pos = [(by_id[e.id]["pos"], by_id[e.id].get("lp")) for e in pic.edges]
    bb = tuple(float(x) for x in data["bb"].split(","))
    lx, ly = (float(x) for x in data["lp"].split(","))
    lw, lh = float(data["lwidth"]), float(data["lheight"])
    clusters = [{k: by_name[f"cluster_{n}"][k] for k in ("bb", "lp") if k in by_name[f"cluster_{n}"]}
                for n in range(len(pic.groups))]
    return Layout(node_pos, edge_pos, bb, (lx, ly), (lw, lh), clusters)  # type: ignore[arg-type]


def frame_sources(pic: Picture, frames: list[Frame], layout: Layout,
                  page: style.Page = style.DEFAULT_PAGE) -> list[str]:
    """One DOT graph per frame, every position pinned (input for ``neato -n2``)."""
    node_extra = {
        i: {"pos": f"{p}!", "width": w, "height": h, "fixedsize": "true"}
        for i, (p, w, h) in layout.node_pos.items()
    }
    def edge_extra(f: Frame) -> list[dict[str, str]]:
        out = []
        for (pos, lp), look in zip(layout.edge_pos, f.elooks, strict=True):
            d = {"pos": oriented_spline(pos, look.dir)}
            if lp is not None:
                d["lp"] = lp
            out.append(d)
        return out

    x0, y0, x1, y1 = layout.bb
    lw, lh = layout.caption_size
    cw = max(lw * 72.0, x1 - x0 - 8.0)
    cx = x0 + 4.0 + cw / 2.0
    cy = layout.caption_pos[1]
    out = []
    for f in frames:
        extra = [
            f'  caption [shape=none, margin=0, style="", pos="{cx:.2f},{cy:.2f}!", '
            f"width={(int(cw) + 2) / 72.0:.3f}, "
            f'height={lh + 0.1:.3f}, fixedsize=true, fontsize={page.size(style.CAPTION_FONT_SIZE)}, '
            f"label=<{_caption_html(f.caption, cw)}>];",
            f'  corner0 [shape=point, style=invis, width=0.01, height=0.01, pos="{x0:.2f},{y0:.2f}!"];',
            f'  corner1 [shape=point, style=invis, width=0.01, height=0.01, pos="{x1:.2f},{y1:.2f}!"];',
        ]
        out.append(write_dot(pic, f.looks, f.elooks, node_extra=node_extra, edge_extra=edge_extra(f),
                             extra=extra, rankdir=False, page=page, cluster_extra=layout.cluster_pos))
    return out


def oriented_spline(pos: str, direction: str) -> str:
    """A pinned edge spline (Graphviz ``pos``) with an arrowhead at one end only.

    A layout laid out with ``dir=both`` leaves room for an arrowhead at each end
    (``s,x,y`` and ``e,x,y``).  For a frame that draws one arrowhead, the other end
    is carried on to the node's border by a straight segment, so the line touches
    the node: ``direction`` ``"forward"`` keeps the head's arrow, ``"back"`` the tail's.

    >>> oriented_spline("s,0,0 e,9,0 1,0 3,0 5,0 7,0", "forward")
    'e,9,0 0,0 0,0 1,0 1,0 3,0 5,0 7,0'
    >>> oriented_spline("s,0,0 e,9,0 1,0 3,0 5,0 7,0", "back")
    's,0,0 1,0 3,0 5,0 7,0 7,0 9,0 9,0'
    >>> oriented_spline("e,9,0 1,0 3,0 5,0 7,0", "forward")
    'e,9,0 1,0 3,0 5,0 7,0'
    """
    tokens = pos.split()
    start = next((t[2:] for t in tokens if t.startswith("s,")), None)
    end = next((t[2:] for t in tokens if t.startswith("e,")), None)
    points = [t for t in tokens if not t.startswith(("s,", "e,"))]
    if direction == "forward" and start is not None:
        head = [f"e,{end}"] if end is not None else []
        return " ".join([*head, start, start, points[0], *points])
    if direction == "back" and end is not None:
        tail = [f"s,{start}"] if start is not None else []
        return " ".join([*tail, *points, points[-1], end, end])
    return pos


# --------------------------------------------------------------------------- files


def page_title(pic: Picture) -> str:
    """``f = ln(x1) + x1*x2 - sin(x2) at x1 = 2, x2 = 5``: what the frames show."""
    from ..build import Expr
    from ..printing import to_text

    exprs = "; ".join(to_text(Expr(pic.graph, o), limit=160) for o in pic.outputs)
    if len(pic.outputs) == 1:
        exprs = f"{pic.output_name} = {exprs}"
    return f"{exprs} at {pic.point_text()}, step by step"


def _gif(pngs: list[bytes]) -> bytes | None:
    """The animated GIF of the PNG frames (None, with a warning, without Pillow)."""
    try:
        from PIL import Image
    except ImportError:
        warnings.warn("Pillow is not installed: no animated GIF written (pip install pillow)", stacklevel=4)
        return None
    images = []
    for data in pngs:
        with Image.open(io.BytesIO(data)) as im:
            images.append(im.convert("RGB"))
    w = max(im.width for im in images)
    h = max(im.height for im in images)
    frames = []
    for im in images:
        if im.size != (w, h):
            canvas = Image.new("RGB", (w, h), "white")
            canvas.paste(im, (0, 0))
            im = canvas
        frames.append(im.quantize(colors=255, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE))
    durations = [style.FRAME_MS] * (len(frames) - 1) + [style.LAST_FRAME_MS]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0,
                   optimize=False, disposal=1)
    return out.getvalue()


#: The frame formats ``render_steps`` writes for each ``format`` (None: the default set).
STEP_FORMATS: dict[str | None, tuple[str, ...]] = {
    None: ("svg", "png"),
    "svg": ("svg",),
    "png": ("png",),
    "pdf": ("pdf",),
    "dot": ("dot",),
}


def render_steps(
    expr: Any,
    folder: str | Path,
    at: Mapping[Any, Any] | None,
    mode: str = "reverse",
    wrt: Any = None,
    *,
    format: str | None = None,  # the name graphir.render uses; shadows the builtin here only
    max_nodes: int | None = style.MAX_NODES,
    overwrite: bool = False,
    name: str | None = None,
    page: style.Page = style.DEFAULT_PAGE,
    cleanup: bool | None = None,
) -> list[Path]:
    """Write the frames of ``expr`` into ``folder`` (see :func:`graphir.render`).

    ``format`` decides the files (``frame_000.svg``, ``frame_001.svg``, ...):

    * ``None`` (default): SVG and PNG frames, ``steps.gif`` (when Pillow is
      installed) and ``stepper.html``;
    * ``"svg"``: SVG frames and ``stepper.html``, the page that steps through them;
    * ``"png"``: PNG frames and ``steps.gif`` (when Pillow is installed);
    * ``"pdf"``: PDF frames;
    * ``"dot"``: each frame's DOT source, laid out already (``neato -n2 -Tsvg`` draws it).

    ``folder`` is written under the rule of :mod:`graphir.files`: it must be
    missing, empty or written by graphir (else :class:`~graphir.OutputError`,
    unless ``overwrite=True``); files of an earlier rendering into it that this
    one does not write are removed, no other file.  Returns exactly the paths
    written (besides the manifest).  ``page`` sets direction, font size and PNG
    resolution (:func:`graphir.pictures.style.page`), and ``compact``; ``cleanup`` as in
    :func:`graphir.to_dot` (the expression drawn; the pass's steps are shown as they run).
    """
    if at is None:
        raise RenderError("steps=True needs a point: pass at={'x': 2, ...}")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise RenderError(f"steps=True writes a folder of frames, but {str(folder)!r} is a file")
    check_folder(folder, overwrite)
    files = step_files(expr, at, mode, wrt, format=format, max_nodes=max_nodes, name=name, page=page,
                       cleanup=cleanup)
    return write_folder(folder, files, overwrite)


def step_files(
    expr: Any,
    at: Mapping[Any, Any],
    mode: str = "reverse",
    wrt: Any = None,
    *,
    format: str | None = None,  # the name graphir.render uses; shadows the builtin here only
    max_nodes: int | None = style.MAX_NODES,
    name: str | None = None,
    page: style.Page = style.DEFAULT_PAGE,
    cleanup: bool | None = None,
) -> dict[str, bytes]:
    """The files :func:`render_steps` writes, by name (frames in order, then the GIF and the stepper).

    >>> import graphir as gi
    >>> sorted(step_files(gi.parse("x*x"), {"x": 3}, format="dot"))  # doctest: +SKIP
    ['frame_000.dot', 'frame_001.dot', 'frame_002.dot', 'frame_003.dot', 'frame_004.dot']
    """
    fmt = None if format is None else output_format(Path(f"x.{format}"), format)
    if fmt not in STEP_FORMATS:
        known = ", ".join(k for k in STEP_FORMATS if k)
        raise RenderError(f"no frames in format {fmt!r}: write one of {known}")
    formats = STEP_FORMATS[fmt]
    pic, frames, files = drawn_frames(expr, at, mode, wrt, formats=formats, max_nodes=max_nodes, name=name,
                                      page=page, cleanup=cleanup)
    if "png" in formats:
        gif = _gif([data for name, data in files.items() if name.endswith(".png")])
        if gif is not None:
            files["steps.gif"] = gif
    if "svg" in formats:
        svgs = [data.decode("utf-8") for name, data in files.items() if name.endswith(".svg")]
        files["stepper.html"] = _stepper(pic, frames, svgs)
    return files


def drawn_frames(
    expr: Any,
    at: Mapping[Any, Any],
    mode: str = "reverse",
    wrt: Any = None,
    *,
    formats: tuple[str, ...] = ("svg",),
    max_nodes: int | None = style.MAX_NODES,
    name: str | None = None,
    page: style.Page = style.DEFAULT_PAGE,
    cleanup: bool | None = None,
) -> tuple[Picture, list[Frame], dict[str, bytes]]:
    """The picture, its frames (captions and all) and their files ``frame_NNN.<format>``, in order."""
    pic = picture(expr, at, mode, wrt, max_nodes, name=name, compact=page.compact, cleanup=cleanup)
    frames = build_frames(pic)
    sources = frame_sources(pic, frames, compute_layout(pic, frames, page), page)
    return pic, frames, _frame_files(sources, formats, page.dpi)


def _frame_files(
    sources: list[str], formats: tuple[str, ...], dpi: float = style.PNG_DPI
) -> dict[str, bytes]:
    """``frame_NNN.<format>`` for every frame and format, in frame order (one Graphviz
    process for the vector formats, one for PNG: only PNG is drawn at ``PNG_DPI``)."""
    if formats == ("dot",):
        return {f"frame_{k:03d}.dot": source.encode("utf-8") for k, source in enumerate(sources)}
    files: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        gv = Path(tmp) / "frames.gv"
        gv.write_text("".join(sources), encoding="utf-8")
        vector = tuple(f for f in formats if f not in RASTER)
        raster = tuple(f for f in formats if f in RASTER)
        for group in (vector, raster):
            if group:
                run_graphviz(["neato", "-n2", *graphviz_args(*group, dpi=dpi), "-O", gv.name], b"", cwd=tmp)
        for k in range(len(sources)):
            for f in formats:
                src = Path(tmp) / (f"frames.gv.{f}" if k == 0 else f"frames.gv.{k + 1}.{f}")
                if not src.exists():
                    raise RenderError(f"Graphviz wrote no frame {k} ({f})")
                data = src.read_bytes()
                files[f"frame_{k:03d}.{f}"] = finish(data, f)
    return files


def _stepper(pic: Picture, frames: list[Frame], svgs: list[str]) -> bytes:
    """``stepper.html``: one offline page that steps through the SVG frames."""
    from .html import stepper_html
    from .svg import picture_words

    text = stepper_html(svgs, [f.caption for f in frames], page_title(pic), pic.mode or "",
                        description=picture_words(pic)[1])
    return text.encode("utf-8")
