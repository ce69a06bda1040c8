#!/usr/bin/env bash
# Load-shedding and session figures for docs/benchmarks.md (docs/performance.md and scripts/bench.sh
# have the serving figures of the default model): BenchmarkDotNet (one shared ONNX Runtime session vs a
# pool of two, intra-op threads), then an HTTP load test of the running service with
# each session and intra-op thread setting, then overload with and without load shedding.
# POSTERGENRE_BENCH_SKIP_BDN / _SETTINGS / _OVERLOAD=1 leave a part out. Run on an otherwise idle machine. Results land in BenchmarkDotNet.Artifacts/
# and are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build benchmarks/PosterGenre.Benchmarks -c Release -v quiet -nologo >/dev/null
dotnet build src/PosterGenre.Api -c Release -v quiet -nologo >/dev/null
bench=benchmarks/PosterGenre.Benchmarks/bin/Release/net10.0/PosterGenre.Benchmarks

if [ "${POSTERGENRE_BENCH_SKIP_BDN:-0}" != 1 ]; then
  "$bench" --filter '*SessionPoolBenchmarks*' --exporters GitHub
fi

port=${POSTERGENRE_BENCH_PORT:-18090}
api=
# serve VAR=VALUE...: (re)start the service from its Release build with these settings, wait until ready.
serve() {
  stop_api
  (cd src/PosterGenre.Api/bin/Release/net10.0 && exec env LogFormat=json "$@" \
    dotnet PosterGenre.Api.dll --urls "http://127.0.0.1:$port") >/tmp/postergenre-bench-api.log 2>&1 &
  api=$!
  for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && return; sleep 0.5; done
  echo "the service did not become ready; see /tmp/postergenre-bench-api.log" >&2
  return 1
}
stop_api() { if [ -n "$api" ]; then kill "$api"; wait "$api" 2>/dev/null || true; api=; fi; }
trap stop_api EXIT

# Sessions and intra-op threads: 8 clients, each model.
if [ "${POSTERGENRE_BENCH_SKIP_SETTINGS:-0}" != 1 ]; then
  for threads in 0 1; do
    for sessions in 1 2; do
      serve "PosterGenre__Onnx__Sessions=$sessions" "PosterGenre__Onnx__IntraOpThreads=$threads"
      for model in poster-genre seed-baseline; do
        echo -n "sessions=$sessions intra-op-threads=$threads "
        "$bench" load "http://127.0.0.1:$port" 8 20 "$model"
      done
    done
  done
fi

# Overload: the shipped settings with load shedding (PosterGenre:Load defaults: twice the cores in flight, 32
# queued) against the same service without it (a limit no load here reaches), at rising numbers
# of clients sending 8 posters per request; the service is restarted for each run so that its peak
# resident memory (VmHWM) is that run's. Refused clients wait the Retry-After second, then retry.
if [ "${POSTERGENRE_BENCH_SKIP_OVERLOAD:-0}" != 1 ]; then
  for shedding in on off; do
    for clients in 8 64 256; do
      if [ "$shedding" = on ]; then
        serve
      else
        serve PosterGenre__Load__MaxConcurrentRequests=4096 PosterGenre__Load__MaxQueuedRequests=0
      fi
      echo -n "load-shedding=$shedding "
      "$bench" load "http://127.0.0.1:$port" "$clients" 20 poster-genre 8 || true
      echo "  service peak memory: $(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$api/status")"
    done
  done
fi
