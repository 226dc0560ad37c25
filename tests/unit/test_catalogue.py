"""The text catalogue: complete in every language, keyed by every domain value."""

from __future__ import annotations

import re
from datetime import date

import pytest

from retiscreen import catalogue
from retiscreen.catalogue import Catalogue
from retiscreen.domain import (
    Confidence,
    Decision,
    DecisionKind,
    EyeStatus,
    ICDRGrade,
    Laterality,
    QualityReason,
    QueueReason,
    ReviewOutcome,
)
from retiscreen.errors import ExitCode, RetiScreenError
from retiscreen.overread import ReviewProblem
from retiscreen.report.printing import PrinterProblem

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
ACTIONABLE_PRINT_PROBLEMS = set(PrinterProblem) - {PrinterProblem.FILE, PrinterProblem.FAILED}
"""The two left out carry CUPS's or the file system's own words."""


def required_keys() -> set[str]:
    keys = {f"decision.{k.value}.{part}" for k in DecisionKind for part in ("word", "headline")}
    keys |= {f"decision.{k.value}.advice" for k in DecisionKind}
    keys |= {f"eye_status.{s.value}" for s in EyeStatus}
    keys |= {f"eye.{side.value}" for side in Laterality}
    keys |= {f"side.{side.value}" for side in Laterality}
    keys |= {f"grade.{int(g)}" for g in ICDRGrade} | {"grade.none"}
    keys |= {f"quality.{r.value}" for r in QualityReason}
    keys |= {f"confidence.{c.value}" for c in Confidence} | {"confidence.none"}
    keys |= {"heatmap.explanation", "heatmap.absent"}
    keys |= {f"print.{p.value}" for p in ACTIONABLE_PRINT_PROBLEMS}
    keys |= {f"review.outcome.{o.value}" for o in ReviewOutcome}
    keys |= {f"review.queue.{q.value}" for q in QueueReason}
    keys |= {f"review.problem.{p.value}" for p in ReviewProblem}
    return keys


def error_classes(cls: type[RetiScreenError] = RetiScreenError) -> list[type[RetiScreenError]]:
    return [cls, *(sub for child in cls.__subclasses__() for sub in error_classes(child))]


def test_every_error_has_one_exit_code_and_one_operator_message() -> None:
    classes = error_classes()
    assert len(classes) >= 10  # the hierarchy and the existing errors that extend it
    for cls in classes:
        assert isinstance(cls.exit_code, ExitCode), cls
        assert cls.message_key in catalogue.TEXTS["en"], (cls, cls.message_key)


def test_english_has_words_for_every_domain_value() -> None:
    missing = required_keys() - set(catalogue.TEXTS["en"])
    assert not missing


@pytest.mark.parametrize("language", sorted(catalogue.TEXTS))
def test_every_language_has_every_key_with_the_same_placeholders(language: str) -> None:
    english, other = catalogue.TEXTS["en"], catalogue.TEXTS[language]
    assert set(other) == set(english)
    for key, text in english.items():
        assert sorted(PLACEHOLDER.findall(other[key])) == sorted(PLACEHOLDER.findall(text)), key
        assert other[key].strip()


def test_languages_are_named_in_themselves() -> None:
    assert set(catalogue.LANGUAGE_NAMES) == set(catalogue.TEXTS)


def test_advice_fills_the_programme_interval() -> None:
    words = Catalogue("es")
    assert "24 meses" in words.advice(Decision(DecisionKind.ROUTINE, 24))
    assert "3 semanas" in words.advice(Decision(DecisionKind.URGENT, None, 3))


def test_an_unknown_language_falls_back_to_english() -> None:
    assert Catalogue("xx").language == "en"
    assert Catalogue("xx").eye(Laterality.LEFT) == "Left eye"


def test_dates_are_written_with_the_month_in_words() -> None:
    assert Catalogue("en").long_date(date(1961, 4, 3)) == "3 April 1961"
    assert Catalogue("es").long_date(date(1961, 4, 3)) == "3 de abril de 1961"
    assert Catalogue("pt").long_date(date(1961, 3, 3)) == "3 de março de 1961"


def test_english_spanish_and_portuguese_are_offered() -> None:
    assert {"en", "es", "pt"} <= set(catalogue.TEXTS)
    assert catalogue.LANGUAGE_NAMES["pt"] == "Português"
    assert catalogue.language_problem("pt") is None
    assert "en, es, pt" in (catalogue.language_problem("fr") or "")


def test_every_language_has_its_months() -> None:
    assert set(catalogue.MONTHS) == set(catalogue.TEXTS)
    assert all(len(months) == 12 for months in catalogue.MONTHS.values())


@pytest.mark.parametrize("language", sorted(set(catalogue.TEXTS) - {"en"}))
def test_every_language_is_translated_not_copied(language: str) -> None:
    """A copied English sentence would pass the completeness test: few may be the same
    (words like 'Paciente' or a lone placeholder)."""
    english, other = catalogue.TEXTS["en"], catalogue.TEXTS[language]
    same = [
        key
        for key, text in english.items()
        if other[key] == text and len(PLACEHOLDER.sub("", text).strip(" ,.:-")) > 12
    ]
    assert same == []
