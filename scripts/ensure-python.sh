#!/usr/bin/env bash
# Creates the virtualenv; on a fresh Debian/Ubuntu, installs python3-venv first when we are root.
set -euo pipefail
python="$1"; venv="$2"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Jalon a besoin de Python 3.11 ou plus récent ($python : $("$python" --version 2>&1))." >&2
  exit 1
fi
if "$python" -m venv "$venv" 2>/dev/null; then exit 0; fi
rm -rf "$venv"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${version}-venv" || \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
  "$python" -m venv "$venv"
else
  echo "Impossible de créer l'environnement Python. Installez le paquet python3-venv :" >&2
  echo "  sudo apt-get install python3-venv" >&2
  exit 1
fi
