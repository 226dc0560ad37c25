"""``retiscreen monitor --out DIR [--since DATE]``: the site's weekly figures, plots and
alerts (see :mod:`retiscreen.monitoring`)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from retiscreen.errors import ExitCode
from retiscreen.monitoring.output import write_monitor
from retiscreen.monitoring.wording import alert_sentence
from retiscreen.service import ScreeningService

from .parser import UsageParser, iso_date


def cmd_monitor(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    since = args.since.isoformat() if args.since else None
    figures = service.monitor(date.today(), since)
    for path in write_monitor(figures, args.out):
        print(path)
    period = figures["period"]
    print(
        f"{period['screened']} screenings, {len(figures['weeks'])} weeks; "
        f"{len(figures['alerts'])} alert(s)"
    )
    for alert in figures["alerts"]:
        print(f"ALERT: {alert_sentence(alert)}")
    return ExitCode.OK


def add_commands(sub: argparse._SubParsersAction[UsageParser]) -> None:
    monitor = sub.add_parser(
        "monitor", help="weekly figures, plots and alerts for whoever oversees the site"
    )
    monitor.add_argument("--out", type=Path, required=True, metavar="DIR")
    monitor.add_argument("--since", type=iso_date, metavar="DATE", help="from this day (UTC)")
    monitor.set_defaults(func=cmd_monitor)
