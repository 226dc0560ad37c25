<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pt">
<context>
    <name>AdminPage</name>
    <message>
        <source>Administration</source>
        <translation>Administração</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fechar</translation>
    </message>
    <message>
        <source>Close the kiosk</source>
        <translation>Fechar o quiosque</translation>
    </message>
    <message>
        <source>Touch again to close</source>
        <translation>Toque de novo para fechar</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Configurações</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Histórico</translation>
    </message>
    <message>
        <source>Referrals</source>
        <translation>Encaminhamentos</translation>
    </message>
    <message>
        <source>System and accounts</source>
        <translation>Sistema e contas</translation>
    </message>
</context>
<context>
    <name>CapturePage</name>
    <message>
        <source>Take photograph</source>
        <translation>Tirar fotografia</translation>
    </message>
    <message>
        <source>Import from file</source>
        <translation>Importar de um arquivo</translation>
    </message>
    <message>
        <source>Use this photograph</source>
        <translation>Usar esta fotografia</translation>
    </message>
    <message>
        <source>Accept as ungradable</source>
        <translation>Aceitar como não classificável</translation>
    </message>
    <message>
        <source>Skip this field…</source>
        <translation>Pular este campo…</translation>
    </message>
    <message>
        <source>Skip this eye…</source>
        <translation>Pular este olho…</translation>
    </message>
    <message>
        <source>Cancel screening</source>
        <translation>Cancelar rastreamento</translation>
    </message>
    <message>
        <source>Touch again to cancel</source>
        <translation>Toque de novo para cancelar</translation>
    </message>
    <message>
        <source>Why is this field not photographed?</source>
        <translation>Por que este campo não foi fotografado?</translation>
    </message>
    <message>
        <source>Patient: {name} · ID {id}</source>
        <translation>Paciente: {name} · ID {id}</translation>
    </message>
    <message>
        <source>Camera: {name}.</source>
        <translation>Câmera: {name}.</translation>
    </message>
    <message>
        <source>No camera is configured.</source>
        <translation>Nenhuma câmera está configurada.</translation>
    </message>
    <message>
        <source>Use Import from file.</source>
        <translation>Use Importar de um arquivo.</translation>
    </message>
    <message>
        <source>New photographs in {folder} are used automatically.</source>
        <translation>As novas fotografias em {folder} são usadas automaticamente.</translation>
    </message>
    <message>
        <source>No camera</source>
        <translation>Sem câmera</translation>
    </message>
    <message>
        <source>Checking the photograph…</source>
        <translation>Verificando a fotografia…</translation>
    </message>
    <message>
        <source>Retake {n} of {max}.</source>
        <translation>Repetição {n} de {max}.</translation>
    </message>
    <message>
        <source>Centre the retina in the picture, then touch “Take photograph”.</source>
        <translation>Centralize a retina na imagem e toque em “Tirar fotografia”.</translation>
    </message>
    <message>
        <source>Good photograph, but its optic disc is on the {side}, as in a photograph of the {other}. Is this really the {eye}? If not, retake it.</source>
        <translation>Boa fotografia, mas o disco óptico está à {side}, como numa fotografia do {other}. Este é mesmo o {eye}? Se não for, tire de novo.</translation>
    </message>
    <message>
        <source>Yes, it is the {eye}</source>
        <translation>Sim, é o {eye}</translation>
    </message>
    <message>
        <source>Good photograph: it can be graded (quality {score:.0%}).</source>
        <translation>Boa fotografia: pode ser classificada (qualidade {score:.0%}).</translation>
    </message>
    <message>
        <source>Not gradable.</source>
        <translation>Não classificável.</translation>
    </message>
    <message>
        <source>Retakes left: {n}.</source>
        <translation>Repetições restantes: {n}.</translation>
    </message>
    <message>
        <source>No retakes left. Accept the eye as ungradable: the patient will be advised to have an eye examination.</source>
        <translation>Não restam repetições. Aceite o olho como não classificável: o paciente será orientado a fazer um exame dos olhos.</translation>
    </message>
    <message>
        <source>Retake ({n} left)</source>
        <translation>Tirar de novo ({n} restantes)</translation>
    </message>
    <message>
        <source>Taking the photograph…</source>
        <translation>Tirando a fotografia…</translation>
    </message>
    <message>
        <source>Watched folder</source>
        <translation>Pasta monitorada</translation>
    </message>
    <message>
        <source>Sample photographs</source>
        <translation>Fotografias de exemplo</translation>
    </message>
    <message>
        <source>Home folder</source>
        <translation>Pasta pessoal</translation>
    </message>
    <message>
        <source>This is the same photograph as the {eye}&apos;s. Photograph this eye itself.</source>
        <translation>Esta é a mesma fotografia do {eye}. Fotografe este próprio olho.</translation>
    </message>
