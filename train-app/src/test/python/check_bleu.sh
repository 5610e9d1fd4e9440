#!/usr/bin/env bash
# Checks Recur's BLEU against sacreBLEU 2.6.0 on a translate run's output (see check_bleu.py).
#   train-app/src/test/python/check_bleu.sh PREFIX     e.g. runs/translate/test
# sacreBLEU is installed into a virtual environment under train-app/target/ (from the wheels in
# /opt/pypi/files when they are there, else from PyPI); it is never a dependency of Recur.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/../../../target/sacrebleu-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sacrebleu' >/dev/null 2>&1; then
    echo "check_bleu: installing sacrebleu 2.6.0 into $venv ..." >&2
    python3 -m venv "$venv"
    if [ -d /opt/pypi/files ]; then
        "$venv/bin/pip" install -q --no-index --find-links /opt/pypi/files sacrebleu==2.6.0 >&2
    else
        "$venv/bin/pip" install -q sacrebleu==2.6.0 >&2
    fi
fi
exec "$venv/bin/python" "$here/check_bleu.py" "$@"
