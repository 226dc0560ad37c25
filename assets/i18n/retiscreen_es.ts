<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>AdminPage</name>
    <message>
        <source>Administration</source>
        <translation>Administración</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Close the kiosk</source>
        <translation>Cerrar el quiosco</translation>
    </message>
    <message>
        <source>Touch again to close</source>
        <translation>Toque otra vez para cerrar</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Configuración</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Historial</translation>
    </message>
    <message>
        <source>Referrals</source>
        <translation>Derivaciones</translation>
    </message>
    <message>
        <source>System and accounts</source>
        <translation>Sistema y cuentas</translation>
    </message>
</context>
<context>
    <name>CapturePage</name>
    <message>
        <source>Take photograph</source>
        <translation>Tomar fotografía</translation>
    </message>
    <message>
        <source>Import from file</source>
        <translation>Importar desde archivo</translation>
    </message>
    <message>
        <source>Use this photograph</source>
        <translation>Usar esta fotografía</translation>
    </message>
    <message>
        <source>Accept as ungradable</source>
        <translation>Aceptar como no evaluable</translation>
    </message>
    <message>
        <source>Skip this field…</source>
        <translation>Omitir este campo…</translation>
    </message>
    <message>
        <source>Skip this eye…</source>
        <translation>Omitir este ojo…</translation>
    </message>
    <message>
        <source>Cancel screening</source>
        <translation>Cancelar el cribado</translation>
    </message>
    <message>
        <source>Touch again to cancel</source>
        <translation>Toque otra vez para cancelar</translation>
    </message>
    <message>
        <source>Why is this field not photographed?</source>
        <translation>¿Por qué no se fotografía este campo?</translation>
    </message>
    <message>
        <source>Patient: {name} · ID {id}</source>
        <translation>Paciente: {name} · ID {id}</translation>
    </message>
    <message>
        <source>Camera: {name}.</source>
        <translation>Cámara: {name}.</translation>
    </message>
    <message>
        <source>No camera is configured.</source>
        <translation>No hay ninguna cámara configurada.</translation>
    </message>
    <message>
        <source>Use Import from file.</source>
        <translation>Use «Importar desde archivo».</translation>
    </message>
    <message>
        <source>New photographs in {folder} are used automatically.</source>
        <translation>Las fotografías nuevas en {folder} se usan automáticamente.</translation>
    </message>
    <message>
        <source>No camera</source>
        <translation>Sin cámara</translation>
    </message>
    <message>
        <source>Checking the photograph…</source>
        <translation>Comprobando la fotografía…</translation>
    </message>
    <message>
        <source>Retake {n} of {max}.</source>
        <translation>Repetición {n} de {max}.</translation>
    </message>
    <message>
        <source>Centre the retina in the picture, then touch “Take photograph”.</source>
        <translation>Centre la retina en la imagen y toque «Tomar fotografía».</translation>
    </message>
    <message>
        <source>Good photograph, but its optic disc is on the {side}, as in a photograph of the {other}. Is this really the {eye}? If not, retake it.</source>
        <translation>Buena fotografía, pero su papila óptica está a la {side}, como en una fotografía del {other}. ¿Es de verdad el {eye}? Si no, repítala.</translation>
    </message>
    <message>
        <source>Yes, it is the {eye}</source>
        <translation>Sí, es el {eye}</translation>
    </message>
    <message>
        <source>Good photograph: it can be graded (quality {score:.0%}).</source>
        <translation>Buena fotografía: se puede evaluar (calidad {score:.0%}).</translation>
    </message>
    <message>
        <source>Not gradable.</source>
        <translation>No evaluable.</translation>
    </message>
    <message>
        <source>Retakes left: {n}.</source>
        <translation>Repeticiones restantes: {n}.</translation>
    </message>
    <message>
        <source>No retakes left. Accept the eye as ungradable: the patient will be advised to have an eye examination.</source>
        <translation>No quedan repeticiones. Acepte el ojo como no evaluable: se aconsejará al paciente un examen ocular.</translation>
    </message>
    <message>
        <source>Retake ({n} left)</source>
        <translation>Repetir (quedan {n})</translation>
    </message>
    <message>
        <source>Taking the photograph…</source>
        <translation>Tomando la fotografía…</translation>
    </message>
    <message>
        <source>Watched folder</source>
        <translation>Carpeta vigilada</translation>
    </message>
    <message>
        <source>Sample photographs</source>
        <translation>Fotografías de ejemplo</translation>
    </message>
    <message>
        <source>Home folder</source>
        <translation>Carpeta personal</translation>
    </message>
    <message>
        <source>This is the same photograph as the {eye}&apos;s. Photograph this eye itself.</source>
        <translation>Es la misma fotografía que la del {eye}. Fotografíe este ojo.</translation>
    </message>