</context>
<context>
    <name>ConfirmPage</name>
    <message>
        <source>Confirm the patient</source>
        <translation>Confirmar o paciente</translation>
    </message>
    <message>
        <source>Ask the patient to say their full name and date of birth, and check the ID card or wristband against the details below. Touch “Yes” only if everything agrees.</source>
        <translation>Peça ao paciente que diga o nome completo e a data de nascimento, e confira o documento ou a pulseira com os dados abaixo. Toque em “Sim” só se tudo conferir.</translation>
    </message>
    <message>
        <source>Ask the patient to say their full name and date of birth, and check the ID card or wristband. Then scan or type the ID again and type the date of birth again.</source>
        <translation>Peça ao paciente que diga o nome completo e a data de nascimento e confira o documento ou a pulseira. Depois escaneie ou digite o ID de novo e digite a data de nascimento de novo.</translation>
    </message>
    <message>
        <source>Patient ID again</source>
        <translation>ID do paciente de novo</translation>
    </message>
    <message>
        <source>Date of birth again</source>
        <translation>Data de nascimento de novo</translation>
    </message>
    <message>
        <source>Scan or type the ID</source>
        <translation>Escaneie ou digite o ID</translation>
    </message>
    <message>
        <source>e.g. 24/03/1958 or 1958-03-24</source>
        <translation>ex.: 24/03/1958 ou 1958-03-24</translation>
    </message>
    <message>
        <source>No: back to the details</source>
        <translation>Não: voltar aos dados</translation>
    </message>
    <message>
        <source>Back: correct the details</source>
        <translation>Voltar: corrigir os dados</translation>
    </message>
    <message>
        <source>Yes, this is the patient</source>
        <translation>Sim, é este o paciente</translation>
    </message>
    <message>
        <source>Confirm and take photographs</source>
        <translation>Confirmar e tirar fotografias</translation>
    </message>
    <message>
        <source>Read as: {date}</source>
        <translation>Lido como: {date}</translation>
    </message>
    <message>
        <source>Not a date yet: day, month, year, e.g. 24/03/1958</source>
        <translation>Ainda não é uma data: dia, mês, ano, ex.: 24/03/1958</translation>
    </message>
    <message>
        <source>Patient: {name}</source>
        <translation>Paciente: {name}</translation>
    </message>
    <message>
        <source>ID: {id}
Date of birth: {date}</source>
        <translation>ID: {id}
Data de nascimento: {date}</translation>
    </message>
    <message>
        <source>The patient ID does not match the one entered before.</source>
        <translation>O ID do paciente não corresponde ao digitado antes.</translation>
    </message>
    <message>
        <source>The date of birth does not match the one entered before.</source>
        <translation>A data de nascimento não corresponde à digitada antes.</translation>
    </message>
    <message>
        <source>Check the ID card or wristband and ask the patient again.</source>
        <translation>Confira o documento ou a pulseira e pergunte de novo ao paciente.</translation>
    </message>
    <message>
        <source>If the first entry was wrong, touch “Back: correct the details”.</source>
        <translation>Se o primeiro registro estava errado, toque em “Voltar: corrigir os dados”.</translation>
    </message>
</context>
<context>
    <name>Devices</name>
    <message>
        <source>The camera &apos;{name}&apos; is not connected.</source>
        <translation>A câmera &apos;{name}&apos; não está conectada.</translation>
    </message>
    <message>
        <source>No camera was found.</source>
        <translation>Nenhuma câmera foi encontrada.</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>Automático</translation>
    </message>
    <message>
        <source>Demo camera (sample photographs)</source>
        <translation>Câmera de demonstração (fotografias de exemplo)</translation>
    </message>
    <message>
        <source>No camera (import and watched folder only)</source>
        <translation>Sem câmera (somente importação e pasta monitorada)</translation>
    </message>
    <message>
        <source>USB camera {device}</source>
        <translation>Câmera USB {device}</translation>
    </message>
</context>
<context>
    <name>ExclusionPage</name>
    <message>
        <source>Before the photographs</source>
        <translation>Antes das fotografias</translation>
    </message>
    <message>
        <source>Ask the patient, and touch their answer to each.</source>
        <translation>Pergunte ao paciente e toque na resposta de cada pergunta.</translation>
    </message>
    <message>
        <source>Are you already treated for diabetic eye disease (laser, injections or surgery in the eye)?</source>
        <translation>Você já faz tratamento para doença ocular diabética (laser, injeções ou cirurgia no olho)?</translation>
    </message>
    <message>
        <source>Has your sight got much worse suddenly (in the last days or weeks)?</source>
        <translation>A sua visão piorou muito de repente (nos últimos dias ou semanas)?</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Sim</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Não</translation>
    </message>
    <message>
        <source>Cancel screening</source>
        <translation>Cancelar rastreamento</translation>
    </message>
    <message>
        <source>Touch again to cancel</source>
        <translation>Toque de novo para cancelar</translation>
    </message>
    <message>
        <source>Do not photograph. The patient must see an eye specialist TODAY: the urgent referral is recorded and printed.</source>
        <translation>Não fotografe. O paciente precisa ver um oftalmologista HOJE: o encaminhamento urgente é registrado e impresso.</translation>
    </message>
    <message>
        <source>Refer today, without photographs</source>
        <translation>Encaminhar hoje, sem fotografias</translation>
    </message>
    <message>
        <source>Do not photograph. The patient is referred back to their eye specialist; the referral is recorded and printed.</source>
        <translation>Não fotografe. O paciente é encaminhado de volta ao seu oftalmologista; o encaminhamento é registrado e impresso.</translation>
    </message>
    <message>
        <source>Refer without photographs</source>
        <translation>Encaminhar sem fotografias</translation>
    </message>
    <message>
        <source>Take photographs</source>
        <translation>Tirar fotografias</translation>
    </message>
