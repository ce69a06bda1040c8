#!/usr/bin/env bash
# The scale-out test: HAProxy and 3 API replicas (docker/compose.scale.yml, reusing the images the
# container test builds), single-poster and 4-poster requests at concurrency 8 through the
# balancer for about a minute; a third of the way in one replica is killed (docker kill) and at
# two thirds started again. Then the same with docker stop (drain) in place of kill. Prints
# requests sent, answered and failed, and throughput before, during and after, for each; exits
# non-zero on any failed request. Last, throughput by replica count: the project's load generator
# at 8 single-poster clients through the balancer for $seconds s with 1, 2 and 3 replicas (the
# default model). The test command runs the fault runs (`faults`, about 3 minutes); the
# throughput phase is a measurement, run by hand: docs/deployment.md has both's figures.
# Usage: docker/scale-test.sh [all|faults|throughput]
set -uo pipefail
cd "$(dirname "$0")/.."
lb_port=${POSTERGENRE_LB_TEST_PORT:-18180}
seconds=${POSTERGENRE_SCALE_SECONDS:-60}
project=postergenre-scale
phases=${1:-all}
bash docker/start-engine.sh || exit 1
bash docker/build-base-images.sh || exit 1
bash docker/build-haproxy-image.sh || exit 1
if command -v docker-compose >/dev/null; then compose=(docker-compose); else compose=(docker compose); fi
compose+=(-p "$project" -f docker-compose.yml -f docker/compose.scale.yml)
export POSTERGENRE_PORT=18181-18183 POSTERGENRE_BIND=127.0.0.1 POSTERGENRE_LB_PORT=$lb_port
cleanup() { "${compose[@]}" down --remove-orphans >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "scale: building and starting HAProxy + 3 replicas"
"${compose[@]}" up -d --build --scale api=3 >/tmp/postergenre-scale.log 2>&1 || { tail -30 /tmp/postergenre-scale.log; exit 1; }
for _ in $(seq 1 90); do
  healthy=$(docker ps --filter "name=${project}_api" --filter health=healthy -q | wc -l)
  [ "$healthy" -ge 3 ] && break
  sleep 2
done
sleep 3

# drive LOG: 8 clients posting through the balancer until $seconds have passed; one line per answer: time status.
drive() {
  local log=$1 end=$(( $(date +%s) + seconds ))
  for c in $(seq 1 8); do
    (
      i=$c
      while [ "$(date +%s)" -lt "$end" ]; do
        if [ $((i % 4)) = 0 ]; then files=(-F posters=@tests/fixtures/posters/tt0084058.jpg -F posters=@tests/fixtures/posters/tt0085154.jpg -F posters=@tests/fixtures/posters/tt0085334.jpg -F posters=@tests/fixtures/posters/tt0086425.jpg)
        else files=(-F posters=@tests/fixtures/posters/tt0085549.jpg); fi
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 "${files[@]}" "http://127.0.0.1:$lb_port/api/v1/predictions?model=poster-genre-fast")
        echo "$(date +%s.%N) $code" >>"$log"
        i=$((i + 1))
      done
    ) &
  done
  wait
}

failed_total=0
actions=(kill stop)
[ "$phases" = throughput ] && actions=()
for action in "${actions[@]}"; do
  log=$(mktemp)
  victim=$(docker ps --filter "name=${project}_api" -q | head -1)
  start=$(date +%s.%N)
  drive "$log" &
  driver=$!
  sleep $((seconds / 3))
  docker "$action" "$victim" >/dev/null
  sleep $((seconds / 3))
  docker start "$victim" >/dev/null
  wait "$driver"
  read -r sent answered failed before during after < <(python3 - "$log" "$start" "$seconds" <<'PY'
import sys
log, start, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
rows = [l.split() for l in open(log)]
t = [(float(a) - start, c) for a, c in rows]
third = seconds / 3
def rate(lo, hi):
    return sum(1 for s, c in t if lo <= s < hi and c == "200") / third
ok = sum(1 for _, c in t if c == "200")
print(len(t), ok, len(t) - ok, f"{rate(0, third):.1f}", f"{rate(third, 2 * third):.1f}", f"{rate(2 * third, 3 * third + 5):.1f}")
PY
)
  echo "scale: docker $action of one of 3 replicas: $sent sent, $answered answered, $failed failed; requests/s before $before, during $during, after $after"
  failed_total=$((failed_total + failed))
  rm -f "$log"
  for _ in $(seq 1 60); do
    [ "$(docker ps --filter "name=${project}_api" --filter health=healthy -q | wc -l)" -ge 3 ] && break
    sleep 2
  done
  sleep 3
done
if [ "$phases" != faults ]; then
  dotnet build benchmarks/PosterGenre.Benchmarks -c Release -v quiet -nologo >/dev/null
  for replicas in 1 2 3; do
    "${compose[@]}" up -d --scale api=$replicas >>/tmp/postergenre-scale.log 2>&1
    for _ in $(seq 1 90); do
      [ "$(docker ps --filter "name=${project}_api" --filter health=healthy -q | wc -l)" -eq "$replicas" ] && break
      sleep 2
    done
    sleep 5 # HAProxy's health checks see every replica up
    line=$(benchmarks/PosterGenre.Benchmarks/bin/Release/net10.0/PosterGenre.Benchmarks load "http://127.0.0.1:$lb_port" 8 "$seconds" poster-genre || true)
    echo "scale: $replicas replica(s), 8 clients through HAProxy: $line"
    failed_total=$((failed_total + $(grep -oP '(?<=failed )[0-9]+' <<<"$line" || echo 1) + $(grep -oP '(?<=refused \(503\) )[0-9]+' <<<"$line" || echo 1)))
  done
fi
echo "scale: $failed_total failed requests in all"
[ "$failed_total" -eq 0 ]
