"""``retiscreen monitor`` on a real store: monitor.json, the pictures and the page, with
the alerts the records call for, and no patient detail in any of them."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from retiscreen.cli import main
from retiscreen.store import ScreeningStore
from tests.support.referrals import save_referrals


def test_the_monitor_writes_figures_pictures_and_a_page(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ScreeningStore(cli_env / "data") as store:
        save_referrals(store)  # March 2026: 4 screenings, 1 of 4 eyes ungradable, 3 overdue
    out = cli_env / "monitor"
    assert main(["monitor", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "4 screenings, 1 weeks; 2 alert(s)" in printed
    assert "25% of the photographed eyes could not be graded" in printed
    assert "3 referred patients are past their due date" in printed
    figures = json.loads((out / "monitor.json").read_text())
    (week,) = figures["weeks"]
    assert week["week"] == "2026-W10" and week["screened"] == 4 and week["referred"] == 2
    assert week["ungradable_rate"] == pytest.approx(0.25)
    assert figures["follow_up"]["overdue"] == 3
    assert figures["reference"] is None  # the tiny test grader's card has none
    page = (out / "monitor.html").read_text()
    assert "data:image/png;base64," in page and "past their due date" in page
    picture = cv2.imdecode(np.frombuffer((out / "rates.png").read_bytes(), np.uint8), 1)
    assert picture is not None and picture.shape[:2] == (360, 720)
    for path in out.iterdir():  # counts and operator names only
        text = path.read_bytes()
        assert b"Ada" not in text and b"P-1001" not in text and b"S-refer" not in text
    assert main(["monitor", "--out", str(out / "later"), "--since", "2026-04-01"]) == 0
    assert "0 screenings, 0 weeks" in capsys.readouterr().out