</context>
<context>
    <name>FilePicker</name>
    <message>
        <source>Choose a folder</source>
        <translation>Escolha uma pasta</translation>
    </message>
    <message>
        <source>Choose a photograph</source>
        <translation>Escolha uma fotografia</translation>
    </message>
    <message>
        <source>Up one folder</source>
        <translation>Subir uma pasta</translation>
    </message>
    <message>
        <source>Use this folder</source>
        <translation>Usar esta pasta</translation>
    </message>
    <message>
        <source>Use this photograph</source>
        <translation>Usar esta fotografia</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>{folder} cannot be opened: {why}</source>
        <translation>Não é possível abrir {folder}: {why}</translation>
    </message>
    <message>
        <source>No preview</source>
        <translation>Sem pré-visualização</translation>
    </message>
</context>
<context>
    <name>FolderWatcher</name>
    <message>
        <source>The watched folder {folder} does not exist.</source>
        <translation>A pasta monitorada {folder} não existe.</translation>
    </message>
</context>
<context>
    <name>GradingPage</name>
    <message>
        <source>Grading the photographs</source>
        <translation>Classificando as fotografias</translation>
    </message>
    <message>
        <source>Grading both eyes</source>
        <translation>Classificando os dois olhos</translation>
    </message>
    <message>
        <source>Saving the screening and writing the report</source>
        <translation>Salvando o rastreamento e gerando o relatório</translation>
    </message>
    <message>
        <source>Printing the report</source>
        <translation>Imprimindo o relatório</translation>
    </message>
    <message>
        <source>Try saving again</source>
        <translation>Tentar salvar de novo</translation>
    </message>
    <message>
        <source>Show the result (NOT saved)</source>
        <translation>Mostrar o resultado (NÃO salvo)</translation>
    </message>
    <message>
        <source>Please wait. This takes a few seconds.</source>
        <translation>Aguarde. Isto leva alguns segundos.</translation>
    </message>
    <message>
        <source>The screening could NOT be saved: {why} It is kept on this kiosk until it is saved. Do not switch the kiosk off; try again, or call IT.</source>
        <translation>O rastreamento NÃO pôde ser salvo: {why} Ele fica guardado neste quiosque até ser salvo. Não desligue o quiosque; tente de novo ou chame a TI.</translation>
    </message>
    <message>
        <source>Grading failed: {why}</source>
        <translation>A classificação falhou: {why}</translation>
    </message>
    <message>
        <source>Saving again…</source>
        <translation>Salvando de novo…</translation>
    </message>
