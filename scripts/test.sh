#!/usr/bin/env bash
# sahifa tests, command 2 of the README: make sure the set-up is there, then run the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-render
.venv/bin/ruff check src tests benchmarks scripts
exec .venv/bin/python -m pytest "$@"
