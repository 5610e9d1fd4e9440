#!/usr/bin/env bash
# The GEMM comparison of docs/gemm.md: Recur's SGEMM against OpenBLAS (cblas_sgemm through the FFM
# API, same JMH run) and the scalar twin, on 1 and 2 threads, under default JVM flags and under
# -XX:-TieredCompilation, plus a -prof gc check that a GEMM call allocates nothing.
# Prints one GFLOPS table (median ± 99.9% CI, ratio to OpenBLAS). Takes about 8-10 minutes.
#
#   jmh/bench-gemm.sh            the full run (for the README table; run on a quiet machine)
#   jmh/bench-gemm.sh --quick    fewer shapes and shorter iterations (smoke test, ~4 minutes)
# BENCH_JAVA_OPTS adds options to the host JVM (e.g. -Djmh.ignoreLock=true when another JMH runs).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# OpenBLAS (Debian's libopenblas0-pthread): install it if it is missing and we may.
if ! ldconfig -p 2>/dev/null | grep -q 'libopenblas.so.0'; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "bench-gemm: installing libopenblas0-pthread for the OpenBLAS comparison"
    apt-get install -y -q libopenblas0-pthread >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q libopenblas0-pthread >/dev/null 2>&1; } \
      || echo "bench-gemm: could not install libopenblas0-pthread; the OpenBLAS comparison will be skipped"
  else
    echo "bench-gemm: libopenblas.so.0 not found and apt-get not usable here; the OpenBLAS comparison will be skipped"
  fi
fi

# OpenBLAS 0.3.21 does not know newer Intel cores (Sapphire/Emerald Rapids: it picks its SSE3
# "Prescott" kernels, ~16 GFLOPS instead of ~150): name an AVX-512 core type unless one is given.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
  export OPENBLAS_CORETYPE=SkylakeX
fi

JAVA_HOME=$("$root/bin/find-jdk") || exit 1
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
(cd "$root" && mvn -B -q -DskipTests -pl jmh -am package)
exec java ${BENCH_JAVA_OPTS:-} --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "$root/jmh/target/benchmarks.jar" dev.recur.bench.GemmBenchMain "$@"
