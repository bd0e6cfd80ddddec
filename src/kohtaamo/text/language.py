"""Language of a comment: py3langid restricted to the organisation's languages, with the
survey's language deciding texts too short or too ambiguous to tell.

Whatever the text, the answer is one of the configured languages or ``"und"``
(undetermined: no letters, or no configured language the identifier knows); a text
in another language gets the closest configured one, never an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

UNDETERMINED = "und"
SHORT_TEXT = 20  # letters; below this the prior (survey language) decides
MIN_CONFIDENCE = 0.80  # normalised probability among the configured languages
SAMPLE = 300  # characters classified: enough to tell, and langid costs per byte
SURE = 0.99  # a short text this clearly in one language keeps it against the prior


@dataclass(frozen=True, slots=True)
class Detection:
    language: str
    confidence: float  # 0..1; 0 when the prior or a default decided


@lru_cache(maxsize=16)
def _identifier(languages: tuple[str, ...]) -> object | None:
    """An identifier restricted to ``languages`` (loaded once per language set)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    known = [lang for lang in languages if lang in identifier.nb_classes]
    if not known:
        return None
    if len(known) > 1:
        identifier.set_languages(known)
    return identifier if len(known) > 1 else known[0]


def set_languages(languages: Sequence[str]) -> tuple[str, ...]:
    """Normalise an organisation's language list (lowercase, unique, order kept)."""
    return tuple(dict.fromkeys(lang.strip().lower() for lang in languages if lang.strip()))


def detect(
    text: str, languages: Sequence[str] = ("fi", "en", "sv"), prior: str | None = None
) -> Detection:
    """The language of ``text`` among ``languages``; ``prior`` wins for short/unsure texts."""
    configured = set_languages(languages)
    prior = prior.lower() if prior and prior.lower() in configured else None
    letters = sum(map(str.isalpha, text))
    if letters == 0 or not configured:
        return Detection(prior or UNDETERMINED, 0.0)
    identifier = _identifier(configured)
    if identifier is None:
        return Detection(prior or UNDETERMINED, 0.0)
    if isinstance(identifier, str):  # one known language: nothing to choose
        return Detection(identifier, 1.0)
    language, confidence = identifier.classify(text[:SAMPLE])  # type: ignore[attr-defined]
    confidence = float(confidence)
    unsure = confidence < (SURE if letters < SHORT_TEXT else MIN_CONFIDENCE)
    if prior and unsure:
        return Detection(prior, 0.0 if language != prior else confidence)
    return Detection(str(language), confidence)