</context>
<context>
    <name>HistoryTab</name>
    <message>
        <source>Search by patient ID, name or screening</source>
        <translation>Buscar por ID do paciente, nome ou rastreamento</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Buscar</translation>
    </message>
    <message>
        <source>Print report again</source>
        <translation>Imprimir o relatório de novo</translation>
    </message>
    <message>
        <source>Export all to CSV…</source>
        <translation>Exportar tudo para CSV…</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Data</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>ID do paciente</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>Decisão</translation>
    </message>
    <message>
        <source>No screenings found.</source>
        <translation>Nenhum rastreamento encontrado.</translation>
    </message>
    <message>
        <source>First touch a screening in the list.</source>
        <translation>Primeiro toque num rastreamento da lista.</translation>
    </message>
    <message>
        <source>Printing…</source>
        <translation>Imprimindo…</translation>
    </message>
    <message>
        <source>Home folder</source>
        <translation>Pasta pessoal</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Exportando…</translation>
    </message>
    <message>
        <source>Exported {count} rows to {path}.</source>
        <translation>{count} linhas exportadas para {path}.</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <source>Diabetic eye screening</source>
        <translation>Rastreamento ocular do diabetes</translation>
    </message>
    <message>
        <source>Start screening</source>
        <translation>Iniciar rastreamento</translation>
    </message>
    <message>
        <source>Administration</source>
        <translation>Administração</translation>
    </message>
    <message>
        <source>Over-read</source>
        <translation>Revisão</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Sair</translation>
    </message>
    <message>
        <source>Signed in: {name}</source>
        <translation>Conectado: {name}</translation>
    </message>
    <message>
        <source>DEMONSTRATION MODE: the camera shows sample photographs. Do not use for patients.</source>
        <translation>MODO DE DEMONSTRAÇÃO: a câmera mostra fotografias de exemplo. Não use com pacientes.</translation>
    </message>
    <message>
        <source>Grading is unavailable ({why}). Photographs are still checked and saved, and every patient is referred for an eye examination.</source>
        <translation>A classificação está indisponível ({why}). As fotografias continuam sendo verificadas e salvas, e todo paciente é encaminhado para um exame dos olhos.</translation>
    </message>
    <message>
        <source>Grading model ready: {name} {version}.</source>
        <translation>Modelo de classificação pronto: {name} {version}.</translation>
    </message>
    <message>
        <source>Camera: {name}.</source>
        <translation>Câmera: {name}.</translation>
    </message>
    <message>
        <source>No camera is configured.</source>
        <translation>Nenhuma câmera está configurada.</translation>
    </message>
    <message>
        <source>{problem} Photographs can be imported from a file or the watched folder.</source>
        <translation>{problem} As fotografias podem ser importadas de um arquivo ou da pasta monitorada.</translation>
    </message>
    <message>
        <source>{count} result(s) could not be sent to the clinic&apos;s systems yet. They are kept and sent again automatically; IT can check the connection.</source>
        <translation>{count} resultado(s) ainda não puderam ser enviados aos sistemas da clínica. Ficam guardados e são enviados de novo automaticamente; a TI pode verificar a conexão.</translation>
    </message>
    <message>
        <source>{count} report(s) could not be printed after repeated tries. Open Administration to print them again.</source>
        <translation>{count} relatório(s) não puderam ser impressos após várias tentativas. Abra a Administração para imprimi-los de novo.</translation>
    </message>
    <message>
        <source>Checking the printer…</source>
        <translation>Verificando a impressora…</translation>
    </message>
    <message>
        <source>Printer {name} is ready.</source>
        <translation>A impressora {name} está pronta.</translation>
    </message>
    <message>
        <source>No printer is set up. Reports are saved and queued for printing.</source>
        <translation>Nenhuma impressora está configurada. Os relatórios são salvos e ficam na fila de impressão.</translation>
    </message>
    <message>
        <source>Printing is not available: {why} Reports are saved and queued for printing.</source>
        <translation>A impressão não está disponível: {why} Os relatórios são salvos e ficam na fila de impressão.</translation>
    </message>
    <message>
        <source>not found</source>
        <translation>não encontrada</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>parada</translation>
    </message>
    <message>
        <source>not accepting jobs</source>
        <translation>não aceita trabalhos</translation>
    </message>
    <message>
        <source>Printer {name} is not available ({why}). Reports are saved and queued for printing.</source>
        <translation>A impressora {name} não está disponível ({why}). Os relatórios são salvos e ficam na fila de impressão.</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <source>Step 1 of 5: patient</source>
        <translation>Etapa 1 de 5: paciente</translation>
    </message>
    <message>
        <source>Step 2 of 5: confirm the patient</source>
        <translation>Etapa 2 de 5: confirmar o paciente</translation>
    </message>
    <message>
        <source>Step 3 of 5: before the photographs</source>
        <translation>Passo 3 de 5: antes das fotografias</translation>
    </message>
    <message>
        <source>Step 4 of 5: grading</source>
        <translation>Etapa 4 de 5: classificação</translation>
    </message>
    <message>
        <source>Step 5 of 5: result</source>
        <translation>Etapa 5 de 5: resultado</translation>
    </message>
    <message>
        <source>Administration</source>
        <translation>Administração</translation>
    </message>
    <message>
        <source>Over-read</source>
        <translation>Revisão</translation>
    </message>
    <message>
        <source>Step 3 of 5: {eye}</source>
        <translation>Etapa 3 de 5: {eye}</translation>
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
        <translation>Apagar</translation>
    </message>
    <message>
        <source>Capital letters</source>
        <translation>Letras maiúsculas</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Próximo</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>Ocultar</translation>
    </message>
    <message>
        <source>Hide the keyboard</source>
        <translation>Ocultar o teclado</translation>
    </message>
    <message>
        <source>space</source>
        <translation>espaço</translation>
    </message>
    <message>
        <source>Space</source>
        <translation>Espaço</translation>
    </message>
