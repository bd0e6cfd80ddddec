#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# scripts/chromium-check.sh [CHROMIUM]
#
# Smoke test that headless Chromium starts and renders a page here, so a broken browser
# shows up as one clear message rather than as every browser test failing. Uses the
# argument, else $KOHTAAMO_CHROMIUM, else /usr/bin/chromium. Never downloads anything.
# Exit 0: works; 1: missing or broken (the reason on stderr).
#
# Headless Chromium as root needs --no-sandbox; in containers --disable-dev-shm-usage avoids
# crashes from a small /dev/shm. Browser tests should launch it with the same flags.
set -euo pipefail

CHROMIUM="${1:-${KOHTAAMO_CHROMIUM:-/usr/bin/chromium}}"

if [[ ! -x "$CHROMIUM" ]]; then
    echo "chromium-check: $CHROMIUM not found or not executable (apt-get install chromium)" >&2
    exit 1
fi

profile="$(mktemp -d /tmp/kohtaamo-chromium-check.XXXXXX)"
trap 'rm -rf "$profile"' EXIT

html='<!doctype html><html><body><p id="x">kohtaamo-ok</p><script>document.getElementById("x").textContent += "-js";</script></body></html>'

set +e
out="$(timeout 60 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --no-first-run --no-default-browser-check --user-data-dir="$profile" \
    --dump-dom "data:text/html,${html}" 2>"$profile/stderr")"
rc=$?
set -e

if [[ $rc -ne 0 || "$out" != *"kohtaamo-ok-js"* ]]; then
    echo "chromium-check: $CHROMIUM did not render a test page (exit $rc)" >&2
    tail -n 20 "$profile/stderr" >&2 || true
    exit 1
fi
version="$("$CHROMIUM" --version 2>/dev/null || true)"
echo "chromium-check: ok (${version:-$CHROMIUM})" >&2