</context>
<context>
    <name>ConfirmPage</name>
    <message>
        <source>Confirm the patient</source>
        <translation>Confirme el paciente</translation>
    </message>
    <message>
        <source>Ask the patient to say their full name and date of birth, and check the ID card or wristband against the details below. Touch “Yes” only if everything agrees.</source>
        <translation>Pida al paciente que diga su nombre completo y su fecha de nacimiento, y compare la tarjeta o la pulsera de identificación con los datos de abajo. Toque «Sí» solo si todo coincide.</translation>
    </message>
    <message>
        <source>Ask the patient to say their full name and date of birth, and check the ID card or wristband. Then scan or type the ID again and type the date of birth again.</source>
        <translation>Pida al paciente que diga su nombre completo y su fecha de nacimiento, y compruebe la tarjeta o la pulsera de identificación. Después escanee o escriba otra vez el ID y escriba otra vez la fecha de nacimiento.</translation>
    </message>
    <message>
        <source>Patient ID again</source>
        <translation>ID del paciente otra vez</translation>
    </message>
    <message>
        <source>Date of birth again</source>
        <translation>Fecha de nacimiento otra vez</translation>
    </message>
    <message>
        <source>Scan or type the ID</source>
        <translation>Escanee o escriba el ID</translation>
    </message>
    <message>
        <source>e.g. 24/03/1958 or 1958-03-24</source>
        <translation>p. ej. 24/03/1958 o 1958-03-24</translation>
    </message>
    <message>
        <source>No: back to the details</source>
        <translation>No: volver a los datos</translation>
    </message>
    <message>
        <source>Back: correct the details</source>
        <translation>Atrás: corregir los datos</translation>
    </message>
    <message>
        <source>Yes, this is the patient</source>
        <translation>Sí, es este paciente</translation>
    </message>
    <message>
        <source>Confirm and take photographs</source>
        <translation>Confirmar y tomar fotografías</translation>
    </message>
    <message>
        <source>Read as: {date}</source>
        <translation>Leído como: {date}</translation>
    </message>
    <message>
        <source>Not a date yet: day, month, year, e.g. 24/03/1958</source>
        <translation>Aún no es una fecha: día, mes, año, p. ej. 24/03/1958</translation>
    </message>
    <message>
        <source>Patient: {name}</source>
        <translation>Paciente: {name}</translation>
    </message>
    <message>
        <source>ID: {id}
Date of birth: {date}</source>
        <translation>ID: {id}
Fecha de nacimiento: {date}</translation>
    </message>
    <message>
        <source>The patient ID does not match the one entered before.</source>
        <translation>El ID del paciente no coincide con el introducido antes.</translation>
    </message>
    <message>
        <source>The date of birth does not match the one entered before.</source>
        <translation>La fecha de nacimiento no coincide con la introducida antes.</translation>
    </message>
    <message>
        <source>Check the ID card or wristband and ask the patient again.</source>
        <translation>Compruebe la tarjeta o la pulsera de identificación y pregunte otra vez al paciente.</translation>
    </message>
    <message>
        <source>If the first entry was wrong, touch “Back: correct the details”.</source>
        <translation>Si el primer dato era incorrecto, toque «Atrás: corregir los datos».</translation>
    </message>
</context>
<context>
    <name>Devices</name>
    <message>
        <source>Demo camera (sample photographs)</source>
        <translation>Cámara de demostración (fotografías de ejemplo)</translation>
    </message>
    <message>
        <source>The camera &apos;{name}&apos; is not connected.</source>
        <translation>La cámara «{name}» no está conectada.</translation>
    </message>
    <message>
        <source>No camera was found.</source>
        <translation>No se encontró ninguna cámara.</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>Automática</translation>
    </message>
    <message>
        <source>No camera (import and watched folder only)</source>
        <translation>Sin cámara (solo importar y carpeta vigilada)</translation>
    </message>
    <message>
        <source>USB camera {device}</source>
        <translation>Cámara USB {device}</translation>
    </message>
</context>
<context>
    <name>ExclusionPage</name>
    <message>
        <source>Before the photographs</source>
        <translation>Antes de las fotografías</translation>
    </message>
    <message>
        <source>Ask the patient, and touch their answer to each.</source>
        <translation>Pregunte al paciente y toque su respuesta a cada pregunta.</translation>
    </message>
    <message>
        <source>Are you already treated for diabetic eye disease (laser, injections or surgery in the eye)?</source>
        <translation>¿Ya recibe tratamiento por enfermedad ocular diabética (láser, inyecciones o cirugía en el ojo)?</translation>
    </message>
    <message>
        <source>Has your sight got much worse suddenly (in the last days or weeks)?</source>
        <translation>¿Su vista ha empeorado mucho de repente (en los últimos días o semanas)?</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Sí</translation>
    </message>
    <message>
        <source>No</source>
        <translation>No</translation>
    </message>
    <message>
        <source>Cancel screening</source>
        <translation>Cancelar el cribado</translation>
    </message>
    <message>
        <source>Touch again to cancel</source>
        <translation>Toque otra vez para cancelar</translation>
    </message>
    <message>
        <source>Do not photograph. The patient must see an eye specialist TODAY: the urgent referral is recorded and printed.</source>
        <translation>No fotografíe. El paciente debe ver a un oftalmólogo HOY: la derivación urgente se registra y se imprime.</translation>
    </message>
    <message>
        <source>Refer today, without photographs</source>
        <translation>Derivar hoy, sin fotografías</translation>
    </message>
    <message>
        <source>Do not photograph. The patient is referred back to their eye specialist; the referral is recorded and printed.</source>
        <translation>No fotografíe. El paciente se deriva de nuevo a su oftalmólogo; la derivación se registra y se imprime.</translation>
    </message>
    <message>
        <source>Refer without photographs</source>
        <translation>Derivar sin fotografías</translation>
    </message>
    <message>
        <source>Take photographs</source>
        <translation>Tomar fotografías</translation>
    </message>
