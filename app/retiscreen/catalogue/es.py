"""Spanish wording. A key missing here falls back to English (a test lists none missing)."""

from __future__ import annotations

TEXTS: dict[str, str] = {
    "decision.routine.word": "RUTINA",
    "decision.routine.headline": "Sin retinopatía diabética que requiera derivación",
    "decision.routine.advice": (
        "Hoy no se encontraron signos de enfermedad ocular diabética que requieran un "
        "especialista. Vuelva para su próxima fotografía de los ojos dentro de {months} "
        "meses, o antes si su visión cambia."
    ),
    "decision.refer.word": "DERIVAR",
    "decision.refer.headline": "Derivar a un oftalmólogo",
    "decision.refer.advice": (
        "Se encontraron signos de enfermedad ocular diabética. Debe ver a un oftalmólogo en "
        "un plazo de {months} meses. Siga controlando su azúcar en sangre, su presión "
        "arterial y su colesterol."
    ),
    "decision.urgent.word": "URGENTE",
    "decision.urgent.headline": "Derivación URGENTE a un oftalmólogo",
    "decision.urgent.advice": (
        "Se encontraron signos de enfermedad ocular diabética que pueden poner en peligro su "
        "visión. Debe ver a un oftalmólogo en un plazo de {weeks} semanas. El tratamiento "
        "funciona mejor cuanto antes se empieza."
    ),
    "decision.examine.word": "EXAMINAR",
    "decision.examine.headline": "Se necesita un examen ocular: no se pudo revisar un ojo",
    "decision.examine.advice": (
        "Hoy no se pudieron revisar todos los ojos (la fotografía no era lo bastante clara, "
        "no se pudo leer o no se tomó). Si no es posible repetirla, necesita un examen "
        "ocular por un oftalmólogo en un plazo de {months} mes(es). Esto es frecuente (por "
        "ejemplo, con cataratas) y no significa que se haya encontrado una enfermedad."
    ),
    "decision.unavailable.word": "EXAMINAR",
    "decision.unavailable.headline": "No se puede evaluar: derivar para un examen ocular",
    "decision.unavailable.advice": (
        "El sistema de cribado no pudo evaluar las fotografías hoy. Necesita un examen "
        "ocular por un oftalmólogo en un plazo de {months} mes(es)."
    ),
    # Un paciente derivado sin cribado (las preguntas de exclusión): por qué y qué hacer.
    "exclusion.treated.reason": "ya en tratamiento por enfermedad ocular diabética",
    "exclusion.treated.advice": (
        "Nos dijo que ya recibe tratamiento por enfermedad ocular diabética, así que no se "
        "tomaron fotografías de cribado: su oftalmólogo sigue sus ojos. Acuda a su "
        "oftalmólogo en un plazo de {months} meses, o antes si su vista cambia."
    ),
    "exclusion.sudden_vision_loss.reason": "pérdida repentina de visión",
    "exclusion.sudden_vision_loss.advice": (
        "Nos dijo que su vista empeoró mucho de repente. No se tomaron fotografías de "
        "cribado: debe ver a un oftalmólogo HOY. Vaya ahora a urgencias de oftalmología; "
        "no espere a una cita."
    ),
    "eye_status.graded": "Evaluado",
    "eye_status.ungradable": "No se pudo evaluar: calidad de la fotografía",
    "eye_status.unreadable": "No se pudo leer la fotografía",
    "eye_status.not_photographed": "Sin fotografía: no examinado",
    "eye_status.absent": "Ojo ausente (registrado por el operador)",
    "eye_status.unavailable": "No evaluado: evaluación no disponible",
    "eye.right": "Ojo derecho",
    "eye.left": "Ojo izquierdo",
    "side.right": "derecha",
    "side.left": "izquierda",
    "grade.0": "Sin retinopatía aparente",
    "grade.1": "RD no proliferativa leve",
    "grade.2": "RD no proliferativa moderada",
    "grade.3": "RD no proliferativa grave",
    "grade.4": "RD proliferativa",
    "grade.none": "No evaluado",
    "confidence.clearly_below": "Claramente por debajo del umbral de derivación",
    "confidence.below": "Por debajo del umbral de derivación",
    "confidence.borderline_below": "Cerca del umbral: dudoso (justo por debajo)",
    "confidence.borderline_above": "Cerca del umbral: dudoso (justo por encima)",
    "confidence.above": "Por encima del umbral de derivación",
    "confidence.clearly_above": "Claramente por encima del umbral de derivación",
    "confidence.none": "Claridad: este modelo no la indica",
    "dme.refer": "Posible edema macular: derivar",
    "dme.review": (
        "Posible edema macular: un clínico revisará las fotografías "
        "(este hallazgo por sí solo no decide la derivación)"
    ),
    "heatmap.explanation": (
        "Mapa de calor: dónde la fotografía llevó al evaluador hacia la derivación. No es un "
        "mapa de lesiones y no decide nada."
    ),
    "heatmap.absent": "Sin mapa de calor: este modelo no lo ofrece.",
    "quality.not_fundus": (
        "No parece una fotografía de retina (no se encontró un campo retiniano redondo). "
        "Compruebe la tapa del objetivo y que la cámara apunte a la pupila."
    ),
    "quality.too_dark": (
        "La fotografía está demasiado oscura. Espere a que la pupila se dilate o aumente el "
        "flash, y repítala."
    ),
    "quality.overexposed": (
        "La fotografía está sobreexpuesta (deslavada). Reduzca el flash o busque reflejos, y "
        "repítala."
    ),
    "quality.blurred": (
        "La fotografía está borrosa: los vasos sanguíneos no se ven nítidos. Vuelva a "
        "enfocar, pida al paciente que no se mueva y repítala."
    ),
    "quality.cut_off": (
        "La retina está cortada o descentrada. Centre el ojo en el encuadre y repita la fotografía."
    ),
    "quality.low_contrast": (
        "La fotografía tiene muy poco contraste (opacidad, catarata o lente sucia). Limpie "
        "la lente y repítala."
    ),
    "quality.model_rejected": (
        "Esta fotografía no es lo bastante buena para evaluarla (opacidad, reflejos, "
        "pestañas o mal enfoque), o no es una fotografía de retina. Repítala."
    ),
    "quality.low_jpeg_quality": (
        "La fotografía se guardó demasiado comprimida (calidad JPEG baja): se pierde el "
        "detalle fino. Configure la cámara o su exportación en calidad alta (al menos 50, "
        "mejor 90) y envíela de nuevo."
    ),
    "quality.small_field": (
        "La retina es demasiado pequeña en esta imagen (pocos píxeles) para evaluarla. Use "
        "la imagen de resolución completa de la cámara, no una vista previa ni una miniatura."
    ),
    "print.not_installed": (
        "La impresión no está instalada en este equipo. Pida al administrador que instale CUPS."
    ),
    "print.cups_down": (
        "CUPS no está en marcha. Reinicie el servicio de impresión (cupsd) o el quiosco y "
        "vuelva a intentarlo."
    ),
    "print.no_printer": (
        "No hay ninguna impresora configurada. Pida al administrador que añada una "
        "impresora o que elija una en la configuración."
    ),
    "print.not_found": (
        "La impresora '{printer}' no está disponible (no se encuentra). Compruebe el nombre "
        "de la impresora en la configuración."
    ),
    "print.stopped": (
        "La impresora '{printer}' no está disponible (detenida). Compruebe el papel, la "
        "tinta y los cables, y reinicie la cola de impresión."
    ),
    "print.rejecting": (
        "La impresora '{printer}' no está disponible (no acepta trabajos). Pida al "
        "administrador que la cola vuelva a aceptar trabajos."
    ),
    "print.timeout": (
        "El sistema de impresión no respondió a tiempo. Compruebe que CUPS está en marcha y "
        "vuelva a intentarlo."
    ),
    "print.saved": (
        "El informe está guardado y se imprimirá cuando la impresora vuelva a estar disponible."
    ),
    "print.sent": "Enviado a la impresora {printer}.",
    "date.asap": "lo antes posible",
    "review.outcome.agreed": "Confirmado por el revisor",
    "review.outcome.amended": "Corregido por el revisor",
    "review.queue.unexamined": "Un ojo no se evaluó",
    "review.queue.macular_oedema": "Posible edema macular: hay que revisar las fotografías",
    "review.queue.sampled": "Resultado de rutina, elegido para control",
    "review.problem.role": (
        "Solo un revisor o un administrador puede revisar un cribado; no se guardó nada."
    ),
    "review.problem.no_photograph": (
        "{eye}: no hay fotografía que evaluar ({status}); deje su grado sin indicar. No se "
        "guardó nada."
    ),
    "review.problem.not_a_choice": (
        "{decision} no es una decisión que pueda elegir un revisor: elija RUTINA, DERIVAR, "
        "URGENTE o EXAMINAR. No se guardó nada."
    ),
    "review.problem.less_urgent": (
        "Los grados indican {rules}, así que {decision} sería menos urgente de lo que "
        "permiten las reglas de derivación. No se guardó nada: elija {rules} o una decisión "
        "más urgente, o cambie los grados."
    ),
    "review.problem.reason_needed": (
        "Una corrección necesita un motivo (lo que vio el revisor). No se guardó nada."
    ),
    # Expected failures (retiscreen.errors): one sentence each, before the detail.
    "error.failed": "Este paso no se pudo completar.",
    "error.image": "Esta fotografía no se puede usar.",
    "error.grading_unavailable": (
        "La evaluación no está disponible: derive a cada paciente para un examen ocular "
        "hasta que se resuelva."
    ),
    "error.storage": "Los registros no se pudieron guardar ni leer.",
    "error.identity": "Este ID de paciente pertenece a otra persona registrada.",
    "error.configuration": "Una configuración es incorrecta, así que RetiScreen no arrancará.",
    "error.usage": "Eso no se puede hacer así.",
    "error.printing": "El informe no se pudo imprimir; se guarda y se imprimirá más tarde.",
    "error.backup": "La copia de seguridad o la restauración no se pudo hacer; no se cambió nada.",
    "error.model_bundle": (
        "La actualización del modelo se rechazó y no se cambió nada; siguen los modelos en uso."
    ),
    "error.integration": (
        "El sistema de la clínica no aceptó la solicitud; no se ha perdido nada."
    ),
    "referral.pending": "pendiente",
    "referral.attended": "acudió",
    "referral.not_attended": "no acudió",
    "referral.overdue": "VENCIDA",
    "monitor.alert.score_psi": (
        "Las puntuaciones de derivación se han desviado de las del conjunto de validación "
        "(índice de estabilidad {value}, alerta por encima de {limit}): revise la cámara y "
        "las fotografías, y valide el clasificador con los pacientes de este centro."
    ),
    "monitor.alert.field_ungradable_rate": (
        "{value} de los campos fotografiados en ojos con dos campos no se pudieron evaluar "
        "(alerta por encima de {limit}): revise cómo se toma cada campo, también el centrado "
        "en la mácula."
    ),
    "monitor.alert.ungradable_rate": (
        "{value} de los ojos fotografiados no se pudieron evaluar (alerta por encima de "
        "{limit}): revise la cámara, la luz de la sala y cómo se toman las fotografías."
    ),
    "monitor.alert.review_kappa": (
        "Los revisores y el clasificador coinciden demasiado poco (kappa de Cohen {value}, "
        "alerta por debajo de {limit}): revisen juntos los casos y validen aquí el clasificador."
    ),
    "monitor.alert.referrals_overdue": (
        "{value} pacientes derivados han pasado su fecha límite sin constancia de que los "
        "hayan visto."
    ),
    "monitor.week": "Semana {week}",
    "report.title": "Informe de cribado de retinopatía diabética",
    "report.disclaimer": (
        "RetiScreen es software de investigación, no un producto sanitario autorizado. No "
        "sustituye un examen ocular completo por un profesional de la visión, y un resultado "
        "sin retinopatía que requiera derivación no descarta otras enfermedades de los ojos. "
        "Acuda de inmediato a un oftalmólogo si su visión cambia."
    ),
    "report.dr_explained": (
        "La retinopatía diabética es un daño de los pequeños vasos sanguíneos del fondo del ojo "
        "(la retina) causado por la diabetes. A menudo no da síntomas hasta que está avanzada; "
        "por eso importan las fotografías periódicas de los ojos: el tratamiento a tiempo "
        "protege su visión."
    ),
    "report.phone": "Teléfono: {phone}",
    "report.patient": "Paciente",
    "report.patient_id": "ID de paciente",
    "report.date_of_birth": "Fecha de nacimiento",
    "report.sex": "Sexo",
    "report.sex.female": "Mujer",
    "report.sex.male": "Hombre",
    "report.sex.other": "Otro",
    "report.not_recorded": "no registrado",
    "report.screened": "Cribado",
    "report.operator": "Operador",
    "report.site": "Centro",
    "report.screening_id": "ID de cribado",
    "report.next_step": "Próximo paso antes del: {date}",
    "report.overread": "Revisión: {outcome}",
    "report.ai_result": "Resultado de la IA",
    "report.reviewer": "Revisor",
    "report.decision": "Decisión",
    "report.reviewed_by": "Revisado por {reviewer}, {when}.",
    "report.reason": "Motivo: {reason}",
    "report.eye.right": "Ojo derecho (OD)",
    "report.eye.left": "Ojo izquierdo (OI)",
    "field.disc": "Campo centrado en el disco",
    "field.macula": "Campo centrado en la mácula",
    "field.not_taken": "No tomada",
    "field.finding": "{field}: {finding}",
    "report.field_decides": "El resultado del ojo es el de su peor campo evaluable.",
    "report.no_image": "Sin imagen",
    "report.eye_not_screened": "Este ojo no formó parte del cribado.",
    "report.no_photograph": "No se registró ninguna fotografía.",
    "report.photograph_not_shown": "No se pudo mostrar la fotografía.",
    "report.no_heatmap": "Sin mapa de calor",
    "report.heatmap_not_drawn": "No se pudo dibujar el mapa de calor.",
    "report.quality_not_assessed": "Calidad: no evaluada",
    "report.quality": "Calidad: {verdict} (puntuación {score})",
    "report.gradable": "Evaluable",
    "report.not_gradable": "No evaluable",
    "report.grade": "Grado: {grade}",
    "report.probability": (
        "Probabilidad de RD que requiere derivación: {probability} (umbral de derivación "
        "{threshold})"
    ),
    "report.probability_unavailable": "Probabilidad de RD que requiere derivación: no disponible",
    "report.how_clear": "Claridad: {confidence}",
    "report.eye_result": "Resultado del ojo: {result}",
    "report.eye_not_counted": "Resultado del ojo: no se cuenta (ojo ausente)",
    "report.verification_code": "Código de verificación: {code}",
    "report.report_id": "ID del informe: {report_id}",
    "report.page": "Informe RetiScreen {report_id} - página {page} de {pages}",
    "report.grader": "Clasificador: {models}",
    "report.grader_not_run": "el clasificador no se ejecutó",
    "report.model_line": "{model}, proveedor de ejecución {provider}",
    "report.not_screened": "{headline}. Sin cribado: {reason}",
    "report.not_screened_eye": "Sin cribado: {reason}",
    "report.date_time": "{date}, {time}",
    "letter.title": "El resultado de su cribado ocular",
    "letter.dear": "Estimado/a {name}:",
    "letter.intro": (
        "El {date} le tomamos fotografías del fondo de los ojos para comprobar si tiene "
        "enfermedad ocular diabética. Esto es lo que encontramos:"
    ),
    "letter.intro_not_screened": (
        "El {date} vino a la revisión de ojos por diabetes. No le tomamos fotografías "
        "de los ojos por lo que nos contó:"
    ),
    "letter.what_is_dr": "¿Qué es la retinopatía diabética?",
    "letter.sight_worse": (
        "Si su visión empeora de repente, busque ayuda de inmediato: no espere a su cita."
    ),
    "letter.phone": "teléfono {phone}",
    "letter.questions": "¿Preguntas? Contacte con {contact}.",
}
