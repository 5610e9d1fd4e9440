#!/usr/bin/env bash
# Today's build against an earlier one, in one run on one machine: builds both (the earlier one in
# a temporary git worktree), measures the core's FMA peak, then runs the same benchmarks on both
# jars one after the other, and prints one table with seq/s, the ratio and the fraction of the peak.
# Run it on a quiet machine.
#
#   jmh/bench-side-by-side.sh [BASE_REF]            JMH TrainStepBench, LSTM/GRU/RNN × H 128 × 1 thread
#   BENCH_PARAMS="-p cell=LSTM -p hidden=128 -p threads=1" jmh/bench-side-by-side.sh BASE_REF
#   APP_BENCH=1 jmh/bench-side-by-side.sh BASE_REF  also the app's `bench` (default IMDB model,
#                                                   T 400, hidden 64 and 128, 1 and 2 threads)
#
# BASE_REF defaults to a980387 (main before the one-model-stack and same-bits work).
# Writes jmh/target/side-by-side/*.json and side-by-side.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
base=${1:-a980387}
out="$here/target/side-by-side"
mkdir -p "$out"
JAVA_HOME=$("$root/bin/find-jdk") || exit 1
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow -Djansi.noreset=true"
java_flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
params=${BENCH_PARAMS:--p cell=LSTM,GRU,RNN_TANH -p hidden=128 -p threads=1}
jmh_run=(-f 1 -wi 2 -w 3 -i 3 -r 3)

basewt="$out/base-$base"
if [ ! -f "$basewt/jmh/target/benchmarks.jar" ]; then
  rm -rf "$basewt"; git -C "$root" worktree prune
  git -C "$root" worktree add --detach -q "$basewt" "$base"
  (cd "$basewt" && mvn -B -q -Dstyle.color=never -DskipTests -pl jmh,train-app -am package)
fi
(cd "$root" && mvn -B -q -Dstyle.color=never -DskipTests -pl jmh,train-app -am package)

echo "== FMA peak (1 thread)"
java "${java_flags[@]}" -jar "$root/train-app/target/train-app.jar" info > "$out/engine.txt" 2>/dev/null
java "${java_flags[@]}" -jar "$root/jmh/target/benchmarks.jar" FmaPeakBench -f 1 -wi 3 -i 5 -w 1 -r 1 \
  -rf json -rff "$out/peak.json" > "$out/peak.log"
for side in base head; do
  jar="$root/jmh/target/benchmarks.jar"; [ $side = base ] && jar="$basewt/jmh/target/benchmarks.jar"
  echo "== TrainStepBench, $side ($params)"
  # shellcheck disable=SC2086
  java "${java_flags[@]}" -jar "$jar" TrainStepBench $params "${jmh_run[@]}" \
    -rf json -rff "$out/train-$side.json" > "$out/train-$side.log"
done

rm -f "$out"/app-base.jsonl "$out"/app-head.jsonl   # no app table from an earlier run
if [ "${APP_BENCH:-0}" = 1 ]; then
  for side in base head; do
    jar="$root/train-app/target/train-app.jar"; [ $side = base ] && jar="$basewt/train-app/target/train-app.jar"
    : > "$out/app-$side.jsonl"
    for cell in lstm gru rnn; do for h in 64 128; do for t in 1 2; do
      echo "== app bench, $side: $cell hidden $h, $t thread(s)"
      java "${java_flags[@]}" -jar "$jar" bench --model $cell --hidden $h --seq-len 400 --threads $t \
        --warmup 3 --steps 5 --repeats 3 --json | sed "s/^{/{\"side\":\"$side\",\"cell\":\"$cell\",\"hidden\":$h,\"threads\":$t,/" \
        >> "$out/app-$side.jsonl"
    done; done; done
  done
fi

python3 "$here/side_by_side.py" --out "$out" > "$out/side-by-side.md"
cat "$out/side-by-side.md"
