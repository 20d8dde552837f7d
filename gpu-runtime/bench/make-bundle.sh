#!/usr/bin/env bash
# Assembles the self-contained GPU check bundle (Maven profile gpu-bundle, after the jars are built):
#   BUNDLE/jre/        jlink runtime: java.base, jdk.incubator.vector, jdk.unsupported, java.logging, java.management,
#                      jdk.zipfs (the JUnit console launcher scans the test jar through the zip file system)
#   BUNDLE/lib/        gpu-runtime jar (with the cubins/PTX) + its runtime jars (JCuda, Jackson, slf4j; no Flink, no DJL)
#   BUNDLE/test-lib/   gpu-runtime test classes + the JUnit console launcher (the gpu-tagged tests)
#   BUNDLE/shared/conformance/  the conformance fixtures, copied now (the GPU machine has no ../shared)
#   BUNDLE/work/.ci/   marker: tests find shared/ as the parent of the directory holding .ci/, as in a checkout
# and fails when the whole exceeds 64 MiB (the device tool carries at most that).
#   usage: make-bundle.sh MODULE_DIR JAR TEST_JAR BUNDLE
set -euo pipefail
MODULE="$1"; JAR="$2"; TEST_JAR="$3"; BUNDLE="$4"
JLINK=/usr/lib/jvm/java-17-openjdk-amd64/bin/jlink
[ -x "$JLINK" ] || { echo "make-bundle: $JLINK not found (needs OpenJDK 17's jlink)" >&2; exit 1; }
# (grep without -q: an early exit would SIGPIPE unzip and fail the pipeline)
unzip -l "$JAR" | grep 'cuda/kernels.properties' >/dev/null || {
  echo "make-bundle: $JAR has no CUDA kernels (built without nvcc): a GPU bundle needs them" >&2; exit 1; }
root="$MODULE"
while [ ! -d "$root/.ci" ] && [ "$root" != / ]; do root="$(dirname "$root")"; done
SHARED="$(dirname "$root")/shared"
[ -f "$SHARED/conformance/README.md" ] || { echo "make-bundle: no conformance fixtures at $SHARED/conformance" >&2; exit 1; }
rm -rf "$BUNDLE/jre" "$BUNDLE/shared" "$BUNDLE/work"
"$JLINK" --add-modules java.base,jdk.incubator.vector,jdk.unsupported,java.logging,java.management,jdk.zipfs \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output "$BUNDLE/jre"
cp "$JAR" "$BUNDLE/lib/gpu-runtime.jar"
cp "$TEST_JAR" "$BUNDLE/test-lib/gpu-runtime-tests.jar"
mkdir -p "$BUNDLE/shared" "$BUNDLE/work/.ci"
cp -rL "$SHARED/conformance" "$BUNDLE/shared/"
rm -rf "$BUNDLE/shared/conformance/reference"
echo "the gpu-check bundle's stand-in for a checkout root" > "$BUNDLE/work/.ci/marker"
bytes=$(du -sb "$BUNDLE" | cut -f1)
echo "gpu-bundle: $BUNDLE $((bytes / 1048576)) MiB ($bytes bytes): jre $(du -sm "$BUNDLE/jre" | cut -f1) MiB, lib $(du -sm "$BUNDLE/lib" | cut -f1) MiB, test-lib $(du -sm "$BUNDLE/test-lib" | cut -f1) MiB"
if [ "$bytes" -gt $((64 * 1048576)) ]; then
  echo "make-bundle: bundle exceeds 64 MiB" >&2; exit 1
fi
