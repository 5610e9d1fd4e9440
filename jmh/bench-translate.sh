#!/usr/bin/env bash
# Translation speed, Recur against PyTorch 1.13 (issue 10): the PyTorch tutorial's attentional
# encoder-decoder (bidirectional GRU, additive attention, embed 256, hidden 512, vocabularies 7,853 /
# 5,893, batch 128, length 24), training pairs/s and greedy-decoding pairs/s at 1 and 2 threads,
# and the peak resident memory of each. Every case runs in a fresh process (its own peak memory):
# Recur's side is `train-app translate bench`, PyTorch's jmh/pytorch/bench_translate.py.
# Run it on a quiet machine (it takes a few minutes); it writes jmh/target/bench-translate-*.json
# and prints one table.
#
#   jmh/bench-translate.sh            # the full comparison
#   jmh/bench-translate.sh --smoke    # seconds: tiny sizes, checks that both sides work (numbers meaningless)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
py=/usr/bin/python3   # Debian's python with python3-torch (jmh/bench-pytorch.sh installs it)
smoke=()
recur_size=()
if [ "${1:-}" = "--smoke" ]; then
    smoke=(--smoke)
    recur_size=(--batch 8 --length 6 --source-vocab 60 --target-vocab 50 --embed 16 --hidden 16 --warmup 1 --steps 1 --repeats 2)
fi
mkdir -p "$here/target"
JAVA_HOME=$("$root/bin/find-jdk") || exit 1
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow -Djansi.noreset=true"
(cd "$root" && mvn -B -q -Dstyle.color=never -DskipTests -pl train-app -am package)
jar="$root/train-app/target/train-app.jar"
recur_json="$here/target/bench-translate-recur.json"
echo "[" > "$recur_json"
first=1
for mode in train decode; do
    for threads in 1 2; do
        echo "measuring Recur $mode threads=$threads ..." >&2
        line=$("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -jar "$jar" translate bench --mode $mode \
            --threads $threads --json "${recur_size[@]}" 2>/dev/null | tail -1)
        [ $first = 1 ] || echo "," >> "$recur_json"
        first=0
        echo "$line" >> "$recur_json"
    done
done
echo "]" >> "$recur_json"
"$py" "$here/pytorch/bench_translate.py" "${smoke[@]}" --json "$here/target/bench-translate-pytorch.json" >&2
"$py" - "$recur_json" "$here/target/bench-translate-pytorch.json" <<'PY'
import json, sys
recur = json.load(open(sys.argv[1]))
torch = json.load(open(sys.argv[2]))["results"]
print()
print("| mode | threads | Recur pairs/s | PyTorch pairs/s | ratio | Recur peak RSS MB | PyTorch peak RSS MB |")
print("|---|---:|---:|---:|---:|---:|---:|")
for mode in ("train", "decode"):
    for threads in (1, 2):
        r = next(x for x in recur if x["threads"] == threads and (mode + "_pairs_per_s") in x)
        t = next(x for x in torch if x["threads"] == threads and x["mode"] == mode)
        rp, tp = r[mode + "_pairs_per_s"], t["pairs_per_s_median"]
        print(f"| {mode} | {threads} | {rp:,.1f} | {tp:,.1f} | {rp / tp:.2f}× | {r['peak_rss_mb']:,.0f} | {t['peak_rss_mb']:,.0f} |")
print(f"\nRecur {recur[0]['parameters']:,} parameters, PyTorch {torch[0]['parameters']:,}; batch {recur[0]['batch']}, length {recur[0]['length']}")
PY
