#!/usr/bin/env bash
# Set up ganimate on a fresh Debian machine: system libraries for Manim's
# Cairo and Pango bindings, then a virtual environment in .venv with the
# project and its test tools installed. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

need=()
for pkg in libcairo2-dev libpango1.0-dev pkg-config; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if ((${#need[@]})); then
  echo "setup: installing system packages: ${need[*]}"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "setup: creating .venv with $($python --version)"
  "$python" -m venv .venv
fi
stamp=.venv/.ganimate-installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
  echo "setup: installing ganimate and its dependencies into .venv (a few minutes)"
  log=.venv/pip.log
  if ! { .venv/bin/python -m pip install --upgrade pip &&
         .venv/bin/python -m pip install -e '.[dev]'; } >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "setup: pip failed; the whole log is in $log" >&2
    exit 1
  fi
  touch "$stamp"
fi
