#!/usr/bin/env bash
# Browser smoke tests (Galata + Playwright in the system Chromium).
# Run from the repository root with the venv's bin first on PATH, after the
# extension is built and installed:
#   PATH=$PWD/.venv/bin:$PATH bash scripts/ui-tests.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

for tool in jupyter jlpm; do
  command -v "$tool" >/dev/null || {
    echo "ui-tests: '$tool' is not on PATH (put the venv's bin first)" >&2
    exit 1
  }
done

if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends chromium fonts-liberation
fi

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
cd ui-tests
jlpm install --immutable
CI=1 jlpm playwright test
