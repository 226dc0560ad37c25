"""A touch-friendly file chooser: big rows, a preview, shortcuts to likely folders.

Why not QFileDialog: its rows are 20 px high, it relies on double-click and hover, and
it lets the operator wander the whole file system. This one lists photographs (or
folders, for exports) in large rows, previews the selected photograph, and offers the
watched folder, removable drives and the home folder as one-touch shortcuts.
"""

from __future__ import annotations

import getpass
from datetime import datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImageReader, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from retiscreen.capture.source import IMAGE_SUFFIXES
from retiscreen.ui.widgets import ImageView, button, icon, label

PATH_ROLE = Qt.ItemDataRole.UserRole


def removable_roots() -> list[Path]:
    """Where USB sticks appear on common Linux desktops and kiosks."""
    user = getpass.getuser()
    roots = [Path("/media") / user, Path("/run/media") / user, Path("/media"), Path("/mnt")]
    found: list[Path] = []
    for root in roots:
        try:
            found += [p for p in sorted(root.iterdir()) if p.is_dir() and p not in found]
        except OSError:
            continue
    return found


class FilePicker(QDialog):
    """Choose a photograph (``folders=False``) or a folder (``folders=True``)."""

    chosen = Signal(object)

    def __init__(
        self,
        start: Path,
        shortcuts: list[tuple[str, Path]],
        folders: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        self.setModal(True)
        self.folders = folders
        self.folder = start
        self.title = label("", "subtitle")
        self.where = label("", "hint")
        self.up = button("", "small", "up", on_click=self.go_up)
        shortcut_row = QHBoxLayout()
        shortcut_row.addWidget(self.up)
        for text, path in shortcuts + [(str(p), p) for p in removable_roots()]:
            if path.is_dir():
                shortcut_row.addWidget(
                    button(text, "small", "folder", on_click=partial(self.open_folder, path))
                )
        shortcut_row.addStretch(1)
        self.list = QListWidget()
        self.list.setIconSize(QSize(40, 40))
        self.list.setUniformItemSizes(True)
        QScroller.grabGesture(self.list.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        self.list.currentItemChanged.connect(self._selected)
        self.list.itemActivated.connect(self._activated)
        self.preview = ImageView()
        self.preview.setMinimumWidth(360)
        self.preview.setVisible(not folders)
        self.use = button("", "primary", "check", on_click=self.accept_selection)
        self.cancel = button("", "", "back", on_click=self.reject)
        body = QHBoxLayout()
        body.addWidget(self.list, 3)
        body.addWidget(self.preview, 2)
        actions = QHBoxLayout()
        actions.addWidget(self.cancel)
        actions.addStretch(1)
        actions.addWidget(self.use)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addWidget(self.title)
        layout.addWidget(self.where)
        layout.addLayout(shortcut_row)
        layout.addLayout(body, 1)
        layout.addLayout(actions)
        self.retranslate()
        self.open_folder(start)

    def retranslate(self) -> None:
        self.title.setText(
            self.tr("Choose a folder") if self.folders else self.tr("Choose a photograph")
        )
        self.up.setText(self.tr("Up one folder"))
        self.use.setText(
            self.tr("Use this folder") if self.folders else self.tr("Use this photograph")
        )
        self.cancel.setText(self.tr("Cancel"))

    def open_folder(self, folder: Path) -> None:
        self.folder = folder
        self.where.setText(str(folder))
        self.list.clear()
        self.preview.clear_image()
        try:
            entries = sorted(folder.iterdir(), key=lambda p: (not p.is_dir(), p.name.lower()))
        except OSError as exc:
            self.where.setText(
                self.tr("{folder} cannot be opened: {why}").format(folder=folder, why=exc.strerror)
            )
            entries = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                item = QListWidgetItem(icon("folder"), entry.name)
            elif not self.folders and entry.suffix.lower() in IMAGE_SUFFIXES:
                modified = datetime.fromtimestamp(entry.stat().st_mtime)
                item = QListWidgetItem(icon("image"), f"{entry.name}    {modified:%Y-%m-%d %H:%M}")
            else:
                continue
            item.setData(PATH_ROLE, str(entry))
            item.setSizeHint(QSize(100, 72))
            self.list.addItem(item)
        self.use.setEnabled(self.folders)

    def go_up(self) -> None:
        if self.folder.parent != self.folder:
            self.open_folder(self.folder.parent)

    def _path(self, item: QListWidgetItem | None) -> Path | None:
        return Path(str(item.data(PATH_ROLE))) if item is not None else None

    def _selected(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        path = self._path(item)
        if path is None or path.is_dir():
            self.preview.clear_image()
            self.use.setEnabled(self.folders)
            return
        self.use.setEnabled(True)
        reader = QImageReader(str(path))
        reader.setAutoTransform(True)
        size = reader.size()
        if size.isValid():
            reader.setScaledSize(size.scaled(QSize(480, 480), Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if image.isNull():
            self.preview.clear_image()
            self.preview.set_placeholder(self.tr("No preview"))
        else:
            self.preview.setPixmap(
                QPixmap.fromImage(image).scaled(
                    self.preview.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )

    def _activated(self, item: QListWidgetItem) -> None:
        path = self._path(item)
        if path is not None and path.is_dir():
            self.open_folder(path)
        else:
            self.accept_selection()

    def select(self, path: Path) -> bool:
        """Select the row for ``path`` (tests and keyboard users)."""
        for row in range(self.list.count()):
            if self._path(self.list.item(row)) == path:
                self.list.setCurrentRow(row)
                return True
        return False

    def accept_selection(self) -> None:
        path = self._path(self.list.currentItem())
        if self.folders:
            target = path if path is not None and path.is_dir() else self.folder
        elif path is None or path.is_dir():
            return
        else:
            target = path
        self.chosen.emit(target)
        self.accept()
