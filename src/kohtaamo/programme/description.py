"""The CX description's own words: one row per organisation, created with words that
tell the writer what to write. The rest of the document is generated from the pyramid
(see ``web/programme_description``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.programme.models import Description
from kohtaamo.programme.schemas import DescriptionIn

DEFAULTS = {
    "title_fi": "Asiakaskokemuskuvauksemme",
    "title_en": "Our customer experience",
    "promise_fi": "Kirjoita tähän muutamalla selkeällä kappaleella, millaisen kokemuksen "
    "haluamme jokaisen asiakkaan saavan, niin että jokainen työntekijä ymmärtää sen ja "
    "innostuu toimimaan sen mukaan.",
    "promise_en": "Write here, in a few plain paragraphs, the experience we want every "
    "customer to have, so that everyone who works here understands it and wants to act "
    "on it.",
    "closing_fi": "",
    "closing_en": "",
}


def texts(session: Session) -> Description:
    """The organisation's description row, made with the default words the first time."""
    found = session.scalar(select(Description))
    if found is None:
        found = Description(**DEFAULTS)
        session.add(found)
        session.flush()
    return found


def peek(session: Session) -> Description:
    """The words to show without writing anything (a read-only transaction)."""
    return session.scalar(select(Description)) or Description(**DEFAULTS)


def update_texts(session: Session, data: DescriptionIn, actor: Actor) -> Description:
    actor.require("programme.edit")
    row = texts(session)
    for name, value in data.model_dump().items():
        setattr(row, name, value.strip())
    row.updated_by = actor.user_id
    session.flush()
    return row
