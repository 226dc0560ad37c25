"""Writing the monitor's files: ``monitor.json``, the pictures and one self-contained
HTML page (the pictures inline). No patient detail goes into any of them: counts, rates
and operator names only."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

from retiscreen.monitoring.plots import rates_png, scores_png
from retiscreen.monitoring.wording import alert_sentence
from retiscreen.store.files import atomic_write, make_directory


def write_monitor(figures: dict[str, Any], out: Path) -> list[Path]:
    """The JSON, the pictures and the page under ``out``; returns the files written."""
    make_directory(out, what="the monitoring report")
    weeks = [w["week"] for w in figures["weeks"]]
    rates = rates_png(
        weeks,
        {
            "referral rate": [w["referral_rate"] for w in figures["weeks"]],
            "ungradable eyes": [w["ungradable_rate"] for w in figures["weeks"]],
            **(
                {"ungradable fields": [w.get("field_ungradable_rate") for w in figures["weeks"]]}
                if "fields_photographed" in figures["period"]
                else {}
            ),
        },
        figures["thresholds"]["ungradable"],
    )
    pictures = {"rates.png": rates}
    reference, period = figures["reference"], figures["period"]
    if reference is not None and "score_shares" in period:
        pictures["scores.png"] = scores_png(
            reference["edges"], reference["shares"], period["score_shares"]
        )
    written = []
    for name, data in pictures.items():
        atomic_write(out / name, data, what="the monitoring report")
        written.append(out / name)
    document = json.dumps(figures, indent=2, ensure_ascii=False).encode("utf-8")
    atomic_write(out / "monitor.json", document, what="the monitoring report")
    page = _page(figures, pictures).encode("utf-8")
    atomic_write(out / "monitor.html", page, what="the monitoring report")
    return [out / "monitor.json", *written, out / "monitor.html"]


def _page(figures: dict[str, Any], pictures: dict[str, bytes]) -> str:
    alerts = figures["alerts"]
    alert_items = "".join(f"<li>{html.escape(alert_sentence(a))}</li>" for a in alerts)
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(_cell(week.get(key)))}</td>"
            for key in (
                "week", "screened", "referred", "referral_rate", "eyes_photographed",
                "ungradable_rate", "field_ungradable_rate", "graded_eyes", "score_psi",
                "score_ks",
            )
        )
        + "</tr>"
        for week in figures["weeks"]
    )  # fmt: skip
    follow, over_read = figures["follow_up"], figures["over_read"]
    kappa = "-" if over_read["kappa"] is None else f"{over_read['kappa']:.2f}"
    images = "".join(
        f'<p><img alt="{html.escape(name)}" src="data:image/png;base64,'
        f'{base64.b64encode(data).decode("ascii")}"></p>'
        for name, data in pictures.items()
    )
    reference = figures["reference"]
    source = html.escape(reference["source"]) if reference else "none in the model card"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>RetiScreen site monitor</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:60em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:.2em .5em;text-align:right}}
.alert{{color:#a00}}</style></head><body>
<h1>RetiScreen site monitor</h1>
<p>Generated on {figures["generated_on"]}. Reference distribution: {source}.</p>
<h2>Alerts</h2>
<ul class="alert">{alert_items or "<li>none</li>"}</ul>
<h2>Per week</h2>
<table><tr><th>week</th><th>screened</th><th>referred</th><th>referral rate</th>
<th>eyes photographed</th><th>ungradable rate</th><th>ungradable fields (two-field
eyes)</th><th>graded eyes</th><th>score PSI</th>
<th>score KS</th></tr>{rows}</table>
<h2>Referral follow-up</h2>
<p>{follow["referrals"]} referrals: {follow["pending"]} pending, {follow["overdue"]} overdue,
{follow["attended"]} attended, {follow["not_attended"]} did not attend.</p>
<h2>Over-read</h2>
<p>{over_read["reviewed"]} screenings over-read, {over_read["same_decision"]} with the AI's
decision kept; Cohen's kappa {kappa}.</p>
{images}
</body></html>
"""


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)
