#!/usr/bin/env bash
# Performance figures for docs/benchmarks.md: BenchmarkDotNet (one shared ONNX Runtime session vs a
# pool of two, intra-op threads; preprocessing), then an HTTP load test of the running service with
# each session and intra-op thread setting. Run on an otherwise idle machine. Results land in BenchmarkDotNet.Artifacts/
# and are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build benchmarks/PosterGenre.Benchmarks -c Release -v quiet -nologo >/dev/null
dotnet build src/PosterGenre.Api -c Release -v quiet -nologo >/dev/null
bench=benchmarks/PosterGenre.Benchmarks/bin/Release/net10.0/PosterGenre.Benchmarks

if [ "${POSTERGENRE_BENCH_SKIP_BDN:-0}" != 1 ]; then
  "$bench" --filter '*SessionPoolBenchmarks*' '*PreprocessingBenchmarks*' --join --exporters GitHub
fi

port=${POSTERGENRE_BENCH_PORT:-18090}
for threads in 0 1; do
  for sessions in 1 2; do
    (cd src/PosterGenre.Api/bin/Release/net10.0 && exec env "PosterGenre__Onnx__Sessions=$sessions" \
      "PosterGenre__Onnx__IntraOpThreads=$threads" LogFormat=json \
      dotnet PosterGenre.Api.dll --urls "http://127.0.0.1:$port") >/tmp/postergenre-bench-api.log 2>&1 &
    api=$!
    for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done
    for model in poster-genre seed-baseline; do
      echo -n "sessions=$sessions intra-op-threads=$threads "
      "$bench" load "http://127.0.0.1:$port" 8 20 "$model"
    done
    kill "$api"; wait "$api" 2>/dev/null || true
  done
done
