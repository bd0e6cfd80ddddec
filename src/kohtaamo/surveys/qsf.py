"""Importing a Qualtrics survey export (.qsf) as a Kohtaamo survey definition.

A QSF file is JSON: ``SurveyEntry`` (name, default language) and ``SurveyElements``,
among them the blocks (``BL``), the survey flow (``FL``) and one ``SQ`` element per
question. Blocks in flow order become pages, split further at page breaks; embedded
data fields become hidden questions; simple display logic becomes ``show_if``.
Anything else is reported as unmapped, with the reason.
"""

from __future__ import annotations

from typing import Any

from kohtaamo.errors import InvalidInput
from kohtaamo.i18n import N_
from kohtaamo.surveys.catalogue import QuestionType
from kohtaamo.surveys.importing import (
    DefinitionBuilder,
    ImportResult,
    Keys,
    lang_code,
    plain,
    slug,
)
from kohtaamo.surveys.qsf_parts import (
    Mapped,
    as_str,
    dig,
    display_condition,
    forced,
    ordered,
    table,
    values,
    whole,
)

MAX_DEPTH = 20  # branches within branches in the survey flow
SINGLE = {"SAVR", "SAHR", "SACOL", "DL", "SB"}
MULTI = {"MAVR", "MAHR", "MACOL", "MSB"}
TEXT = {"SL", "ML", "ESTB"}
SKIPPED_FLOW = {"EndSurvey", "WebService", "Authenticator", "Quota", "TableOfContents"}


def is_qsf(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("SurveyEntry"), dict)
        and isinstance(data.get("SurveyElements"), list)
    )


