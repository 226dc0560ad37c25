"""The administration screen (behind the admin PIN): settings, history, referrals, system.

Also the only way out of the kiosk: "Close the kiosk" must be touched twice.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QTabWidget, QWidget

from retiscreen.ui.context import KioskContext
from retiscreen.ui.pages.admin_history import HistoryTab
from retiscreen.ui.pages.admin_referrals import ReferralsTab
from retiscreen.ui.pages.admin_settings import SettingsTab
from retiscreen.ui.pages.admin_system import SystemTab
from retiscreen.ui.pages.base import Page
from retiscreen.ui.widgets import ConfirmButton, button, label


class AdminPage(Page):
    closed = Signal()
    exit_requested = Signal()

    def __init__(self, ctx: KioskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.title = label("", "title")
        self.close_button = button("", "primary", "home", on_click=self.closed.emit)
        self.exit_button = ConfirmButton("", "")
        self.exit_button.confirmed.connect(self.exit_requested.emit)
        self.settings_tab = SettingsTab(ctx)
        self.history_tab = HistoryTab(ctx)
        self.referrals_tab = ReferralsTab(ctx)
        self.system_tab = SystemTab(ctx)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.settings_tab, "")
        self.tabs.addTab(self.history_tab, "")
        self.tabs.addTab(self.referrals_tab, "")
        self.tabs.addTab(self.system_tab, "")
        self.tabs.currentChanged.connect(self._tab_changed)
        corner = QWidget()
        corner_layout = QHBoxLayout(corner)
        corner_layout.setContentsMargins(0, 0, 0, 6)
        corner_layout.addWidget(self.exit_button)
        corner_layout.addWidget(self.close_button)
        self.tabs.setCornerWidget(corner)
        self.title.hide()  # the header bar already says "Administration"
        self.body.setContentsMargins(24, 12, 24, 12)
        self.body.addWidget(self.tabs, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Administration"))
        self.close_button.setText(self.tr("Close"))
        self.exit_button.set_texts(self.tr("Close the kiosk"), self.tr("Touch again to close"))
        self.tabs.setTabText(0, self.tr("Settings"))
        self.tabs.setTabText(1, self.tr("History"))
        self.tabs.setTabText(2, self.tr("Referrals"))
        self.tabs.setTabText(3, self.tr("System and accounts"))

    def entered(self) -> None:
        self.settings_tab.load()
        self.system_tab.load()
        self.system_tab.check_monitor()  # here, not in load(): the kiosk's start need not wait
        self._tab_changed(self.tabs.currentIndex())

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.history_tab:
            self.history_tab.refresh()
        elif self.tabs.widget(index) is self.referrals_tab:
            self.referrals_tab.refresh()

    def clear(self) -> None:
        self.settings_tab.keyboard.close_keyboard()
        self.history_tab.clear()
        self.referrals_tab.clear()
        self.system_tab.clear()
        self.exit_button.disarm()
        self.tabs.setCurrentIndex(0)
