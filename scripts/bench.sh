#!/usr/bin/env bash
# docs/performance.md's figures, in one run on an otherwise idle machine:
#   1. BenchmarkDotNet: decode/preprocess per size and format, SkiaSharp against ImageSharp, ONNX Runtime per model at batch
#      1/4/16, the whole in-process pipeline (POSTERGENRE_BENCH_SKIP_BDN=1 leaves it out);
#   2. the floors of one model file, each with workers = cores and one intra-op thread each
#      (throughput; run three times, before and after the HTTP and predict runs, and the median
#      taken) and with one worker and every core (single-poster latency): the bare floor
#      (`bare`: SkiaSharp + ONNX Runtime alone, none of the project's code), the denominator of
#      every ratio, and the project's floor (`floor`: the same loop through its preprocessor and
#      inference threads), whose ratio to the bare floor is what that code costs;
#   3. the HTTP service serving that file as poster-genre, warmed with 30 s of 8-client load
#      (POSTERGENRE_BENCH_WARMUP seconds), then under the load generator at 1, 8 and 32
#      single-poster clients (posters/s, p50/p95/p99, errors, the service's RSS and full GCs);
#   4. `postergenre-train predict` over a folder of posters (steady rate: 1,800 minus 300, start and load cancel);
# then each path as a ratio to the bare floor of the same run, and the issue's two ratios (8
# clients' posters/s, 1 client's p50) again from paired back-to-back windows, median and range,
# with the 8-client windows' p99/p50.
# Usage: scripts/bench.sh [MODEL_FILE [SERVICE_SETTING=VALUE...]]
#   MODEL_FILE: poster-genre (default) or poster-genre.int8; settings go to the service's
#   environment, e.g. PosterGenre__Onnx__MaxConcurrentInferences=4.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
file=${1:-poster-genre}
shift || true
settings=("$@")
seconds=${POSTERGENRE_BENCH_SECONDS:-20}
port=${POSTERGENRE_BENCH_PORT:-18091}
cores=$(nproc)
dotnet build benchmarks/PosterGenre.Benchmarks -c Release -v quiet -nologo >/dev/null
dotnet build src/PosterGenre.Api -c Release -v quiet -nologo >/dev/null
dotnet build training/PosterGenre.Training -c Release -v quiet -nologo >/dev/null
bench=benchmarks/PosterGenre.Benchmarks/bin/Release/net10.0/PosterGenre.Benchmarks
train=training/PosterGenre.Training/bin/Release/net10.0/postergenre-train
model="models/${file%%.*}/$file.onnx"
[ -f "$model" ] || { echo "no model file $model" >&2; exit 2; }
echo "machine: $(bash scripts/cpu.sh), $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo); model file: $model; service settings: ${settings[*]:-defaults}"

if [ "${POSTERGENRE_BENCH_SKIP_BDN:-0}" != 1 ]; then
  "$bench" --filter '*DecodeBenchmarks*' '*ImagingLibraryBenchmarks*' '*InferenceBenchmarks*' '*PipelineBenchmarks*' --exporters GitHub
fi

# field LINE NAME: the number before NAME (e.g. "posters/s") or after it (e.g. "p50") in a result line.
field() { grep -oP "[0-9.]+(?= $2)|(?<=$2 )[0-9.]+" <<<"$1" | head -1; }

# The floor three times (now, after the HTTP runs, after predict) and its median: on a shared
# machine one 20 s floor run can be a quarter off the next (docs/performance.md).
floor_runs=(); bare_runs=()
measure_floor() {
  local line
  line=$("$bench" bare "$file" "$cores" 1 "$seconds"); echo "$line"; bare_runs+=("$line")
  line=$("$bench" floor "$file" "$cores" 1 "$seconds"); echo "$line"; floor_runs+=("$line")
}
# median_line LINES...: the line whose posters/s is the median of three.
median_line() { for line in "$@"; do echo "$(field "$line" posters/s)|$line"; done | sort -t'|' -k1,1n | sed -n 2p | cut -d'|' -f2-; }
measure_floor
bare_single=$("$bench" bare "$file" 1 0 "$seconds")
echo "$bare_single"
single=$("$bench" floor "$file" 1 0 "$seconds")
echo "$single"
single_p50=$(field "$bare_single" p50)

api=
stop_api() { if [ -n "$api" ]; then kill "$api"; wait "$api" 2>/dev/null || true; api=; fi; }
trap stop_api EXIT
(cd src/PosterGenre.Api/bin/Release/net10.0 && exec env LogFormat=json "PosterGenre__Models__poster-genre__Path=$model" "${settings[@]}" \
  dotnet PosterGenre.Api.dll --urls "http://127.0.0.1:$port") >/tmp/postergenre-bench-api.log 2>&1 &