</context>
<context>
    <name>FilePicker</name>
    <message>
        <source>Choose a folder</source>
        <translation>Elija una carpeta</translation>
    </message>
    <message>
        <source>Choose a photograph</source>
        <translation>Elija una fotografía</translation>
    </message>
    <message>
        <source>Up one folder</source>
        <translation>Subir una carpeta</translation>
    </message>
    <message>
        <source>Use this folder</source>
        <translation>Usar esta carpeta</translation>
    </message>
    <message>
        <source>Use this photograph</source>
        <translation>Usar esta fotografía</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>{folder} cannot be opened: {why}</source>
        <translation>No se puede abrir {folder}: {why}</translation>
    </message>
    <message>
        <source>No preview</source>
        <translation>Sin vista previa</translation>
    </message>
</context>
<context>
    <name>FolderWatcher</name>
    <message>
        <source>The watched folder {folder} does not exist.</source>
        <translation>La carpeta vigilada {folder} no existe.</translation>
    </message>
</context>
<context>
    <name>GradingPage</name>
    <message>
        <source>Grading the photographs</source>
        <translation>Evaluando las fotografías</translation>
    </message>
    <message>
        <source>Grading both eyes</source>
        <translation>Evaluando ambos ojos</translation>
    </message>
    <message>
        <source>Saving the screening and writing the report</source>
        <translation>Guardando el cribado y redactando el informe</translation>
    </message>
    <message>
        <source>Printing the report</source>
        <translation>Imprimiendo el informe</translation>
    </message>
    <message>
        <source>Try saving again</source>
        <translation>Intentar guardar otra vez</translation>
    </message>
    <message>
        <source>Show the result (NOT saved)</source>
        <translation>Mostrar el resultado (NO guardado)</translation>
    </message>
    <message>
        <source>Please wait. This takes a few seconds.</source>
        <translation>Espere, por favor. Tarda unos segundos.</translation>
    </message>
    <message>
        <source>The screening could NOT be saved: {why} It is kept on this kiosk until it is saved. Do not switch the kiosk off; try again, or call IT.</source>
        <translation>El cribado NO se pudo guardar: {why} Se conserva en este quiosco hasta que se guarde. No apague el quiosco; inténtelo otra vez o llame a informática.</translation>
    </message>
    <message>
        <source>Grading failed: {why}</source>
        <translation>La evaluación falló: {why}</translation>
    </message>
    <message>
        <source>Saving again…</source>
        <translation>Guardando otra vez…</translation>
    </message>
