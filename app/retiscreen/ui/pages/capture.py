"""Photographing one eye: capture, instant quality verdict with the reason, retake.

Why the verdict comes before anything else: an ungradable photograph found while the
patient is still seated costs a retake; found later it costs a referral. The page
allows ``capture.max_retakes`` retakes, then the operator may accept the eye as
ungradable (the pipeline then advises an eye examination). An eye can be skipped with
a recorded reason (e.g. an artificial eye). Photographs come from the camera, a file
chosen on screen, or a new file in the watched folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from retiscreen.domain import FieldView, FundusImage, Laterality
from retiscreen.service import Checked, Source
from retiscreen.ui import texts
from retiscreen.ui.context import KioskContext
from retiscreen.ui.devices import demo_folder, device_name
from retiscreen.ui.file_picker import FilePicker
from retiscreen.ui.keyboard import OnScreenKeyboard
from retiscreen.ui.pages.base import Page
from retiscreen.ui.pages.skip_panel import SkipPanel
from retiscreen.ui.session import ABSENT_SKIP_REASONS, EyeCapture, ScreeningDraft
from retiscreen.ui.widgets import ConfirmButton, ImageView, MessageLine, TouchScroll, button, label

READY, CHECKING, VERDICT, SKIPPING = "ready", "checking", "verdict", "skipping"


class CapturePage(Page):
    eye_done = Signal()
    cancelled = Signal()

    def __init__(self, ctx: KioskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.draft: ScreeningDraft | None = None
        self.side = Laterality.RIGHT
        self.view: FieldView | None = None
        """The field being photographed at a two-field site (None: the eye's one)."""
        self.state = READY
        self._generation = 0
        self._picker: FilePicker | None = None
        self._preview: QWidget | None = None
        self._connected = False
        self._last_folder: Path | None = None
        self.title = label("", "title")
        self.patient_line = label("", "subtitle")
        # left: preview / photograph / skip reasons
        self.preview_holder = QWidget()
        self.preview_layout = QVBoxLayout(self.preview_holder)
        self.preview_layout.setContentsMargins(0, 0, 0, 0)
        self.no_camera = label("", "subtitle")
        self.preview_layout.addWidget(self.no_camera)
        self.photo = ImageView()
        self._before_skip: str = READY
        self.skip_panel = SkipPanel()
        self.skip_panel.chosen.connect(self.skip_eye)
        self.skip_panel.back.connect(lambda: self._set_state(self._before_skip))
        # the names the kiosk tests and the screenshots drive
        self.other_reason, self.other_ok = self.skip_panel.other_reason, self.skip_panel.other_ok
        self.skip_buttons, self.skip_back = self.skip_panel.buttons, self.skip_panel.back_button
        self.stage = QStackedLayout()
        self.stage.addWidget(self.preview_holder)
        self.stage.addWidget(self.photo)
        self.skip_scroll = TouchScroll(self.skip_panel)  # five reasons outgrow 1024×600
        self.stage.addWidget(self.skip_scroll)
        stage_box = QWidget()
        stage_box.setLayout(self.stage)
        # right: verdict and actions
        self.verdict = MessageLine()
        self.hint = label("", "hint")
        self.source_line = label("", "hint")
        self.take = button("", "primary", "camera", on_click=self.take_photo)
        self.import_file = button("", "", "folder", on_click=self.choose_file)
        self.use = button("", "good", "check", on_click=self.use_photo)
        self.retake = button("", "primary", "retake", on_click=self.start_retake)
        self.accept_ungradable = button("", "danger", on_click=self.accept_as_ungradable)
        self.skip = button("", "small", on_click=self.show_skip)
        self.cancel = ConfirmButton("", "")
        self.cancel.confirmed.connect(self.cancelled.emit)
        words = QWidget()  # the verdict and what to do next, whole, above the buttons
        words_layout = QVBoxLayout(words)
        words_layout.setContentsMargins(0, 0, 0, 0)
        words_layout.addWidget(self.verdict)
        words_layout.addWidget(self.hint)
        words_layout.addStretch(1)
        self.words = TouchScroll(words)
        """Scrolls only where a long reason outgrows a 1024×600 panel: cut, its last
        words (what to do about the photograph) were lost."""
        leave = QHBoxLayout()  # one row: at a verdict the column's height goes to the words
        leave.addWidget(self.skip)
        leave.addWidget(self.cancel)
        actions = QVBoxLayout()
        actions.setSpacing(12)
        actions.addWidget(self.words, 1)
        for widget in (self.take, self.import_file, self.use, self.retake, self.accept_ungradable):
            actions.addWidget(widget)
        actions.addWidget(self.source_line)
        actions.addLayout(leave)
        columns = QHBoxLayout()
        columns.addWidget(stage_box, 1)  # a fundus is round: the stage's height limits it
        columns.addLayout(actions, 1)
        self.body.addWidget(self.title)
        self.body.addWidget(self.patient_line)
        self.body.addLayout(columns, 1)
        self.keyboard = OnScreenKeyboard([self.other_reason], self)
        ctx.camera_changed.connect(self._camera_changed)
        self.retranslate()
        self._set_state(READY)

    # ------------------------------------------------------------------ texts

    def retranslate(self) -> None:
        title = texts.eye_name(self.side)
        if self.view is not None:  # "Right eye · Macula-centred field"
            title += " · " + texts.catalogue().field_view(self.view)
        self.title.setText(title)
        self.take.setText(self.tr("Take photograph"))
        self.import_file.setText(self.tr("Import from file"))
        self.use.setText(self.tr("Use this photograph"))
        self.accept_ungradable.setText(self.tr("Accept as ungradable"))
        if self.view is FieldView.MACULA:
            self.skip.setText(self.tr("Skip this field…"))
        else:
            self.skip.setText(self.tr("Skip this eye…"))
        self.cancel.set_texts(self.tr("Cancel screening"), self.tr("Touch again to cancel"))
        self.skip_panel.retranslate()
        macula = self.view is FieldView.MACULA
        if macula:
            self.skip_panel.title.setText(self.tr("Why is this field not photographed?"))
        for reason, choice in self.skip_panel.buttons:  # a field is not an absent eye
            choice.setVisible(not (macula and reason in ABSENT_SKIP_REASONS))
        self._show_patient()
        self._show_source()
        self._show_verdict()

    def _show_patient(self) -> None:
        patient = self.draft.patient if self.draft else None
        self.patient_line.setText(
            self.tr("Patient: {name} · ID {id}").format(name=patient.name, id=patient.patient_id)
            if patient
            else ""
        )

    def _show_source(self) -> None:
        device = self.ctx.device
        parts = []
        if device is not None:
            parts.append(self.tr("Camera: {name}.").format(name=device_name(device)))
        else:
            parts.append(
                (self.ctx.camera_problem or self.tr("No camera is configured."))
                + " "
                + self.tr("Use Import from file.")
            )
        watcher = self.ctx.watcher
        if watcher is not None:
            if watcher.problem:
                parts.append(watcher.problem)
            else:
                parts.append(
                    self.tr("New photographs in {folder} are used automatically.").format(
                        folder=watcher.folder
                    )
                )
        self.source_line.setText(" ".join(parts))
        self.no_camera.setText("" if device else self.tr("No camera"))

    @property
    def capture(self) -> EyeCapture | None:
        return self.draft.capture(self.side, self.view) if self.draft else None

    def _max_retakes(self) -> int:
        return max(0, self.ctx.settings.capture.max_retakes)

    def _show_verdict(self) -> None:
        capture = self.capture
        if self.state == CHECKING:
            self.verdict.show_message(self.tr("Checking the photograph…"), "info")
            self.hint.setText("")
            return
        if capture is None or capture.attempts == 0 or self.state != VERDICT:
            self.verdict.clear_message()
            if capture is not None and capture.attempts > 0:
                self.hint.setText(
                    self.tr("Retake {n} of {max}.").format(
                        n=capture.attempts, max=self._max_retakes()
                    )
                )
            else:
                self.hint.setText(
                    self.tr("Centre the retina in the picture, then touch “Take photograph”.")
                )
            return
        left = capture.retakes_left(self._max_retakes())
        self.use.setText(self.tr("Use this photograph"))
        if capture.gradable and capture.looks_like is not None:
            self.verdict.show_message(
                self.tr(
                    "Good photograph, but its optic disc is on the {side}, as in a photograph "
                    "of the {other}. Is this really the {eye}? If not, retake it."
                ).format(
                    side=texts.side_name(capture.looks_like),
                    other=texts.eye_name(capture.looks_like).lower(),
                    eye=texts.eye_name(capture.laterality).lower(),
                ),
                "warning",
            )
            self.use.setText(
                self.tr("Yes, it is the {eye}").format(
                    eye=texts.eye_name(capture.laterality).lower()
                )
            )
            self.hint.setText("")
        elif capture.gradable:
            score = capture.quality.score if capture.quality else 0.0
            self.verdict.show_message(
                self.tr("Good photograph: it can be graded (quality {score:.0%}).").format(
                    score=score
                ),
                "ok",
            )
            self.hint.setText("")
        else:
            if capture.error:
                reasons = [capture.error]
            elif capture.quality is not None:
                reasons = [texts.quality_message(r) for r in capture.quality.reasons]
            else:
                reasons = []
            self.verdict.show_message(self.tr("Not gradable.") + " " + " ".join(reasons), "error")
            self.hint.setText(
                self.tr("Retakes left: {n}.").format(n=left)
                if left
                else self.tr(
                    "No retakes left. Accept the eye as ungradable: the patient will be advised "
                    "to have an eye examination."
                )
            )
        self.retake.setText(self.tr("Retake ({n} left)").format(n=left))

    # ------------------------------------------------------------------ state

    def _set_state(self, state: str) -> None:
        self.state = state
        if state != SKIPPING:
            self.keyboard.close_keyboard()
        capture = self.capture
        max_retakes = self._max_retakes()
        left = capture.retakes_left(max_retakes) if capture else 0
        has_device = self.ctx.device is not None
        verdict = state == VERDICT
        self.take.setVisible(state == READY)
        self.take.setEnabled(has_device)
        self.import_file.setVisible(state == READY)
        self.use.setVisible(verdict and bool(capture and capture.gradable))
        self.retake.setVisible(verdict and left > 0)
        self.accept_ungradable.setVisible(
            verdict and bool(capture and capture.may_accept_ungradable(max_retakes))
        )
        self.skip.setVisible(state in (READY, VERDICT))
        self.skip.setEnabled(state in (READY, VERDICT))
        self.stage.setCurrentWidget(
            self.skip_scroll
            if state == SKIPPING
            else self.photo
            if state in (VERDICT, CHECKING) and self.photo.has_image
            else self.preview_holder
        )
        self._show_verdict()
        self.hint.setVisible(state != SKIPPING)
        self.verdict.setVisible(state != SKIPPING and bool(self.verdict.text()))
        self.source_line.setVisible(state == READY)  # which camera: before the photograph

    def _camera_changed(self) -> None:
        self._connected = False  # the old device is gone with its connections
        self._attach_preview()
        self._show_source()
        self._set_state(self.state)

    def _attach_preview(self) -> None:
        device = self.ctx.device
        widget = device.preview_widget() if device is not None else None
        if widget is self._preview:
            return
        if self._preview is not None:
            self.preview_layout.removeWidget(self._preview)
            self._preview.deleteLater()
        self._preview = widget
        if widget is not None:
            self.preview_layout.addWidget(widget, 1)
            widget.show()
        self.no_camera.setVisible(widget is None)

    # ------------------------------------------------------------------ flow

    def start_eye(
        self, draft: ScreeningDraft, side: Laterality, view: FieldView | None = None
    ) -> None:
        """Photograph ``side`` (at a two-field site: its ``view`` field)."""
        self._generation += 1
        self.draft, self.side, self.view = draft, side, view
        self.photo.clear_image()
        self.skip_panel.clear()
        self.cancel.disarm()
        self.retranslate()
        capture = self.capture
        self._set_state(VERDICT if capture and capture.attempts else READY)
        if self._connected:  # the next eye on the page already shown
            self.take_waiting()

    def entered(self) -> None:
        self._attach_preview()
        self._connect(True)
        if self.ctx.device is not None:
            self.ctx.device.start()
        self.take_waiting()

    def left(self) -> None:
        self.keyboard.close_keyboard()
        self._connect(False)
        if self.ctx.device is not None:
            self.ctx.device.stop()
        if self._picker is not None:
            self._picker.reject()

    def _connect(self, on: bool) -> None:
        """Listen to the camera and the watched folder only while this page shows."""
        if on == self._connected:
            return
        device, watcher = self.ctx.device, self.ctx.watcher
        if on:
            if device is not None:
                device.captured.connect(self._captured)
                device.failed.connect(self._camera_failed)
            if watcher is not None:
                watcher.changed.connect(self.take_waiting)
        else:
            if device is not None:
                device.captured.disconnect(self._captured)
                device.failed.disconnect(self._camera_failed)
            if watcher is not None:
                watcher.changed.disconnect(self.take_waiting)
        self._connected = on

    def clear(self) -> None:
        self._generation += 1
        self.draft = None
        self.photo.clear_image()
        self.skip_panel.clear()
        self.cancel.disarm()
        if self._picker is not None:
            self._picker.reject()
        self._set_state(READY)
        self._show_patient()

    def take_photo(self) -> None:
        device = self.ctx.device
        if device is None or self.state != READY or device.busy:
            return
        self.state = CHECKING
        self._set_state(CHECKING)
        self.verdict.show_message(self.tr("Taking the photograph…"), "info")
        device.trigger()

    def _captured(self, image: object) -> None:
        if self.state == CHECKING and isinstance(image, FundusImage):
            self._check(lambda: image)

    def _camera_failed(self, message: str) -> None:
        if self.state == CHECKING:
            self._set_state(READY)
            self.verdict.show_message(message, "error")

    def choose_file(self) -> None:
        shortcuts: list[tuple[str, Path]] = []
        watch = self.ctx.settings.capture.watch_folder
        if watch:
            shortcuts.append((self.tr("Watched folder"), Path(watch).expanduser()))
        if self.ctx.demo:
            shortcuts.append((self.tr("Sample photographs"), demo_folder()))
        shortcuts.append((self.tr("Home folder"), Path.home()))
        start = self._last_folder or (shortcuts[0][1] if shortcuts else Path.home())
        picker = FilePicker(start, shortcuts, parent=self.window())
        picker.chosen.connect(self.use_file)
        picker.finished.connect(lambda _result: self._picker_closed(picker))
        self._picker = picker
        picker.setGeometry(self.window().geometry())
        picker.open()

    def _picker_closed(self, picker: FilePicker) -> None:
        if self._picker is picker:
            self._picker = None
        picker.deleteLater()

    def use_file(self, path: object) -> None:
        if not isinstance(path, Path) or self.state not in (READY, VERDICT):
            return
        self._last_folder = path.parent
        self._check(lambda: path)

    def take_waiting(self) -> None:
        """A photograph waiting in the watched folder becomes this eye's: any waiting one
        when the page is ready for it, only one labelled as this eye over a verdict
        already shown (an unlabelled one may be the other eye: it waits until the
        operator has used or retaken this one)."""
        watcher, capture = self.ctx.watcher, self.capture
        if watcher is None or capture is None or capture.done or self.draft is None:
            return
        if self.state == READY:
            arrival = watcher.take(self.side)
        elif self.state == VERDICT and capture.retakes_left(self._max_retakes()) > 0:
            arrival = watcher.take(self.side, labelled_only=True)
        else:
            return
        if arrival is None or arrival.image is None:
            return
        self.draft.watched.append(arrival.path)
        image = arrival.image
        self._check(lambda: image)

    def _check(self, make_image: Callable[[], Source]) -> None:
        self._set_state(CHECKING)
        generation = self._generation
        service = self.ctx.service

        def work(_progress: Any) -> Any:
            return service.check(make_image())

        self.ctx.workers.run(
            work,
            lambda result: self._checked(generation, result),
            lambda message: self._unreadable(generation, message),
        )

    def _checked(self, generation: int, result: Any) -> None:
        capture = self.capture
        if generation != self._generation or capture is None:
            return
        checked: Checked = result
        copy_of = self._copy_of_another_eye(checked)
        if copy_of is not None:  # said now, while the patient is still seated
            other = texts.eye_name(copy_of.laterality).lower()
            if copy_of.laterality is self.side and copy_of.view is not None:
                other = texts.catalogue().field_view(copy_of.view).lower()
            self._unreadable(
                generation,
                self.tr(
                    "This is the same photograph as the {eye}'s. Photograph this eye itself."
                ).format(eye=other),
            )
            return
        capture.record(checked.image, checked.quality, None, checked)
        self.photo.set_image(checked.image.pixels)
        self._set_state(VERDICT)

    def _copy_of_another_eye(self, checked: Checked) -> EyeCapture | None:
        """The other eye's (or this eye's other field's) capture that this photograph
        copies, if any."""
        if self.draft is None:
            return None
        service = self.ctx.service
        mine = self.capture
        return next(
            (
                other
                for other in self.draft.captures()
                if other is not mine
                and other.image is not None
                and service.same_photograph(checked.image, other.image)
            ),
            None,
        )

    def _unreadable(self, generation: int, message: str) -> None:
        capture = self.capture
        if generation != self._generation or capture is None:
            return
        capture.record(None, None, message)
        self.photo.clear_image()
        self._set_state(VERDICT)

    def start_retake(self) -> None:
        capture = self.capture
        if capture is None or capture.retakes_left(self._max_retakes()) <= 0:
            return
        self.photo.clear_image()
        self._set_state(READY)
        self.take_waiting()

    def use_photo(self) -> None:
        capture = self.capture
        if capture is not None and capture.gradable:
            if capture.looks_like is not None and self.draft is not None:
                self.ctx.service.audit(
                    "laterality_confirmed",
                    operator=self.draft.operator,
                    eye=capture.laterality.value,
                    disc_side_suggests=capture.looks_like.value,
                )
            capture.accept()
            self.eye_done.emit()

    def accept_as_ungradable(self) -> None:
        capture = self.capture
        if capture is not None and capture.may_accept_ungradable(self._max_retakes()):
            capture.accept()
            self.eye_done.emit()

    def show_skip(self) -> None:
        self._before_skip = self.state if self.state in (READY, VERDICT) else READY
        self._set_state(SKIPPING)

    def skip_eye(self, reason: str) -> None:
        capture = self.capture
        if capture is None:
            return
        capture.skip(reason)
        if self.view is FieldView.DISC and self.draft is not None:
            macula = self.draft.macula.get(self.side)
            if macula is not None:  # skipping the eye skips both its fields
                macula.skip(reason)
        self.photo.clear_image()
        self.eye_done.emit()
