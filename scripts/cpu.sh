#!/usr/bin/env bash
# Prints the CPU this machine runs on and the instruction sets whose kernels give other numbers
# (AVX2, AVX-512, VNNI, BF16), as CpuDescription does for the training CLI's records, so that a
# test summary or a benchmark can be traced to a CPU (docs/reliability.md, "CPUs").
set -euo pipefail
model=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2 | xargs)
family=$(grep -m1 '^cpu family' /proc/cpuinfo | cut -d: -f2 | xargs)
number=$(grep -m1 '^model\s*:' /proc/cpuinfo | cut -d: -f2 | xargs)
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
sets=()
for pair in avx2:AVX2 avx512f:AVX-512 avx512_vnni:"AVX-512 VNNI" avx_vnni:AVX-VNNI avx512_bf16:"AVX-512 BF16"; do
  [[ "$flags" == *" ${pair%%:*} "* ]] && sets+=("${pair#*:}")
done
joined=$(IFS=,; echo "${sets[*]:-no AVX2}" | sed 's/,/, /g')
echo "$model (family $family model $number), $(nproc) cores: $joined"
