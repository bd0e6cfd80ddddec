"""The survey invitation e-mail and its reminder, in the respondent's language.

Built like the account e-mails (``accounts/invitations.py``): plain text from
translated sentences, so every wording is a msgid the translators see. The survey's
own title comes from its definition, in the invitation's language.
"""

from __future__ import annotations

from kohtaamo.i18n import gettext
from kohtaamo.mail.backends import EmailMessageData
from kohtaamo.surveys.definition import SurveyDefinition, text_in


def survey_invitation_message(
    *,
    to: str,
    language: str,
    organisation: str,
    definition: SurveyDefinition,
    survey_link: str,
    optout_link: str,
    valid_days: int,
    reminder: bool,
) -> EmailMessageData:
    """The e-mail that carries a personal survey link and an opt-out link."""
    lang = language
    title = text_in(definition.title, lang, definition.default_language)
    if reminder:
        subject = gettext(lang, "Reminder: %(title)s", title=title)
        opening = gettext(
            lang,
            "A few days ago %(org)s asked for your opinion. If you have a moment, "
            "we would still very much like to hear it.",
            org=organisation,
        )
    else:
        subject = gettext(lang, "%(org)s asks: %(title)s", org=organisation, title=title)
        opening = gettext(
            lang,
            "%(org)s would like to hear how things went. Answering takes a few minutes.",
            org=organisation,
        )
    lines = [
        gettext(lang, "Hello,"),
        "",
        opening,
        "",
        title,
        survey_link,
        "",
        gettext(
            lang,
            "The link is personal: please do not forward it. It works until you have "
            "answered, for %(days)s days.",
            days=valid_days,
        ),
        "",
        gettext(lang, "Thank you!"),
        organisation,
        "",
        "--",
        gettext(lang, "No more surveys by e-mail from %(org)s:", org=organisation),
        optout_link,
    ]
    return EmailMessageData((to,), subject, "\n".join(lines) + "\n")
