"""Operator messages in plain words (#13 item 10): no file names, exception texts or
technical jargon in any catalogue text, in any language, nor in the kiosk's own
(translated) strings, except the administrators' system information, which identifies
the model by its SHA-256 for IT on purpose."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from retiscreen.catalogue import TEXTS
from retiscreen.settings import bundled_dir

JARGON = re.compile(
    r"\b\w+\.(json|onnx|db|key|toml|pem|sig|py|log|txt|csv|tmp)\b"  # a file name
    r"|traceback|exception|errno|\{exc\}|sha-?256|\bonnx|sqlite|sqlcipher|stderr|stdout"
    r"|utf-?8|\bnull\b|\bNone\b|keyerror|oserror|\bHMAC\b|\bAPI\b|\bJSON\b|\bUID\b",
    re.IGNORECASE,
)
ALLOWED = {("SystemTab", "SHA-256: {hash}"), ("SettingsTab", "None")}
"""(Qt context, source) that are meant for IT, or a plain word on a button."""


def test_the_pattern_catches_what_it_must() -> None:
    for leaked in ("model card grader.card.json is missing", "OSError: [Errno 28]", "sha256"):
        assert JARGON.search(leaked), leaked
    assert not JARGON.search("The photograph is too dark: retake it.")


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_no_catalogue_text_has_file_names_or_jargon(language: str) -> None:
    found = {key: text for key, text in TEXTS[language].items() if JARGON.search(text)}
    assert found == {}


@pytest.mark.parametrize("language", sorted(set(TEXTS) - {"en"}))
def test_no_kiosk_string_has_file_names_or_jargon(language: str) -> None:
    tree = ET.parse(bundled_dir("assets") / "i18n" / f"retiscreen_{language}.ts")
    found = []
    for context in tree.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            for text in (message.findtext("source") or "", message.findtext("translation") or ""):
                if JARGON.search(text) and (name, message.findtext("source")) not in ALLOWED:
                    found.append((name, text))
    assert found == []
