"""The pyramid read whole, in a handful of queries: elements with their sub-elements,
standards (with their touchpoints), measures, references and meanings, and the actions.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.programme.models import (
    Action,
    Benchmark,
    Element,
    ElementTouchpoint,
    Measure,
    Standard,
    StandardTouchpoint,
)


@dataclass
class StandardNode:
    standard: Standard
    touchpoint_ids: list[uuid.UUID] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    benchmarks: list[Benchmark] = field(default_factory=list)


@dataclass
class ElementNode:
    element: Element
    children: list[ElementNode] = field(default_factory=list)
    standards: list[StandardNode] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)  # on the element, not a standard
    benchmarks: list[Benchmark] = field(default_factory=list)
    meanings: list[ElementTouchpoint] = field(default_factory=list)

    def walk(self) -> list[ElementNode]:
        """This node and every node below it, depth first."""
        return [self, *(n for child in self.children for n in child.walk())]


@dataclass
class Pyramid:
    elements: list[ElementNode]  # the top level, by position
    actions: list[Action]

    def nodes(self) -> list[ElementNode]:
        return [n for top in self.elements for n in top.walk()]

    def standards(self) -> list[StandardNode]:
        return [s for n in self.nodes() for s in n.standards]

    def measures(self) -> list[Measure]:
        return [
            *(m for n in self.nodes() for m in n.measures),
            *(m for s in self.standards() for m in s.measures),
        ]


def load_pyramid(session: Session) -> Pyramid:
    elements = list(session.scalars(select(Element).order_by(Element.position, Element.name_en)))
    nodes = {e.id: ElementNode(e) for e in elements}
    standards = {
        s.id: StandardNode(s) for s in session.scalars(select(Standard).order_by(Standard.title_en))
    }
    for link in session.scalars(select(StandardTouchpoint)):
        standards[link.standard_id].touchpoint_ids.append(link.touchpoint_id)
    for standard_node in standards.values():
        nodes[standard_node.standard.element_id].standards.append(standard_node)
    for measure in session.scalars(select(Measure).order_by(Measure.name_en)):
        if measure.standard_id is not None and measure.standard_id in standards:
            standards[measure.standard_id].measures.append(measure)
        else:
            nodes[measure.element_id].measures.append(measure)
    for benchmark in session.scalars(select(Benchmark).order_by(Benchmark.company)):
        if benchmark.standard_id is not None:
            standards[benchmark.standard_id].benchmarks.append(benchmark)
        elif benchmark.element_id is not None:
            nodes[benchmark.element_id].benchmarks.append(benchmark)
    meanings: dict[uuid.UUID, list[ElementTouchpoint]] = defaultdict(list)
    for meaning in session.scalars(select(ElementTouchpoint)):
        meanings[meaning.element_id].append(meaning)
    top: list[ElementNode] = []
    for element in elements:
        node = nodes[element.id]
        node.meanings = meanings[element.id]
        if element.parent_id is None or element.parent_id not in nodes:
            top.append(node)
        else:
            nodes[element.parent_id].children.append(node)
    actions = list(session.scalars(select(Action).order_by(Action.number)))
    return Pyramid(top, actions)
