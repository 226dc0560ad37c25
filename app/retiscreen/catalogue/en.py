"""English wording: the source language. Keys are the domain's enum values."""

from __future__ import annotations

TEXTS: dict[str, str] = {
    # The patient's (or an eye's) decision: a word beside the colour, a headline, advice.
    "decision.routine.word": "ROUTINE",
    "decision.routine.headline": "No referable diabetic retinopathy",
    "decision.routine.advice": (
        "No sign of diabetic eye disease that needs a specialist was found today. "
        "Come back for your next eye photograph in {months} months, or sooner if your "
        "sight changes."
    ),
    "decision.refer.word": "REFER",
    "decision.refer.headline": "Refer to an eye specialist",
    "decision.refer.advice": (
        "Signs of diabetic eye disease were found. You need to see an eye specialist "
        "within {months} months. Keep controlling your blood sugar, blood pressure and "
        "cholesterol."
    ),
    "decision.urgent.word": "URGENT",
    "decision.urgent.headline": "URGENT referral to an eye specialist",
    "decision.urgent.advice": (
        "Signs of diabetic eye disease that can threaten your sight were found. You must "
        "see an eye specialist within {weeks} weeks. Treatment works best when it is early."
    ),
    "decision.examine.word": "EXAMINE",
    "decision.examine.headline": "Eye examination needed: an eye could not be checked",
    "decision.examine.advice": (
        "Not every eye could be checked today (the photograph was not clear enough, could "
        "not be read, or was not taken). If a retake is not possible, you need an eye "
        "examination by an eye specialist within {months} month(s). This is common (for "
        "example with cataract) and does not mean disease was found."
    ),
    "decision.unavailable.word": "EXAMINE",
    "decision.unavailable.headline": "Cannot grade: refer for an eye examination",
    "decision.unavailable.advice": (
        "The screening system could not grade the photographs today. You need an eye "
        "examination by an eye specialist within {months} month(s)."
    ),
    # A patient referred without screening (the exclusion questions): why, and what next.
    "exclusion.treated.reason": "already treated for diabetic eye disease",
    "exclusion.treated.advice": (
        "You told us you are already being treated for diabetic eye disease, so no "
        "screening photographs were taken: your eye specialist follows your eyes. See "
        "them within {months} months, or sooner if your sight changes."
    ),
    "exclusion.sudden_vision_loss.reason": "sudden loss of vision",
    "exclusion.sudden_vision_loss.advice": (
        "You told us your sight got much worse suddenly. No screening photographs were "
        "taken: you must see an eye specialist TODAY. Go to the eye emergency service "
        "now; do not wait for an appointment."
    ),
    # What became of each eye.
    "eye_status.graded": "Graded",
    "eye_status.ungradable": "Could not be graded: photograph quality",
    "eye_status.unreadable": "Photograph could not be read",
    "eye_status.not_photographed": "Not photographed: not examined",
    "eye_status.absent": "Eye absent (recorded by the operator)",
    "eye_status.unavailable": "Not graded: grading unavailable",
    "eye.right": "Right eye",
    "eye.left": "Left eye",
    "side.right": "right",
    "side.left": "left",
    # ICDR grades.
    "grade.0": "No apparent retinopathy",
    "grade.1": "Mild non-proliferative DR",
    "grade.2": "Moderate non-proliferative DR",
    "grade.3": "Severe non-proliferative DR",
    "grade.4": "Proliferative DR",
    "grade.none": "Not graded",
    # How clear a graded eye's result is (distance from the referral line, card bands).
    "confidence.clearly_below": "Clearly below the referral line",
    "confidence.below": "Below the referral line",
    "confidence.borderline_below": "Close to the line: borderline (just below it)",
    "confidence.borderline_above": "Close to the line: borderline (just above it)",
    "confidence.above": "Above the referral line",
    "confidence.clearly_above": "Clearly above the referral line",
    "confidence.none": "How clear: not stated by this model",
    "dme.refer": "Possible macular oedema: refer",
    "dme.review": (
        "Possible macular oedema: a clinician will look at the photographs "
        "(this finding alone does not decide the referral)"
    ),
    # The heatmap beside each graded photograph.
    "heatmap.explanation": (
        "Heatmap: where the photograph pushed the grader towards referral. It is not a map "
        "of lesions and it does not decide anything."
    ),
    "heatmap.absent": "No heatmap: this model does not provide one.",
    # Why a photograph cannot be graded.
    "quality.not_fundus": (
        "This does not look like a retinal photograph (no round retinal field found). "
        "Check the lens cap and that the camera is aimed at the pupil."
    ),
    "quality.too_dark": (
        "The photograph is too dark. Let the pupil dilate or increase the flash, then retake."
    ),
    "quality.overexposed": (
        "The photograph is overexposed (washed out). Reduce the flash or check for "
        "reflections, then retake."
    ),
    "quality.blurred": (
        "The photograph is blurred: the blood vessels are not sharp. Refocus, ask the "
        "patient to keep still, and retake."
    ),
    "quality.cut_off": (
        "The retina is cut off or off-centre. Centre the eye in the frame and retake."
    ),
    "quality.low_contrast": (
        "The photograph has too little contrast (haze, cataract or a dirty lens). "
        "Clean the lens and retake."
    ),
    "quality.model_rejected": (
        "This photograph is not good enough to grade (haze, glare, eyelashes or poor "
        "focus), or it is not a retinal photograph. Retake it."
    ),
    "quality.low_jpeg_quality": (
        "The photograph was saved too compressed (low JPEG quality): fine detail is lost. "
        "Set the camera or its export to high quality (at least 50, ideally 90) and send it "
        "again."
    ),
    "quality.small_field": (
        "The retina is too small in this picture (too few pixels across it) to grade. Use "
        "the camera's full-resolution image, not a preview or thumbnail."
    ),
    # Printing.
    "print.not_installed": (
        "Printing is not installed on this computer. Ask the administrator to install CUPS."
    ),
    "print.cups_down": (
        "CUPS is not running. Restart the printing service (cupsd) or the kiosk, then try again."
    ),
    "print.no_printer": (
        "No printer is set up. Ask the administrator to add a printer or to choose one in "
        "the settings."
    ),
    "print.not_found": (
        "Printer '{printer}' is not available (not found). Check the printer name in the settings."
    ),
    "print.stopped": (
        "Printer '{printer}' is not available (stopped). Check paper, ink and cables, then "
        "restart the printer queue."
    ),
    "print.rejecting": (
        "Printer '{printer}' is not available (not accepting jobs). Ask the administrator "
        "to let the queue accept jobs again."
    ),
    "print.timeout": (
        "The printing system did not answer in time. Check that CUPS is running, then try again."
    ),
    "print.saved": "The report is saved and will be printed when the printer is back.",
    "print.sent": "Sent to printer {printer}.",
    "date.asap": "as soon as possible",
    # Over-read: what the reviewer did, and why an over-read is refused.
    "review.outcome.agreed": "Agreed by the reviewer",
    "review.outcome.amended": "Amended by the reviewer",
    "review.queue.unexamined": "An eye was not graded",
    "review.queue.sampled": "Routine result, sampled for checking",
    "review.queue.macular_oedema": "Possible macular oedema: the photographs need a look",
    "review.problem.role": (
        "Only a reviewer or an administrator may over-read a screening; nothing was saved."
    ),
    "review.problem.no_photograph": (
        "{eye}: there is no photograph to grade ({status}); leave its grade out. Nothing was saved."
    ),
    "review.problem.not_a_choice": (
        "{decision} is not a decision a reviewer can choose: choose ROUTINE, REFER, URGENT "
        "or EXAMINE. Nothing was saved."
    ),
    "review.problem.less_urgent": (
        "The grades give {rules}, so {decision} would be less urgent than the referral rules "
        "allow. Nothing was saved: choose {rules} or a more urgent decision, or change the "
        "grades."
    ),
    "review.problem.reason_needed": (
        "An amendment needs a reason (what the reviewer saw). Nothing was saved."
    ),
    # Expected failures (retiscreen.errors): one sentence each, before the detail.
    "error.failed": "This step could not be done.",
    "error.image": "This photograph cannot be used.",
    "error.grading_unavailable": (
        "Grading is unavailable: refer every patient for an eye examination until it is fixed."
    ),
    "error.storage": "The records could not be saved or read.",
    "error.identity": "This patient ID belongs to someone else on file.",
    "error.configuration": "A setting is wrong, so RetiScreen will not start.",
    "error.usage": "That cannot be done as asked.",
    "error.printing": "The report could not be printed; it is kept and will be printed later.",
    "error.backup": "The backup or restore could not be done; nothing was changed.",
    "error.model_bundle": (
        "The model update was refused and nothing was changed; the models in use stay."
    ),
    "error.integration": "The clinic's system did not take the request; nothing was lost.",
    "referral.pending": "pending",
    "referral.attended": "attended",
    "referral.not_attended": "did not attend",
    "referral.overdue": "OVERDUE",
    "monitor.alert.score_psi": (
        "The referable scores have drifted from the validation set's (stability index "
        "{value}, alert above {limit}): check the camera and the photographs, and validate "
        "the grader on this site's patients."
    ),
    "monitor.alert.field_ungradable_rate": (
        "{value} of the fields photographed for two-field eyes could not be graded (alert "
        "above {limit}): check how each field is taken, the macula-centred one too."
    ),
    "monitor.alert.ungradable_rate": (
        "{value} of the photographed eyes could not be graded (alert above {limit}): check "
        "the camera, the room's light and how the photographs are taken."
    ),
    "monitor.alert.review_kappa": (
        "Reviewers and the grader agree too rarely (Cohen's kappa {value}, alert below "
        "{limit}): look at the over-read cases together and validate the grader here."
    ),
    "monitor.alert.referrals_overdue": (
        "{value} referred patients are past their due date without a record that they were seen."
    ),
    "monitor.week": "Week {week}",
    # The printed report (page 1, for the clinic) and the letter for the patient (page 2).
    "report.title": "Diabetic retinopathy screening report",
    "report.disclaimer": (
        "RetiScreen is research software, not a cleared medical device. It does not replace a "
        "full eye examination by an eye-care professional, and a result of no referable "
        "retinopathy does not rule out other eye disease. See an eye specialist at once if "
        "your sight changes."
    ),
    "report.dr_explained": (
        "Diabetic retinopathy is damage to the small blood vessels at the back of the eye (the "
        "retina) caused by diabetes. It often gives no symptoms until it is advanced, which is "
        "why regular eye photographs matter: treatment started early protects your sight."
    ),
    "report.phone": "Phone: {phone}",
    "report.patient": "Patient",
    "report.patient_id": "Patient ID",
    "report.date_of_birth": "Date of birth",
    "report.sex": "Sex",
    "report.sex.female": "Female",
    "report.sex.male": "Male",
    "report.sex.other": "Other",
    "report.not_recorded": "not recorded",
    "report.screened": "Screened",
    "report.operator": "Operator",
    "report.site": "Site",
    "report.screening_id": "Screening ID",
    "report.next_step": "Next step due by: {date}",
    "report.overread": "Over-read: {outcome}",
    "report.ai_result": "AI result",
    "report.reviewer": "Reviewer",
    "report.decision": "Decision",
    "report.reviewed_by": "Reviewed by {reviewer}, {when}.",
    "report.reason": "Reason: {reason}",
    "report.eye.right": "Right eye (OD)",
    "report.eye.left": "Left eye (OS)",
    "field.disc": "Disc-centred field",
    "field.macula": "Macula-centred field",
    "field.not_taken": "Not taken",
    "field.finding": "{field}: {finding}",
    "report.field_decides": "The eye's result is its worse gradable field's.",
    "report.no_image": "No image",
    "report.eye_not_screened": "This eye was not part of the screening.",
    "report.no_photograph": "No photograph was recorded.",
    "report.photograph_not_shown": "The photograph could not be shown.",
    "report.no_heatmap": "No heatmap",
    "report.heatmap_not_drawn": "The heatmap could not be drawn.",
    "report.quality_not_assessed": "Quality: not assessed",
    "report.quality": "Quality: {verdict} (score {score})",
    "report.gradable": "Gradable",
    "report.not_gradable": "Not gradable",
    "report.grade": "Grade: {grade}",
    "report.probability": (
        "Referable DR probability: {probability} (referral threshold {threshold})"
    ),
    "report.probability_unavailable": "Referable DR probability: not available",
    "report.how_clear": "How clear: {confidence}",
    "report.eye_result": "Eye result: {result}",
    "report.eye_not_counted": "Eye result: not counted (eye absent)",
    "report.verification_code": "Verification code: {code}",
    "report.report_id": "Report ID: {report_id}",
    "report.page": "RetiScreen report {report_id} - page {page} of {pages}",
    "report.grader": "Grader: {models}",
    "report.grader_not_run": "grader not run",
    "report.model_line": "{model}, execution provider {provider}",
    "report.not_screened": "{headline}. Not screened: {reason}",
    "report.not_screened_eye": "Not screened: {reason}",
    "report.date_time": "{date}, {time}",
    "letter.title": "Your eye screening result",
    "letter.dear": "Dear {name},",
    "letter.intro": (
        "On {date} we took photographs of the back of your eyes to check for diabetic eye "
        "disease. This is what we found:"
    ),
    "letter.intro_not_screened": (
        "On {date} you came for diabetic eye screening. We did not take photographs of "
        "your eyes, because of what you told us:"
    ),
    "letter.what_is_dr": "What is diabetic retinopathy?",
    "letter.sight_worse": (
        "If your sight gets worse suddenly, get help at once: do not wait for your appointment."
    ),
    "letter.phone": "phone {phone}",
    "letter.questions": "Questions? Contact {contact}.",
}
