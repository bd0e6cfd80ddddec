"""Text analytics of open feedback, Finnish first: language, lemmas, sentiment,
emotions, themes, and personal data redacted before anything is stored or shown.

Pure modules (no database): everything here works offline on one string.

Public API (stable; other code and the evaluation set depend on it)::

    from kohtaamo.text.analyze import analyze, Analysis

    a = analyze("Henkilökunta oli ihanaa mutta jono oli kamala",
                lang=None,                      # None/"auto" = detect; or "fi"/"en"/"sv"
                languages=("fi", "en", "sv"),   # the organisation's languages
                prior="fi")                     # survey language, decides short texts
    a.language            # "fi" | "en" | "sv" | "und"
    a.redacted_text       # personal data replaced: [email] [phone] [hetu] [card] [iban]
    a.redactions          # {"email": 1, ...} counts per kind
    a.sentiment.label     # "negative" | "neutral" | "positive" | "mixed"
    a.sentiment.score     # float in [-1, 1]
    a.sentiment.words     # tuple[Contribution]: .word (as written), .lemma, .weight
                          # (signed contribution after negation/intensity/contrast), .note
    a.sentences           # tuple[SentenceResult]: .text, .start, .end, .sentiment (Sentiment)
    a.emotions            # {"joy", "trust", "surprise", "disappointment",
                          #  "frustration" (frustration/anger), "worry"} -> score in [0, 1]
    a.themes              # tuple[ThemeHit]: .key (e.g. "staff_attitude"), .group
                          # ("content"|"functional"|"psychological"|"service"),
                          # .sentiment (Sentiment of the clauses naming the theme),
                          # .lemmas (matched terms)
    a.truncated           # True when only the first 10,000 characters were analysed
    a.to_dict()           # JSON-ready dict (what `kohtaamo text analyze` prints)

Modules: ``language`` (detection), ``morphology`` (tokens and lemmas: Voikko for
Finnish, simplemma for English and Swedish), ``redact`` (personal data),
``sentiment`` and ``lexicon`` (scoring over a mergeable lexicon, so an organisation's
learned weights can be layered on the curated base), ``emotions``, ``themes`` (the
default taxonomy as editable rule data, ``test_rule``), ``analyze`` (the pipeline).
"""