</context>
<context>
    <name>HistoryTab</name>
    <message>
        <source>Search by patient ID, name or screening</source>
        <translation>Buscar por ID de paciente, nombre o cribado</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Buscar</translation>
    </message>
    <message>
        <source>Print report again</source>
        <translation>Imprimir el informe otra vez</translation>
    </message>
    <message>
        <source>Export all to CSV…</source>
        <translation>Exportar todo a CSV…</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Fecha</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>ID del paciente</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>Decisión</translation>
    </message>
    <message>
        <source>No screenings found.</source>
        <translation>No se encontraron cribados.</translation>
    </message>
    <message>
        <source>First touch a screening in the list.</source>
        <translation>Primero toque un cribado de la lista.</translation>
    </message>
    <message>
        <source>Printing…</source>
        <translation>Imprimiendo…</translation>
    </message>
    <message>
        <source>Home folder</source>
        <translation>Carpeta personal</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Exportando…</translation>
    </message>
    <message>
        <source>Exported {count} rows to {path}.</source>
        <translation>Se exportaron {count} filas a {path}.</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <source>Diabetic eye screening</source>
        <translation>Cribado de retinopatía diabética</translation>
    </message>
    <message>
        <source>Start screening</source>
        <translation>Iniciar cribado</translation>
    </message>
    <message>
        <source>Administration</source>
        <translation>Administración</translation>
    </message>
    <message>
        <source>Over-read</source>
        <translation>Revisión</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Cerrar sesión</translation>
    </message>
    <message>
        <source>Signed in: {name}</source>
        <translation>Sesión iniciada: {name}</translation>
    </message>
    <message>
        <source>DEMONSTRATION MODE: the camera shows sample photographs. Do not use for patients.</source>
        <translation>MODO DE DEMOSTRACIÓN: la cámara muestra fotografías de ejemplo. No usar con pacientes.</translation>
    </message>
    <message>
        <source>Grading is unavailable ({why}). Photographs are still checked and saved, and every patient is referred for an eye examination.</source>
        <translation>La evaluación no está disponible ({why}). Las fotografías se siguen comprobando y guardando, y se deriva a todos los pacientes para un examen ocular.</translation>
    </message>
    <message>
        <source>Grading model ready: {name} {version}.</source>
        <translation>Modelo de evaluación listo: {name} {version}.</translation>
    </message>
    <message>
        <source>Camera: {name}.</source>
        <translation>Cámara: {name}.</translation>
    </message>
    <message>
        <source>No camera is configured.</source>
        <translation>No hay ninguna cámara configurada.</translation>
    </message>
    <message>
        <source>{problem} Photographs can be imported from a file or the watched folder.</source>
        <translation>{problem} Las fotografías se pueden importar desde un archivo o desde la carpeta vigilada.</translation>
    </message>
    <message>
        <source>{count} result(s) could not be sent to the clinic&apos;s systems yet. They are kept and sent again automatically; IT can check the connection.</source>
        <translation>{count} resultado(s) aún no se pudieron enviar a los sistemas de la clínica. Se conservan y se envían de nuevo automáticamente; informática puede revisar la conexión.</translation>
    </message>
    <message>
        <source>{count} report(s) could not be printed after repeated tries. Open Administration to print them again.</source>
        <translation>{count} informe(s) no se pudieron imprimir tras varios intentos. Abra Administración para imprimirlos de nuevo.</translation>
    </message>
    <message>
        <source>Checking the printer…</source>
        <translation>Comprobando la impresora…</translation>
    </message>
    <message>
        <source>Printer {name} is ready.</source>
        <translation>La impresora {name} está lista.</translation>
    </message>
    <message>
        <source>No printer is set up. Reports are saved and queued for printing.</source>
        <translation>No hay ninguna impresora configurada. Los informes se guardan y quedan en cola para imprimirse.</translation>
    </message>
    <message>
        <source>Printing is not available: {why} Reports are saved and queued for printing.</source>
        <translation>No se puede imprimir: {why} Los informes se guardan y quedan en cola para imprimirse.</translation>
    </message>
    <message>
        <source>not found</source>
        <translation>no encontrada</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>detenida</translation>
    </message>
    <message>
        <source>not accepting jobs</source>
        <translation>no acepta trabajos</translation>
    </message>
    <message>
        <source>Printer {name} is not available ({why}). Reports are saved and queued for printing.</source>
        <translation>La impresora {name} no está disponible ({why}). Los informes se guardan y quedan en cola para imprimirse.</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <source>Step 1 of 5: patient</source>
        <translation>Paso 1 de 5: paciente</translation>
    </message>
    <message>
        <source>Step 2 of 5: confirm the patient</source>
        <translation>Paso 2 de 5: confirmar el paciente</translation>
    </message>
    <message>
        <source>Step 3 of 5: before the photographs</source>
        <translation>Paso 3 de 5: antes de las fotografías</translation>
    </message>
    <message>
        <source>Step 4 of 5: grading</source>
        <translation>Paso 4 de 5: evaluación</translation>
    </message>
    <message>
        <source>Step 5 of 5: result</source>
        <translation>Paso 5 de 5: resultado</translation>
    </message>
    <message>
        <source>Administration</source>
        <translation>Administración</translation>
    </message>
    <message>
        <source>Over-read</source>
        <translation>Revisión</translation>
    </message>
    <message>
        <source>Step 3 of 5: {eye}</source>
        <translation>Paso 3 de 5: {eye}</translation>
    </message>
    <message>
        <source>Reviewer: {name}</source>
        <translation>Revisor: {name}</translation>
    </message>
    <message>
        <source>Operator: {name}</source>
        <translation>Operador: {name}</translation>
    </message>
</context>
<context>
    <name>OnScreenKeyboard</name>
    <message>
        <source>Delete</source>
        <translation>Borrar</translation>
    </message>
    <message>
        <source>Capital letters</source>
        <translation>Mayúsculas</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Siguiente</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>Ocultar</translation>
    </message>
    <message>
        <source>Hide the keyboard</source>
        <translation>Ocultar el teclado</translation>
    </message>
    <message>
        <source>space</source>
        <translation>espacio</translation>
    </message>
    <message>
        <source>Space</source>
        <translation>Espacio</translation>
    </message>
