"""An assumption and its verdict in plain words, in the reader's language: the statement
composed from a spec, and the one-sentence answer with the numbers behind it, built from
a stored check result (so an old check reads in whichever language its reader uses).
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal, format_percent

from kohtaamo.analytics import catalogue
from kohtaamo.i18n import N_, gettext

PREFIX = {
    "holds": N_("Holds:"),
    "does_not_hold": N_("Does not hold:"),
    "inconclusive": N_("Inconclusive:"),
    "too_few": N_("Too few answers:"),
}
VERDICT_LABELS = {
    "holds": N_("Holds"),
    "does_not_hold": N_("Does not hold"),
    "inconclusive": N_("Inconclusive"),
    "too_few": N_("Too few answers"),
}
OUTCOME_LABELS = {
    "nps": N_("NPS"),
    "repurchase_intent": N_("repurchase intent"),
    "overall_satisfaction": N_("overall satisfaction"),
}
DIMENSION_LABELS = {
    "segment": N_("Segment"),
    "touchpoint": N_("Touchpoint"),
    "channel": N_("Channel"),
    "factor_group": N_("Factor group"),
    "team": N_("Team"),
    "journey": N_("Journey"),
    "region": N_("Region"),
    "plan": N_("Plan"),
    "language": N_("Language"),
    "response_channel": N_("Response channel"),
    "survey": N_("Survey"),
}

AT = N_("%(metric)s at %(touchpoint)s")
ALL_OTHERS = N_("all others")
HIGHER = N_("%(subject)s is higher for %(a)s than for %(b)s.")
LOWER = N_("%(subject)s is lower for %(a)s than for %(b)s.")
DIFFERENT = N_("%(subject)s differs between %(a)s and %(b)s.")
MATTERS_MORE = N_("%(a)s matters more than %(b)s for %(outcome)s.")
FALLS_SHORT = N_("At %(touchpoint)s experience falls short of expectations.")
EXCEEDS = N_("At %(touchpoint)s experience exceeds expectations.")

DIFF_BODY = N_(
    "%(subject)s is %(value_a)s for %(a)s vs %(value_b)s for %(b)s (difference"
    " %(difference)s, %(level)s%% CI %(low)s to %(high)s, p %(p)s, n = %(n_a)s and %(n_b)s)."
)
GROUPS_FEW = N_(
    "%(n_a)s answers for %(a)s and %(n_b)s for %(b)s; each group needs at least %(min_n)s."
)
DIST_DIFFERENT = N_(
    "%(a)s and %(b)s answer %(subject)s differently (χ² = %(chi)s, df = %(dof)s, p %(p)s,"
    " Cramér's V = %(v)s, n = %(n_a)s and %(n_b)s)."
)
DIST_UNCLEAR = N_(
    "no clear difference in how %(a)s and %(b)s answer %(subject)s (χ² = %(chi)s,"
    " df = %(dof)s, p %(p)s, n = %(n_a)s and %(n_b)s)."
)
TESTS_DISAGREE = N_(
    "Welch's t-test and the Mann–Whitney test disagree, so the answer is uncertain."
)
LOW_EXPECTED = N_("Some expected counts are below 5, so the p-value is exact or simulated.")
DRIVER_MORE = N_(
    "%(x)s matters more for %(outcome)s than %(y)s: it explains %(share_x)s of the variance"
    " and %(y)s %(share_y)s (difference %(difference)s, %(level)s%% CI %(low)s to %(high)s,"
    " n = %(n)s)."
)
DRIVER_UNCLEAR = N_(
    "the answers cannot tell whether %(a)s or %(b)s matters more for %(outcome)s (%(a)s"
    " explains %(share_a)s of the variance, %(b)s %(share_b)s; %(level)s%% CI of the"
    " difference %(low)s to %(high)s, n = %(n)s)."
)
DRIVER_FEW = N_(
    "%(n)s respondents answered both touchpoints and %(outcome)s; at least %(min_n)s are needed."
)
GAP_SHORT = N_(
    "at %(a)s experience falls short of expectations by %(gap)s points on average"
    " (%(level)s%% CI %(low)s to %(high)s, p %(p)s, n = %(n)s)."
)
GAP_ABOVE = N_(
    "at %(a)s experience exceeds expectations by %(gap)s points on average"
    " (%(level)s%% CI %(low)s to %(high)s, p %(p)s, n = %(n)s)."
)
GAP_NONE = N_(
    "at %(a)s there is no clear gap between experience and expectations (average"
    " %(gap)s points, p %(p)s, n = %(n)s)."
)
GAP_FEW = N_("%(n)s answers at %(a)s; at least %(min_n)s are needed.")
POINTS = N_("%(value)s points")
PERCENTAGE_POINTS = N_("%(value)s percentage points")


def _lang(locale: str) -> str:
    return "fi" if locale == "fi" else "en"


def num(locale: str, value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    pattern = "#,##0" if digits == 0 else "#,##0." + "0" * digits
    return format_decimal(value, format=pattern, locale=_lang(locale))


def pct(locale: str, value: float | None) -> str:
    """A value already in percent (0..100)."""
    if value is None:
        return "–"
    pattern = "#,##0 %" if locale == "fi" else "#,##0%"
    return format_percent(value / 100, format=pattern, locale=_lang(locale))


def p_text(locale: str, p: float | None) -> str:
    if p is None:
        return "–"
    if p < 0.001:
        return "< " + num(locale, 0.001, 3)
    return "= " + num(locale, p, 3)


def metric_value(locale: str, unit: str, value: float | None) -> str:
    if unit == "percent":
        return pct(locale, value)
    return num(locale, value, 0 if unit == "score" else 2)


def metric_difference(locale: str, unit: str, value: float | None) -> str:
    digits = 0 if unit in ("percent", "score") else 2
    msgid = PERCENTAGE_POINTS if unit == "percent" else POINTS
    return gettext(locale, msgid, value=num(locale, value, digits))


def _name(locale: str, names: dict[str, str] | None) -> str:
    if names is None:
        return gettext(locale, ALL_OTHERS)
    return names.get(_lang(locale)) or names.get("en") or ""


def metric_subject(locale: str, slug: str, touchpoint: dict[str, str] | None) -> str:
    label = catalogue.label(slug, locale)
    if touchpoint is None:
        return label
    return gettext(locale, AT, metric=label, touchpoint=_name(locale, touchpoint))


def statement(locale: str, spec: dict[str, Any], names: dict[str, dict[str, str]]) -> str:
    """The assumption as a sentence, from its spec; ``names`` maps touchpoint keys to
    their names by language (for groups of the touchpoint dimension too)."""

    def named(value: str | None) -> str:
        if value is None:
            return gettext(locale, ALL_OTHERS)
        return _name(locale, names.get(value, {"fi": value, "en": value}))

    kind = spec["kind"]
    if kind == "compare_groups":
        tp = spec.get("touchpoint")
        subject = metric_subject(locale, spec["metric"], names.get(tp) if tp else None)
        msgid = {"higher": HIGHER, "lower": LOWER}.get(spec.get("direction", ""), DIFFERENT)
        text = gettext(
            locale, msgid, subject=subject, a=named(spec["group_a"]), b=named(spec.get("group_b"))
        )
    elif kind == "driver_order":
        text = gettext(
            locale,
            MATTERS_MORE,
            a=named(spec["driver_a"]),
            b=named(spec["driver_b"]),
            outcome=gettext(locale, OUTCOME_LABELS[spec["outcome"]]),
        )
    else:
        msgid = EXCEEDS if spec.get("direction") == "exceeds" else FALLS_SHORT
        text = gettext(locale, msgid, touchpoint=named(spec["touchpoint"]))
    return text[:1].upper() + text[1:]


def sentence(locale: str, result: dict[str, Any]) -> str:
    """The verdict in one sentence (two when a caveat applies) with its numbers."""
    verdict = result.get("verdict", "too_few")
    kind = result.get("kind")
    body = {"compare_groups": _groups, "driver_order": _drivers, "gap": _gap}[str(kind)](
        locale, result, verdict
    )
    return gettext(locale, PREFIX[verdict]) + " " + body


def _interval(locale: str, result: dict[str, Any], digits: int) -> dict[str, Any]:
    return {
        "level": round(float(result.get("confidence", 0.95)) * 100),
        "low": num(locale, result.get("low"), digits),
        "high": num(locale, result.get("high"), digits),
        "p": p_text(locale, result.get("p_value")),
    }


def _groups(locale: str, r: dict[str, Any], verdict: str) -> str:
    labels = r.get("labels", {})
    a, b = _name(locale, labels.get("a")), _name(locale, labels.get("b"))
    n = {"n_a": r["a"]["n"], "n_b": r["b"]["n"]}
    subject = metric_subject(locale, r["metric"], r.get("touchpoint"))
    if verdict == "too_few":
        return gettext(locale, GROUPS_FEW, a=a, b=b, min_n=r["min_n"], **n)
    if r.get("effect_size_kind") == "cramers_v":
        msgid = DIST_DIFFERENT if verdict == "holds" else DIST_UNCLEAR
        text = gettext(
            locale,
            msgid,
            a=a,
            b=b,
            subject=subject,
            chi=num(locale, r.get("statistic"), 1),
            dof=r.get("dof"),
            p=p_text(locale, r.get("p_value")),
            v=num(locale, r.get("effect_size"), 2),
            **n,
        )
        return text + (" " + gettext(locale, LOW_EXPECTED) if r.get("low_expected") else "")
    unit = r["unit"]
    digits = 0 if unit in ("percent", "score") else 2
    text = gettext(
        locale,
        DIFF_BODY,
        subject=subject,
        a=a,
        b=b,
        value_a=metric_value(locale, unit, r["a"]["value"]),
        value_b=metric_value(locale, unit, r["b"]["value"]),
        difference=metric_difference(locale, unit, r.get("difference")),
        **_interval(locale, r, digits),
        **n,
    )
    return text + (" " + gettext(locale, TESTS_DISAGREE) if r.get("tests_disagree") else "")


def _drivers(locale: str, r: dict[str, Any], verdict: str) -> str:
    labels = r.get("labels", {})
    a, b = _name(locale, labels.get("a")), _name(locale, labels.get("b"))
    outcome = gettext(locale, OUTCOME_LABELS.get(r.get("outcome", "nps"), OUTCOME_LABELS["nps"]))
    if verdict == "too_few":
        return gettext(locale, DRIVER_FEW, n=r["n"], min_n=r["min_n"], outcome=outcome)
    share_a, share_b = pct(locale, r["a"]["value"] * 100), pct(locale, r["b"]["value"] * 100)
    level = round(float(r.get("confidence", 0.95)) * 100)
    low, high = r["low"] * 100, r["high"] * 100
    if verdict == "inconclusive":
        return gettext(
            locale,
            DRIVER_UNCLEAR,
            a=a,
            b=b,
            outcome=outcome,
            share_a=share_a,
            share_b=share_b,
            level=level,
            low=num(locale, low, 1),
            high=num(locale, high, 1),
            n=r["n"],
        )
    flip = verdict == "does_not_hold"
    diff = -r["difference"] if flip else r["difference"]
    low, high = (-high, -low) if flip else (low, high)
    return gettext(
        locale,
        DRIVER_MORE,
        x=b if flip else a,
        y=a if flip else b,
        outcome=outcome,
        share_x=share_b if flip else share_a,
        share_y=share_a if flip else share_b,
        difference=gettext(locale, PERCENTAGE_POINTS, value=num(locale, diff * 100, 1)),
        level=level,
        low=num(locale, low, 1),
        high=num(locale, high, 1),
        n=r["n"],
    )


def _gap(locale: str, r: dict[str, Any], verdict: str) -> str:
    a = _name(locale, r.get("labels", {}).get("a"))
    n = r["a"]["n"]
    if verdict == "too_few":
        return gettext(locale, GAP_FEW, a=a, n=n, min_n=r["min_n"])
    gap = float(r["difference"])
    if verdict == "inconclusive":
        text = gettext(
            locale, GAP_NONE, a=a, gap=num(locale, gap, 2), p=p_text(locale, r["p_value"]), n=n
        )
        return text
    numbers = _interval(locale, r, 2)
    if gap < 0:
        # Below expectations the interval is said as distances below, nearest first.
        numbers |= {"low": num(locale, -r["high"], 2), "high": num(locale, -r["low"], 2)}
    msgid = GAP_SHORT if gap < 0 else GAP_ABOVE
    return gettext(locale, msgid, a=a, gap=num(locale, abs(gap), 2), n=n, **numbers)
