#!/usr/bin/env bash
# The one GPU check: gpu-runtime/bench/gpu-check.sh OUTDIR
# Runs from the bundle built by `mvn -pl gpu-runtime -am -Pgpu-bundle -DskipTests package`
# (gpu-runtime/target/gpu-bundle: jlink runtime, jars, test classes, conformance fixtures): no JDK, no network.
#   1. probe (cuInit, device, one kernel module loaded)     -> OUTDIR/probe.json   (no GPU: stop here, exit 3)
#   2. the gpu-tagged tests: every kernel vs its CPU twin, f32 mode vs the conformance fixtures and the CPU
#      backend, bf16 fast path error + greedy agreement, dummy weights, snapshots -> OUTDIR/gpu-tests.txt
#   3. GpuBench on Qwen3.6-27B dummy bf16 weights: copy GB/s, matmul TFLOP/s, decode at batch 1/16/64/256 vs
#      the floor, 2,048-token prefill vs the matmul ceiling, engine serve 128/128 at 16 -> OUTDIR/*.json
#   OUTDIR/gpu-check.json summarises exit codes and seconds. Budget: under 8 minutes on an H200.
set -uo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
OUT="$(mkdir -p "$1" && cd "$1" && pwd)"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUNDLE="$HERE/../target/gpu-bundle"
JAVA="$BUNDLE/jre/bin/java"
start=$(date +%s)
summary() { # status, then "name=value" pairs already JSON-encoded
  local status="$1"; shift
  { printf '{"status": "%s", "seconds": %d' "$status" $(( $(date +%s) - start ))
    for kv in "$@"; do printf ', "%s": %s' "${kv%%=*}" "${kv#*=}"; done
    printf '}\n'; } > "$OUT/gpu-check.json"
  cat "$OUT/gpu-check.json"
}
if [ ! -x "$JAVA" ] || [ ! -f "$BUNDLE/lib/gpu-runtime.jar" ]; then
  echo "gpu-check: no bundle at $BUNDLE; build it first: mvn -pl gpu-runtime -am -Pgpu-bundle -DskipTests package" >&2
  summary "no-bundle"
  exit 2
fi
BUNDLE="$(cd "$BUNDLE" && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
FLAGS=(--add-modules jdk.incubator.vector -XX:+UseParallelGC -Xss4m -Djava.io.tmpdir="$TMP")
CP="$BUNDLE/lib/*"
# the console launcher does not expand "dir/*" as java -cp does: list the jars
LIBS="$(ls "$BUNDLE"/lib/*.jar | tr '\n' ':')"

{ (command -v nvidia-smi >/dev/null && timeout 20 nvidia-smi) || echo "nvidia-smi not available"
  ldconfig -p 2>/dev/null | grep -E 'libcuda\.so|libcublas|libnvrtc' || echo "ldconfig: no CUDA libraries listed"
  "$JAVA" -version 2>&1; } > "$OUT/environment.txt" 2>&1

timeout 60 "$JAVA" "${FLAGS[@]}" -cp "$CP" io.streamlm.backend.cuda.GpuBench --probe "$OUT" 2> "$OUT/probe.err"
probe=$?
if [ $probe -ne 0 ]; then
  reason="$(grep -o '"reason":"[^"]*"' "$OUT/probe.json" 2>/dev/null | head -1 | cut -d'"' -f4)"
  echo "gpu-check: no usable GPU here (probe exit $probe): ${reason:-see $OUT/probe.err}" >&2
  summary "no-gpu" "probe_exit=$probe"
  exit 3
fi

(cd "$BUNDLE/work" && timeout 210 "$JAVA" "${FLAGS[@]}" -Xmx16g -jar "$BUNDLE/test-lib/junit-platform-console-standalone-1.13.4.jar" \
   execute --class-path "$BUNDLE/test-lib/gpu-runtime-tests.jar:$LIBS" \
   --scan-class-path "$BUNDLE/test-lib/gpu-runtime-tests.jar" --include-tag gpu --fail-if-no-tests \
   --details=tree --disable-banner --disable-ansi-colors) > "$OUT/gpu-tests.txt" 2>&1
tests=$?
grep -E "tests (successful|failed|skipped|aborted)|^gpu " "$OUT/gpu-tests.txt" | head -80

timeout 240 "$JAVA" "${FLAGS[@]}" -Xmx8g -cp "$CP" io.streamlm.backend.cuda.GpuBench "$OUT" qwen3.6-27b > "$OUT/bench.txt" 2>&1
bench=$?
grep '^{' "$OUT/bench.txt"

status=ok
[ $tests -eq 0 ] && [ $bench -eq 0 ] || status=failed
summary "$status" "probe_exit=$probe" "tests_exit=$tests" "bench_exit=$bench"
[ "$status" = ok ]