</context>
<context>
    <name>OverreadPage</name>
    <message>
        <source>Opening the screening…</source>
        <translation>Abriendo el cribado…</translation>
    </message>
    <message>
        <source>Decision after the over-read:</source>
        <translation>Decisión tras la revisión:</translation>
    </message>
    <message>
        <source>Reason for the amendment (what you saw)</source>
        <translation>Motivo de la corrección (lo que vio)</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
    <message>
        <source>Agree with the AI result</source>
        <translation>Confirmar el resultado de la IA</translation>
    </message>
    <message>
        <source>Save amendment</source>
        <translation>Guardar la corrección</translation>
    </message>
    <message>
        <source>Over-read of screening {id}: {name} · {patient}</source>
        <translation>Revisión del cribado {id}: {name} · {patient}</translation>
    </message>
    <message>
        <source>AI decision: {word}: {headline}</source>
        <translation>Decisión de la IA: {word}: {headline}</translation>
    </message>
    <message>
        <source>Over-read before by {name} ({when}): {outcome}, {word}.</source>
        <translation>Revisado antes por {name} ({when}): {outcome}, {word}.</translation>
    </message>
    <message>
        <source>No photograph</source>
        <translation>Sin fotografía</translation>
    </message>
    <message>
        <source>Not screened</source>
        <translation>No cribado</translation>
    </message>
    <message>
        <source>AI: {finding}</source>
        <translation>IA: {finding}</translation>
    </message>
    <message>
        <source>Saving the over-read…</source>
        <translation>Guardando la revisión…</translation>
    </message>
</context>
<context>
    <name>OverreadQueuePage</name>
    <message>
        <source>Over-read</source>
        <translation>Revisión</translation>
    </message>
    <message>
        <source>Screenings waiting for a reviewer: every one with an eye that was not graded, and a share of the routine ones. Touch one, then Open. Search to open any screening.</source>
        <translation>Cribados que esperan a un revisor: todos los que tienen un ojo sin evaluar y una parte de los de rutina. Toque uno y luego Abrir. Busque para abrir cualquier cribado.</translation>
    </message>
    <message>
        <source>Search by patient ID, name or screening</source>
        <translation>Buscar por ID de paciente, nombre o cribado</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Buscar</translation>
    </message>
    <message>
        <source>Show the queue</source>
        <translation>Mostrar la cola</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Fecha</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>ID del paciente</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>AI decision</source>
        <translation>Decisión de la IA</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>No screenings found.</source>
        <translation>No se encontraron cribados.</translation>
    </message>
    <message>
        <source>No screening is waiting for an over-read.</source>
        <translation>Ningún cribado espera una revisión.</translation>
    </message>
    <message>
        <source>Saved. The amended report {id} was written.</source>
        <translation>Guardado. Se escribió el informe corregido {id}.</translation>
    </message>
    <message>
        <source>First touch a screening in the list.</source>
        <translation>Primero toque un cribado de la lista.</translation>
    </message>
</context>
<context>
    <name>PatientPage</name>
    <message>
        <source>Patient details</source>
        <translation>Datos del paciente</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>ID del paciente</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Nombre completo</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Fecha de nacimiento</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexo</translation>
    </message>
    <message>
        <source>Report language</source>
        <translation>Idioma del informe</translation>
    </message>
    <message>
        <source>Type or scan the ID card or wristband</source>
        <translation>Escriba o escanee la tarjeta o la pulsera de identificación</translation>
    </message>
    <message>
        <source>e.g. 24/03/1958 or 1958-03-24</source>
        <translation>p. ej. 24/03/1958 o 1958-03-24</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>Mujer</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>Hombre</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Otro</translation>
    </message>
    <message>
        <source>Not stated</source>
        <translation>No indicado</translation>
    </message>
    <message>
        <source>Cancel screening</source>
        <translation>Cancelar el cribado</translation>
    </message>
    <message>
        <source>Touch again to cancel</source>
        <translation>Toque otra vez para cancelar</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Continuar</translation>
    </message>
    <message>
        <source>Pick from today&apos;s list</source>
        <translation>Elegir de la lista de hoy</translation>
    </message>
    <message>
        <source>Returning patient? Type part of the name or ID to find them</source>
        <translation>¿Paciente conocido? Escriba parte del nombre o del ID para buscarlo</translation>
    </message>
    <message>
        <source>ID scanned.</source>
        <translation>ID escaneado.</translation>
    </message>
    <message>
        <source>Asking for today&apos;s list…</source>
        <translation>Pidiendo la lista de hoy…</translation>
    </message>
    <message>
        <source>No patient on file matches. Check the spelling, or type the details.</source>
        <translation>Ningún paciente registrado coincide. Compruebe la ortografía o escriba los datos.</translation>
    </message>
    <message>
        <source>{name} · ID {id} · born {date}</source>
        <translation>{name} · ID {id} · nacido/a el {date}</translation>
    </message>
    <message>
        <source>Touch the patient in the list.</source>
        <translation>Toque al paciente en la lista.</translation>
    </message>
    <message>
        <source>Nobody is on today&apos;s list. Type the patient&apos;s details.</source>
        <translation>No hay nadie en la lista de hoy. Escriba los datos del paciente.</translation>
    </message>
    <message>
        <source>Today&apos;s list cannot be reached. Type the patient&apos;s details.</source>
        <translation>No se puede acceder a la lista de hoy. Escriba los datos del paciente.</translation>
    </message>
    <message>
        <source>Check the details with the patient.</source>
        <translation>Compruebe los datos con el paciente.</translation>
    </message>
    <message>
        <source>Type or scan the patient ID.</source>
        <translation>Escriba o escanee el ID del paciente.</translation>
    </message>
    <message>
        <source>Type the patient&apos;s full name.</source>
        <translation>Escriba el nombre completo del paciente.</translation>
    </message>
    <message>
        <source>Type a real date of birth, for example 24/03/1958 (day/month/year) or 1958-03-24.</source>
        <translation>Escriba una fecha de nacimiento real, por ejemplo 24/03/1958 (día/mes/año) o 1958-03-24.</translation>
    </message>
