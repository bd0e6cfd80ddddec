"""Clause-level rules that read what a comment reports, not only its evaluative words.

``contributions`` (sentiment.py) weighs the lexicon's polar words; these rules then
adjust that list with what customers state as facts (the cue words are in
``data/modifiers.json`` under ``cues``):

- **missing**: a negated expected service event or item ("never called back", "ei
  ilmoittanut", "no updates", "ilmoittamatta") is a complaint, unless the negation
  was about a polar word after it ("didn't arrive late");
- **someone else waiting**: waiting for the customer ("the driver waited for me",
  "kuljettaja odotti minua") is not the customer's wait;
- **duration**: a waiting/taking verb with a time unit in its clause is a long wait
  ("took 45 minutes", "kesti kuusi viikkoa"), or a short one with a brief word
  ("only five minutes", "vain viisi minuuttia"); an awaited event with a brief word
  and a time unit came soon ("replied within an hour");
- **resolution**: a problem reported as fixed ("the fault was fixed", "ongelma
  ratkesi") is good news: the problem words of the resolver's clause piece count
  nothing and the resolver counts positive;
- **before and now**: an evaluation marked as past ("used to be good", "ennen hyvää")
  when the comment goes on to the present counts, halved, for its opposite;
- **excess**: "too" + a neutral word ("too long", "liian pieni") is a complaint;
- **repetition**: "kept asking", "keeps dropping" (English), "transferred four
  times" is a complaint;
- **wishes**: a positive word under an unnegated hedging modal is what the customer
  missed ("could be better", "would have been nice to get a warning");
- **sarcasm**: a short all-positive sentence after a complaint ("Great.", "Kiitos
  vaan.") is read as irony, and so is a lone positive opener before a complaint in
  the same sentence ("Oh wonderful, my order is lost again").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from kohtaamo.text import sentiment
from kohtaamo.text.lexicon import Lexicon
from kohtaamo.text.morphology import Token

MISSING = -1.5  # "never called back": about as strong as "slow"
CLEAR_NEGATED = 0.5  # a negated word at least this strong used the negator up
LONG_WAIT = -2.0
SHORT_WAIT = 1.5
RESOLVED = 1.5
REPEATED = -1.0  # "kept asking"
WISH = 0.8  # "could be better" ≈ -0.8 × better, like a negated positive word
HEDGE_REACH = 4  # tokens from the modal to the positive word it hedges
EXCESS = -1.5  # "too long"
PAST = 0.5  # "used to be good": half of "bad" now
SARCASM_WORDS = 3  # at most this many words in the ironic sentence
SARCASM_BEFORE = -1.0  # the comment before it must be at least this negative
DURATION_REACH = 6  # tokens after the verb where its time unit may stand
WAITING = frozenset({"wait", "odottaa", "odotella", "vänta"})

Position = tuple[float, list[str]]
Cues = Mapping[str, frozenset[str]]


def _has(token: Token, words: frozenset[str]) -> bool:
    return any(lemma in words for lemma in token.lemmas)


def apply_rules(
    tokens: Sequence[Token],
    found: list[sentiment.Contribution],
    lexicon: Lexicon,
    missing: Sequence[tuple[int, int]],
    negated_by: dict[int, int],
    position: Sequence[Position],
) -> list[sentiment.Contribution]:
    """``found`` adjusted by the rules above, in token order."""
    if not tokens or not lexicon.cues:
        return found
    by_index = {c.index: c for c in found}
    _missing(tokens, by_index, missing, negated_by, position)
    _waiting(tokens, by_index, lexicon, position)
    _resolution(tokens, by_index, lexicon, negated_by, missing, position)
    _before_and_now(tokens, by_index, lexicon)
    _repetition(tokens, by_index, lexicon, position)
    _excess(tokens, by_index, lexicon, position)
    _wishes(tokens, by_index, lexicon, position)
    _sarcasm(tokens, by_index)
    _ironic_opener(tokens, by_index, lexicon)
    return [by_index[i] for i in sorted(by_index) if by_index[i].weight or by_index[i].emotions]


def _new(token: Token, i: int, weight: float, note: str, at: Position) -> sentiment.Contribution:
    factor, notes = at
    return sentiment.Contribution(
        token.text, token.lemma, weight * factor, "+".join([note, *notes]),
        token.start, token.end, i, weight, (), note == "missing",
    )  # fmt: skip


def _set(c: sentiment.Contribution, local: float, note: str) -> sentiment.Contribution:
    """``c`` with a new local weight, keeping its contrast/concession factor."""
    factor = c.weight / c.local if c.local else 1.0
    return replace(c, weight=local * factor, local=local, note=f"{note}+{c.note}".strip("+"))


def _missing(
    tokens: Sequence[Token],
    by_index: dict[int, sentiment.Contribution],
    missing: Sequence[tuple[int, int]],
    negated_by: dict[int, int],
    position: Sequence[Position],
) -> None:
    def clear(j: int) -> bool:
        return abs(by_index[j].local) >= CLEAR_NEGATED

    for i, negator in missing:
        # "didn't arrive late": the negator was about the (negative) polar word after
        # the event; "didn't have to call", "nothing was missing from the order":
        # about a clear polar word before it.
        if any(
            n == negator and j in by_index and (by_index[j].local > 0 if j > i else clear(j))
            for j, n in negated_by.items()
        ):
            continue
        if i not in by_index:
            by_index[i] = _new(tokens[i], i, MISSING, "missing", position[i])


def _clause_range(tokens: Sequence[Token], i: int, lexicon: Lexicon) -> range:
    """The token positions of ``i``'s clause piece (punctuation, contrast and
    coordinating words end it)."""
    splitters = lexicon.contrast | lexicon.concessive | lexicon.coordinators
    low = i
    while low > 0 and tokens[low - 1].clause == tokens[i].clause:
        if tokens[low].lemma in splitters:
            break
        low -= 1
    high = i
    while high + 1 < len(tokens) and tokens[high + 1].clause == tokens[i].clause:
        if tokens[high + 1].lemma in splitters:
            break
        high += 1
    return range(low, high + 1)


def _waiting(
    tokens: Sequence[Token],
    by_index: dict[int, sentiment.Contribution],
    lexicon: Lexicon,
    position: Sequence[Position],
) -> None:
    cues = lexicon.cues
    verbs = cues.get("duration_verbs", frozenset())
    units = cues.get("duration_units", frozenset())
    brief = cues.get("brief", frozenset())
    selves = cues.get("self_objects", frozenset())
    others = cues.get("others", frozenset())
    expected = cues.get("expected", frozenset())
    for i, token in enumerate(tokens):
        awaited = not _has(token, verbs) and _has(token, expected)
        if not _has(token, verbs) and not awaited:
            continue
        clause = list(_clause_range(tokens, i, lexicon))
        if awaited:
            # "replied within an hour": an awaited event that came soon is praise.
            current = by_index.get(i)
            soon = any(_has(tokens[j], brief) for j in clause) and any(
                _has(tokens[j], units) for j in clause if j > i
            )
            if soon and current is None:
                by_index[i] = _new(token, i, SHORT_WAIT, "short wait", position[i])
            elif soon and current is not None and 0 < current.local < SHORT_WAIT:
                by_index[i] = _set(current, SHORT_WAIT, "short wait")
            continue
        if _has(token, WAITING) and (
            any(tokens[j].text.lower() in selves for j in clause if i < j <= i + 3)
            or any(tokens[j].text.lower() in others for j in clause if i - 3 <= j < i)
        ):
            by_index.pop(i, None)  # someone else waited, for the customer
            continue
        quick_units = cues.get("quick_units", frozenset())
        if not any(
            _has(tokens[j], units) or _has(tokens[j], quick_units)
            for j in clause
            if i < j <= i + DURATION_REACH
        ):
            continue
        short = any(_has(tokens[j], brief) for j in clause) or _quick(tokens, i, clause, cues)
        weight = SHORT_WAIT if short else LONG_WAIT
        current = by_index.get(i)
        if current is not None and current.negated:
            continue  # "didn't have to wait an hour": negation decided it
        note = "short wait" if short else "long wait"
        if current is None:
            by_index[i] = _new(token, i, weight, note, position[i])
        else:
            by_index[i] = _set(current, weight, note)


def _quick(tokens: Sequence[Token], i: int, clause: Sequence[int], cues: Cues) -> bool:
    """Whether the task verb at ``i`` took seconds or a couple of minutes ("took
    seconds", "takes a minute"): quick for a task, though not for a wait."""
    if not _has(tokens[i], cues.get("effort_verbs", frozenset())):
        return False
    after = [j for j in clause if i < j <= i + DURATION_REACH]
    if any(_has(tokens[j], cues.get("quick_units", frozenset())) for j in after):
        return True
    counts = cues.get("small_counts", frozenset())
    units = cues.get("small_count_units", frozenset())
    return any(
        _has(tokens[j], units) and j - 1 > i and tokens[j - 1].text.lower() in counts for j in after
    )


def _resolution(
    tokens: Sequence[Token],
    by_index: dict[int, sentiment.Contribution],
    lexicon: Lexicon,
    negated_by: dict[int, int],
    missing: Sequence[tuple[int, int]],
    position: Sequence[Position],
) -> None:
    resolvers = lexicon.cues.get("resolvers", frozenset())
    problems = lexicon.cues.get("problems", frozenset())
    unresolved = {i for i, _ in missing} | set(negated_by)
    for i, token in enumerate(tokens):
        if i in unresolved or not (_has(token, resolvers) or token.text.lower() in resolvers):
            continue
        solved = False
        for j in _clause_range(tokens, i, lexicon):
            c = by_index.get(j)
            if c is not None and c.local < 0 and not c.negated and _has(tokens[j], problems):
                del by_index[j]  # the problem is the news that it is gone
                solved = True
        current = by_index.get(i)
        if current is None:
            if solved:  # "gone" alone may be "gone downhill"
                by_index[i] = _new(token, i, RESOLVED, "resolved", position[i])
        elif 0 < current.local < RESOLVED:
            by_index[i] = _set(current, RESOLVED, "resolved")


def _before_and_now(
    tokens: Sequence[Token], by_index: dict[int, sentiment.Contribution], lexicon: Lexicon
) -> None:
    past = lexicon.cues.get("past", frozenset())
    present = lexicon.cues.get("present", frozenset())
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        used_to = (
            lexicon.language == "en"
            and token.text.lower() == "used"
            and following is not None
            and following.text.lower() == "to"
        )
        if not used_to and not _has(token, past):
            continue
        later = tokens[i + 1 :]
        if not used_to and not any(_has(t, present) or t.lemma in lexicon.contrast for t in later):
            continue
        for j in _clause_range(tokens, i, lexicon):
            if used_to and j < i:
                continue  # "not as good as it used to be": the evaluation is today's
            c = by_index.get(j)
            if c is not None and "past" not in c.note:
                by_index[j] = _set(c, -c.local * PAST, "past")


def _repetition(
    tokens: Sequence[Token],
    by_index: dict[int, sentiment.Contribution],
    lexicon: Lexicon,
    position: Sequence[Position],
) -> None:
    """ "kept asking", "keeps dropping": an event that should have happened once."""
    if lexicon.language != "en":
        return
    for i in range(len(tokens) - 1):
        token, following = tokens[i], tokens[i + 1]
        repeated = token.lemma == "keep" and following.text.lower().endswith("ing")
        if repeated and i + 1 not in by_index and i not in by_index:
            by_index[i + 1] = _new(following, i + 1, REPEATED, "repeated", position[i + 1])
    counts = lexicon.cues.get("repeat_counts", frozenset())
    units = lexicon.cues.get("repeat_units", frozenset())
    for i in range(1, len(tokens)):
        token = tokens[i]
        # "transferred four times", "called several times"
        counted = token.text.lower() in units and tokens[i - 1].text.lower() in counts
        if counted and i not in by_index:
            by_index[i] = _new(token, i, REPEATED, "repeated", position[i])


def _excess(
    tokens: Sequence[Token],
    by_index: dict[int, sentiment.Contribution],
    lexicon: Lexicon,
    position: Sequence[Position],
) -> None:
    """ "too long", "liian pieni": more than wanted is a complaint even when the word
    itself is neutral ("not too long" is mild praise)."""
    excess = lexicon.cues.get("excess", frozenset())
    transparent = lexicon.cues.get("transparent", frozenset())
    for i in range(len(tokens) - 1):
        token, following = tokens[i], tokens[i + 1]
        if token.text.lower() not in excess or following.clause != token.clause:
            continue
        if i + 1 in by_index or following.lemma in transparent:
            continue
        negated = any(
            any(lemma in lexicon.negators for lemma in tokens[k].lemmas)
            for k in range(max(0, i - 2), i)
        )
        weight = -EXCESS * sentiment.NEGATED_NEGATIVE if negated else EXCESS
        note = "excess+negated" if negated else "excess"
        by_index[i + 1] = _new(following, i + 1, weight, note, position[i + 1])


def _wishes(
    tokens: Sequence[Token],
    by_index: dict[int, sentiment.Contribution],
    lexicon: Lexicon,
    position: Sequence[Position],
) -> None:
    """ "could be better", "should have been faster", "it would be nice if": a positive
    word under an unnegated hedging modal and a "be"/"have" is what was missing."""
    modals = lexicon.cues.get("hedge_modals", frozenset())
    if not modals:
        return
    links = lexicon.cues.get("hedge_links", frozenset())
    subjects = lexicon.cues.get("hedge_subjects", frozenset())
    expected = lexicon.cues.get("expected", frozenset())
    for j, token in enumerate(tokens):
        # "they could have told us", "should have called": an expected event wished for
        if j in by_index or j < 2 or not _has(token, expected):
            continue
        modal = tokens[j - 2].text.lower()
        if tokens[j - 1].lemma == "have" and modal in modals and not modal.startswith("would"):
            by_index[j] = _new(token, j, MISSING, "wish", position[j])
    for j, c in list(by_index.items()):
        if c.local <= 0 or c.negated or "past" in c.note:
            continue
        clause = tokens[j].clause
        for m in range(j - 1, max(-1, j - HEDGE_REACH - 1), -1):
            if tokens[m].clause != clause or (m in by_index and by_index[m].weight):
                break
            surface = tokens[m].text.lower()
            if surface not in modals:
                continue
            between = [tokens[k] for k in range(m + 1, j)]
            linked = surface.endswith("'ve") or any(
                t.text.lower() in links or t.lemma in links for t in between
            )
            have = surface.endswith("'ve") or any(t.lemma == "have" for t in between)
            said_of = tokens[m - 1].text.lower() if m else ""
            if linked and (not surface.startswith("would") or have or said_of in subjects):
                by_index[j] = _set(c, -c.local * WISH, "wish")
            break


def _ironic_opener(
    tokens: Sequence[Token], by_index: dict[int, sentiment.Contribution], lexicon: Lexicon
) -> None:
    """ "Oh wonderful, my order is lost again", "Great, another missed delivery": a
    sentence opening with a clause of nothing but praise words (and interjections)
    whose rest is a complaint, with no contrast word, is ironic."""
    interjections = lexicon.cues.get("interjections", frozenset())
    if not interjections:
        return
    start = 0
    while start < len(tokens):
        end = start
        while end < len(tokens) and tokens[end].sentence == tokens[start].sentence:
            end += 1
        first = [k for k in range(start, end) if tokens[k].clause == tokens[start].clause]
        rest = range(first[-1] + 1, end)
        opener = [by_index[k] for k in first if k in by_index and by_index[k].weight]
        plain = all(k in by_index or tokens[k].text.lower() in interjections for k in first)
        said = [by_index[k].local for k in rest if k in by_index]
        turned = any(tokens[k].lemma in lexicon.contrast for k in range(start, end))
        if (
            opener
            and plain
            and len(first) <= SARCASM_WORDS
            and all(c.local > 0 and not c.negated for c in opener)
            and not turned
            and sum(said) <= SARCASM_BEFORE
        ):
            for c in opener:
                by_index[c.index] = _set(c, -c.local, "sarcasm")
        start = end


def _sarcasm(tokens: Sequence[Token], by_index: dict[int, sentiment.Contribution]) -> None:
    sizes: dict[int, int] = {}
    for token in tokens:
        sizes[token.sentence] = sizes.get(token.sentence, 0) + 1
    by_sentence: dict[int, list[sentiment.Contribution]] = {}
    for c in by_index.values():
        by_sentence.setdefault(tokens[c.index].sentence, []).append(c)
    before = 0.0
    for number in sorted(sizes):
        said = by_sentence.get(number, [])
        if (
            said
            and sizes[number] <= SARCASM_WORDS
            and before <= SARCASM_BEFORE
            and all(c.local > 0 and not c.negated for c in said)
        ):
            for c in said:
                by_index[c.index] = _set(c, -c.local, "sarcasm")
        else:
            before += sum(c.weight for c in said)