</context>
<context>
    <name>OverreadPage</name>
    <message>
        <source>Opening the screening…</source>
        <translation>Abrindo o rastreamento…</translation>
    </message>
    <message>
        <source>Decision after the over-read:</source>
        <translation>Decisão após a revisão:</translation>
    </message>
    <message>
        <source>Reason for the amendment (what you saw)</source>
        <translation>Motivo da correção (o que você viu)</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Voltar</translation>
    </message>
    <message>
        <source>Agree with the AI result</source>
        <translation>Concordar com o resultado da IA</translation>
    </message>
    <message>
        <source>Save amendment</source>
        <translation>Salvar correção</translation>
    </message>
    <message>
        <source>Over-read of screening {id}: {name} · {patient}</source>
        <translation>Revisão do rastreamento {id}: {name} · {patient}</translation>
    </message>
    <message>
        <source>AI decision: {word}: {headline}</source>
        <translation>Decisão da IA: {word}: {headline}</translation>
    </message>
    <message>
        <source>Over-read before by {name} ({when}): {outcome}, {word}.</source>
        <translation>Revisado antes por {name} ({when}): {outcome}, {word}.</translation>
    </message>
    <message>
        <source>No photograph</source>
        <translation>Sem fotografia</translation>
    </message>
    <message>
        <source>Not screened</source>
        <translation>Não rastreado</translation>
    </message>
    <message>
        <source>AI: {finding}</source>
        <translation>IA: {finding}</translation>
    </message>
    <message>
        <source>Saving the over-read…</source>
        <translation>Salvando a revisão…</translation>
    </message>
</context>
<context>
    <name>OverreadQueuePage</name>
    <message>
        <source>Over-read</source>
        <translation>Revisão</translation>
    </message>
    <message>
        <source>Screenings waiting for a reviewer: every one with an eye that was not graded, and a share of the routine ones. Touch one, then Open. Search to open any screening.</source>
        <translation>Rastreamentos aguardando um revisor: todos com um olho não classificado e uma parte dos de rotina. Toque num deles e depois em Abrir. Busque para abrir qualquer rastreamento.</translation>
    </message>
    <message>
        <source>Search by patient ID, name or screening</source>
        <translation>Buscar por ID do paciente, nome ou rastreamento</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Buscar</translation>
    </message>
    <message>
        <source>Show the queue</source>
        <translation>Mostrar a fila</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fechar</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Data</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>ID do paciente</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <source>AI decision</source>
        <translation>Decisão da IA</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Por quê</translation>
    </message>
    <message>
        <source>No screenings found.</source>
        <translation>Nenhum rastreamento encontrado.</translation>
    </message>
    <message>
        <source>No screening is waiting for an over-read.</source>
        <translation>Nenhum rastreamento está aguardando revisão.</translation>
    </message>
    <message>
        <source>Saved. The amended report {id} was written.</source>
        <translation>Salvo. O relatório corrigido {id} foi gerado.</translation>
    </message>
    <message>
        <source>First touch a screening in the list.</source>
        <translation>Primeiro toque num rastreamento da lista.</translation>
    </message>
</context>
<context>
    <name>PatientPage</name>
    <message>
        <source>Patient details</source>
        <translation>Dados do paciente</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>ID do paciente</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Nome completo</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Data de nascimento</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexo</translation>
    </message>
    <message>
        <source>Report language</source>
        <translation>Idioma do relatório</translation>
    </message>
    <message>
        <source>Type or scan the ID card or wristband</source>
        <translation>Digite ou escaneie o documento ou a pulseira</translation>
    </message>
    <message>
        <source>e.g. 24/03/1958 or 1958-03-24</source>
        <translation>ex.: 24/03/1958 ou 1958-03-24</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>Feminino</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>Masculino</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Outro</translation>
    </message>
    <message>
        <source>Not stated</source>
        <translation>Não informado</translation>
    </message>
    <message>
        <source>Cancel screening</source>
        <translation>Cancelar rastreamento</translation>
    </message>
    <message>
        <source>Touch again to cancel</source>
        <translation>Toque de novo para cancelar</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Continuar</translation>
    </message>
    <message>
        <source>Pick from today&apos;s list</source>
        <translation>Escolher da lista de hoje</translation>
    </message>
    <message>
        <source>Returning patient? Type part of the name or ID to find them</source>
        <translation>Paciente que já veio? Digite parte do nome ou do ID para encontrá-lo</translation>
    </message>
    <message>
        <source>ID scanned.</source>
        <translation>ID escaneado.</translation>
    </message>
    <message>
        <source>Asking for today&apos;s list…</source>
        <translation>Consultando a lista de hoje…</translation>
    </message>
    <message>
        <source>No patient on file matches. Check the spelling, or type the details.</source>
        <translation>Nenhum paciente cadastrado corresponde. Confira a grafia ou digite os dados.</translation>
    </message>
    <message>
        <source>{name} · ID {id} · born {date}</source>
        <translation>{name} · ID {id} · nascido em {date}</translation>
    </message>
    <message>
        <source>Touch the patient in the list.</source>
        <translation>Toque no paciente na lista.</translation>
    </message>
    <message>
        <source>Nobody is on today&apos;s list. Type the patient&apos;s details.</source>
        <translation>Ninguém está na lista de hoje. Digite os dados do paciente.</translation>
    </message>
    <message>
        <source>Today&apos;s list cannot be reached. Type the patient&apos;s details.</source>
        <translation>Não é possível acessar a lista de hoje. Digite os dados do paciente.</translation>
    </message>
    <message>
        <source>Check the details with the patient.</source>
        <translation>Confira os dados com o paciente.</translation>
    </message>
    <message>
        <source>Type or scan the patient ID.</source>
        <translation>Digite ou escaneie o ID do paciente.</translation>
    </message>
    <message>
        <source>Type the patient&apos;s full name.</source>
        <translation>Digite o nome completo do paciente.</translation>
    </message>
    <message>
        <source>Type a real date of birth, for example 24/03/1958 (day/month/year) or 1958-03-24.</source>
        <translation>Digite uma data de nascimento real, por exemplo 24/03/1958 (dia/mês/ano) ou 1958-03-24.</translation>
    </message>
