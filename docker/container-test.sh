#!/usr/bin/env bash
# The container test: builds the image with compose, waits for the container to report healthy,
# posts a poster and checks the answer, then tears everything down. Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

port=${POSTERGENRE_TEST_PORT:-18080}
project=postergenre-test
passed=0 failed=0
check() { # name command...
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "  ok   $name"; else failed=$((failed + 1)); echo "  FAIL $name"; fi
}

bash docker/start-engine.sh || exit 1
bash docker/build-base-images.sh || exit 1
if command -v docker-compose >/dev/null; then compose=(docker-compose); else compose=(docker compose); fi
export POSTERGENRE_PORT=$port POSTERGENRE_BIND=127.0.0.1
cleanup() { "${compose[@]}" -p "$project" down --remove-orphans >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "container: building and starting with ${compose[*]}"
if ! "${compose[@]}" -p "$project" up -d --build >/tmp/postergenre-compose.log 2>&1; then
  tail -40 /tmp/postergenre-compose.log
  echo "container: 0 passed, 1 failed"
  exit 1
fi

container=$("${compose[@]}" -p "$project" ps -q api)
status=starting
for _ in $(seq 1 90); do
  status=$(docker inspect --format '{{.State.Health.Status}}' "$container" 2>/dev/null || echo gone)
  [ "$status" = healthy ] || [ "$status" = unhealthy ] || [ "$status" = gone ] && break
  sleep 2
done
check "container reports healthy (was: $status)" test "$status" = healthy

answer=$(curl -s -F "posters=@tests/fixtures/posters/tt0086425.jpg" "http://127.0.0.1:$port/api/v1/predictions")
check "a poster gets 25 probabilities, a top 3 and a predicted set" python3 - "$answer" <<'PY'
import json, sys
r = json.loads(sys.argv[1])["results"][0]
assert len(r["probabilities"]) == 25 and len(r["top3"]) == 3 and 1 <= len(r["predicted"]) <= 3, r
PY
problem=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' -F "posters=@README.md" "http://127.0.0.1:$port/api/v1/predictions")
check "a text file gets 415 problem+json (got: $problem)" test "$problem" = "415 application/problem+json"
user=$(docker exec "$container" sh -c 'id -u' 2>/dev/null)
check "the service runs as a non-root user (uid: $user)" test "$user" = 1654
logline=$(docker logs "$container" 2>&1 | grep -m1 '"RequestPath":"/api/v1/predictions"')
check "request logs are compact JSON with model and file count" python3 -c "import json,sys; e=json.loads(sys.argv[1]); assert e['Model'] and 'Files' in e" "$logline"

echo "container: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
