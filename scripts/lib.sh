# Shared by scripts/serve and scripts/test: a virtual environment with the project installed.
# Re-installs only when pyproject.toml changes, so the second run starts in seconds.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PARTICIPATION_VENV:-$ROOT/.venv}"

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)." >&2
  return 1
}

# ensure_venv EXTRAS — EXTRAS is "" for running the site or "dev" for the tests.
ensure_venv() {
  local extras="$1" python stamp
  if [ ! -x "$VENV/bin/python" ]; then
    python="$(find_python)"
    echo "Creating a virtual environment in $VENV"
    "$python" -m venv "$VENV"
  fi
  stamp="$VENV/.installed-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)${extras:+-$extras}"
  if [ ! -f "$stamp" ]; then
    echo "Installing the project${extras:+ with its $extras tools} (first run only)"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -e "$ROOT${extras:+[$extras]}"
    touch "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}