</context>
<context>
    <name>ReferralsTab</name>
    <message>
        <source>Only overdue</source>
        <translation>Somente atrasados</translation>
    </message>
    <message>
        <source>Attended</source>
        <translation>Compareceu</translation>
    </message>
    <message>
        <source>Did not attend</source>
        <translation>Não compareceu</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Prazo</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>ID do paciente</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>Decisão</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>Acompanhamento</translation>
    </message>
    <message>
        <source>No referrals to follow up.</source>
        <translation>Nenhum encaminhamento para acompanhar.</translation>
    </message>
    <message>
        <source>First touch a patient in the list.</source>
        <translation>Primeiro toque num paciente da lista.</translation>
    </message>
</context>
<context>
    <name>ResultPage</name>
    <message>
        <source>Print again</source>
        <translation>Imprimir de novo</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>Concluir</translation>
    </message>
    <message>
        <source>Next step due by: {date}</source>
        <translation>Próxima etapa até: {date}</translation>
    </message>
    <message>
        <source>NOT SAVED: {why} The kiosk keeps trying; call IT.</source>
        <translation>NÃO SALVO: {why} O quiosque continua tentando; chame a TI.</translation>
    </message>
    <message>
        <source>Saved, and the report was written.</source>
        <translation>Salvo, e o relatório foi gerado.</translation>
    </message>
    <message>
        <source>Screening {id}</source>
        <translation>Rastreamento {id}</translation>
    </message>
    <message>
        <source>Report {id}</source>
        <translation>Relatório {id}</translation>
    </message>
    <message>
        <source>No photograph</source>
        <translation>Sem fotografia</translation>
    </message>
    <message>
        <source>Not part of this screening.</source>
        <translation>Não fez parte deste rastreamento.</translation>
    </message>
    <message>
        <source>Quality: not gradable. {reasons}</source>
        <translation>Qualidade: não classificável. {reasons}</translation>
    </message>
    <message>
        <source>Quality: good ({score:.0%})</source>
        <translation>Qualidade: boa ({score:.0%})</translation>
    </message>
    <message>
        <source>Grade: {words}</source>
        <translation>Grau: {words}</translation>
    </message>
    <message>
        <source>Printed. {detail}</source>
        <translation>Impresso. {detail}</translation>
    </message>
    <message>
        <source>NOT printed yet. {detail}</source>
        <translation>AINDA NÃO impresso. {detail}</translation>
    </message>
    <message>
        <source>Printing…</source>
        <translation>Imprimindo…</translation>
    </message>
</context>
<context>
    <name>ResumePage</name>
    <message>
        <source>Unfinished screening</source>
        <translation>Rastreamento não concluído</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Retomar</translation>
    </message>
    <message>
        <source>Discard it</source>
        <translation>Descartar</translation>
    </message>
    <message>
        <source>Touch again to discard</source>
        <translation>Toque de novo para descartar</translation>
    </message>
    <message>
        <source>You started screening {name} at {time} and left it before the end ({done} of 2 eyes done). Resume it (the patient&apos;s identity is checked again), or discard it.</source>
        <translation>Você começou o rastreamento de {name} às {time} e saiu antes do fim ({done} de 2 olhos feitos). Retome-o (a identidade do paciente é verificada de novo) ou descarte-o.</translation>
    </message>
