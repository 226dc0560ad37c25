#!/usr/bin/env bash
# Regenerate the kiosk's Qt translation files (English is the source language).
#
#   scripts/update_translations.sh
#
# 1. pyside6-lupdate collects every string marked with self.tr(),
#    QCoreApplication.translate() or QT_TRANSLATE_NOOP() under app/retiscreen/ui and
#    app/retiscreen/capture into assets/i18n/retiscreen_<lang>.ts. Existing translations
#    are kept; strings no longer in the code are dropped (-no-obsolete).
# 2. A translator fills in the new <translation type="unfinished"> entries, with Qt
#    Linguist (pyside6-linguist assets/i18n/retiscreen_es.ts) or any text editor.
#    tests/ui/test_kiosk_language.py fails while an entry is unfinished.
# 3. pyside6-lrelease compiles each .ts to the .qm file the kiosk loads at run time.
# Commit both the .ts and the .qm files.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .venv/bin/activate ] && . .venv/bin/activate
mapfile -t sources < <(find app/retiscreen/ui app/retiscreen/capture -name '*.py' | sort)
for lang in es pt; do
    ts="assets/i18n/retiscreen_${lang}.ts"
    pyside6-lupdate -no-obsolete -locations none -target-language "$lang" "${sources[@]}" -ts "$ts"
    pyside6-lrelease "$ts" -qm "assets/i18n/retiscreen_${lang}.qm"
done
