"""``retiscreen users``: the kiosk's accounts from the command line (list, add, remove,
set-pin), e.g. for the installer or a site with many operators. PINs are read without
echo from the terminal (twice), or from standard input with ``--pin-stdin`` for scripts."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from retiscreen.accounts import AccountBook, AccountError, Role
from retiscreen.errors import ExitCode, UsageError
from retiscreen.service import ScreeningService

from .parser import UsageParser


def _pin(args: argparse.Namespace) -> str:
    if args.pin_stdin:
        return sys.stdin.readline().strip()
    first = getpass.getpass("New PIN: ")
    if getpass.getpass("The same PIN again: ") != first:
        raise UsageError("the two PINs were different; nothing was changed")
    return first


def cmd_users(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    book = AccountBook(service.store)
    actor = getpass.getuser()
    try:
        if args.action == "list":
            accounts = service.store.accounts()
            for account in accounts:
                until = account.locked_until if account.locked() else None
                locked = until.isoformat() if until else None
                if args.json:
                    print(
                        json.dumps(
                            {"name": account.name, "role": account.role, "locked_until": locked}
                        )
                    )
                else:
                    print(f"{account.name:24s} {account.role:9s}{'  LOCKED' if locked else ''}")
            if not accounts and not args.json:
                print("No accounts yet: the kiosk asks for an administrator at its first start.")
        elif args.action == "add":
            name = book.add(args.name, Role(args.role), _pin(args), by=actor)
            print(f"Account {name} ({args.role}) added (audited).")
        elif args.action == "remove":
            book.remove(args.name, by=actor)
            print(f"Account {args.name} removed (audited).")
        else:
            book.change_pin(args.name, _pin(args), by=actor)
            print(f"The PIN of {args.name} was changed (audited); any lockout is lifted.")
    except AccountError as exc:
        raise UsageError(str(exc)) from exc
    return ExitCode.OK


def add_commands(sub: argparse._SubParsersAction[UsageParser]) -> None:
    users = sub.add_parser("users", help="the kiosk's accounts: list, add, remove, set-pin")
    actions = users.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every account, its role, and whether it is locked")
    listing.add_argument("--json", action="store_true")
    add = actions.add_parser("add", help="a new account (PIN asked twice)")
    add.add_argument("name")
    add.add_argument("--role", choices=[r.value for r in Role], required=True)
    remove = actions.add_parser("remove", help="remove an account (not the last administrator)")
    remove.add_argument("name")
    set_pin = actions.add_parser("set-pin", help="a new PIN; lifts a lockout")
    set_pin.add_argument("name")
    for action in (add, set_pin):
        action.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin")
    users.set_defaults(func=cmd_users)
