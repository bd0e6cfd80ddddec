"""Who may be invited to a survey now: opt-outs, bounces, consent and the quiet period.

The checks run in bulk for a batch of customers (campaigns and journey triggers invite
hundreds at once); ``SKIP_REASONS`` names why a customer was passed over.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kohtaamo.journeys.models import Customer
from kohtaamo.surveys.models import SurveyInvitation, SurveyOptOut

DEFAULT_QUIET_DAYS = 30
CONSENT_KEY = "surveys"  # the consent a customer gives to be asked for feedback

# Why a customer was not invited, in the order the checks run.
SKIP_REASONS = (
    "unknown_customer",
    "no_email",
    "opted_out",
    "bounced",
    "no_consent",
    "quiet_period",
    "same_address",
    "not_sampled",
    "quota",
    "too_old",
    "survey_not_open",
)


def email_hash(email: str) -> str:
    """How an opt-out remembers an address without keeping it."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def opted_out_hashes(session: Session, emails: Iterable[str]) -> set[str]:
    hashes = list({email_hash(e) for e in emails})
    found: set[str] = set()
    for start in range(0, len(hashes), 500):
        found.update(
            session.scalars(
                select(SurveyOptOut.email_hash).where(
                    SurveyOptOut.email_hash.in_(hashes[start : start + 500])
                )
            )
        )
    return found


def bounced_emails(session: Session, emails: Iterable[str]) -> set[str]:
    """Addresses whose mail came back: not invited again until the address changes."""
    wanted = list({e.lower() for e in emails})
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(
            session.scalars(
                select(SurveyInvitation.email).where(
                    SurveyInvitation.email.in_(wanted[start : start + 500]),
                    SurveyInvitation.status == "bounced",
                )
            )
        )
    return found


def last_invited(session: Session, customer_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    """When each customer was last invited to any survey (the quiet period's clock)."""
    out: dict[uuid.UUID, datetime] = {}
    ids = list(set(customer_ids))
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(SurveyInvitation.customer_id, func.max(SurveyInvitation.created_at))
            .where(SurveyInvitation.customer_id.in_(ids[start : start + 500]))
            .group_by(SurveyInvitation.customer_id)
        )
        out.update({cid: at for cid, at in rows if cid is not None})
    return out


class Screen:
    """The checks every invitation passes, loaded in bulk for a batch of customers.

    ``consent_key=None`` asks for no consent (a trigger or campaign that says so, e.g.
    a service survey under legitimate interest); opt-outs and bounces always apply.
    Invitations made through :meth:`invited` count for the quiet period at once.
    """

    def __init__(
        self,
        session: Session,
        customers: Sequence[Customer],
        *,
        consent_key: str | None,
        quiet_days: int,
        now: datetime,
    ) -> None:
        emails = [c.email for c in customers if c.email]
        self.opted_out = opted_out_hashes(session, emails)
        self.bounced = bounced_emails(session, emails)
        self.last = last_invited(session, [c.id for c in customers])
        self.consent_key = consent_key
        self.quiet_since = now - timedelta(days=quiet_days)
        self.emails_now: set[str] = set()  # two customers sharing an address get one mail

    def reason(self, customer: Customer) -> str | None:
        """Why ``customer`` may not be invited now, or None."""
        if not customer.email:
            return "no_email"
        if email_hash(customer.email) in self.opted_out:
            return "opted_out"
        if customer.email.lower() in self.bounced:
            return "bounced"
        if self.consent_key and (customer.consents or {}).get(self.consent_key) is not True:
            return "no_consent"
        last = self.last.get(customer.id)
        if last is not None and last > self.quiet_since:
            return "quiet_period"
        if customer.email in self.emails_now:
            return "same_address"
        return None

    def invited(self, customer: Customer, at: datetime) -> None:
        self.last[customer.id] = at
        self.emails_now.add(customer.email or "")