</context>
<context>
    <name>SettingsTab</name>
    <message>
        <source>Clinic name</source>
        <translation>Nome da clínica</translation>
    </message>
    <message>
        <source>Clinic logo</source>
        <translation>Logotipo da clínica</translation>
    </message>
    <message>
        <source>Clear the screen after (seconds without a touch)</source>
        <translation>Limpar a tela após (segundos sem toque)</translation>
    </message>
    <message>
        <source>Language at start</source>
        <translation>Idioma ao iniciar</translation>
    </message>
    <message>
        <source>Retakes allowed per eye</source>
        <translation>Repetições permitidas por olho</translation>
    </message>
    <message>
        <source>Photographs per eye (2: disc- and macula-centred)</source>
        <translation>Fotografias por olho (2: centrada no disco e centrada na mácula)</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>Impressora</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Câmera</translation>
    </message>
    <message>
        <source>Watched folder</source>
        <translation>Pasta monitorada</translation>
    </message>
    <message>
        <source>No referable DR: rescreen after (months)</source>
        <translation>Sem RD que exija encaminhamento: novo rastreamento após (meses)</translation>
    </message>
    <message>
        <source>Referable DR: see a specialist within (months)</source>
        <translation>RD que exige encaminhamento: consultar um especialista em até (meses)</translation>
    </message>
    <message>
        <source>Sight-threatening DR: urgent, within (weeks)</source>
        <translation>RD que ameaça a visão: urgente, em até (semanas)</translation>
    </message>
    <message>
        <source>Ungradable: eye examination within (months)</source>
        <translation>Não classificável: exame dos olhos em até (meses)</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Escolher…</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Nenhum</translation>
    </message>
    <message>
        <source>Print a test page</source>
        <translation>Imprimir uma página de teste</translation>
    </message>
    <message>
        <source>Print queued reports now</source>
        <translation>Imprimir agora os relatórios na fila</translation>
    </message>
    <message>
        <source>Save settings</source>
        <translation>Salvar configurações</translation>
    </message>
    <message>
        <source>System default printer</source>
        <translation>Impressora padrão do sistema</translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>Nada foi alterado.</translation>
    </message>
    <message>
        <source>The settings could NOT be saved: {why}</source>
        <translation>As configurações NÃO puderam ser salvas: {why}</translation>
    </message>
    <message>
        <source>Saved to {path}.</source>
        <translation>Salvo em {path}.</translation>
    </message>
    <message>
        <source>No logo</source>
        <translation>Sem logotipo</translation>
    </message>
    <message>
        <source>No watched folder</source>
        <translation>Sem pasta monitorada</translation>
    </message>
    <message>
        <source>Home folder</source>
        <translation>Pasta pessoal</translation>
    </message>
    <message>
        <source>Printing a test page…</source>
        <translation>Imprimindo uma página de teste…</translation>
    </message>
    <message>
        <source>Test page sent (job {job}).</source>
        <translation>Página de teste enviada (trabalho {job}).</translation>
    </message>
    <message>
        <source>The test page could not be printed: {why}</source>
        <translation>A página de teste não pôde ser impressa: {why}</translation>
    </message>
    <message>
        <source>Printing queued reports…</source>
        <translation>Imprimindo os relatórios na fila…</translation>
    </message>
    <message>
        <source>{printed} queued report(s) printed, {waiting} still waiting.</source>
        <translation>{printed} relatório(s) da fila impresso(s), {waiting} ainda aguardando.</translation>
    </message>
</context>
<context>
    <name>SetupAdminPage</name>
    <message>
        <source>Set up the administrator</source>
        <translation>Configurar o administrador</translation>
    </message>
    <message>
        <source>Administrator&apos;s name</source>
        <translation>Nome do administrador</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Limpar</translation>
    </message>
    <message>
        <source>This kiosk has no administrator yet. Type the administrator&apos;s name, then choose a PIN of 6 to 12 digits. Keep it safe: it protects the settings, the accounts and the exit.</source>
        <translation>Este quiosque ainda não tem administrador. Digite o nome do administrador e escolha um PIN de 6 a 12 dígitos. Guarde-o bem: ele protege as configurações, as contas e a saída.</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Próximo</translation>
    </message>
    <message>
        <source>Type the same PIN again.</source>
        <translation>Digite o mesmo PIN de novo.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Salvar</translation>
    </message>
    <message>
        <source>First type the administrator&apos;s name.</source>
        <translation>Primeiro digite o nome do administrador.</translation>
    </message>
    <message>
        <source>The two PINs were different. Choose the PIN again.</source>
        <translation>Os dois PINs eram diferentes. Escolha o PIN de novo.</translation>
    </message>
</context>
<context>
    <name>SignInPage</name>
    <message>
        <source>Administrator sign-in</source>
        <translation>Entrada do administrador</translation>
    </message>
    <message>
        <source>Reviewer sign-in</source>
        <translation>Entrada do revisor</translation>
    </message>
    <message>
        <source>Operator sign-in</source>
        <translation>Entrada do operador</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Entrar</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Limpar</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Voltar</translation>
    </message>
    <message>
        <source>Touch your name, then type the administrator PIN.</source>
        <translation>Toque no seu nome e digite o PIN do administrador.</translation>
    </message>
    <message>
        <source>No reviewers are set up yet. An administrator can give an account the reviewer role in Administration.</source>
        <translation>Ainda não há revisores configurados. Um administrador pode dar a uma conta a função de revisor na Administração.</translation>
    </message>
    <message>
        <source>No operators are set up yet. An administrator must add one in Administration → Operators.</source>
        <translation>Ainda não há operadores configurados. Um administrador precisa adicionar um em Administração → Operadores.</translation>
    </message>
    <message>
        <source>Touch your name, then type your PIN.</source>
        <translation>Toque no seu nome e digite o seu PIN.</translation>
    </message>
    <message>
        <source>{name}: type your PIN.</source>
        <translation>{name}: digite o seu PIN.</translation>
    </message>
    <message>
        <source>First touch your name.</source>
        <translation>Primeiro toque no seu nome.</translation>
    </message>
    <message>
        <source>Too many wrong PINs. Wait {seconds} seconds, then try again.</source>
        <translation>PINs errados demais. Aguarde {seconds} segundos e tente de novo.</translation>
    </message>
    <message>
        <source>Wrong PIN. Try again.</source>
        <translation>PIN errado. Tente de novo.</translation>
    </message>
