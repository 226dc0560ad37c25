"""Portuguese wording (Brazilian usage, understood in Portugal too). A key missing here
falls back to English (a test lists none missing)."""

from __future__ import annotations

TEXTS: dict[str, str] = {
    "decision.routine.word": "ROTINA",
    "decision.routine.headline": "Sem retinopatia diabética que exija encaminhamento",
    "decision.routine.advice": (
        "Hoje não foram encontrados sinais de doença ocular diabética que exijam um "
        "especialista. Volte para a próxima fotografia dos olhos daqui a {months} meses, ou "
        "antes se a sua visão mudar."
    ),
    "decision.refer.word": "ENCAMINHAR",
    "decision.refer.headline": "Encaminhar a um oftalmologista",
    "decision.refer.advice": (
        "Foram encontrados sinais de doença ocular diabética. Você precisa consultar um "
        "oftalmologista dentro de {months} meses. Continue controlando o açúcar no sangue, a "
        "pressão arterial e o colesterol."
    ),
    "decision.urgent.word": "URGENTE",
    "decision.urgent.headline": "Encaminhamento URGENTE a um oftalmologista",
    "decision.urgent.advice": (
        "Foram encontrados sinais de doença ocular diabética que podem ameaçar a sua visão. "
        "Você precisa consultar um oftalmologista dentro de {weeks} semanas. O tratamento "
        "funciona melhor quando começa cedo."
    ),
    "decision.examine.word": "EXAMINAR",
    "decision.examine.headline": "É necessário um exame dos olhos: um olho não pôde ser avaliado",
    "decision.examine.advice": (
        "Hoje não foi possível avaliar todos os olhos (a fotografia não estava nítida o "
        "suficiente, não pôde ser lida ou não foi tirada). Se não for possível repeti-la, você "
        "precisa de um exame dos olhos por um oftalmologista dentro de {months} mês(es). Isto é "
        "comum (por exemplo, com catarata) e não significa que foi encontrada uma doença."
    ),
    "decision.unavailable.word": "EXAMINAR",
    "decision.unavailable.headline": (
        "Não é possível classificar: encaminhar para um exame dos olhos"
    ),
    "decision.unavailable.advice": (
        "O sistema de rastreamento não conseguiu classificar as fotografias hoje. Você precisa "
        "de um exame dos olhos por um oftalmologista dentro de {months} mês(es)."
    ),
    # Um paciente encaminhado sem rastreamento (as perguntas de exclusão): por quê, e o que fazer.
    "exclusion.treated.reason": "já em tratamento por doença ocular diabética",
    "exclusion.treated.advice": (
        "Você nos disse que já está em tratamento por doença ocular diabética, por isso não "
        "tiramos fotografias de rastreamento: o seu oftalmologista acompanha os seus olhos. "
        "Consulte-o dentro de {months} meses, ou antes se a sua visão mudar."
    ),
    "exclusion.sudden_vision_loss.reason": "perda súbita da visão",
    "exclusion.sudden_vision_loss.advice": (
        "Você nos disse que a sua visão piorou muito de repente. Não tiramos fotografias de "
        "rastreamento: você precisa ver um oftalmologista HOJE. Vá agora ao pronto-socorro "
        "de olhos; não espere por uma consulta."
    ),
    "eye_status.graded": "Classificado",
    "eye_status.ungradable": "Não pôde ser classificado: qualidade da fotografia",
    "eye_status.unreadable": "A fotografia não pôde ser lida",
    "eye_status.not_photographed": "Sem fotografia: não examinado",
    "eye_status.absent": "Olho ausente (registrado pelo operador)",
    "eye_status.unavailable": "Não classificado: classificação indisponível",
    "eye.right": "Olho direito",
    "eye.left": "Olho esquerdo",
    "side.right": "direita",
    "side.left": "esquerda",
    "grade.0": "Sem retinopatia aparente",
    "grade.1": "RD não proliferativa leve",
    "grade.2": "RD não proliferativa moderada",
    "grade.3": "RD não proliferativa grave",
    "grade.4": "RD proliferativa",
    "grade.none": "Não classificado",
    "confidence.clearly_below": "Claramente abaixo do limiar de encaminhamento",
    "confidence.below": "Abaixo do limiar de encaminhamento",
    "confidence.borderline_below": "Perto do limiar: duvidoso (logo abaixo)",
    "confidence.borderline_above": "Perto do limiar: duvidoso (logo acima)",
    "confidence.above": "Acima do limiar de encaminhamento",
    "confidence.clearly_above": "Claramente acima do limiar de encaminhamento",
    "confidence.none": "Clareza: não indicada por este modelo",
    "dme.refer": "Possível edema macular: encaminhar",
    "dme.review": (
        "Possível edema macular: um clínico vai examinar as fotografias "
        "(este achado sozinho não decide o encaminhamento)"
    ),
    "heatmap.explanation": (
        "Mapa de calor: onde a fotografia levou o classificador ao encaminhamento. Não é um "
        "mapa de lesões e não decide nada."
    ),
    "heatmap.absent": "Sem mapa de calor: este modelo não oferece um.",
    "quality.not_fundus": (
        "Isto não parece uma fotografia da retina (não foi encontrado um campo retiniano "
        "redondo). Verifique a tampa da lente e se a câmera está apontada para a pupila."
    ),
    "quality.too_dark": (
        "A fotografia está escura demais. Espere a pupila dilatar ou aumente o flash e tire "
        "de novo."
    ),
    "quality.overexposed": (
        "A fotografia está superexposta (clara demais). Reduza o flash ou procure reflexos e "
        "tire de novo."
    ),
    "quality.blurred": (
        "A fotografia está desfocada: os vasos sanguíneos não estão nítidos. Ajuste o foco, "
        "peça ao paciente que fique parado e tire de novo."
    ),
    "quality.cut_off": (
        "A retina está cortada ou fora do centro. Centralize o olho no enquadramento e tire "
        "de novo."
    ),
    "quality.low_contrast": (
        "A fotografia tem pouco contraste (opacidade, catarata ou lente suja). Limpe a lente "
        "e tire de novo."
    ),
    "quality.model_rejected": (
        "Esta fotografia não é boa o suficiente para classificar (opacidade, reflexos, cílios "
        "ou foco ruim), ou não é uma fotografia da retina. Tire de novo."
    ),
    "quality.low_jpeg_quality": (
        "A fotografia foi salva comprimida demais (qualidade JPEG baixa): os detalhes finos se "
        "perdem. Configure a câmera ou a sua exportação em alta qualidade (pelo menos 50, "
        "idealmente 90) e envie de novo."
    ),
    "quality.small_field": (
        "A retina está pequena demais nesta imagem (poucos pixels) para classificar. Use a "
        "imagem da câmera em resolução total, não uma prévia nem uma miniatura."
    ),
    "print.not_installed": (
        "A impressão não está instalada neste computador. Peça ao administrador que instale o CUPS."
    ),
    "print.cups_down": (
        "O CUPS não está em funcionamento. Reinicie o serviço de impressão (cupsd) ou o "
        "quiosque e tente de novo."
    ),
    "print.no_printer": (
        "Nenhuma impressora está configurada. Peça ao administrador que adicione uma "
        "impressora ou escolha uma nas configurações."
    ),
    "print.not_found": (
        "A impressora '{printer}' não está disponível (não encontrada). Verifique o nome da "
        "impressora nas configurações."
    ),
    "print.stopped": (
        "A impressora '{printer}' não está disponível (parada). Verifique o papel, a tinta e "
        "os cabos e reinicie a fila de impressão."
    ),
    "print.rejecting": (
        "A impressora '{printer}' não está disponível (não aceita trabalhos). Peça ao "
        "administrador que a fila volte a aceitar trabalhos."
    ),
    "print.timeout": (
        "O sistema de impressão não respondeu a tempo. Verifique se o CUPS está em "
        "funcionamento e tente de novo."
    ),
    "print.saved": "O relatório está salvo e será impresso quando a impressora voltar.",
    "print.sent": "Enviado para a impressora {printer}.",
    "date.asap": "o mais cedo possível",
    "review.outcome.agreed": "Confirmado pelo revisor",
    "review.outcome.amended": "Corrigido pelo revisor",
    "review.queue.unexamined": "Um olho não foi classificado",
    "review.queue.sampled": "Resultado de rotina, sorteado para conferência",
    "review.queue.macular_oedema": "Possível edema macular: as fotografias precisam de revisão",
    "review.problem.role": (
        "Somente um revisor ou um administrador pode revisar um rastreamento; nada foi salvo."
    ),
    "review.problem.no_photograph": (
        "{eye}: não há fotografia para classificar ({status}); deixe o grau em branco. Nada "
        "foi salvo."
    ),
    "review.problem.not_a_choice": (
        "{decision} não é uma decisão que um revisor possa escolher: escolha ROTINA, "
        "ENCAMINHAR, URGENTE ou EXAMINAR. Nada foi salvo."
    ),
    "review.problem.less_urgent": (
        "Os graus indicam {rules}, então {decision} seria menos urgente do que as regras de "
        "encaminhamento permitem. Nada foi salvo: escolha {rules} ou uma decisão mais urgente, "
        "ou altere os graus."
    ),
    "review.problem.reason_needed": (
        "Uma correção precisa de um motivo (o que o revisor viu). Nada foi salvo."
    ),
    "error.failed": "Esta etapa não pôde ser concluída.",
    "error.image": "Esta fotografia não pode ser usada.",
    "error.grading_unavailable": (
        "A classificação está indisponível: encaminhe todos os pacientes para um exame dos "
        "olhos até que seja resolvido."
    ),
    "error.storage": "Os registros não puderam ser salvos nem lidos.",
    "error.identity": "Este ID de paciente pertence a outra pessoa já registrada.",
    "error.configuration": "Uma configuração está errada, por isso o RetiScreen não vai iniciar.",
    "error.usage": "Isso não pode ser feito desta forma.",
    "error.printing": (
        "O relatório não pôde ser impresso; ele fica guardado e será impresso mais tarde."
    ),
    "error.backup": "O backup ou a restauração não pôde ser feito; nada foi alterado.",
    "error.model_bundle": (
        "A atualização do modelo foi recusada e nada foi alterado; os modelos em uso continuam."
    ),
    "error.integration": "O sistema da clínica não aceitou o pedido; nada foi perdido.",
    "referral.pending": "pendente",
    "referral.attended": "compareceu",
    "referral.not_attended": "não compareceu",
    "referral.overdue": "ATRASADO",
    "monitor.alert.score_psi": (
        "As pontuações de encaminhamento se afastaram das do conjunto de validação (índice "
        "de estabilidade {value}, alerta acima de {limit}): verifique a câmera e as "
        "fotografias e valide o classificador com os pacientes deste local."
    ),
    "monitor.alert.field_ungradable_rate": (
        "{value} dos campos fotografados em olhos com dois campos não puderam ser "
        "classificados (alerta acima de {limit}): verifique como cada campo é tirado, também "
        "o centrado na mácula."
    ),
    "monitor.alert.ungradable_rate": (
        "{value} dos olhos fotografados não puderam ser classificados (alerta acima de "
        "{limit}): verifique a câmera, a luz da sala e como as fotografias são tiradas."
    ),
    "monitor.alert.review_kappa": (
        "Os revisores e o classificador concordam raramente (kappa de Cohen {value}, alerta "
        "abaixo de {limit}): revejam juntos os casos revisados e validem o classificador aqui."
    ),
    "monitor.alert.referrals_overdue": (
        "{value} pacientes encaminhados passaram da data prevista sem registro de que foram "
        "atendidos."
    ),
    "monitor.week": "Semana {week}",
    "report.title": "Relatório de rastreamento de retinopatia diabética",
    "report.disclaimer": (
        "O RetiScreen é um software de pesquisa, não um dispositivo médico aprovado. Ele não "
        "substitui um exame completo dos olhos por um profissional da visão, e um resultado sem "
        "retinopatia que exija encaminhamento não exclui outras doenças dos olhos. Procure um "
        "oftalmologista imediatamente se a sua visão mudar."
    ),
    "report.dr_explained": (
        "A retinopatia diabética é uma lesão dos pequenos vasos sanguíneos do fundo do olho (a "
        "retina) causada pelo diabetes. Muitas vezes não dá sintomas até estar avançada; por "
        "isso as fotografias regulares dos olhos são importantes: o tratamento iniciado cedo "
        "protege a sua visão."
    ),
    "report.phone": "Telefone: {phone}",
    "report.patient": "Paciente",
    "report.patient_id": "ID do paciente",
    "report.date_of_birth": "Data de nascimento",
    "report.sex": "Sexo",
    "report.sex.female": "Feminino",
    "report.sex.male": "Masculino",
    "report.sex.other": "Outro",
    "report.not_recorded": "não registrado",
    "report.screened": "Rastreamento",
    "report.operator": "Operador",
    "report.site": "Local",
    "report.screening_id": "ID do rastreamento",
    "report.next_step": "Próxima etapa até: {date}",
    "report.overread": "Revisão: {outcome}",
    "report.ai_result": "Resultado da IA",
    "report.reviewer": "Revisor",
    "report.decision": "Decisão",
    "report.reviewed_by": "Revisado por {reviewer}, {when}.",
    "report.reason": "Motivo: {reason}",
    "report.eye.right": "Olho direito (OD)",
    "report.eye.left": "Olho esquerdo (OE)",
    "field.disc": "Campo centrado no disco",
    "field.macula": "Campo centrado na mácula",
    "field.not_taken": "Não tirada",
    "field.finding": "{field}: {finding}",
    "report.field_decides": "O resultado do olho é o do seu pior campo avaliável.",
    "report.no_image": "Sem imagem",
    "report.eye_not_screened": "Este olho não fez parte do rastreamento.",
    "report.no_photograph": "Nenhuma fotografia foi registrada.",
    "report.photograph_not_shown": "A fotografia não pôde ser mostrada.",
    "report.no_heatmap": "Sem mapa de calor",
    "report.heatmap_not_drawn": "O mapa de calor não pôde ser desenhado.",
    "report.quality_not_assessed": "Qualidade: não avaliada",
    "report.quality": "Qualidade: {verdict} (pontuação {score})",
    "report.gradable": "Classificável",
    "report.not_gradable": "Não classificável",
    "report.grade": "Grau: {grade}",
    "report.probability": (
        "Probabilidade de RD que exige encaminhamento: {probability} (limiar de "
        "encaminhamento {threshold})"
    ),
    "report.probability_unavailable": (
        "Probabilidade de RD que exige encaminhamento: não disponível"
    ),
    "report.how_clear": "Clareza: {confidence}",
    "report.eye_result": "Resultado do olho: {result}",
    "report.eye_not_counted": "Resultado do olho: não contado (olho ausente)",
    "report.verification_code": "Código de verificação: {code}",
    "report.report_id": "ID do relatório: {report_id}",
    "report.page": "Relatório RetiScreen {report_id} - página {page} de {pages}",
    "report.grader": "Classificador: {models}",
    "report.grader_not_run": "o classificador não foi executado",
    "report.model_line": "{model}, provedor de execução {provider}",
    "report.not_screened": "{headline}. Sem rastreamento: {reason}",
    "report.not_screened_eye": "Sem rastreamento: {reason}",
    "report.date_time": "{date}, {time}",
    "letter.title": "O resultado do seu rastreamento dos olhos",
    "letter.dear": "Prezado(a) {name},",
    "letter.intro": (
        "Em {date} tiramos fotografias do fundo dos seus olhos para verificar se há doença "
        "ocular diabética. Isto é o que encontramos:"
    ),
    "letter.intro_not_screened": (
        "Em {date} você veio para o rastreamento ocular do diabetes. Não tiramos "
        "fotografias dos seus olhos por causa do que você nos contou:"
    ),
    "letter.what_is_dr": "O que é a retinopatia diabética?",
    "letter.sight_worse": (
        "Se a sua visão piorar de repente, procure ajuda imediatamente: não espere pela sua "
        "consulta."
    ),
    "letter.phone": "telefone {phone}",
    "letter.questions": "Dúvidas? Entre em contato com {contact}.",
}
