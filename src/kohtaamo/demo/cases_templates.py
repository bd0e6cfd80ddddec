"""The demo's message templates and the messages its handlers sent with them.

Organisations start from the built-in templates (:func:`kohtaamo.cases.templates.
default_templates`); :func:`install_templates` adds the one change each demo organisation
made, a more personal acknowledgement in its own language, so the template editor shows
an edited template beside the defaults. :func:`renderer` fills an organisation's
templates (its own, else the default) for a demo case, as the case page prefills the
message a handler then sends.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.cases import templates
from kohtaamo.cases.models import MessageTemplate
from kohtaamo.demo.cases_story import Render
from kohtaamo.journeys.models import Touchpoint
from kohtaamo.storage.tenancy import require_tenant

# The line each demo organisation added to its acknowledgement, by language.
PERSONAL_TOUCH = {
    "fi": "Vastaan tästä asiasta itse, kunnes se on hoidettu.",
    "en": "I will look after this myself until it has been put right.",
}


def install_templates(session: Session, language: str) -> MessageTemplate:
    """Store the organisation's edited acknowledgement in ``language``."""
    default = templates.default_templates()[("acknowledge", language)]
    closing = "\n\n" + default.body.rsplit("\n\n", 1)[-1]  # the greeting and signature
    body = default.body.removesuffix(closing) + "\n\n" + PERSONAL_TOUCH[language] + closing
    templates.validate(body)
    row = MessageTemplate(
        organisation_id=require_tenant(session),
        key="acknowledge",
        language=language,
        subject=default.subject,
        body=body,
    )
    session.add(row)
    session.flush()
    return row


def renderer(session: Session, organisation: str) -> Render:
    """Fill the organisation's templates for a demo case: (subject, body).

    ``values["touchpoint"]`` comes as the touchpoint's key and is shown by its name in
    the customer's language."""
    own = {(t.key, t.language): t for t in session.scalars(select(MessageTemplate))}
    defaults = templates.default_templates()
    names = {
        t.key: {"fi": t.name_fi, "en": t.name_en, "sv": t.name_sv or t.name_en}
        for t in session.scalars(select(Touchpoint))
    }

    def render(key: str, language: str, values: dict[str, str]) -> tuple[str, str]:
        chosen = own.get((key, language)) or defaults[(key, language)]
        filled = dict(values, organisation=organisation)
        filled["touchpoint"] = names.get(values["touchpoint"], {}).get(language, "")
        subject = templates.fill(chosen.subject, filled, field="subject")
        return subject.replace("\n", " "), templates.fill(chosen.body, filled)

    return render
