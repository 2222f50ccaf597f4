#!/usr/bin/env bash
# Browser tests (Galata + Playwright in the system Chromium) against a real JupyterLab over a seeded workspace.
# Run from the repository root with the venv's bin first on PATH, after the extension is built and installed:
#   PATH=$PWD/.venv/bin:$PATH bash scripts/ui-tests.sh           # the UI tests; screenshots in ui-tests/test-results/
#   PATH=$PWD/.venv/bin:$PATH bash scripts/ui-tests.sh --screenshots   # the same, refreshing docs/screenshots/
#   PATH=$PWD/.venv/bin:$PATH bash scripts/ui-tests.sh --perf    # the frontend benchmark instead, written to
#                                                                # benchmarks/results/frontend.json
# Other arguments go to `playwright test` (e.g. a spec file or --grep).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

for tool in jupyter jlpm python; do
  command -v "$tool" >/dev/null || {
    echo "ui-tests: '$tool' is not on PATH (put the venv's bin first)" >&2
    exit 1
  }
done

case "${1:-}" in
  --perf) shift; export MLEXT_PERF=1 ;;
  --screenshots) shift; export MLEXT_SCREENSHOTS="$PWD/docs/screenshots" ;;
esac

if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends chromium fonts-liberation
fi

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
cd ui-tests
jlpm install --immutable
CI=1 jlpm playwright test "$@"
