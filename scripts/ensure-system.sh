#!/usr/bin/env bash
# Make sure the system packages formkit needs are present on a Debian machine.
# As root: installs what is missing (apt-get). Otherwise: prints the exact command and fails.
set -euo pipefail
need=(fonts-noto-cjk fonts-dejavu-core libharfbuzz-subset0 fontconfig poppler-utils qpdf)
# The desk's browser tests drive Debian's chromium (Playwright with the system browser; chromedriver for Selenium).
if [ "${FORMKIT_WITH_BROWSER:-1}" = 1 ]; then need+=(chromium chromium-driver); fi
# LibreOffice is needed by the tests (they convert every .docx) and for looking at .docx output.
if [ "${FORMKIT_WITH_LIBREOFFICE:-1}" = 1 ]; then need+=(libreoffice-writer-nogui); fi
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    echo "formkit: installing system packages: ${missing[*]}"
    bash -c "$cmd"
  else
    echo "formkit: missing system packages: ${missing[*]}" >&2
    echo "run as root:  sudo sh -c '$cmd'" >&2
    exit 1
  fi
fi
