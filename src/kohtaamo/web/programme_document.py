"""The CX description as a document: the organisation's own words around the pyramid,
with what each element means at each touchpoint, the standards, the references from
other industries and today's standing, in the reader's language. The page and the PDF
render the same document."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from kohtaamo.programme.models import Benchmark, Description
from kohtaamo.programme.status import ProgrammeStatus
from kohtaamo.programme.tree import ElementNode, Pyramid
from kohtaamo.web.programme_view import MeasureRow, measure_row, pick, status_label


@dataclass
class DocStandard:
    title: str
    description: str
    touchpoints: list[str]
    team: str
    status: str
    status_label: str


@dataclass
class DocElement:
    name: str
    meaning: list[str]
    depth: int
    status: str
    status_label: str
    meanings: list[tuple[str, str]] = field(default_factory=list)  # (touchpoint, words)
    standards: list[DocStandard] = field(default_factory=list)
    measures: list[MeasureRow] = field(default_factory=list)
    references: list[str] = field(default_factory=list)


@dataclass
class Document:
    title: str
    promise: list[str]
    closing: list[str]
    elements: list[DocElement]


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def _reference(b: Benchmark) -> str:
    figure = ""
    if b.value is not None:
        figure = f" — {b.metric_label}: {b.value:g} {b.unit}".rstrip()
    return f"{b.company} ({b.industry}): {b.practice}{figure}"


def build(
    locale: str,
    words: Description,
    pyramid: Pyramid,
    status: ProgrammeStatus,
    touchpoints: dict[uuid.UUID, str],
    teams: dict[uuid.UUID, str],
) -> Document:
    elements: list[DocElement] = []

    def visit(node: ElementNode, depth: int) -> None:
        e = node.element
        standing = status.elements[e.id]
        doc = DocElement(
            name=pick(locale, e.name_fi, e.name_en),
            meaning=paragraphs(pick(locale, e.meaning_fi, e.meaning_en)),
            depth=depth,
            status=standing.value,
            status_label=status_label(locale, standing),
            meanings=[
                (touchpoints.get(m.touchpoint_id, ""), pick(locale, m.meaning_fi, m.meaning_en))
                for m in node.meanings
            ],
            measures=[measure_row(locale, m, status, touchpoints) for m in node.measures],
            references=[_reference(b) for b in node.benchmarks],
        )
        for s in node.standards:
            s_standing = status.standards[s.standard.id]
            doc.standards.append(
                DocStandard(
                    title=pick(locale, s.standard.title_fi, s.standard.title_en),
                    description=pick(locale, s.standard.description_fi, s.standard.description_en),
                    touchpoints=[touchpoints.get(t, "") for t in s.touchpoint_ids],
                    team=teams.get(s.standard.team_id, "") if s.standard.team_id else "",
                    status=s_standing.value,
                    status_label=status_label(locale, s_standing),
                )
            )
            doc.measures += [measure_row(locale, m, status, touchpoints) for m in s.measures]
            doc.references += [_reference(b) for b in s.benchmarks]
        elements.append(doc)
        for child in node.children:
            visit(child, depth + 1)

    for top in pyramid.elements:
        visit(top, 0)
    return Document(
        title=pick(locale, words.title_fi, words.title_en),
        promise=paragraphs(pick(locale, words.promise_fi, words.promise_en)),
        closing=paragraphs(pick(locale, words.closing_fi, words.closing_en)),
        elements=elements,
    )
