"""The directly-follows graph as a picture: a layout computed here, drawn as SVG by a
template (``journeys/_graph.html``), so it shows without JavaScript and prints as is.

Touchpoints are boxes in columns, left to right in the order customers meet them: a
journey's stages are its columns; without a journey, columns come from the longest
path through the graph's heaviest edges (back edges, such as loops back to customer
service, are drawn as arcs below). Only the heaviest edges are drawn, so the picture
stays readable; the page says how many it leaves out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kohtaamo.journeys.paths import Edge

NODE_W = 168
NODE_H = 48
COL_GAP = 96
ROW_GAP = 36
PAD = 30
MAX_EDGES = 28
LABELS = 14


@dataclass(frozen=True)
class Node:
    key: str
    name: str
    icon: str
    x: float
    y: float
    customers: int
    critical: bool

    @property
    def cx(self) -> float:
        return self.x + NODE_W / 2


@dataclass(frozen=True)
class Arrow:
    path: str  # SVG path data
    width: float
    label: str
    label_x: float
    label_y: float
    title: str
    back: bool


@dataclass(frozen=True)
class Graph:
    width: float
    height: float
    nodes: list[Node]
    arrows: list[Arrow]
    node_w: int
    node_h: int
    hidden_edges: int


@dataclass(frozen=True)
class NodeInfo:
    name: str
    icon: str
    customers: int
    critical: bool


def layout(
    edges: Sequence[Edge],
    info: Callable[[str], NodeInfo],
    edge_label: Callable[[Edge], tuple[str, str]],
    columns: dict[str, int] | None = None,
    order: dict[str, int] | None = None,
) -> Graph:
    """Place the heaviest edges' touchpoints and route the arrows between them.

    ``columns`` fixes each touchpoint's column (a journey's stage) and ``order`` its row
    within it; otherwise both are derived from the edges. ``edge_label`` gives the
    short label drawn on an arrow and its longer tooltip.
    """
    shown = list(edges[:MAX_EDGES])
    keys: list[str] = []
    for e in shown:
        for k in (e.source, e.target):
            if k not in keys:
                keys.append(k)
    if not keys:
        return Graph(0, 0, [], [], NODE_W, NODE_H, len(edges))
    col = dict(columns) if columns else _longest_path_columns(keys, shown)
    for k in keys:
        col.setdefault(k, max(col.values(), default=-1) + 1)
    # Keep empty columns out: squeeze column numbers to 0..n-1.
    used = sorted({col[k] for k in keys})
    squeeze = {c: i for i, c in enumerate(used)}
    by_col: dict[int, list[str]] = defaultdict(list)
    for k in keys:
        by_col[squeeze[col[k]]].append(k)
    weight: dict[str, int] = defaultdict(int)
    for e in shown:
        weight[e.source] += e.count
        weight[e.target] += e.count
    nodes: dict[str, Node] = {}
    rows = max(len(v) for v in by_col.values())
    for c, members in by_col.items():
        if order:
            members.sort(key=lambda k: (order.get(k, 10_000), -weight[k]))
        else:
            members.sort(key=lambda k: -weight[k])
        for r, k in enumerate(members):
            meta = info(k)
            nodes[k] = Node(
                k,
                meta.name,
                meta.icon,
                PAD + c * (NODE_W + COL_GAP),
                PAD + r * (NODE_H + ROW_GAP),
                meta.customers,
                meta.critical,
            )
    width = PAD * 2 + len(by_col) * NODE_W + (len(by_col) - 1) * COL_GAP
    body_h = rows * NODE_H + (rows - 1) * ROW_GAP
    top = max((e.count for e in shown), default=1)
    # Label only the heavier arrows; every arrow keeps its numbers in a tooltip.
    labelled = {id(e) for e in sorted(shown, key=lambda e: -e.count)[:LABELS]}
    arrows = []
    back_rows = 0
    for e in shown:
        a, b = nodes[e.source], nodes[e.target]
        label, title = edge_label(e)
        stroke = 1.2 + 5.5 * (e.count / top) ** 0.7
        path, lx, ly, back = _route(a, b, body_h)
        if back and a is not b:
            back_rows += 1
            depth = PAD + body_h + 14 + 16 * back_rows
            path, lx, ly = _under(a, b, depth)
        shown_label = label if id(e) in labelled else ""
        arrows.append(Arrow(path, round(stroke, 1), shown_label, lx, ly, title, back))
    height = PAD * 2 + body_h + (16 * back_rows + 30 if back_rows else 0)
    hidden = len(edges) - len(shown)
    return Graph(width, height, list(nodes.values()), arrows, NODE_W, NODE_H, hidden)


def _route(a: Node, b: Node, body_h: float) -> tuple[str, float, float, bool]:
    """An arrow from ``a`` to ``b``: forward between columns, or around within one."""
    if a is b:  # a repeat: a small loop over the box
        x, y = a.x + NODE_W - 34, a.y
        path = (
            f"M{x:.1f},{y:.1f} C{x:.1f},{y - 22:.1f} "
            f"{x + 24:.1f},{y - 22:.1f} {x + 24:.1f},{y - 4:.1f}"
        )
        return path, x + 12, y - 14, True
    if b.x > a.x:
        x1, y1 = a.x + NODE_W, a.y + NODE_H / 2
        x2, y2 = b.x - 2, b.y + NODE_H / 2
        bend = (x2 - x1) / 2
        path = (
            f"M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} "
            f"{x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
        )
        return path, (x1 + x2) / 2, (y1 + y2) / 2 - 4, False
    if b.x == a.x:
        # Within a stage: a bow out to the right of the column, into the box's right side.
        down = b.y > a.y
        x = a.x + NODE_W
        y1 = a.y + NODE_H * (0.7 if down else 0.3)
        y2 = b.y + NODE_H * (0.3 if down else 0.7)
        reach = 26 + 8 * abs(b.y - a.y) / (NODE_H + ROW_GAP)
        path = (
            f"M{x:.1f},{y1:.1f} C{x + reach:.1f},{y1:.1f} "
            f"{x + reach:.1f},{y2:.1f} {x + 2:.1f},{y2:.1f}"
        )
        return path, x + reach * 0.75 + 4, (y1 + y2) / 2 + 4, False
    return "", 0.0, 0.0, True


def _under(a: Node, b: Node, depth: float) -> tuple[str, float, float]:
    """Back to an earlier column: an arc under the picture, bottom to bottom."""
    x1, y1 = a.cx - 12, a.y + NODE_H
    x2, y2 = b.cx + 12, b.y + NODE_H + 2
    path = f"M{x1:.1f},{y1:.1f} C{x1:.1f},{depth:.1f} {x2:.1f},{depth:.1f} {x2:.1f},{y2:.1f}"
    lowest = 0.125 * (y1 + y2) + 0.75 * depth  # the curve at t = 1/2
    return path, (x1 + x2) / 2, lowest + 13


def _longest_path_columns(keys: list[str], edges: Sequence[Edge]) -> dict[str, int]:
    """Columns by the longest path from a source, over an acyclic subset of the edges.

    Edges are taken heaviest first and one is skipped when it would close a cycle, so
    the main flow runs left to right and loops become back edges.
    """
    succ: dict[str, set[str]] = defaultdict(set)

    def reaches(start: str, goal: str) -> bool:
        seen, stack = {start}, [start]
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            for nxt in succ[node] - seen:
                seen.add(nxt)
                stack.append(nxt)
        return False

    for e in sorted(edges, key=lambda e: -e.count):
        if e.source != e.target and not reaches(e.target, e.source):
            succ[e.source].add(e.target)
    col = dict.fromkeys(keys, 0)
    # Relax len(keys) times: enough for the longest simple path in an acyclic graph.
    for _ in range(len(keys)):
        changed = False
        for src, targets in succ.items():
            for dst in targets:
                if col[dst] < col[src] + 1:
                    col[dst] = col[src] + 1
                    changed = True
        if not changed:
            break
    return col
