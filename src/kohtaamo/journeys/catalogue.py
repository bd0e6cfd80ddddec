"""Catalogues declared once: channels and factor groups, with labels in fi/en/sv.

The UI, the API (as enums) and the docs read these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Channel(StrEnum):
    ADVERTISING = "advertising"
    WEBSITE = "website"
    MOBILE_APP = "mobile_app"
    EMAIL = "email"
    SOCIAL_MEDIA = "social_media"
    PHONE = "phone"
    CHAT = "chat"
    STORE = "store"
    SALES_MEETING = "sales_meeting"
    SERVICE_DELIVERY = "service_delivery"
    DELIVERY = "delivery"
    BILLING = "billing"
    OTHER = "other"


class FactorGroup(StrEnum):
    """Constantinides (2004): what makes an expectation measurable online and off."""

    CONTENT = "content"
    FUNCTIONAL = "functional"
    PSYCHOLOGICAL = "psychological"


@dataclass(frozen=True)
class Label:
    fi: str
    en: str
    sv: str
    icon: str = ""

    def text(self, locale: str) -> str:
        return str(getattr(self, locale, self.en) or self.en)


CHANNELS: dict[Channel, Label] = {
    Channel.ADVERTISING: Label(
        "Mainonta ja brändi", "Advertising and brand", "Reklam och varumärke", "📣"
    ),
    Channel.WEBSITE: Label("Verkkosivusto", "Website", "Webbplats", "🌐"),
    Channel.MOBILE_APP: Label("Mobiilisovellus", "Mobile app", "Mobilapp", "📱"),
    Channel.EMAIL: Label("Sähköposti", "E-mail", "E-post", "✉️"),
    Channel.SOCIAL_MEDIA: Label("Sosiaalinen media", "Social media", "Sociala medier", "💬"),
    Channel.PHONE: Label("Puhelin", "Phone", "Telefon", "☎️"),
    Channel.CHAT: Label("Chat", "Chat", "Chatt", "🗨️"),
    Channel.STORE: Label(
        "Myymälä / kasvokkain", "Store / face to face", "Butik / ansikte mot ansikte", "🏬"
    ),
    Channel.SALES_MEETING: Label("Myyntitapaaminen", "Sales meeting", "Säljmöte", "🤝"),
    Channel.SERVICE_DELIVERY: Label(
        "Palvelun tuottaminen", "Service delivery", "Tjänsteleverans", "🎟️"
    ),
    Channel.DELIVERY: Label(
        "Toimitus ja logistiikka", "Delivery and logistics", "Leverans och logistik", "🚚"
    ),
    Channel.BILLING: Label("Laskutus", "Billing", "Fakturering", "🧾"),
    Channel.OTHER: Label("Muu", "Other", "Annat", "•"),
}

FACTOR_GROUPS: dict[FactorGroup, Label] = {
    FactorGroup.CONTENT: Label("Sisällölliset", "Content", "Innehåll"),
    FactorGroup.FUNCTIONAL: Label("Toiminnalliset", "Functional", "Funktionella"),
    FactorGroup.PSYCHOLOGICAL: Label("Psykologiset", "Psychological", "Psykologiska"),
}
