"""The kiosk window: a header, a stack of pages, and the screening flow between them.

Home → operator sign-in → patient → confirm → right eye → left eye → grading → result
→ home. The window owns the screening draft and is the only place that moves between
pages, so the flow can be read in one screen of code. It also enforces the kiosk rules:
no way out without the admin PIN, and no patient data left on any page after the idle
timeout or the end of a screening.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from retiscreen.accounts import Role
from retiscreen.domain import Exclusion, Patient, Screening
from retiscreen.drafts import DraftSummary
from retiscreen.errors import RetiScreenError, StorageError
from retiscreen.service import ScreeningService
from retiscreen.ui import screening_job as job
from retiscreen.ui.context import KioskContext
from retiscreen.ui.file_picker import FilePicker
from retiscreen.ui.i18n import LanguageSwitcher
from retiscreen.ui.idle import IdleWatcher
from retiscreen.ui.pages.admin import AdminPage
from retiscreen.ui.pages.base import Page
from retiscreen.ui.pages.capture import CapturePage
from retiscreen.ui.pages.confirm import ConfirmPage
from retiscreen.ui.pages.exclusion import ExclusionPage
from retiscreen.ui.pages.grading import GradingPage
from retiscreen.ui.pages.home import HomePage
from retiscreen.ui.pages.overread import OverreadPage
from retiscreen.ui.pages.overread_queue import OverreadQueuePage
from retiscreen.ui.pages.patient import PatientPage
from retiscreen.ui.pages.result import ResultPage
from retiscreen.ui.pages.resume import ResumePage
from retiscreen.ui.pages.setup_admin import SetupAdminPage
from retiscreen.ui.pages.signin import SignInPage
from retiscreen.ui.session import ScreeningDraft, normalise_id
from retiscreen.ui.still_there import StillThereBanner
from retiscreen.ui.widgets import ElidedLabel

log = logging.getLogger(__name__)

RETRY_INTERVAL_MS = 5 * 60 * 1000
"""How often queued print jobs and unsaved screenings are tried again."""


class KioskWindow(QMainWindow):
    def __init__(
        self,
        ctx: KioskContext,
        languages: LanguageSwitcher,
        idle: IdleWatcher,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.languages = languages
        self.idle = idle
        self.allow_close = False
        self.operator: str | None = None
        self._admin_exists = False
        self.draft: ScreeningDraft | None = None
        self.unkept: list[ScreeningDraft] = []
        """Drafts put aside at the idle timeout that the records could not keep (a full
        disk): held here and offered to their operator until they can be kept."""
        self.setWindowTitle("RetiScreen")

        self.home = HomePage(ctx)
        self.signin = SignInPage(ctx)
        self.admin_signin = SignInPage(ctx, admin=True)
        self.review_signin = SignInPage(ctx, reviewer=True)
        self.overread_queue = OverreadQueuePage(ctx)
        self.overread = OverreadPage(ctx)
        self.patient = PatientPage(ctx)
        self.confirm = ConfirmPage(ctx)
        self.exclusion = ExclusionPage(ctx)
        self.capture = CapturePage(ctx)
        self.grading = GradingPage(ctx)
        self.result = ResultPage(ctx)
        self.admin = AdminPage(ctx)
        self.setup_admin = SetupAdminPage(ctx)
        self.resume = ResumePage(ctx)
        self.pages: list[Page] = [
            self.home,
            self.setup_admin,
            self.resume,
            self.signin,
            self.admin_signin,
            self.patient,
            self.confirm,
            self.exclusion,
            self.capture,
            self.grading,
            self.result,
            self.admin,
            self.review_signin,
            self.overread_queue,
            self.overread,
        ]
        self.stack = QStackedWidget()
        for page in self.pages:
            self.stack.addWidget(page)

        self.header = QFrame()
        self.header.setObjectName("header")
        # Long names never widen the window past the screen: they end in "…" (the
        # patient's ID stays whole); the step takes the width its words need first.
        self.clinic_label = ElidedLabel("clinic")
        self.step_label = ElidedLabel(keep_width=True)
        self.step_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.who_label = ElidedLabel()
        self.who_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header_layout = QHBoxLayout(self.header)
        header_layout.setContentsMargins(24, 10, 24, 10)
        header_layout.setSpacing(16)
        header_layout.addWidget(self.clinic_label, 1)
        header_layout.addWidget(self.step_label)
        header_layout.addWidget(self.who_label, 1)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.still_there = StillThereBanner()
        layout.addWidget(self.header)
        layout.addWidget(self.still_there)
        # The pages' minimum heights must not become the window's: a window taller than a
        # 1024×600 panel runs off its bottom, with the page's buttons. The page is given
        # the panel's height instead; tests/ui/test_kiosk_fits_the_screen.py checks
        # that every page's controls then still lie inside the window and apart.
        self.stack.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._wire()
        self.idle.timed_out.connect(self.idle_timeout)
        self.idle.warning.connect(self.still_there.ask)
        self.idle.answered.connect(self.still_there.hide)
        ctx.workers.busy_changed.connect(self.idle.hold)
        ctx.settings_changed.connect(self._settings_changed)
        self.retry_timer = QTimer(self)
        self.retry_timer.setInterval(RETRY_INTERVAL_MS)
        self.retry_timer.timeout.connect(self.retry_background)
        self.retry_timer.start()
        self.home.set_language(languages.current)
        self.go(self.home)
        self.retry_background()

    # ------------------------------------------------------------------ wiring

    def _wire(self) -> None:
        self.home.start_requested.connect(self.start_requested)
        self.home.admin_requested.connect(lambda: self.go(self.admin_signin))
        self.home.sign_out_requested.connect(self.sign_out)
        self.home.language_chosen.connect(self.set_language)
        self.signin.signed_in.connect(self.operator_signed_in)
        self.signin.cancelled.connect(lambda: self.go(self.home))
        self.admin_signin.signed_in.connect(self.admin_signed_in)
        self.setup_admin.created.connect(lambda _name: self.go(self.home))
        self.resume.resume_requested.connect(self.resume_parked)
        self.resume.discard_requested.connect(self.discard_parked)
        self.admin_signin.cancelled.connect(lambda: self.go(self.home))
        self.patient.entered_patient.connect(self.patient_entered)
        self.patient.cancelled.connect(lambda: self.cancel_screening("cancelled"))
        self.confirm.back_requested.connect(lambda: self.go(self.patient))
        self.confirm.confirmed.connect(self.patient_confirmed)
        self.exclusion.cleared.connect(self.exclusions_cleared)
        self.exclusion.excluded.connect(self.excluded)
        self.exclusion.cancelled.connect(lambda: self.cancel_screening("cancelled"))
        self.capture.eye_done.connect(self.eye_done)
        self.capture.cancelled.connect(lambda: self.cancel_screening("cancelled"))
        self.grading.finished.connect(self.graded)
        self.result.done.connect(self.finish_screening)
        self.admin.closed.connect(self.close_admin)
        self.home.overread_requested.connect(lambda: self.go(self.review_signin))
        self.review_signin.cancelled.connect(lambda: self.go(self.home))
        self.review_signin.signed_in.connect(self.reviewer_signed_in)
        self.overread_queue.open_requested.connect(self.open_overread)
        self.overread_queue.closed.connect(self.close_overread)
        self.overread.back.connect(lambda: self.go(self.overread_queue))
        self.overread.saved.connect(self.overread_saved)
        self.admin.exit_requested.connect(self.exit_kiosk)

    # ------------------------------------------------------------------ navigation

    @property
    def current(self) -> Page:
        widget = self.stack.currentWidget()
        assert isinstance(widget, Page)
        return widget

    def go(self, page: Page) -> None:
        """Show ``page``; while the kiosk has no administrator, every way home leads to
        the first-start page instead (the idle timeout included)."""
        if page is self.home and self._needs_admin():
            page = self.setup_admin
        previous = self.stack.currentWidget()
        if isinstance(previous, Page) and previous is not page:
            previous.left()
        self.stack.setCurrentWidget(page)
        page.entered()
        self._update_header()
        self.idle.arm(page not in (self.home, self.setup_admin) or self.operator is not None)

    def _needs_admin(self) -> bool:
        """Asked of the database until an administrator exists; after that never again
        (the last administrator cannot be removed)."""
        if self._admin_exists or self.ctx.demo or self.ctx.accounts_problem:
            return False
        try:
            self._admin_exists = self.ctx.accounts.has_admin()
        except StorageError:
            return False  # the home page says the records cannot be read
        return not self._admin_exists

    def _update_header(self) -> None:
        self.clinic_label.setText(self.ctx.settings.clinic.name)
        steps = {
            self.patient: self.tr("Step 1 of 5: patient"),
            self.confirm: self.tr("Step 2 of 5: confirm the patient"),
            self.exclusion: self.tr("Step 3 of 5: before the photographs"),
            self.grading: self.tr("Step 4 of 5: grading"),
            self.result: self.tr("Step 5 of 5: result"),
            self.admin: self.tr("Administration"),
            self.overread_queue: self.tr("Over-read"),
            self.overread: self.tr("Over-read"),
        }
        if self.current is self.capture:
            self.step_label.setText(
                self.tr("Step 3 of 5: {eye}").format(eye=self.capture.title.text())
            )
        else:
            self.step_label.setText(steps.get(self.current, ""))
        patient = self.draft.patient if self.draft else None
        if patient is not None and self.current is not self.patient:
            self.who_label.set_text(patient.name, f" · {patient.patient_id}")
        elif self.current in (self.overread_queue, self.overread) and self.overread_queue.reviewer:
            self.who_label.set_text(
                self.tr("Reviewer: {name}").format(name=self.overread_queue.reviewer)
            )
        elif self.operator:
            self.who_label.set_text(self.tr("Operator: {name}").format(name=self.operator))
        else:
            self.who_label.clear()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._update_header()
        super().changeEvent(event)

    def _settings_changed(self) -> None:
        self.idle.set_timeout(self.ctx.settings.kiosk.idle_timeout_s)
        self._update_header()

    # ------------------------------------------------------------------ the flow

    def start_requested(self) -> None:
        if self.operator is None:
            self.go(self.signin)
        else:
            self.start_screening()

    def operator_signed_in(self, name: str) -> None:
        self.operator = name
        role = self.signin.role
        self.home.set_operator(name, may_review=role is not None and role.may(Role.REVIEWER))
        self.start_screening()

    def start_screening(self) -> None:
        """A new screening, unless this operator left one unfinished: then that first."""
        assert self.operator is not None
        self._keep_unkept()
        waiting = self._waiting(self.operator)
        if waiting:
            self.resume.set_draft(waiting[0])
            self.go(self.resume)
            return
        self.draft = ScreeningDraft(self.operator).take_fields(self._fields_per_eye())
        self.patient.clear()
        self.patient.operator = self.operator
        self.go(self.patient)

    def _waiting(self, operator: str) -> list[DraftSummary | ScreeningDraft]:
        """The operator's unfinished screenings, newest first: those the records keep
        (not one whose screening waits to be saved again), then any they could not."""
        unsaved = {screening.screening_id for screening in self.ctx.unsaved}
        try:
            kept = [d for d in self.ctx.service.drafts_of(operator) if d.draft_id not in unsaved]
        except StorageError as exc:
            log.error("the unfinished screenings could not be listed: %s", exc)
            kept = []
        held = [d for d in reversed(self.unkept) if d.operator == operator]
        return [*kept, *held]

    def _keep(self, draft: ScreeningDraft, parked_on: str | None = None) -> bool:
        """Keep the draft in the records (at each step, and when parked); a failure is
        logged (the draft is still in memory)."""
        try:
            self.ctx.service.keep_draft(draft, parked_on=parked_on)
        except StorageError as exc:
            log.error("unfinished screening %s NOT kept: %s", draft.draft_id, exc)
            return False
        return True

    def _keep_unkept(self) -> None:
        for draft in list(self.unkept):
            if self._keep(draft, parked_on="kept later"):
                self.unkept.remove(draft)

    def resume_parked(self) -> None:
        """The operator's newest unfinished screening again, from the identity check."""
        assert self.operator is not None
        waiting = self.resume.draft
        if isinstance(waiting, ScreeningDraft):  # held in memory: the records failed
            draft = waiting
            self.unkept.remove(draft)
            self.ctx.audit("screening_resumed", operator=self.operator)
        elif waiting is not None:
            try:
                draft = self.ctx.service.resume_draft(waiting.draft_id, self.operator)
            except RetiScreenError as exc:  # damaged, or gone meanwhile: it can be discarded
                self.resume.message.show_message(str(exc), "error")
                return
        else:
            return
        self.resume.clear()
        self.draft = draft
        assert draft.patient is not None
        self.patient.clear()
        self.patient.operator = self.operator
        self.patient.fill(draft.patient)
        if draft.language is not None:
            self.patient.language.restore(draft.language)
        self.confirm.set_patient(draft.patient, read_back=bool(draft.identified_by))
        self.go(self.confirm)

    def discard_parked(self) -> None:
        """The operator discards their unfinished screening: the draft and its
        photographs go (audited)."""
        assert self.operator is not None
        waiting = self.resume.draft
        why = "the operator discarded the unfinished screening"
        if isinstance(waiting, ScreeningDraft):
            self.unkept.remove(waiting)
            self.ctx.audit("draft_discarded", operator=self.operator, why=why, kept=False)
        elif waiting is not None:
            try:
                self.ctx.service.discard_draft(waiting.draft_id, self.operator, why)
            except StorageError as exc:
                self.resume.message.show_message(str(exc), "error")
                return
        self.resume.clear()
        self.clear_patient_data()
        self.go(self.home)

    def sign_out(self) -> None:
        self.operator = None
        self.home.set_operator(None)
        self.go(self.home)

    def patient_entered(self, patient: Any) -> None:
        if self.draft is None or not isinstance(patient, Patient):
            return
        before = self.draft.patient
        taken = any(eye.attempts or eye.done for eye in self.draft.eyes.values())
        if taken and before is not None and _identity(before) != _identity(patient):
            # photographs of a resumed draft belong to the patient they were taken of
            fresh = ScreeningDraft(self.draft.operator).take_fields(self._fields_per_eye())
            self.draft.eyes, self.draft.macula = fresh.eyes, fresh.macula
            self.ctx.audit("draft_photographs_discarded", operator=self.operator)
        self.draft.patient = patient
        self.draft.order = self.patient.order or self.draft.order
        self.draft.identified_by = self.patient.picked_from
        self.draft.language = self.patient.language.language
        self.confirm.set_patient(patient, read_back=bool(self.patient.picked_from))
        self.go(self.confirm)

    def patient_confirmed(self) -> None:
        if self.draft is None or self.draft.patient is None:
            return
        try:  # the records must agree on who this is before any photograph is taken
            self.draft.patient = self.ctx.service.resolve_patient(self.draft.patient)
        except RetiScreenError as exc:  # another patient's ID, an impossible birth date
            self.confirm.message.show_message(str(exc), "error")
            return
        self.ctx.audit(
            "patient_confirmed",
            operator=self.operator,
            method=self.confirm.method,
            picked_from=self.draft.identified_by or None,
        )
        self._keep(self.draft)  # from here a restart or a power cut loses nothing
        if self.ctx.watcher is not None:
            self.ctx.watcher.set_aside_stale()
        untouched = not any(eye.attempts or eye.done for eye in self.draft.eyes.values())
        asks = self.ctx.settings.capture.exclusion_questions
        if asks and untouched and not self.draft.exclusion_checked:
            self.exclusion.clear()
            self.go(self.exclusion)
            return
        self._photographs()

    def exclusions_cleared(self) -> None:
        """No to both questions: photographs as usual."""
        if self.draft is None:
            return
        self.draft.exclusion_checked = True
        self.ctx.audit("exclusion_questions_answered", operator=self.operator, exclusion=None)
        self._keep(self.draft)
        self._photographs()

    def excluded(self, exclusion: Any) -> None:
        """Yes to a question: no photographs; the referral is recorded and printed."""
        if self.draft is None or not isinstance(exclusion, Exclusion):
            return
        self.draft.exclusion = exclusion
        self.ctx.audit(
            "exclusion_questions_answered", operator=self.operator, exclusion=exclusion.value
        )
        self.go(self.grading)
        self.grading.run(self.draft)

    def _fields_per_eye(self) -> int:
        """The site's fields per eye (2: disc-, then macula-centred, each checked)."""
        return self.ctx.settings.capture.fields_per_eye

    def _photographs(self) -> None:
        assert self.draft is not None
        step = self.draft.next_capture()  # a resumed draft goes on where it stopped
        if step is None:
            self.go(self.grading)
            self.grading.run(self.draft)
            return
        self.capture.start_eye(self.draft, step.laterality, step.view)
        self.go(self.capture)

    def eye_done(self) -> None:
        if self.draft is None:
            return
        self._keep(self.draft)
        step = self.draft.next_capture()
        if step is not None:
            self.capture.start_eye(self.draft, step.laterality, step.view)
            self._update_header()
            return
        self.go(self.grading)
        self.grading.run(self.draft)

    def graded(self, outcome: Any) -> None:
        if not isinstance(outcome, job.Outcome):
            return
        if outcome.storage_error is None:
            self._settle_watched(outcome.screening)
        self.result.show_outcome(outcome)
        self.go(self.result)

    def finish_screening(self) -> None:
        self.clear_patient_data()
        self.go(self.home)

    def _settle_watched(self, screening: Screening | None, why: str = "") -> None:
        """Move this visit's files from the watched folder: a photograph the saved
        screening holds to done/, every other one (retaken, or the visit was abandoned)
        to failed/, each with the reason."""
        watcher, draft = self.ctx.watcher, self.draft
        if watcher is None or draft is None:
            return
        used = {
            image.source: eye.laterality
            for eye in (screening.eyes if screening else ())
            for image in eye.photographs  # a two-field eye: both fields' photographs
        }
        for path in draft.watched:
            side = used.get(str(path))
            if screening is not None and side is not None:
                watcher.done(path, f"Screening {screening.screening_id}, {side.value} eye.")
            elif screening is not None:
                watcher.failed(
                    path,
                    f"Not used in screening {screening.screening_id}: another "
                    "photograph of that eye was taken instead.",
                )
            else:
                watcher.failed(path, f"The screening was not saved: {why}.")
        draft.watched.clear()

    def _settle_parked(self, draft: ScreeningDraft) -> None:
        """The watched-folder files of a parked visit leave the folder now (the next
        patient's screening must not take them): the photographs the draft holds to
        done/, the others to failed/."""
        watcher = self.ctx.watcher
        if watcher is None:
            return
        held = {eye.image.source for eye in draft.captures() if eye.image is not None}
        for path in draft.watched:
            if str(path) in held:
                watcher.done(path, f"Kept, encrypted, with unfinished screening {draft.draft_id}.")
            else:
                watcher.failed(path, f"Not used in unfinished screening {draft.draft_id}.")
        draft.watched.clear()

    def cancel_screening(self, why: str) -> None:
        self._settle_watched(None, why)
        if self.draft is not None:
            try:  # a draft kept so far goes with it (audited there)
                self.ctx.service.discard_draft(self.draft.draft_id, self.draft.operator, why)
            except StorageError as exc:
                log.error("the unfinished screening was not removed: %s", exc)
            self.ctx.audit(
                "screening_abandoned",
                operator=self.operator,
                why=why,
                page=type(self.current).__name__,
            )
        self.clear_patient_data()
        self.go(self.home)

    def clear_patient_data(self) -> None:
        """Forget the patient on every page (and in the header), and close any file
        chooser left open over them."""
        self.draft = None
        for picker in self.findChildren(FilePicker):
            picker.reject()
        for page in self.pages:
            page.clear()
        self._update_header()

    def idle_timeout(self) -> None:
        """Clear the screen. A screening not yet graded is put aside for its operator
        (never dropped); a finished one is already saved."""
        log.info("idle timeout on %s: clearing patient data", type(self.current).__name__)
        self.still_there.hide()
        draft = self.draft
        if (
            draft is not None
            and draft.patient is not None
            and self.current in (self.patient, self.confirm, self.exclusion, self.capture)
        ):
            if not self._keep(draft, parked_on=type(self.current).__name__):
                self.unkept.append(draft)  # never dropped: kept here, tried again
                self.ctx.audit(
                    "screening_parked", operator=draft.operator, kept=False, page="memory"
                )
            self._settle_parked(draft)
            self.draft = None
        self._settle_watched(None, "the kiosk was left idle and the screening was abandoned")
        if self.draft is not None:
            self.ctx.audit(
                "screening_abandoned",
                operator=self.operator,
                why="idle timeout",
                page=type(self.current).__name__,
            )
        self.operator = None
        self.home.set_operator(None)
        self.review_signin.role = None
        self.clear_patient_data()
        self.set_language(self.ctx.settings.kiosk.language)
        self.go(self.home)

    def set_language(self, code: str) -> None:
        self.languages.set_language(code)
        self.home.set_language(self.languages.current)

    # ------------------------------------------------------------------ over-read

    def reviewer_signed_in(self, name: str) -> None:
        """Only reviewers and administrators get here (the sign-in page lists no one
        else and refuses anyone else)."""
        self.overread_queue.clear()
        self.overread_queue.reviewer = name
        self.go(self.overread_queue)

    def open_overread(self, screening_id: str) -> None:
        reviewer = self.overread_queue.reviewer
        if reviewer is None:
            return
        self.overread.open(screening_id, reviewer, self.review_signin.role)
        self.go(self.overread)

    def overread_saved(self, report_id: str) -> None:
        self.overread.clear()
        self.overread_queue.show_saved(report_id)
        self.go(self.overread_queue)  # lists what is left

    def close_overread(self) -> None:
        """The reviewer leaves: nothing of the list or the patient stays on screen."""
        self.overread.clear()
        self.overread_queue.clear()
        self.review_signin.role = None
        self.go(self.home)

    # ------------------------------------------------------------------ admin and exit

    def admin_signed_in(self, name: str) -> None:
        self.ctx.admin = name
        self.go(self.admin)

    def close_admin(self) -> None:
        for picker in self.findChildren(FilePicker):
            picker.reject()
        self.admin.clear()
        self.ctx.admin = None
        self.go(self.home)

    def exit_kiosk(self) -> None:
        """Unfinished screenings stay kept in the records for their operators; one the
        records could not keep is tried once more, else its loss is audited."""
        self._keep_unkept()
        for draft in self.unkept:
            self.ctx.audit(
                "screening_abandoned",
                operator=draft.operator,
                why="kiosk closed; the records could not keep it",
            )
        self.unkept.clear()
        self.draft = None
        self.ctx.audit("kiosk_closed", operator=self.ctx.admin)
        self.allow_close = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.allow_close:
            event.ignore()
            return
        self.retry_timer.stop()
        self.idle.stop()
        self.ctx.close()
        event.accept()

    # ------------------------------------------------------------------ background

    def retry_background(self) -> None:
        """Print what is queued, send what is waiting in the outbox, and save what could
        not be saved (off the GUI thread)."""
        service = self.ctx.service
        self._keep_unkept()
        self.ctx.workers.run(lambda _p: service.expire_drafts())
        self.ctx.workers.run(lambda _p: job.retry_queue(service))
        self.ctx.workers.run(lambda _p: service.retry_outbox(), lambda _r: self.home.show_sends())
        for screening in list(self.ctx.unsaved):
            self.ctx.workers.run(partial(_save_quietly, service, screening), self._unsaved_retried)

    def _unsaved_retried(self, outcome: Any) -> None:
        if (
            isinstance(outcome, job.Outcome)
            and outcome.storage_error is None
            and outcome.screening in self.ctx.unsaved
        ):
            self.ctx.unsaved.remove(outcome.screening)


def _save_quietly(service: ScreeningService, screening: Screening, _progress: Any) -> job.Outcome:
    return job.save_and_print(service, screening, lambda _step: None)


def _identity(patient: Patient) -> tuple[str, object]:
    return normalise_id(patient.patient_id), patient.date_of_birth
