#!/usr/bin/env bash
# The multi-node test puts HAProxy (Debian's package) in front of two web nodes; install it when
# missing (root), else explain how.
set -euo pipefail
if command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installation de HAProxy (paquet Debian) pour le test à plusieurs nœuds…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy >/dev/null
  # Only the binary is used: the packaged service would listen on nothing, but stop it anyway.
  (systemctl disable --now haproxy || service haproxy stop) >/dev/null 2>&1 || true
  exit 0
fi
echo "HAProxy est nécessaire pour le test à plusieurs nœuds. Installez-le :" >&2
echo "  sudo apt-get install haproxy" >&2
exit 1
