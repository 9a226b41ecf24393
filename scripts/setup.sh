#!/usr/bin/env bash
# sahifa set-up, command 1 of the README: system packages, virtualenv, Python packages, then
# render the sample to build/. Safe to run again: finished steps are skipped.
#   bash scripts/setup.sh            set up and render the sample edition
#   bash scripts/setup.sh --no-render  set up only (used by scripts/test.sh and CI)
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages WeasyPrint needs to be correct and fast (HarfBuzz subsetting makes PDF
# writing 4-8x faster); poppler-utils for the text-layer tests and chromium for the preview's
# browser tests (Debian's build, driven by Playwright; no browser download); qpdf and
# libgs-common (Ghostscript's CMYK ICC profile, the sample press profile) for press output;
# openssl makes the self-signed certificates of the --allow-remote HTTPS tests; Apache PDFBox
# (libpdfbox2-java, on a headless JRE) is the extractor behind Tika and Solr, for the tests of
# the reading order of tagged PDFs.
DEB_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1
              poppler-utils chromium qpdf libgs-common openssl default-jre-headless
              libpdfbox2-java)

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: install them as root:  sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.sahifa-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing Python packages"
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
  touch "$stamp"
fi

if [ "${1:-}" != "--no-render" ]; then
  .venv/bin/sahifa render articles/2023/05/02/edition.yaml -o build/edition.pdf
fi