</context>
<context>
    <name>ReferralsTab</name>
    <message>
        <source>Only overdue</source>
        <translation>Solo vencidas</translation>
    </message>
    <message>
        <source>Attended</source>
        <translation>Acudió</translation>
    </message>
    <message>
        <source>Did not attend</source>
        <translation>No acudió</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Fecha límite</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>ID del paciente</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>Decisión</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>Seguimiento</translation>
    </message>
    <message>
        <source>No referrals to follow up.</source>
        <translation>No hay derivaciones que seguir.</translation>
    </message>
    <message>
        <source>First touch a patient in the list.</source>
        <translation>Primero toque un paciente de la lista.</translation>
    </message>
</context>
<context>
    <name>ResultPage</name>
    <message>
        <source>Print again</source>
        <translation>Imprimir otra vez</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>Terminar</translation>
    </message>
    <message>
        <source>Next step due by: {date}</source>
        <translation>Próximo paso antes del: {date}</translation>
    </message>
    <message>
        <source>NOT SAVED: {why} The kiosk keeps trying; call IT.</source>
        <translation>NO GUARDADO: {why} El quiosco lo sigue intentando; llame a informática.</translation>
    </message>
    <message>
        <source>Saved, and the report was written.</source>
        <translation>Guardado, y el informe está redactado.</translation>
    </message>
    <message>
        <source>Screening {id}</source>
        <translation>Cribado {id}</translation>
    </message>
    <message>
        <source>Report {id}</source>
        <translation>Informe {id}</translation>
    </message>
    <message>
        <source>No photograph</source>
        <translation>Sin fotografía</translation>
    </message>
    <message>
        <source>Not part of this screening.</source>
        <translation>No forma parte de este cribado.</translation>
    </message>
    <message>
        <source>Quality: not gradable. {reasons}</source>
        <translation>Calidad: no evaluable. {reasons}</translation>
    </message>
    <message>
        <source>Quality: good ({score:.0%})</source>
        <translation>Calidad: buena ({score:.0%})</translation>
    </message>
    <message>
        <source>Grade: {words}</source>
        <translation>Grado: {words}</translation>
    </message>
    <message>
        <source>Printed. {detail}</source>
        <translation>Impreso. {detail}</translation>
    </message>
    <message>
        <source>NOT printed yet. {detail}</source>
        <translation>Todavía NO impreso. {detail}</translation>
    </message>
    <message>
        <source>Printing…</source>
        <translation>Imprimiendo…</translation>
    </message>
</context>
<context>
    <name>ResumePage</name>
    <message>
        <source>Unfinished screening</source>
        <translation>Cribado sin terminar</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Continuar</translation>
    </message>
    <message>
        <source>Discard it</source>
        <translation>Descartarlo</translation>
    </message>
    <message>
        <source>Touch again to discard</source>
        <translation>Toque otra vez para descartar</translation>
    </message>
    <message>
        <source>You started screening {name} at {time} and left it before the end ({done} of 2 eyes done). Resume it (the patient&apos;s identity is checked again), or discard it.</source>
        <translation>Empezó el cribado de {name} a las {time} y lo dejó antes del final ({done} de 2 ojos hechos). Continúelo (se vuelve a comprobar la identidad del paciente) o descártelo.</translation>
    </message>