api=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "the service did not become ready; see /tmp/postergenre-bench-api.log" >&2; exit 1; }
# Warm-up, not measured: 30 s of the 8-client load, so that the windows below measure the request
# path and not the JIT still recompiling it (with 5 s of warm-up a profile had 5.5% of the CPU in
# the JIT, 0.1% after 30 s: docs/performance.md, "The request path, profiled").
"$bench" load "http://127.0.0.1:$port" 8 "${POSTERGENRE_BENCH_WARMUP:-30}" poster-genre >/dev/null || true
# full_gcs: the service's full (generation 2) collections so far, from its /metrics.
full_gcs() { curl -sf "http://127.0.0.1:$port/metrics" | grep -oP '^dotnet_collection_count_total\{generation="2"\} \K[0-9]+'; }
declare -A rate p50 p95 p99 failed rss gcs
for c in 1 8 32; do
  before=$(full_gcs)
  line=$("$bench" load "http://127.0.0.1:$port" "$c" "$seconds" poster-genre || true)
  gcs[$c]=$(( $(full_gcs) - before ))
  echo "$line; service full GCs ${gcs[$c]}"
  rate[$c]=$(field "$line" posters/s); p50[$c]=$(field "$line" p50); p95[$c]=$(field "$line" p95); p99[$c]=$(field "$line" p99)
  failed[$c]=$(( $(field "$line" "failed") + $(grep -oP 'refused \(503\) \K[0-9]+' <<<"$line") ))
  rss[$c]=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$api/status")
done

# Paired windows: the issue's two ratios, each from a floor run and an HTTP run taken back to
# back, several times over, so that both sides of a ratio see the machine in the same state (its
# speed moves by a third within minutes here: docs/performance.md). Median and range. 20 s a
# window: on a noisy machine a 6 s floor ranged 42-63 posters/s back to back (docs/performance.md).
pairs=${POSTERGENRE_BENCH_PAIRS:-3}
window=${POSTERGENRE_BENCH_WINDOW:-20}
paired_c8=(); paired_c1=(); paired_tail=()
for _ in $(seq 1 "$pairs"); do
  f=$("$bench" bare "$file" "$cores" 1 "$window"); h=$("$bench" load "http://127.0.0.1:$port" 8 "$window" poster-genre || true)
  paired_c8+=("$(awk -v h="$(field "$h" posters/s)" -v f="$(field "$f" posters/s)" 'BEGIN {printf "%.2f", h / f}')")
  paired_tail+=("$(awk -v a="$(field "$h" p99)" -v b="$(field "$h" p50)" 'BEGIN {printf "%.2f", a / b}')")
  f=$("$bench" bare "$file" 1 0 "$window"); h=$("$bench" load "http://127.0.0.1:$port" 1 "$window" poster-genre || true)
  paired_c1+=("$(awk -v h="$(field "$h" p50)" -v f="$(field "$f" p50)" 'BEGIN {printf "%.2f", h / f}')")
done
# summary NAME VALUES...: "NAME: median M (range MIN-MAX; each: ...)".
summary() { local name=$1; shift; printf '%s\n' "$@" | sort -n | awk -v n="$name" -v all="$*" '{v[NR] = $1} END {printf "%s: median %.2f (range %.2f-%.2f; each: %s)\n", n, (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR], all}'; }
stop_api
measure_floor

