#!/usr/bin/env bash
# Set up a fresh machine for parkgeo: Debian packages the outputs need (headless Chromium for
# maps and snapshots, Noto CJK fonts so Chinese renders in PNGs, LibreOffice writer to check
# the briefing converts to PDF), PostgreSQL with PostGIS (the shared store; the tests start a
# throwaway cluster), a virtualenv and the Python packages.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need_apt+=(fonts-noto-cjk)
# LibreOffice (writer, no GUI) converts the Word briefing to PDF in the tests
command -v soffice >/dev/null 2>&1 || need_apt+=(libreoffice-writer-nogui)
# PostgreSQL 15 and PostGIS 3: the shared store (postgresql://...) and its tests
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_apt+=(postgresql)
[ -f /usr/share/postgresql/15/extension/postgis.control ] || need_apt+=(postgresql-15-postgis-3)
if ((${#need_apt[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "installing Debian packages: ${need_apt[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      "${need_apt[@]}" fontconfig >/dev/null
  else
    echo "warning: cannot install ${need_apt[*]} (no apt-get); browser tests and CJK PNGs need them" >&2
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if [ ! -f "$VENV/.installed" ] || [ pyproject.toml -nt "$VENV/.installed" ]; then
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[test]"
  touch "$VENV/.installed"
fi