</context>
<context>
    <name>SettingsTab</name>
    <message>
        <source>Clinic name</source>
        <translation>Nombre de la clínica</translation>
    </message>
    <message>
        <source>Clinic logo</source>
        <translation>Logotipo de la clínica</translation>
    </message>
    <message>
        <source>Clear the screen after (seconds without a touch)</source>
        <translation>Borrar la pantalla tras (segundos sin tocarla)</translation>
    </message>
    <message>
        <source>Language at start</source>
        <translation>Idioma al inicio</translation>
    </message>
    <message>
        <source>Retakes allowed per eye</source>
        <translation>Repeticiones permitidas por ojo</translation>
    </message>
    <message>
        <source>Photographs per eye (2: disc- and macula-centred)</source>
        <translation>Fotografías por ojo (2: centrada en el disco y centrada en la mácula)</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>Impresora</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Cámara</translation>
    </message>
    <message>
        <source>Watched folder</source>
        <translation>Carpeta vigilada</translation>
    </message>
    <message>
        <source>No referable DR: rescreen after (months)</source>
        <translation>Sin RD derivable: nuevo cribado tras (meses)</translation>
    </message>
    <message>
        <source>Referable DR: see a specialist within (months)</source>
        <translation>RD derivable: ver a un especialista en (meses)</translation>
    </message>
    <message>
        <source>Sight-threatening DR: urgent, within (weeks)</source>
        <translation>RD que amenaza la visión: urgente, en (semanas)</translation>
    </message>
    <message>
        <source>Ungradable: eye examination within (months)</source>
        <translation>No evaluable: examen ocular en (meses)</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Elegir…</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Ninguno</translation>
    </message>
    <message>
        <source>Print a test page</source>
        <translation>Imprimir una página de prueba</translation>
    </message>
    <message>
        <source>Print queued reports now</source>
        <translation>Imprimir ahora los informes en cola</translation>
    </message>
    <message>
        <source>Save settings</source>
        <translation>Guardar la configuración</translation>
    </message>
    <message>
        <source>System default printer</source>
        <translation>Impresora predeterminada del sistema</translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>No ha cambiado nada.</translation>
    </message>
    <message>
        <source>The settings could NOT be saved: {why}</source>
        <translation>La configuración NO se pudo guardar: {why}</translation>
    </message>
    <message>
        <source>Saved to {path}.</source>
        <translation>Guardado en {path}.</translation>
    </message>
    <message>
        <source>No logo</source>
        <translation>Sin logotipo</translation>
    </message>
    <message>
        <source>No watched folder</source>
        <translation>Sin carpeta vigilada</translation>
    </message>
    <message>
        <source>Home folder</source>
        <translation>Carpeta personal</translation>
    </message>
    <message>
        <source>Printing a test page…</source>
        <translation>Imprimiendo una página de prueba…</translation>
    </message>
    <message>
        <source>Test page sent (job {job}).</source>
        <translation>Página de prueba enviada (trabajo {job}).</translation>
    </message>
    <message>
        <source>The test page could not be printed: {why}</source>
        <translation>No se pudo imprimir la página de prueba: {why}</translation>
    </message>
    <message>
        <source>Printing queued reports…</source>
        <translation>Imprimiendo los informes en cola…</translation>
    </message>
    <message>
        <source>{printed} queued report(s) printed, {waiting} still waiting.</source>
        <translation>{printed} informe(s) en cola impreso(s), {waiting} todavía en espera.</translation>
    </message>
</context>
<context>
    <name>SetupAdminPage</name>
    <message>
        <source>Set up the administrator</source>
        <translation>Configurar el administrador</translation>
    </message>
    <message>
        <source>Administrator&apos;s name</source>
        <translation>Nombre del administrador</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Borrar</translation>
    </message>
    <message>
        <source>This kiosk has no administrator yet. Type the administrator&apos;s name, then choose a PIN of 6 to 12 digits. Keep it safe: it protects the settings, the accounts and the exit.</source>
        <translation>Este quiosco aún no tiene administrador. Escriba el nombre del administrador y elija un PIN de 6 a 12 dígitos. Guárdelo bien: protege la configuración, las cuentas y la salida.</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Siguiente</translation>
    </message>
    <message>
        <source>Type the same PIN again.</source>
        <translation>Escriba el mismo PIN otra vez.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Guardar</translation>
    </message>
    <message>
        <source>First type the administrator&apos;s name.</source>
        <translation>Primero escriba el nombre del administrador.</translation>
    </message>
    <message>
        <source>The two PINs were different. Choose the PIN again.</source>
        <translation>Los dos PIN eran distintos. Elija el PIN de nuevo.</translation>
    </message>
</context>
<context>
    <name>SignInPage</name>
    <message>
        <source>Administrator sign-in</source>
        <translation>Acceso del administrador</translation>
    </message>
    <message>
        <source>Reviewer sign-in</source>
        <translation>Acceso del revisor</translation>
    </message>
    <message>
        <source>Operator sign-in</source>
        <translation>Acceso del operador</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Entrar</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Borrar</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
    <message>
        <source>Touch your name, then type the administrator PIN.</source>
        <translation>Toque su nombre y escriba el PIN de administrador.</translation>
    </message>
    <message>
        <source>No reviewers are set up yet. An administrator can give an account the reviewer role in Administration.</source>
        <translation>Todavía no hay revisores. Un administrador puede dar a una cuenta el rol de revisor en Administración.</translation>
    </message>
    <message>
        <source>No operators are set up yet. An administrator must add one in Administration → Operators.</source>
        <translation>Todavía no hay operadores. Un administrador debe añadir uno en Administración → Operadores.</translation>
    </message>
    <message>
        <source>Touch your name, then type your PIN.</source>
        <translation>Toque su nombre y escriba su PIN.</translation>
    </message>
    <message>
        <source>{name}: type your PIN.</source>
        <translation>{name}: escriba su PIN.</translation>
    </message>
    <message>
        <source>First touch your name.</source>
        <translation>Primero toque su nombre.</translation>
    </message>
    <message>
        <source>Wrong PIN. Try again.</source>
        <translation>PIN incorrecto. Inténtelo otra vez.</translation>
    </message>
    <message>
        <source>Too many wrong PINs. Wait {seconds} seconds, then try again.</source>
        <translation>Demasiados PIN incorrectos. Espere {seconds} segundos y vuelva a intentarlo.</translation>
    </message>
