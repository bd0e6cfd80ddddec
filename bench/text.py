"""Text analytics throughput: Finnish comments per second on one core.

Each comment gets the full pipeline (cleaning, redaction, lemmas through Voikko,
sentiment, emotions, themes) with the language given (``--lang fi``, the survey's
language) and, separately, detected among fi/en/sv. The corpus is the demo's Finnish
comment generator (every touchpoint and tone) with personal data (phone numbers,
e-mail addresses, henkilötunnus, IBANs) mixed into a tenth of the comments.

CPU time of this process is measured (comments per CPU-second = per core), so other
work on the machine does not lower the figure. Reported: the first pass (the lemma
cache starts empty) and the steady state (the cache warm, as in a running worker).
The last output line is JSON.

    .venv/bin/python bench/text.py [--comments 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time

from kohtaamo.demo.surveys_comments import SENTENCES, TONES, make_comment
from kohtaamo.text import morphology
from kohtaamo.text.analyze import analyze

EXTRAS = [
    "Soittakaa minulle numeroon 040 123 4567, kiitos.",
    "Laskun hyvitys tilille FI21 1234 5600 0007 85 ei ole vieläkään tullut.",
    "Vastaus sähköpostiin maija.meikalainen@example.fi olisi kiva.",
    "Henkilötunnukseni on 131052-308T, miksi sitä kysyttiin puhelimessa?",
]


def corpus(size: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    topics = [t for t, tones in SENTENCES.items() if all("fi" in tones.get(x, {}) for x in TONES)]
    comments = []
    for _ in range(size):
        text = make_comment(rng, rng.choice(topics), rng.choice(TONES), "fi")
        if rng.random() < 0.1:
            text += " " + rng.choice(EXTRAS)
        comments.append(text)
    return comments


def run(comments: list[str], lang: str | None) -> float:
    started = time.process_time()
    for comment in comments:
        analyze(comment, lang=lang, prior="fi")
    return len(comments) / (time.process_time() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    comments = corpus(args.comments)
    words = sum(len(c.split()) for c in comments) / len(comments)
    morphology.finnish_forms.cache_clear()
    cold = run(comments, "fi")
    warm = max(run(comments, "fi") for _ in range(args.rounds))
    detected = max(run(comments, None) for _ in range(args.rounds))
    cache = morphology.finnish_forms.cache_info()
    result = {
        "comments": len(comments),
        "words_per_comment": round(words, 1),
        "first_pass_per_s": round(cold),
        "warm_per_s": round(warm),
        "warm_detect_language_per_s": round(detected),
        "distinct_word_forms": cache.currsize,
        "target_per_s": 1000,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_1min": round(os.getloadavg()[0], 2),
    }
    print(f"{len(comments):,} Finnish comments, {words:.1f} words each")
    print(f"first pass (cold lemma cache): {cold:,.0f} comments/s")
    print(f"warm, language given:          {warm:,.0f} comments/s")
    print(f"warm, language detected:       {detected:,.0f} comments/s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