class _Qsf:
    def __init__(self, data: dict[str, Any]) -> None:
        entry = data["SurveyEntry"]
        self.name = plain(entry.get("SurveyName")) or "Qualtrics"
        source_lang = entry.get("SurveyLanguage") or "EN"
        default = lang_code(source_lang)
        self.b = DefinitionBuilder(default or "en")
        if default is None:
            self.b.note(
                entry.get("SurveyID"),
                "SurveyLanguage",
                N_(
                    "The survey's language %(lang)s is not Finnish, English or Swedish; its texts "
                    "were imported as English."
                ),
                lang=str(source_lang),
            )
        self.survey_id = entry.get("SurveyID")
        self.elements = [e for e in data["SurveyElements"] if isinstance(e, dict)]
        self.questions: dict[str, dict[str, Any]] = {}
        self.blocks: dict[str, dict[str, Any]] = {}
        self.flow: list[Any] | None = None
        for element in self.elements:
            kind, payload = element.get("Element"), element.get("Payload")
            if kind == "SQ" and isinstance(payload, dict):
                qid = str(payload.get("QuestionID") or element.get("PrimaryAttribute") or "")
                self.questions[qid] = payload
            elif kind == "BL":
                for block in values(payload):
                    if isinstance(block, dict) and block.get("ID"):
                        self.blocks[str(block["ID"])] = block
            elif kind == "FL" and isinstance(payload, dict):
                flow = payload.get("Flow")
                self.flow = flow if isinstance(flow, list) else []
        self.mapped: dict[str, Mapped] = {}
        self.hidden: dict[str, str] = {}  # embedded data field -> question key
        self.ignored_languages: set[str] = set()
        self.pending_hidden: list[dict[str, Any]] = []

    # --- texts in every language --------------------------------------------------

    def texts(self, payload: dict[str, Any], *path: str) -> dict[str, str]:
        """The text at ``path`` in the default language and in each translation."""
        out: dict[str, str] = {}
        default = plain(dig(payload, path))
        if default:
            out[self.b.default_language] = default
        translations = payload.get("Language")
        if isinstance(translations, dict):
            for code, doc in translations.items():
                lang = lang_code(code)
                if lang is None:
                    self.ignored_languages.add(str(code))
                    continue
                text = plain(dig(doc, path))
                if text and lang != self.b.default_language:
                    out[lang] = text
        return out

    # --- structure ----------------------------------------------------------------

    def block_order(self) -> list[str]:
        if self.flow is None:
            return [bid for bid, block in self.blocks.items() if block.get("Type") != "Trash"]
        order: list[str] = []
        self._walk(self.flow, order)
        return order

    def _walk(self, flow: Any, order: list[str], depth: int = 0) -> None:
        if not isinstance(flow, list):
            return
        if depth > MAX_DEPTH:
            self.b.note("Flow", "Flow", N_("Survey flow nested this deep was left out."))
            return
        for item in flow:
            if not isinstance(item, dict):
                continue
            kind = item.get("Type")
            if kind in ("Block", "Standard") and item.get("ID") in self.blocks:
                if item["ID"] not in order:
                    order.append(str(item["ID"]))
            elif kind == "EmbeddedData":
                for ed in values(item.get("EmbeddedData")):
                    if isinstance(ed, dict):
                        self._embedded(ed)
            elif kind in ("Branch", "Randomizer", "Group"):
                if kind == "Branch":
                    self.b.note(
                        item.get("FlowID"),
                        "Branch",
                        N_(
                            "Branch logic in the survey flow was not imported; its questions are "
                            "shown to everyone."
                        ),
                    )
                elif kind == "Randomizer":
                    self.b.note(
                        item.get("FlowID"),
                        "Randomizer",
                        N_(
                            "Randomised order was not imported; the blocks keep the order of the "
                            "file."
                        ),
                    )
                self._walk(item.get("Flow"), order, depth + 1)
            elif kind in SKIPPED_FLOW:
                self.b.note(
                    item.get("FlowID"),
                    kind,
                    N_("This element of the survey flow has no counterpart in Kohtaamo."),
                )

    def _embedded(self, ed: dict[str, Any]) -> None:
        name = str(ed.get("Field") or ed.get("Description") or "")
        if not name or name in self.hidden:
            return
        key = self.b.keys.make(name, "field")
        self.hidden[name] = key
        self.pending_hidden.append({"key": key, "type": QuestionType.HIDDEN.value})

    # --- questions ----------------------------------------------------------------

    def parse(self) -> ImportResult:
        order = self.block_order()
        # Embedded data is set from the link before the first page: put it there, where
        # display logic on later pages can read it.
        first = True
        for bid in order:
            block = self.blocks[bid]
            self.b.new_page(None, {})
            if first:
                for hidden in self.pending_hidden:
                    self.b.add(hidden, hidden["key"], "EmbeddedData")
                first = False
            for element in values(block.get("BlockElements")):
                if not isinstance(element, dict):
                    continue
                if element.get("Type") == "Page Break":
                    self.b.new_page(None, {})
                elif element.get("Type") == "Question":
                    qid = str(element.get("QuestionID") or "")
                    payload = self.questions.get(qid)
                    if payload is None:
                        self.b.note(qid, "Question", N_("The question is not in the file."))
                        continue
                    self.question(qid, payload)
        if first and self.pending_hidden:
            self.b.new_page(None, {})
            for hidden in self.pending_hidden:
                self.b.add(hidden, hidden["key"], "EmbeddedData")
        for code in sorted(self.ignored_languages):
            self.b.note(
                code,
                "Language",
                N_(
                    "Translations into %(lang)s were left out: surveys are in Finnish, English "
                    "and Swedish."
                ),
                lang=code,
            )
        definition = self.b.finish(title={self.b.default_language: self.name})
        return ImportResult(
            format="qsf",
            definition=definition,
            key=slug(self.name, "qualtrics"),
            name=self.name,
            unmapped=tuple(self.b.unmapped),
        )

    def question(self, qid: str, p: dict[str, Any]) -> None:
        qtype, selector, sub = (
            as_str(p.get(name)) for name in ("QuestionType", "Selector", "SubSelector")
        )
        label = f"{qtype}/{selector}" if selector else str(qtype)
        base: dict[str, Any] = {
            "text": self.texts(p, "QuestionText"),
            "required": forced(p),
        }
        condition = self.condition(qid, p)
        if condition is not None:
            base["show_if"] = condition
        tag = p.get("DataExportTag") or qid
        if (qtype == "MC" and selector == "NPS") or qtype == "NPS":
            key = self.b.keys.make(tag)
            mapped = Mapped(key, QuestionType.NPS)
            for cid, choice in ordered(p.get("Choices"), p.get("ChoiceOrder")):
                # Qualtrics numbers NPS choices 0–10 by their label, not by their id.
                number = whole(plain(choice.get("Display")), whole(cid, -1))
                if 0 <= number <= 10:
                    mapped.values[cid] = number
            self.add(qid, label, {**base, "key": key, "type": "nps"}, mapped)
        elif qtype == "MC" and selector in SINGLE | MULTI:
            self.choice(qid, label, p, base, multi=selector in MULTI)
        elif qtype == "TE" and selector in TEXT:
            key = self.b.keys.make(tag)
            self.add(
                qid, label, {**base, "key": key, "type": "text"}, Mapped(key, QuestionType.TEXT)
            )
        elif qtype == "Slider":
            self.slider(qid, label, p, base)
        elif qtype == "Matrix" and selector == "Likert" and sub in ("SingleAnswer", ""):
            self.matrix(qid, label, p, base)
        elif qtype == "DB":
            self.b.note(qid, label, N_("Descriptive text is not a question and was skipped."))
        else:
            self.b.note(qid, label, N_("This question type has no counterpart in Kohtaamo."))

    def add(self, qid: str, label: str, data: dict[str, Any], mapped: Mapped) -> None:
        if self.b.add(data, qid, label) is not None:
            self.mapped.setdefault(qid, mapped)

    def choice(
        self, qid: str, label: str, p: dict[str, Any], base: dict[str, Any], *, multi: bool
    ) -> None:
        key = self.b.keys.make(p.get("DataExportTag") or qid)
        recode = table(p, "RecodeValues")
        keys = Keys()
        mapped = Mapped(key, QuestionType.MULTIPLE_CHOICE if multi else QuestionType.SINGLE_CHOICE)
        choices = []
        for cid, choice in ordered(p.get("Choices"), p.get("ChoiceOrder")):
            text = self.texts(p, "Choices", cid, "Display") or {self.b.default_language: cid}
            ckey = keys.make(recode.get(cid, cid), "c")
            mapped.choices[cid] = ckey
            choices.append({"key": ckey, "label": text})
            if str(choice.get("TextEntry", "")).lower() in ("true", "on", "1"):
                self.b.note(
                    f"{qid}/{cid}",
                    "TextEntry",
                    N_("The text box of this choice was not imported; the choice was."),
                )
        data = {**base, "key": key, "type": mapped.type.value, "choices": choices}
        self.add(qid, label, data, mapped)

    def slider(self, qid: str, label: str, p: dict[str, Any], base: dict[str, Any]) -> None:
        config = table(p, "Configuration")
        lo, hi = whole(config.get("CSSliderMin"), 0), whole(config.get("CSSliderMax"), 100)
        if p.get("Selector") == "STAR":
            lo, hi = 1, whole(config.get("StarCount"), hi)
        if not (-10 <= lo < hi <= 10 and hi - lo <= 10):
            self.b.note(
                qid,
                label,
                N_(
                    "The slider's range %(min)s–%(max)s does not fit a rating scale of 2 to 11 "
                    "points."
                ),
                min=lo,
                max=hi,
            )
            return
        labels = ordered(p.get("Labels"), None)
        scale: dict[str, Any] = {"min": lo, "max": hi}
        if labels:
            scale["min_label"] = self.texts(p, "Labels", labels[0][0], "Display")
            scale["max_label"] = self.texts(p, "Labels", labels[-1][0], "Display")
        self.rows(qid, label, p, base, scale, p.get("Choices"), p.get("ChoiceOrder"))

    def matrix(self, qid: str, label: str, p: dict[str, Any], base: dict[str, Any]) -> None:
        answers = ordered(p.get("Answers"), p.get("AnswerOrder"))
        if not 2 <= len(answers) <= 11:
            self.b.note(
                qid, label, N_("A matrix needs 2 to 11 answer columns to become rating questions.")
            )
            return
        recode = table(p, "RecodeValues")
        numbers = [whole(recode.get(aid), -99) for aid, _ in answers]
        contiguous = numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        lo = numbers[0] if contiguous and numbers[0] >= -10 and numbers[-1] <= 10 else 1
        scale = {
            "min": lo,
            "max": lo + len(answers) - 1,
            "min_label": self.texts(p, "Answers", answers[0][0], "Display"),
            "max_label": self.texts(p, "Answers", answers[-1][0], "Display"),
        }
        self.rows(qid, label, p, base, scale, p.get("Choices"), p.get("ChoiceOrder"))

    def rows(
        self,
        qid: str,
        label: str,
        p: dict[str, Any],
        base: dict[str, Any],
        scale: dict[str, Any],
        rows: Any,
        order: Any,
    ) -> None:
        """One rating question per statement (a slider's handles, a matrix's rows)."""
        statements = ordered(rows, order)
        tag = p.get("DataExportTag") or qid
        tags = table(p, "ChoiceDataExportTags")
        mapped = Mapped("", QuestionType.RATING)
        for cid, _row in statements:
            single = len(statements) == 1
            key = self.b.keys.make(tag if single else (tags.get(cid) or f"{tag}_{cid}"))
            data = {**base, "key": key, "type": "rating", "scale": scale}
            if not single:
                data["text"] = self.texts(p, "Choices", cid, "Display")
                data["help"] = base["text"]
            if self.b.add(data, f"{qid}/{cid}", label) is not None:
                mapped.parts[cid] = key
                mapped.key = mapped.key or key
        if not statements:
            self.b.note(qid, label, N_("The question has no statements to rate."))
        elif mapped.parts:
            self.mapped[qid] = mapped

    # --- display logic ------------------------------------------------------------

    def condition(self, qid: str, p: dict[str, Any]) -> dict[str, Any] | None:
        logic = p.get("DisplayLogic")
        if not isinstance(logic, dict):
            return None
        found = display_condition(logic, self.mapped, self.hidden)
        if found is None:
            self.b.note(
                qid,
                "DisplayLogic",
                N_(
                    "The display logic is too complex to import; the question is shown to everyone."
                ),
            )
        return found


def parse_qsf(data: Any) -> ImportResult:
    """A Qualtrics export as a Kohtaamo definition (InvalidInput if it is not one)."""
    if not is_qsf(data):
        raise InvalidInput(
            "This is not a Qualtrics survey file: it has no SurveyEntry and SurveyElements.",
            field="file",
        )
    return _Qsf(data).parse()
