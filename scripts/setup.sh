#!/usr/bin/env bash
# Set up RetiScreen on a fresh Debian/Ubuntu machine: system packages (when run as root
# with apt), a virtual environment in .venv, and the package with its dependencies.
#   scripts/setup.sh           runtime + GUI
#   scripts/setup.sh --dev     + test tools, CUPS/cups-pdf, Xvfb, torch (training smoke test)
set -euo pipefail
cd "$(dirname "$0")/.."
dev=0
[[ "${1:-}" == "--dev" ]] && dev=1

apt_packages=(python3-venv libgl1 libegl1 libglib2.0-0 libfontconfig1 libdbus-1-3
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxrender1
  libxi6 libnss3 libasound2 libpulse0 cups-client fonts-dejavu-core
  # Names in every script on screen and on paper (retiscreen.report.fonts): Noto Sans,
  # Noto Sans Arabic / Hebrew / Devanagari (TrueType) and WenQuanYi Zen Hei (CJK, TrueType:
  # ReportLab cannot embed the CFF outlines of fonts-noto-cjk).
  fonts-noto-core fonts-wqy-zenhei)
if [[ $dev == 1 ]]; then
  # dcmtk: an independent DICOM encoder for the transfer-syntax tests; dicom3tools: the
  # dciodvfy validator for the DICOM export tests; orthanc: a real PACS and worklist server
  # for the sending and worklist tests.
  apt_packages+=(cups printer-driver-cups-pdf poppler-utils xvfb xauth dpkg-dev lintian dcmtk
    dicom3tools orthanc)
fi
if command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
  missing=()
  for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if (( ${#missing[@]} )); then
    echo "setup: installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "setup: not root or no apt-get: make sure these are installed: ${apt_packages[*]}" >&2
fi

python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
if [[ $dev == 1 ]]; then
  # torch==2.13.0 (CPU) is pinned in the train group; it installs from local disk here.
  python -m pip install -q -e ".[gui]" --group dev --group train
else
  python -m pip install -q -e ".[gui]"
fi
echo "setup: done ($(python -c 'import retiscreen; print("retiscreen", retiscreen.__version__)'))"
