"""Answer labels survey tools export, turned into levels: numbers, level names, anchors, na/dk words.

Forms are often run in the respondents' language, so the four level names and the n/a and don't-know
words are known in English, German, French, Spanish, Dutch and Portuguese. A label that starts with
its level number (``3 - Operationalizing``, ``3 – Etabliert``) is read by that number, its position on
the scale, whatever words follow, unless those words name another level.
"""
from __future__ import annotations

import re

from pmo_assess.imports.records import canonical_answer, normalize_text
from pmo_assess.io.answers import INVALID, classify_answer
from pmo_assess.model import Questionnaire

#: The four level names per language (several spellings each), in level order.
LEVEL_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (("ad hoc", "ad-hoc"), ("evolving", "developing"),
           ("operationalizing", "operationalising", "operationalized", "operationalised"),
           ("optimizing", "optimising", "optimized", "optimised")),
    "de": (("ad hoc", "ad-hoc"), ("in entwicklung", "sich entwickelnd", "entwickelnd"),
           ("operationalisiert", "operationalisierend", "etabliert"), ("optimierend", "optimiert")),
    "fr": (("ad hoc",), ("en évolution", "évolutif", "en développement"),
           ("opérationnalisé", "opérationnel", "en opérationnalisation"), ("optimisé", "en optimisation")),
    "es": (("ad hoc",), ("en evolución", "evolutivo", "en desarrollo"),
           ("operacionalizado", "operativo", "operacional"), ("optimizado", "optimizando", "en optimización")),
    "nl": (("ad hoc",), ("in ontwikkeling", "ontwikkelend"), ("geoperationaliseerd", "operationeel"),
           ("geoptimaliseerd", "optimaliserend")),
    "pt": (("ad hoc",), ("em evolução", "evolutivo", "em desenvolvimento"),
           ("operacionalizado", "operacional"), ("otimizado", "optimizado", "em otimização")),
}
NA_TEXTS = {
    "not applicable", "does not apply", "doesn't apply", "n.a.", "n/a",              # en
    "nicht zutreffend", "trifft nicht zu", "entfällt",                               # de
    "non applicable", "sans objet", "ne s'applique pas",                             # fr
    "no aplica", "no aplicable", "no corresponde",                                   # es
    "niet van toepassing", "n.v.t.", "nvt",                                          # nl
    "não aplicável", "não se aplica",                                                # pt
}
DK_TEXTS = {
    "don't know", "do not know", "i don't know", "i do not know", "not sure", "unknown", "d/k",   # en
    "weiß nicht", "weiss nicht", "keine angabe", "kann ich nicht beurteilen",                    # de
    "je ne sais pas", "ne sais pas", "nsp",                                                       # fr
    "no sé", "no lo sé", "ns/nc",                                                                 # es
    "weet ik niet", "weet niet", "geen idee",                                                     # nl
    "não sei", "não sabe",                                                                        # pt
}
_NUMBERED = re.compile(r"^(?:level\s*)?([1-4])\s*(?:[-.:)]\s*|\s+)([^\W\d_].*)$")


def common_answers(questionnaire: Questionnaire) -> dict[str, str]:
    """Normalised label → answer for labels meaning the same in every question (level names, na/dk words)."""
    texts = {normalize_text(word): str(level)
             for words in LEVEL_WORDS.values() for level, spellings in enumerate(words, 1) for word in spellings}
    texts.update({normalize_text(lv.name): str(lv.value) for lv in questionnaire.levels})
    texts.update({normalize_text(t): "na" for t in NA_TEXTS})
    texts.update({normalize_text(t): "dk" for t in DK_TEXTS})
    for lv in questionnaire.levels:
        texts[f"level {lv.value}"] = str(lv.value)
    return texts


def answer_lookup(questionnaire: Questionnaire, mapped: dict[str, str]) -> dict[str, dict[str, str]]:
    """Per question: normalised answer text (level names, its anchors, na/dk words, mapped words) → answer."""
    common = common_answers(questionnaire)
    lookup = {}
    for question in questionnaire.questions:
        texts = dict(common)
        for level, anchor in question.anchors.items():
            texts[normalize_text(anchor)] = str(level)
        texts.update(mapped)
        lookup[question.id] = texts
    return lookup


def _numbered(key: str, text: str, choices: dict[str, str]) -> tuple[str, str]:
    """(answer, problem) for ``3 - words``: the number is the level unless the words name another level."""
    found = _NUMBERED.match(key)
    if not found:
        return "", ""
    number, words = found.group(1), found.group(2).strip()
    meaning = choices.get(words, "")
    if meaning in ("", number):
        return number, ""
    return "", (f"answer {text!r} starts with level {number} but {words!r} means "
                f"{'level ' + meaning if meaning.isdigit() else meaning}; fix the form's labels or map the "
                f"label under 'answers:' in a mapping file")


def survey_answer(text: str, choices: dict[str, str], mapped: dict[str, str]) -> tuple[str, str]:
    """(answer, problem) for one exported cell: mapped words first, then numbers, na/dk, labels, numbered labels."""
    key = normalize_text(text)
    if key in mapped:
        return mapped[key], ""
    answer, problem = canonical_answer(text)
    if not problem:
        return answer, ""
    if key in choices:
        return choices[key], ""
    numbered, numbered_problem = _numbered(key, text, choices)
    if numbered or numbered_problem:
        return numbered, numbered_problem
    status, _, numeric_problem = classify_answer(text)
    if status == INVALID and re.fullmatch(r"[-+]?\d+([.,]\d+)?", text.strip()):
        return "", numeric_problem
    shown = text if len(text) <= 70 else text[:67] + "..."
    return "", (f"answer {shown!r} is not a level (1-4), a level name, one of this question's four anchor "
                f"texts, na or dk; if it is a scale of the survey tool, translate it under 'answers:' in a "
                f"mapping file")
