"""Look and feel: one stylesheet, large type, high contrast, big touch targets.

Why a generated stylesheet: sizes scale with the screen (a 1280×800 panel and a
1920×1080 monitor both get text readable at arm's length and buttons of at least
``TOUCH_MIN`` pixels), and every widget is styled through object names and dynamic
properties (``role``, ``level``) instead of per-widget code.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication

UI_FONT = "DejaVu Sans"
"""The kiosk's own type (fonts-dejavu-core, which the package depends on), named rather
than left to fontconfig's "sans-serif", which becomes Noto Sans (taller lines: every
page's layout would move) once fonts-noto-core is installed for patients' names.
Characters it lacks (CJK, Devanagari...) come from fontconfig's fallback fonts."""

TOUCH_MIN = 64
"""Smallest button height in pixels (guidance says ≥ 48; gloved fingers need more)."""

INK = "#111111"
PAPER = "#FFFFFF"
PANEL = "#F1F3F5"
PRIMARY = "#0B4F8A"
PRIMARY_DARK = "#083A66"
GOOD = "#1E7B34"
WARN = "#F2B200"
BAD = "#C8102E"
MUTED = "#495057"
FOCUS = "#FFB000"
PROGRESS = "#9EC5E8"
"""The progress bar's fill: light, because its percentage is drawn in ink across it."""


def base_font_px(screen_height: int) -> int:
    """22 px on an 800-line panel, 28 px on 1080 lines: readable from a step away."""
    return max(20, min(32, round(screen_height * 0.027)))


def stylesheet(base: int) -> str:
    """The application stylesheet for a base font size in pixels."""
    big = round(base * 1.35)
    huge = round(base * 1.9)
    small = max(18, round(base * 0.85))
    button_h = max(TOUCH_MIN, round(base * 2.9))
    return f"""
    QWidget {{ font-size: {base}px; color: {INK}; background: {PAPER}; }}
    QLabel {{ background: transparent; }}
    QLabel[role="title"] {{ font-size: {huge}px; font-weight: 700; }}
    QLabel[role="subtitle"] {{ font-size: {big}px; font-weight: 600; }}
    QLabel[role="headline"] {{ font-size: {round(base * 1.6)}px; font-weight: 800; }}
    QLabel[role="hint"] {{ color: {MUTED}; font-size: {small}px; }}
    QLabel[level="error"] {{ color: #FFFFFF; background: {BAD}; padding: 12px;
        border-radius: 8px; font-weight: 600; }}
    QLabel[level="warning"] {{ color: {INK}; background: {WARN}; padding: 12px;
        border-radius: 8px; font-weight: 600; }}
    QLabel[level="ok"] {{ color: #FFFFFF; background: {GOOD}; padding: 12px;
        border-radius: 8px; font-weight: 600; }}
    QLabel[level="info"] {{ color: {INK}; background: {PANEL}; padding: 12px;
        border-radius: 8px; }}
    QFrame#header {{ background: {PRIMARY}; }}
    QFrame#header QLabel {{ color: #FFFFFF; font-size: {small}px; font-weight: 600; }}
    QFrame#header QLabel[role="clinic"] {{ font-size: {base}px; }}
    QFrame[role="card"] {{ background: {PANEL}; border: 2px solid #CED4DA; border-radius: 12px; }}
    QPushButton {{ min-height: {button_h}px; min-width: {TOUCH_MIN}px; padding: 0 24px;
        border: 3px solid {PRIMARY}; border-radius: 12px; background: #FFFFFF;
        color: {PRIMARY}; font-weight: 700; }}
    QPushButton:pressed {{ background: #D0E2F2; }}
    QPushButton:focus {{ border-color: {FOCUS}; }}
    QPushButton:disabled {{ color: #868E96; border-color: #ADB5BD; background: #F1F3F5; }}
    QPushButton[role="primary"] {{ background: {PRIMARY}; color: #FFFFFF; }}
    QPushButton[role="primary"]:pressed {{ background: {PRIMARY_DARK}; }}
    QPushButton[role="primary"]:disabled {{ background: #ADB5BD; color: #FFFFFF; }}
    QPushButton[role="good"] {{ background: {GOOD}; border-color: {GOOD}; color: #FFFFFF; }}
    QPushButton[role="danger"] {{ background: #FFFFFF; border-color: {BAD}; color: {BAD}; }}
    QPushButton[role="choice"]:checked {{ background: {PRIMARY}; color: #FFFFFF; }}
    QPushButton[role="key"] {{ font-size: {huge}px; min-width: {button_h}px; }}
    QFrame#keyboard {{ background: {PANEL}; border-top: 3px solid {MUTED}; }}
    QPushButton[role="osk"] {{ font-size: {big}px; min-width: 40px; padding: 0 4px; }}
    QPushButton[role="osk"]:checked {{ background: {PRIMARY}; color: #FFFFFF; }}
    QPushButton[role="osk-word"] {{ font-size: {small}px; min-width: 40px; padding: 0 4px; }}
    QPushButton[role="small"] {{ min-height: {TOUCH_MIN}px; font-size: {small}px;
        padding: 0 16px; }}
    QPushButton[role="small"]:checked {{ background: {PRIMARY}; color: #FFFFFF; }}
    QLineEdit, QComboBox, QSpinBox {{ min-height: {max(TOUCH_MIN, round(base * 2.4))}px;
        border: 2px solid {MUTED}; border-radius: 8px; padding: 0 12px; background: #FFFFFF; }}
    QLineEdit:focus, QComboBox:focus {{ border: 3px solid {PRIMARY}; }}
    QLineEdit[invalid="true"] {{ border: 3px solid {BAD}; background: #FFF0F0; }}
    QComboBox QAbstractItemView {{ font-size: {base}px; }}
    QComboBox QAbstractItemView::item {{ min-height: {TOUCH_MIN}px; }}
    QListWidget, QTableWidget {{ border: 2px solid #CED4DA; border-radius: 8px; }}
    QListWidget::item {{ min-height: {TOUCH_MIN}px; padding: 4px 8px; }}
    QListWidget::item:selected, QTableWidget::item:selected {{ background: {PRIMARY};
        color: #FFFFFF; }}
    QHeaderView::section {{ background: {PANEL}; font-weight: 700; padding: 8px;
        border: none; }}
    QTabBar::tab {{ min-height: {TOUCH_MIN}px; padding: 0 24px; font-weight: 600;
        border: 2px solid #CED4DA; border-bottom: none; background: {PANEL}; }}
    QTabBar::tab:selected {{ background: {PRIMARY}; color: #FFFFFF; }}
    QProgressBar {{ min-height: 36px; border: 2px solid {MUTED}; border-radius: 8px;
        text-align: center; font-weight: 700; }}
    QProgressBar::chunk {{ background: {PROGRESS}; }}
    QScrollBar:vertical {{ width: 36px; }}
    QCheckBox::indicator {{ width: 40px; height: 40px; }}
    QMessageBox QPushButton {{ min-width: 160px; }}
    """


def apply_theme(app: QApplication) -> int:
    """Install font and stylesheet sized for the primary screen; returns the base size."""
    screen = QGuiApplication.primaryScreen()
    height = screen.availableGeometry().height() if screen is not None else 800
    base = base_font_px(height)
    font = QFont(app.font())
    font.setFamilies([UI_FONT])
    font.setPixelSize(base)
    app.setFont(font)
    app.setStyleSheet(stylesheet(base))
    return base
