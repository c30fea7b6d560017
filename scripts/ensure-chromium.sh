#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; install it when missing (root), else explain how.
set -euo pipefail
CHROMIUM="${JALON_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installation de Chromium (paquet Debian) pour les tests dans le navigateur…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  exit 0
fi
echo "Chromium est nécessaire pour les tests dans le navigateur. Installez-le :" >&2
echo "  sudo apt-get install chromium" >&2
echo "(ou indiquez son chemin dans JALON_CHROMIUM)" >&2
exit 1