# predict over a folder: the fixture posters the floor scores, 300 copies each (1,800), and over
# its first 300; the difference of the two runs is predict's steady rate, the program's start and
# model load (about 1 s) cancelling, as issue 26 measured it ("1,100 copies minus 100").
folder=$(mktemp -d)
trap 'stop_api; rm -rf "$folder"' EXIT
mkdir -p "$folder/all" "$folder/first"
i=0
for copy in $(seq 1 300); do
  for poster in tests/fixtures/posters/*.jpg; do cp "$poster" "$folder/all/$(printf %05d $i).jpg"; i=$((i + 1)); done
done
for f in $(ls "$folder/all" | head -300); do ln "$folder/all/$f" "$folder/first/$f"; done
timed_predict() { # FOLDER -> seconds
  local start; start=$(date +%s.%N)
  "$train" predict --model "$model" --out "$folder/answers.csv" "$1" 2>/dev/null
  awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.3f", e - s}'
}
first_seconds=$(timed_predict "$folder/first")
all_seconds=$(timed_predict "$folder/all")
predict_rate=$(awk -v n="$i" -v a="$all_seconds" -v f="$first_seconds" 'BEGIN {printf "%.1f", (n - 300) / (a - f)}')
predict_loaded=$(awk -v n="$i" -v a="$all_seconds" 'BEGIN {printf "%.1f", n / a}')
echo "predict: $i posters in $all_seconds s ($predict_loaded posters/s, start and model load included), 300 in $first_seconds s: steady $predict_rate posters/s"
measure_floor
floor=$(median_line "${bare_runs[@]}")
floor_rate=$(field "$floor" posters/s)
project=$(median_line "${floor_runs[@]}")
project_rate=$(field "$project" posters/s)
echo "bare floor: median of $(for line in "${bare_runs[@]}"; do field "$line" posters/s; done | paste -sd' ') posters/s: $floor_rate"
echo "project floor: median of $(for line in "${floor_runs[@]}"; do field "$line" posters/s; done | paste -sd' ') posters/s: $project_rate"

# The figures as CSV for the plot (clients 0: the floor): BenchmarkDotNet.Artifacts/bench-FILE.csv.
mkdir -p BenchmarkDotNet.Artifacts
csv=BenchmarkDotNet.Artifacts/bench-$file.csv
{
  echo "file,clients,posters_per_s,p50,p95,p99"
  echo "$file,0,$floor_rate,$(field "$floor" p50),$(field "$floor" p95),$(field "$floor" p99)"
  for c in 1 8 32; do echo "$file,$c,${rate[$c]},${p50[$c]},${p95[$c]},${p99[$c]}"; done
} >"$csv"
echo "wrote $csv; plot every model file measured: $bench plot throughput.png latency.png BenchmarkDotNet.Artifacts/bench-*.csv"

echo
echo "| path | posters/s | x bare floor | p50 ms | p95 ms | p99 ms | p99/p50 | errors | service RSS MB | service full GCs |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
echo "| bare floor: $cores workers x 1 thread, SkiaSharp + ONNX Runtime alone | $floor_rate | 1.00 | $(field "$floor" p50) | $(field "$floor" p95) | $(field "$floor" p99) | | | | |"
awk -v r="$project_rate" -v f="$floor_rate" -v a="$(field "$project" p50)" -v b="$(field "$project" p95)" -v d="$(field "$project" p99)" -v c="$cores" \
  'BEGIN {printf "| project floor: %d workers x 1 thread through its preprocessor and inference threads | %s | %.2f | %s | %s | %s | | | | |\n", c, r, r / f, a, b, d}'
echo "| bare single poster: 1 worker x $cores threads | $(field "$bare_single" posters/s) | | $single_p50 | $(field "$bare_single" p95) | $(field "$bare_single" p99) | | | | |"
echo "| project single poster: 1 worker x $cores threads | $(field "$single" posters/s) | | $(field "$single" p50) | $(field "$single" p95) | $(field "$single" p99) | | | | |"
for c in 1 8 32; do
  awk -v c="$c" -v r="${rate[$c]}" -v f="$floor_rate" -v a="${p50[$c]}" -v b="${p95[$c]}" -v d="${p99[$c]}" -v e="${failed[$c]}" -v m="${rss[$c]}" -v g="${gcs[$c]}" \
    'BEGIN {printf "| HTTP, %d client(s) | %s | %.2f | %s | %s | %s | %.2f | %s | %s | %s |\n", c, r, r / f, a, b, d, d / a, e, m, g}'
done
awk -v r="$predict_rate" -v f="$floor_rate" 'BEGIN {printf "| predict over a folder (1,800 posters minus 300: start and load cancel) | %s | %.2f | | | | | | | |\n", r, r / f}'
awk -v r="$predict_loaded" -v f="$floor_rate" 'BEGIN {printf "| predict over a folder, start and model load included | %s | %.2f | | | | | | | |\n", r, r / f}'
awk -v a="${p50[1]}" -v s="$single_p50" 'BEGIN {printf "\nHTTP p50 at 1 client / bare single-poster p50: %.2f\n", a / s}'
echo "Paired windows ($pairs x ${window} s each side):"
summary "  HTTP posters/s at 8 clients / bare floor" "${paired_c8[@]}"
summary "  HTTP p50 at 1 client / bare single-poster p50" "${paired_c1[@]}"
summary "  HTTP p99/p50 at 8 clients" "${paired_tail[@]}"
