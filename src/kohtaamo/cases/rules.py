"""The organisation's case rules: the suggested defaults and their editing.

Rules are explicit: an organisation has none until it adds the suggested ones
(:func:`ensure_default_rules`, from the rule page, the API or the demo) or its own. The
three survey-driven defaults share the topic ``experience``: a detractor who also
scored a touchpoint below expectation and wrote a negative comment is one customer with
one problem, so they get one case whose timeline lists every trigger.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kohtaamo.accounts.models import Organisation
from kohtaamo.cases import repository as repo
from kohtaamo.cases.models import CaseRule
from kohtaamo.cases.schemas import CaseRuleIn
from kohtaamo.errors import Conflict, InvalidInput, NotFound
from kohtaamo.journeys.models import Touchpoint
from kohtaamo.storage.tenancy import require_tenant

_DEFAULT_NAMES = {
    "detractor": ("Arvostelija (NPS 0–6)", "Detractor (NPS 0–6)"),
    "expectation_gap": ("Kokemus selvästi odotusta heikompi", "Experience well below expectation"),
    "negative_comment": ("Kielteinen kommentti", "Negative comment"),
    "complaint": ("Reklamaatio", "Complaint"),
}


def default_rules(language: str = "fi") -> list[CaseRuleIn]:
    """The suggested rules, named in ``language`` (fi, else English)."""
    index = 0 if language == "fi" else 1

    def rule(
        key: str, kind: str, topic: str, priority: str, params: dict[str, object]
    ) -> CaseRuleIn:
        return CaseRuleIn.model_validate(
            {
                "key": key,
                "name": _DEFAULT_NAMES[key][index],
                "kind": kind,
                "topic": topic,
                "priority": priority,
                "params": params,
            }
        )

    return [
        rule("detractor", "detractor", "experience", "normal", {"threshold": 6}),
        rule("expectation_gap", "gap", "experience", "normal", {"threshold": 2}),
        rule("negative_comment", "negative_comment", "experience", "low", {"max_age_days": 14}),
        rule("complaint", "complaint", "complaint", "high", {}),
    ]


def ensure_default_rules(session: Session) -> list[CaseRule]:
    """Add the suggested rules the organisation does not have (by key); returns those
    added. Safe to call again, and concurrently."""
    org = session.get(Organisation, require_tenant(session))
    added = []
    for data in default_rules(org.default_locale if org else "fi"):
        if repo.rule_by_key(session, data.key) is not None:
            continue
        try:
            with session.begin_nested():
                added.append(_new(session, data))
        except IntegrityError:
            continue  # added by a concurrent call
    return added


def _new(session: Session, data: CaseRuleIn) -> CaseRule:
    rule = CaseRule(organisation_id=require_tenant(session))
    _fill(rule, data)
    session.add(rule)
    session.flush()
    return rule


def _fill(rule: CaseRule, data: CaseRuleIn) -> None:
    rule.key = data.key
    rule.name = data.name
    rule.kind = data.kind
    rule.params = dict(data.params)
    rule.topic = data.topic
    rule.priority = data.priority
    rule.active = data.active


def _check_touchpoints(session: Session, data: CaseRuleIn) -> None:
    wanted = {uuid.UUID(i) for i in data.params.get("touchpoint_ids", [])}
    if not wanted:
        return
    found = set(session.scalars(select(Touchpoint.id).where(Touchpoint.id.in_(wanted))))
    if wanted - found:
        raise InvalidInput("No such touchpoint.", field="params")


def list_rules(session: Session) -> list[CaseRule]:
    """Every rule of the organisation, by kind and key."""
    return repo.rules(session)


def get_rule(session: Session, rule_id: uuid.UUID) -> CaseRule:
    found = repo.rule(session, rule_id)
    if found is None:
        raise NotFound("No such case rule.")
    return found


def create_rule(session: Session, data: CaseRuleIn) -> CaseRule:
    """Add a rule; its key is unique in the organisation."""
    _check_touchpoints(session, data)
    if repo.rule_by_key(session, data.key) is not None:
        raise Conflict("A case rule with this key exists.", field="key")
    try:
        with session.begin_nested():
            return _new(session, data)
    except IntegrityError:
        raise Conflict("A case rule with this key exists.", field="key") from None


def update_rule(session: Session, rule_id: uuid.UUID, data: CaseRuleIn) -> CaseRule:
    """Replace a rule's settings. Cases it opened keep their topic and priority."""
    rule = get_rule(session, rule_id)
    _check_touchpoints(session, data)
    other = repo.rule_by_key(session, data.key)
    if other is not None and other.id != rule.id:
        raise Conflict("A case rule with this key exists.", field="key")
    _fill(rule, data)
    session.flush()
    return rule


def delete_rule(session: Session, rule_id: uuid.UUID) -> None:
    """Delete a rule; the cases it opened stay (no longer linked to it)."""
    session.delete(get_rule(session, rule_id))
    session.flush()