</context>
<context>
    <name>SkipPanel</name>
    <message>
        <source>Why is this eye not photographed?</source>
        <translation>¿Por qué no se fotografía este ojo?</translation>
    </message>
    <message>
        <source>Artificial eye (prosthesis)</source>
        <translation>Ojo artificial (prótesis)</translation>
    </message>
    <message>
        <source>Eye removed (enucleation)</source>
        <translation>Ojo extirpado (enucleación)</translation>
    </message>
    <message>
        <source>Eye cannot be opened</source>
        <translation>El ojo no se puede abrir</translation>
    </message>
    <message>
        <source>Patient declined this eye</source>
        <translation>El paciente rechazó este ojo</translation>
    </message>
    <message>
        <source>Other reason</source>
        <translation>Otro motivo</translation>
    </message>
    <message>
        <source>Record this reason</source>
        <translation>Registrar este motivo</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
</context>
<context>
    <name>StillThereBanner</name>
    <message>
        <source>I am still here</source>
        <translation>Sigo aquí</translation>
    </message>
    <message>
        <source>Still there? In {seconds} s the screen is cleared; a screening in progress is kept as a draft for you to resume.</source>
        <translation>¿Sigue ahí? En {seconds} s se borra la pantalla; un cribado en curso se guarda como borrador para que lo continúe.</translation>
    </message>
</context>
<context>
    <name>SystemTab</name>
    <message>
        <source>Run the self-test</source>
        <translation>Ejecutar la autoprueba</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>Cuentas</translation>
    </message>
    <message>
        <source>Site monitor (last {weeks} weeks)</source>
        <translation>Seguimiento del centro (últimas {weeks} semanas)</translation>
    </message>
    <message>
        <source>PIN (operator 4-12 digits, others 6-12)</source>
        <translation>PIN (operador 4-12 dígitos, los demás 6-12)</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Función</translation>
    </message>
    <message>
        <source>Add account</source>
        <translation>Añadir cuenta</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation>Quitar el seleccionado</translation>
    </message>
    <message>
        <source>RetiScreen {version}</source>
        <translation>RetiScreen {version}</translation>
    </message>
    <message>
        <source>Grading model: {name}, version {version}</source>
        <translation>Modelo de evaluación: {name}, versión {version}</translation>
    </message>
    <message>
        <source>SHA-256: {hash}</source>
        <translation>SHA-256: {hash}</translation>
    </message>
    <message>
        <source>Runs on: {provider}</source>
        <translation>Se ejecuta en: {provider}</translation>
    </message>
    <message>
        <source>Grading unavailable: {why}</source>
        <translation>Evaluación no disponible: {why}</translation>
    </message>
    <message>
        <source>Quality model: {name}, version {version}</source>
        <translation>Modelo de calidad: {name}, versión {version}</translation>
    </message>
    <message>
        <source>Models folder: {path}</source>
        <translation>Carpeta de modelos: {path}</translation>
    </message>
    <message>
        <source>Data folder: {path}</source>
        <translation>Carpeta de datos: {path}</translation>
    </message>
    <message>
        <source>Settings file: {path}</source>
        <translation>Archivo de configuración: {path}</translation>
    </message>
    <message>
        <source>No alerts.</source>
        <translation>Sin alertas.</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Operador</translation>
    </message>
    <message>
        <source>Reviewer</source>
        <translation>Revisor</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>Administrador</translation>
    </message>
    <message>
        <source>Account {name} added.</source>
        <translation>Cuenta {name} añadida.</translation>
    </message>
    <message>
        <source>Running the self-test…</source>
        <translation>Ejecutando la autoprueba…</translation>
    </message>
    <message>
        <source>Self-test passed.</source>
        <translation>Autoprueba superada.</translation>
    </message>
    <message>
        <source>Self-test FAILED: do not screen patients until this is fixed.</source>
        <translation>La autoprueba FALLÓ: no haga cribados a pacientes hasta que se corrija.</translation>
    </message>
    <message>
        <source>Self-test FAILED: {why}</source>
        <translation>La autoprueba FALLÓ: {why}</translation>
    </message>
    <message>
        <source>First touch a name in the list.</source>
        <translation>Primero toque un nombre de la lista.</translation>
    </message>
</context>
</TS>
