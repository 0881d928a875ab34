#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, if they are missing.
set -euo pipefail
# `system-deps.sh fonts`: only the CJK font the certificate PDFs need (make demo).
need=()
fc-list 2>/dev/null | grep -qi "Noto Sans CJK\|WenQuanYi" || need+=(fonts-noto-cjk)
if [ "${1:-all}" != fonts ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)  # the rate limits' Redis storage
  # emoji that people type into tickets and articles show in the browser tests' screenshots; the
  # portal's own icons are drawn (static/img/icons.svg) and need no emoji font
  fc-list 2>/dev/null | grep -qi "Noto Color Emoji" || need+=(fonts-noto-color-emoji)
fi
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing ${need[*]} (Debian packages)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
