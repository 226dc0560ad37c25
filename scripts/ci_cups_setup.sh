#!/usr/bin/env bash
# ci_cups_setup.sh: make a running CUPS scheduler with a PDF "printer" for the
# printing integration tests (pytest -m cups, tests/integration/test_printing_cups.py).
#
# Contract
#   Usage:   scripts/ci_cups_setup.sh [--no-install]
#   Needs:   Debian/Ubuntu; root, or passwordless sudo. No systemd needed: cupsd is
#            started directly when it is not already running.
#   Does (idempotent, safe to run again at any time):
#     1. unless --no-install: apt-get installs cups cups-client printer-driver-cups-pdf
#        poppler-utils (DEBIAN_FRONTEND=noninteractive) when any of their commands is
#        missing; nothing is downloaded when everything is present;
#     2. starts cupsd if `lpstat -r` does not say "scheduler is running", then waits
#        (up to $RETISCREEN_CUPS_WAIT_S, default 30 s) until it does;
#     3. writes /etc/cups/cups-pdf-<queue>.conf (a per-queue cups-pdf configuration,
#        selected by the device URI cups-pdf:/<queue>) so that the queue writes its PDFs
#        to <out> and nothing else on the machine changes (the system-wide
#        /etc/cups/cups-pdf.conf and any other PDF queue are left alone);
#     4. creates (or re-creates) the queue with the CUPS-PDF driver, then enables it
#        and makes it accept jobs (undoing a cupsdisable left by a crashed test).
#   Environment:
#     RETISCREEN_CUPS_QUEUE  queue name           (default retiscreen-test-pdf)
#     RETISCREEN_CUPS_OUT    cups-pdf output dir  (default /var/spool/cups-pdf/<queue>)
#     RETISCREEN_CUPS_WAIT_S seconds to wait for the scheduler (default 30)
#   Output:  on success, exit 0 and two lines on stdout, `queue=<name>` and `out=<dir>`.
#            On failure, exit 1 with the reason on stderr.
#   The queue is never made the system default destination.
set -euo pipefail

QUEUE="${RETISCREEN_CUPS_QUEUE:-retiscreen-test-pdf}"
OUT="${RETISCREEN_CUPS_OUT:-/var/spool/cups-pdf/${QUEUE}}"
WAIT_S="${RETISCREEN_CUPS_WAIT_S:-30}"
INSTALL=1
for arg in "$@"; do
    case "$arg" in
        --no-install) INSTALL=0 ;;
        -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
        *) echo "ci_cups_setup.sh: unknown argument: $arg" >&2; exit 1 ;;
    esac
done
case "$QUEUE" in
    *[!A-Za-z0-9_.-]*|"") echo "ci_cups_setup.sh: bad queue name '$QUEUE'" >&2; exit 1 ;;
esac

die() { echo "ci_cups_setup.sh: $*" >&2; exit 1; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "must run as root (or with sudo available)"
    SUDO=(sudo -n)
fi
export PATH="$PATH:/usr/sbin:/sbin"

# 1. Packages -------------------------------------------------------------------------
missing=0
for tool in cupsd lp lpstat lpadmin lpinfo cupsenable cupsaccept pdftotext pdftoppm; do
    command -v "$tool" >/dev/null 2>&1 || missing=1
done
[ -e /usr/lib/cups/backend/cups-pdf ] || missing=1
if [ "$missing" -eq 1 ]; then
    [ "$INSTALL" -eq 1 ] || die "CUPS tools are missing and --no-install was given"
    command -v apt-get >/dev/null 2>&1 || die "CUPS is not installed and apt-get is not available"
    echo "ci_cups_setup.sh: installing cups, cups-pdf and poppler-utils" >&2
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        cups cups-client printer-driver-cups-pdf poppler-utils >/dev/null
fi

# 2. Scheduler ------------------------------------------------------------------------
scheduler_running() { LC_ALL=C lpstat -r 2>/dev/null | grep -q "scheduler is running"; }
if ! scheduler_running; then
    # $CUPS_SERVER names another scheduler (a test pointing at a dead socket, a remote
    # server): starting a local cupsd would not fix it, and a second cupsd beside a
    # running one takes over its socket.
    [ -z "${CUPS_SERVER:-}" ] || die "CUPS_SERVER=${CUPS_SERVER} does not answer; not starting a local cupsd"
    "${SUDO[@]}" mkdir -p /run/cups
    # cupsd daemonises itself; an "already running" failure is fine, the wait decides.
    "${SUDO[@]}" cupsd || true
    for _ in $(seq 1 "$((WAIT_S * 2))"); do
        scheduler_running && break
        sleep 0.5
    done
    scheduler_running || die "cupsd did not start within ${WAIT_S}s (see /var/log/cups/error_log)"
fi

# 3. Per-queue cups-pdf configuration -------------------------------------------------
"${SUDO[@]}" mkdir -p "$OUT"
"${SUDO[@]}" chmod 1777 "$OUT"  # any job owner may write, like /tmp
conf="/etc/cups/cups-pdf-${QUEUE}.conf"
wanted="$(printf '%s\n' \
    "# Written by RetiScreen scripts/ci_cups_setup.sh for the test queue ${QUEUE}." \
    "Out ${OUT}" \
    "AnonDirName ${OUT}" \
    "Label 1" \
    "TitlePref 1")"
if [ "$(cat "$conf" 2>/dev/null || true)" != "$wanted" ]; then
    printf '%s\n' "$wanted" | "${SUDO[@]}" tee "$conf" >/dev/null
fi

# 4. Queue ----------------------------------------------------------------------------
model="$(lpinfo -m 2>/dev/null | awk '/CUPS-PDF_opt\.ppd/ {print $1; exit}')"
[ -n "$model" ] || model="$(lpinfo -m 2>/dev/null | awk 'tolower($0) ~ /cups-pdf/ {print $1; exit}')"
[ -n "$model" ] || die "no CUPS-PDF driver found by 'lpinfo -m' (is printer-driver-cups-pdf installed?)"
"${SUDO[@]}" lpadmin -p "$QUEUE" -v "cups-pdf:/${QUEUE}" -m "$model" \
    -D "RetiScreen test PDF printer" -L "writes PDFs to ${OUT}" -E
"${SUDO[@]}" cupsenable "$QUEUE"
"${SUDO[@]}" cupsaccept "$QUEUE"

state="$(LC_ALL=C lpstat -p "$QUEUE" 2>&1 || true)"
case "$state" in
    *disabled*|*"does not exist"*|"") die "queue ${QUEUE} is not ready: ${state}" ;;
esac
echo "queue=${QUEUE}"
echo "out=${OUT}"
