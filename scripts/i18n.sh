#!/usr/bin/env bash
# Extract every msgid from the code and the templates and merge it into the Finnish and
# English catalogs (created when missing). Then translate the new entries in
# src/kohtaamo/locale/fi/LC_MESSAGES/messages.po and run tests/test_i18n.py.
#
#   scripts/i18n.sh          extract + update
#   scripts/i18n.sh --check  fail if the catalogs lack a msgid of the code (no changes)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
PYBABEL=${PYBABEL:-.venv/bin/pybabel}
LOCALE_DIR=src/kohtaamo/locale
LOCALES=(fi en)

pot=$(mktemp --suffix=.pot)
trap 'rm -f "$pot"' EXIT

# The keywords come from the one declaration the test uses too.
mapfile -t keyword_args < <("$PYTHON" - <<'PY'
from kohtaamo.i18n import KEYWORDS
for name, spec in KEYWORDS.items():
    print("-k")
    print(name if spec is None else name + ":" + ",".join(str(i) for i in spec))
PY
)

# Sorted, file-only locations: the catalogs change only when the texts change.
"$PYBABEL" extract -F babel.cfg --no-default-keywords "${keyword_args[@]}" \
    --project=Kohtaamo --copyright-holder="Kohtaamo contributors" \
    --sort-output --add-location=file -o "$pot" src/kohtaamo

check=()
if [[ "${1:-}" == "--check" ]]; then
    check=(--check)
fi
for locale in "${LOCALES[@]}"; do
    "$PYBABEL" update -i "$pot" -d "$LOCALE_DIR" -D messages -l "$locale" \
        --init-missing --ignore-obsolete "${check[@]}"
done
