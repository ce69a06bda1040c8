#!/usr/bin/env bash
# The reliability runs of docs/reliability.md against the service's Release build on loopback:
# an HTTP fuzz run (mutated multipart bodies, seeded) and a soak (10,000 mixed requests at
# concurrency 8 with a hot reload half-way). Not part of the test command (minutes of full load).
# Usage: scripts/reliability.sh [FUZZ_CASES] [FUZZ_SEED] [SOAK_REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-10000} seed=${2:-7} requests=${3:-10000}
port=${POSTERGENRE_RELIABILITY_PORT:-18095}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build benchmarks/PosterGenre.Benchmarks -c Release -v quiet -nologo >/dev/null
dotnet build src/PosterGenre.Api -c Release -v quiet -nologo >/dev/null
bench=benchmarks/PosterGenre.Benchmarks/bin/Release/net10.0/PosterGenre.Benchmarks
log=$(mktemp)
# As the container runs it (Dockerfile): glibc limited to 2 malloc arenas (docs/reliability.md).
(cd src/PosterGenre.Api/bin/Release/net10.0 && exec env LogFormat=json MALLOC_ARENA_MAX=2 dotnet PosterGenre.Api.dll --urls "http://127.0.0.1:$port") >"$log" 2>&1 &
api=$!
trap 'kill $api 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 1; done
status=0
"$bench" fuzz "http://127.0.0.1:$port" "$cases" "$seed" || status=1
"$bench" soak "http://127.0.0.1:$port" "$api" "$requests" 8 poster-genre-fast || status=1
echo "reliability: error lines in the service log: $(grep -c '"@l":"Error"' "$log" || true)"
exit $status