</context>
<context>
    <name>SkipPanel</name>
    <message>
        <source>Why is this eye not photographed?</source>
        <translation>Por que este olho não foi fotografado?</translation>
    </message>
    <message>
        <source>Artificial eye (prosthesis)</source>
        <translation>Olho artificial (prótese)</translation>
    </message>
    <message>
        <source>Eye removed (enucleation)</source>
        <translation>Olho removido (enucleação)</translation>
    </message>
    <message>
        <source>Eye cannot be opened</source>
        <translation>O olho não pode ser aberto</translation>
    </message>
    <message>
        <source>Patient declined this eye</source>
        <translation>O paciente recusou este olho</translation>
    </message>
    <message>
        <source>Other reason</source>
        <translation>Outro motivo</translation>
    </message>
    <message>
        <source>Record this reason</source>
        <translation>Registrar este motivo</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Voltar</translation>
    </message>
</context>
<context>
    <name>StillThereBanner</name>
    <message>
        <source>I am still here</source>
        <translation>Ainda estou aqui</translation>
    </message>
    <message>
        <source>Still there? In {seconds} s the screen is cleared; a screening in progress is kept as a draft for you to resume.</source>
        <translation>Ainda está aí? Em {seconds} s a tela será limpa; um rastreamento em andamento fica guardado como rascunho para você retomar.</translation>
    </message>
</context>
<context>
    <name>SystemTab</name>
    <message>
        <source>Run the self-test</source>
        <translation>Executar o autoteste</translation>
    </message>
    <message>
        <source>Site monitor (last {weeks} weeks)</source>
        <translation>Monitor do local (últimas {weeks} semanas)</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>Contas</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <source>PIN (operator 4-12 digits, others 6-12)</source>
        <translation>PIN (operador 4-12 dígitos, demais 6-12)</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Função</translation>
    </message>
    <message>
        <source>Add account</source>
        <translation>Adicionar conta</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation>Remover selecionada</translation>
    </message>
    <message>
        <source>RetiScreen {version}</source>
        <translation>RetiScreen {version}</translation>
    </message>
    <message>
        <source>Grading model: {name}, version {version}</source>
        <translation>Modelo de classificação: {name}, versão {version}</translation>
    </message>
    <message>
        <source>SHA-256: {hash}</source>
        <translation>SHA-256: {hash}</translation>
    </message>
    <message>
        <source>Runs on: {provider}</source>
        <translation>Executa em: {provider}</translation>
    </message>
    <message>
        <source>Grading unavailable: {why}</source>
        <translation>Classificação indisponível: {why}</translation>
    </message>
    <message>
        <source>Quality model: {name}, version {version}</source>
        <translation>Modelo de qualidade: {name}, versão {version}</translation>
    </message>
    <message>
        <source>Models folder: {path}</source>
        <translation>Pasta dos modelos: {path}</translation>
    </message>
    <message>
        <source>Data folder: {path}</source>
        <translation>Pasta de dados: {path}</translation>
    </message>
    <message>
        <source>Settings file: {path}</source>
        <translation>Arquivo de configurações: {path}</translation>
    </message>
    <message>
        <source>No alerts.</source>
        <translation>Nenhum alerta.</translation>
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
        <source>Running the self-test…</source>
        <translation>Executando o autoteste…</translation>
    </message>
    <message>
        <source>Self-test passed.</source>
        <translation>Autoteste aprovado.</translation>
    </message>
    <message>
        <source>Self-test FAILED: do not screen patients until this is fixed.</source>
        <translation>Autoteste FALHOU: não rastreie pacientes até que isto seja corrigido.</translation>
    </message>
    <message>
        <source>Self-test FAILED: {why}</source>
        <translation>Autoteste FALHOU: {why}</translation>
    </message>
    <message>
        <source>Account {name} added.</source>
        <translation>Conta {name} adicionada.</translation>
    </message>
    <message>
        <source>First touch a name in the list.</source>
        <translation>Primeiro toque num nome da lista.</translation>
    </message>
</context>
</TS>
