#!/usr/bin/env bash
# Compiles every kernel family (*.cu here) into per-architecture cubins plus one PTX for newer GPUs:
#   OUT/<family>.sm_80.cubin  OUT/<family>.sm_89.cubin  OUT/<family>.sm_90.cubin  OUT/<family>.compute_90.ptx
# and writes OUT/kernels.properties (families, architectures, nvcc version) that the runtime reads to know
# the jar carries kernels. Called by the Maven profile "cuda" (active when nvcc exists). Incremental: a target
# newer than its .cu and common.cuh is kept.
#   usage: compile.sh NVCC OUT_DIR
set -euo pipefail
NVCC="$1"
OUT="$2"
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ARCHS="80 89 90"
PTX_ARCH=90
mkdir -p "$OUT"
jobs=()
build() { # target, nvcc args...
  local target="$1"; shift
  local cu="${@: -1}"
  if [ -f "$target" ] && [ "$target" -nt "$cu" ] && [ "$target" -nt "$SRC/common.cuh" ]; then
    return 0
  fi
  "$NVCC" "$@" -o "$target.tmp" && mv "$target.tmp" "$target"
}
families=()
pids=()
for cu in "$SRC"/*.cu; do
  fam="$(basename "$cu" .cu)"
  families+=("$fam")
  (
    for a in $ARCHS; do
      build "$OUT/$fam.sm_$a.cubin" -cubin -O3 -lineinfo -arch="sm_$a" -I"$SRC" "$cu"
    done
    build "$OUT/$fam.compute_$PTX_ARCH.ptx" -ptx -O3 -arch="compute_$PTX_ARCH" -I"$SRC" "$cu"
  ) &
  pids+=($!)
  # at most 2 families at a time: the build machines have 2 cores
  if [ "${#pids[@]}" -ge 2 ]; then
    wait "${pids[0]}"; pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p"; done
{
  echo "# written by src/main/cuda/compile.sh"
  echo "families=$(IFS=,; echo "${families[*]}")"
  echo "cubinArchs=$(echo $ARCHS | tr ' ' ',')"
  echo "ptxArch=$PTX_ARCH"
  echo "nvcc=$("$NVCC" --version | tail -1)"
} > "$OUT/kernels.properties"
echo "cuda: $(ls "$OUT" | grep -c -E '\.(cubin|ptx)$') kernel files in $OUT"
