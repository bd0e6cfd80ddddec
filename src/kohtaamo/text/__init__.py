"""Text analytics of open feedback, Finnish first: language, lemmas, sentiment,
emotions, themes, and personal data redacted before anything is stored or shown."""
