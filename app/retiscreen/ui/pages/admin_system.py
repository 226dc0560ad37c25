"""Administration: the grading model, a self-test, and the kiosk's accounts.

Why a self-test: after an update or a move the site must be able to prove, without a
patient, that the models load, verify and grade. It runs the checks of
``retiscreen selftest`` (model signature, provider, database, disk, printer, and the
negative and positive control photographs) on the very pipeline the screening uses.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from retiscreen import __version__, selftest
from retiscreen.accounts import MAX_PIN_DIGITS, AccountError, Role
from retiscreen.monitoring.wording import alert_sentence
from retiscreen.selftest import SelftestResult
from retiscreen.settings import bundled_dir
from retiscreen.ui import texts
from retiscreen.ui.context import KioskContext
from retiscreen.ui.keyboard import OnScreenKeyboard
from retiscreen.ui.widgets import MessageLine, button, label

MONITOR_WEEKS = 8
"""How far back the administration screen's monitor looks."""


class SystemTab(QWidget):
    def __init__(self, ctx: KioskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model_info = label("")
        self.monitor_title = label("", "subtitle")
        self.monitor_alerts = MessageLine()
        self.self_test = button("", "small", "check", on_click=self.run_self_test)
        self.test_message = MessageLine()
        self.test_details = label("", "hint")
        self.operator_title = label("", "subtitle")
        self.operator_list = QListWidget()
        self.operator_list.setMaximumHeight(200)
        self.new_name = QLineEdit()
        self.new_pin = QLineEdit()
        self.new_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_pin.setMaxLength(MAX_PIN_DIGITS)
        self.role_buttons: dict[Role, QPushButton] = {}
        roles = QHBoxLayout()
        roles.setSpacing(6)
        for role in Role:
            choice = button("", "small")
            choice.setStyleSheet("padding: 0 4px;")  # three words must fit the column
            choice.setCheckable(True)
            choice.setAutoExclusive(True)
            choice.setChecked(role is Role.OPERATOR)
            self.role_buttons[role] = choice
            roles.addWidget(choice)
        self.add_operator = button("", "small", "person", on_click=self.add)
        self.remove_operator = button("", "small", on_click=self.remove)
        self.operator_message = MessageLine()
        self.name_label, self.pin_label = label(""), label("")
        add_form = QFormLayout()
        add_form.addRow(self.name_label, self.new_name)
        add_form.addRow(self.pin_label, self.new_pin)
        self.role_label = label("")
        operator_buttons = QVBoxLayout()
        operator_buttons.addWidget(self.add_operator)
        operator_buttons.addWidget(self.remove_operator)
        left_panel = QWidget()
        left = QVBoxLayout(left_panel)
        left.setContentsMargins(0, 0, 12, 0)
        left.addWidget(self.monitor_title)
        left.addWidget(self.monitor_alerts)
        left.addWidget(self.model_info)
        left.addWidget(self.self_test)
        left.addWidget(self.test_message)
        left.addWidget(self.test_details)
        left.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(left_panel)
        QScroller.grabGesture(scroll.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        right_panel = QWidget()
        right = QVBoxLayout(right_panel)
        right.setContentsMargins(0, 0, 12, 0)
        right.addWidget(self.operator_title)
        right.addWidget(self.operator_list)
        right.addLayout(add_form)
        right.addWidget(self.role_label)
        right.addLayout(roles)
        right.addLayout(operator_buttons)
        right.addWidget(self.operator_message)
        right.addStretch(1)
        accounts = QScrollArea()  # a 600-line panel cannot show the whole form at once
        accounts.setWidgetResizable(True)
        accounts.setFrameShape(QFrame.Shape.NoFrame)
        accounts.setWidget(right_panel)
        QScroller.grabGesture(accounts.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        layout = QHBoxLayout(self)
        layout.addWidget(scroll, 3)
        layout.addSpacing(24)
        layout.addWidget(accounts, 2)
        self.keyboard = OnScreenKeyboard([self.new_name, self.new_pin], self)
        self.new_pin.returnPressed.connect(self.keyboard.close_keyboard)
        self.retranslate()

    def retranslate(self) -> None:
        self.self_test.setText(self.tr("Run the self-test"))
        self.monitor_title.setText(
            self.tr("Site monitor (last {weeks} weeks)").format(weeks=MONITOR_WEEKS)
        )
        self.operator_title.setText(self.tr("Accounts"))
        self.name_label.setText(self.tr("Name"))
        self.pin_label.setText(self.tr("PIN (operator 4-12 digits, others 6-12)"))
        self.role_label.setText(self.tr("Role"))
        for role, choice in self.role_buttons.items():
            choice.setText(self._role_words()[role])
        self.add_operator.setText(self.tr("Add account"))
        self.remove_operator.setText(self.tr("Remove selected"))
        self.load()

    def load(self) -> None:
        models = self.ctx.service.model_status()
        settings = self.ctx.settings
        lines = [self.tr("RetiScreen {version}").format(version=__version__)]
        if models.grader is not None:
            identity = models.grader
            lines += [
                self.tr("Grading model: {name}, version {version}").format(
                    name=identity.name, version=identity.version
                ),
                self.tr("SHA-256: {hash}").format(
                    hash=" ".join(
                        identity.sha256[i : i + 16] for i in range(0, len(identity.sha256), 16)
                    )
                ),
                self.tr("Runs on: {provider}").format(provider=models.provider),
            ]
        else:
            lines.append(self.tr("Grading unavailable: {why}").format(why=models.unavailable))
        if models.quality is not None:
            quality = models.quality
            lines.append(
                self.tr("Quality model: {name}, version {version}").format(
                    name=quality.name, version=quality.version
                )
            )
        lines += [
            self.tr("Models folder: {path}").format(path=settings.models.directory),
            self.tr("Data folder: {path}").format(path=settings.storage.root),
            self.tr("Settings file: {path}").format(path=self.ctx.settings_path),
        ]
        self.model_info.setText("\n".join(lines))
        self.operator_list.clear()
        words = self._role_words()
        for account in self.ctx.service.store.accounts():
            item = QListWidgetItem(f"{account.name} ({words[Role(account.role)]})")
            item.setData(Qt.ItemDataRole.UserRole, account.name)
            self.operator_list.addItem(item)

    def check_monitor(self) -> None:
        """The site monitor's alerts (``retiscreen monitor`` has the whole report)."""
        service = self.ctx.service
        since = (date.today() - timedelta(weeks=MONITOR_WEEKS)).isoformat()
        self.ctx.workers.run(
            lambda _p: service.monitor(date.today(), since)["alerts"],
            self._show_alerts,
            lambda why: self.monitor_alerts.show_message(why, "error"),
        )

    def _show_alerts(self, alerts: Any) -> None:
        words = texts.catalogue()
        if alerts:
            lines = "\n".join(alert_sentence(alert, words) for alert in alerts)
            self.monitor_alerts.show_message(lines, "warning")
        else:
            self.monitor_alerts.show_message(self.tr("No alerts."), "ok")

    def _role_words(self) -> dict[Role, str]:
        return {
            Role.OPERATOR: self.tr("Operator"),
            Role.REVIEWER: self.tr("Reviewer"),
            Role.ADMIN: self.tr("Administrator"),
        }

    def run_self_test(self) -> None:
        """The checks of ``retiscreen selftest`` that need no second copy of the models:
        they run on the pipeline this kiosk screens with."""
        pipeline, settings = self.ctx.service.pipeline, self.ctx.settings
        controls = selftest.read_controls(bundled_dir("assets"))
        self.test_message.show_message(self.tr("Running the self-test…"), "info")
        self.self_test.setEnabled(False)

        def work(_progress: Any) -> SelftestResult:
            return SelftestResult(
                [
                    selftest.check_models(pipeline, settings.models.directory),
                    selftest.check_provider(pipeline, settings.models.prefer_gpu),
                    selftest.check_database(settings.storage.root),
                    selftest.check_disk(settings.storage.root),
                    selftest.check_printer(settings.report.printer),
                    *selftest.check_controls(pipeline, controls),
                ]
            )

        self.ctx.workers.run(work, self._tested, self._test_failed)

    def _tested(self, result: Any) -> None:
        self.self_test.setEnabled(True)
        if not isinstance(result, SelftestResult):
            return
        if result.ok:
            verdict = self.tr("Self-test passed.")
            level = "warning" if result.failed else "ok"
        else:
            verdict = self.tr("Self-test FAILED: do not screen patients until this is fixed.")
            level = "error"
        failed_first = sorted(result.checks, key=lambda check: check.ok)
        self.test_message.show_message(verdict, level)
        self.test_details.setText("\n".join(check.line() for check in failed_first))
        self.ctx.audit(
            "self_test",
            operator=self.ctx.admin,
            passed=result.ok,
            failed=[check.name for check in result.failed],
        )

    def _test_failed(self, message: str) -> None:
        self.self_test.setEnabled(True)
        self.test_details.clear()
        self.test_message.show_message(
            self.tr("Self-test FAILED: {why}").format(why=message), "error"
        )

    def add(self) -> None:
        """A new account (audited by the account book, with who added it)."""
        name, pin = self.new_name.text(), self.new_pin.text()
        role = next(r for r, choice in self.role_buttons.items() if choice.isChecked())
        try:
            saved = self.ctx.accounts.add(name, role, pin, by=self.ctx.admin or "admin")
        except AccountError as exc:
            self.operator_message.show_message(str(exc), "error")
            return
        self.new_name.clear()
        self.new_pin.clear()
        self.operator_message.show_message(
            self.tr("Account {name} added.").format(name=saved), "ok"
        )
        self.load()

    def remove(self) -> None:
        item = self.operator_list.currentItem()
        if item is None:
            self.operator_message.show_message(self.tr("First touch a name in the list."), "error")
            return
        try:
            self.ctx.accounts.remove(
                item.data(Qt.ItemDataRole.UserRole), by=self.ctx.admin or "admin"
            )
        except AccountError as exc:
            self.operator_message.show_message(str(exc), "error")
            return
        self.load()

    def clear(self) -> None:
        self.keyboard.close_keyboard()
        self.new_name.clear()
        self.new_pin.clear()
        self.operator_message.clear_message()
        self.test_message.clear_message()
        self.test_details.clear()
