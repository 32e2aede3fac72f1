#!/usr/bin/env bash
# Create (or reuse) the Python virtual environment at $ROOT/.venv from the pinned
# requirement files. The venv is rebuilt only when those files or the interpreter
# change: a SHA-256 stamp of both is kept inside the venv and written last, so an
# interrupted install is redone on the next run.
#
#   hack/python-env.sh            # prints nothing when the venv is current
#   PYTHON=python3.11 hack/python-env.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ROOT}/.venv"
PYTHON="${PYTHON:-python3}"
STAMP="${VENV}/.requirements.sha256"
# Order matters only for the hash; conformance/requirements.txt includes
# examples/app/requirements-workers.txt with `-r`.
REQUIREMENTS=(
  "${ROOT}/examples/app/requirements.txt"
  "${ROOT}/examples/app/requirements-workers.txt"
  "${ROOT}/conformance/requirements.txt"
)

command -v "${PYTHON}" >/dev/null || { echo "python-env: ${PYTHON} not found (set PYTHON=...)" >&2; exit 1; }

# Serialise concurrent callers (two make targets started with -j, say).
mkdir -p "${ROOT}/.cache"
exec 9>"${ROOT}/.cache/python-env.lock"
if command -v flock >/dev/null; then flock 9; fi

want="$(
  {
    "${PYTHON}" -c 'import sys; print(sys.version)'
    cat "${REQUIREMENTS[@]}"
  } | sha256sum | cut -d' ' -f1
)"

if [[ -x "${VENV}/bin/python" && -f "${STAMP}" && "$(cat "${STAMP}")" == "${want}" ]]; then
  exit 0
fi

echo "python-env: creating ${VENV} from pinned requirements" >&2
rm -rf "${VENV}"
"${PYTHON}" -m venv "${VENV}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
# --no-deps: every dependency must be pinned in the files; `pip check` fails if one is missing.
"${VENV}/bin/python" -m pip install --quiet --no-deps \
  -r "${ROOT}/examples/app/requirements.txt" \
  -r "${ROOT}/conformance/requirements.txt"
"${VENV}/bin/python" -m pip check
echo "${want}" >"${STAMP}"
echo "python-env: ready ($("${VENV}/bin/gunicorn" --version))" >&2
