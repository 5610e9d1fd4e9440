#!/usr/bin/env bash
# Issue 3's comparison in one command: Recur's TrainStepBench (JMH) and the same model in PyTorch
# 1.13 (jmh/bench-pytorch.sh, which installs Debian's python3-torch if missing), then one table
# with the ratios. Run it on a quiet machine.
#
#   jmh/bench-vs-pytorch.sh           full run (JMH's settings of TrainStepBench; PyTorch: median of 5)
#   jmh/bench-vs-pytorch.sh --quick   LSTM H=128, 1 thread, short runs: a smoke test, noisy numbers
#
# Writes jmh/target/jmh-train.json (JMH), jmh/target/bench-pytorch.json (PyTorch) and
# jmh/target/recur-vs-pytorch.md (the table).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/target"
mkdir -p "$out"
jmh_args=(TrainStepBench -rf json -rff "$out/jmh-train.json")
torch_args=()
if [ "${1:-}" = "--quick" ]; then
    jmh_args+=(-f 1 -wi 2 -i 3 -w 1 -r 1 -p cell=LSTM -p hidden=128 -p threads=1)
    torch_args+=(--cells lstm --hidden 128 --threads 1 --warmup 1 --steps 2 --repeats 3)
elif [ $# -gt 0 ]; then
    echo "bench-vs-pytorch: unknown argument '$1' (use --quick or nothing)" >&2
    exit 2
fi
"$root/recur" bench "${jmh_args[@]}"
"$here/bench-pytorch.sh" "${torch_args[@]}" --json "$out/bench-pytorch.json"
python3 "$here/pytorch/compare.py" --jmh "$out/jmh-train.json" --pytorch "$out/bench-pytorch.json" \
    --markdown "$out/recur-vs-pytorch.md"
echo "wrote $out/recur-vs-pytorch.md"
