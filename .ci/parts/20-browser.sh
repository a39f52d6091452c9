# Real-browser tests (e2e/): Debian's Chromium and axe-core from the npm
# registry. Sourced by .ci/run (bash, set -euo pipefail); safe to run again.
# Nothing is downloaded when the tests run.

if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
if ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi

# axe-core lives outside the work tree so that it never shows up in git.
axe_dir="${INVENTERA_CI_TOOLS:-/opt/inventera-ci}/axe"
if [ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ]; then
  mkdir -p "$axe_dir"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$axe_dir" axe-core@4
fi

export INVENTERA_TEST_CHROMIUM
INVENTERA_TEST_CHROMIUM="$(command -v chromium)"
export INVENTERA_TEST_AXE="$axe_dir/node_modules/axe-core/axe.min.js"
export INVENTERA_TEST_ARTIFACTS="$PWD/.ci-artifacts"
mkdir -p "$INVENTERA_TEST_ARTIFACTS"
echo "chromium: $("$INVENTERA_TEST_CHROMIUM" --version 2>/dev/null || true)"
echo "axe-core: $(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$axe_dir/node_modules/axe-core/package.json" | head -1)"
unset axe_dir
