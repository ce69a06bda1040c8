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
catalogue_compose=("${compose[@]}" -p postergenre-test-catalogue -f docker-compose.yml -f docker/compose.catalogue.yml)
cleanup() {
  "${compose[@]}" -p "$project" down --remove-orphans >/dev/null 2>&1 || true
  POSTERGENRE_PORT=$((port + 1)) "${catalogue_compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
}
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

# Hostile but valid images under the compose file's 1 GB limit: 24 concurrent requests of 3 flat
# 6000 x 6000 PNGs (tiny files, 288 MB of decoded frames apiece), a 6000 x 6000 progressive
# JPEG (tests/fixtures/images, 212 KB; made with ImageMagick: convert -size 6000x6000
# xc:'#804020' -interlace JPEG -quality 80) and a GIF of 1,000 frames on a 4000 x 4000 canvas
# (23 KB; the service reads its first frame). The decode budget makes them take turns (or answers
# decoder-busy); the container must not be OOM-killed and must answer a real poster afterwards.
hostile=$(mktemp -d)
python3 - "$hostile/flat.png" <<'PY'
import struct, sys, zlib
w = h = 6000
row = b"\x00" + b"\x80\x40\x20" * w
raw = zlib.compress(row * h, 9)
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
python3 - "$hostile/frames.gif" <<'PY'
import struct, sys
w = h = 4000
gif = bytearray(b"GIF89a" + struct.pack("<HHBBB", w, h, 0xF0, 0, 0) + bytes([255, 255, 255, 0, 0, 0]))
gif += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
pixel = bytes([0x44, 0x01])  # LZW codes of 3 bits, first bit lowest: clear (4), colour 0, end (5)
for i in range(1000):
    gif += b"\x21\xf9\x04\x00\x01\x00\x00\x00" + b"\x2c" + struct.pack("<HHHHB", i, 0, 1, 1, 0) + bytes([2, 2]) + pixel + b"\x00"
open(sys.argv[1], "wb").write(gif + b"\x3b")
PY
for i in $(seq 1 24); do
  curl -s -o /dev/null -w '%{http_code}\n' --max-time 300 -F "posters=@$hostile/flat.png" -F "posters=@$hostile/flat.png" \
    -F "posters=@$hostile/flat.png" -F "posters=@tests/fixtures/images/progressive-6000x6000.jpg" -F "posters=@$hostile/frames.gif" \
    "http://127.0.0.1:$port/api/v1/predictions" >>"$hostile/codes" &
done
wait
codes=$(sort "$hostile/codes" | uniq -c | tr -s ' ' | tr '\n' ';')
check "24 concurrent requests of large flat PNGs, progressive JPEGs and many-frame GIFs get 200 or 503, no 5xx else (got: $codes)" python3 -c "import sys; c=open(sys.argv[1]).read().split(); assert len(c)==24 and all(x in ('200','503') for x in c), c" "$hostile/codes"
state=$(docker inspect --format '{{.State.Status}} oom={{.State.OOMKilled}} restarts={{.RestartCount}}' "$container")
check "the container was not OOM-killed (state: $state)" test "$state" = "running oom=false restarts=0"
after=$(curl -s -o /dev/null -w '%{http_code}' -F "posters=@tests/fixtures/posters/tt0086425.jpg" "http://127.0.0.1:$port/api/v1/predictions")
check "a real poster is answered afterwards (got: $after)" test "$after" = 200
rm -rf "$hostile"

# The training CLI's image runs deploy/kubernetes/predict-job.yaml's arguments for every
# completion index over a folder of posters; the parts together are the rows of one run.
echo "container: building the CLI image (docker/cli.Dockerfile)"
if docker build -f docker/cli.Dockerfile -t postergenre-cli:latest . >/tmp/postergenre-cli-build.log 2>&1; then
  catalogue=$(mktemp -d) results=$(mktemp -d)
  cp tests/fixtures/posters/*.jpg "$catalogue/" && chmod -R a+rX "$catalogue" && chmod a+rwx "$results"
  completions=$(python3 -c "import re,sys; print(re.search(r'completions: (\d+)', open(sys.argv[1]).read()).group(1))" deploy/kubernetes/predict-job.yaml)
  mapfile -t job_args < <(sed -n '/^ *args:/,/^ *resources:/p' deploy/kubernetes/predict-job.yaml | sed -n 's/^ *- //p')
  for ((i = 0; i < completions; i++)); do
    docker run --rm --read-only --tmpfs /tmp -v "$catalogue:/catalogue:ro" -v "$results:/results" postergenre-cli:latest \
      "${job_args[@]//\$(JOB_COMPLETION_INDEX)/$i}" >>"$results/log" 2>&1
  done
  docker run --rm --read-only -v "$catalogue:/catalogue:ro" -v "$results:/results" postergenre-cli:latest \
    predict --model "${job_args[2]}" /catalogue --out /results/whole.csv >>"$results/log" 2>&1
  check "the Indexed Job's $completions shards, run in the CLI image, give exactly the rows of one run" python3 - "$results" "$completions" <<'PY'
import glob, sys
parts = [open(f).read().splitlines() for f in sorted(glob.glob(sys.argv[1] + "/part-*.csv"))]
whole = open(sys.argv[1] + "/whole.csv").read().splitlines()
assert len(parts) == int(sys.argv[2]), (len(parts), open(sys.argv[1] + "/log").read())
assert all(p[0] == whole[0] for p in parts) and len(whole) == 7, whole
assert sorted(r for p in parts for r in p[1:]) == sorted(whole[1:])
PY
  rm -rf "$catalogue" "$results"
else
  tail -20 /tmp/postergenre-cli-build.log
  check "the CLI image builds" false
fi

# Posters like this one past one machine, as docs/similar.md deploys it: docker/compose.catalogue.yml's
# PostgreSQL with pgvector, its one-off index service (the CLI image built above) over the fixture
# posters, and the API reading the catalogue from the database.
if bash docker/build-postgres-image.sh >/tmp/postergenre-postgres-image.log 2>&1; then
  export POSTERGENRE_PORT=$((port + 1)) POSTERGENRE_DB_PASSWORD=container-test
  "${catalogue_compose[@]}" up -d db >/tmp/postergenre-catalogue.log 2>&1
  db=$("${catalogue_compose[@]}" ps -q db)
  for _ in $(seq 1 60); do [ "$(docker inspect --format '{{.State.Health.Status}}' "$db" 2>/dev/null)" = healthy ] && break; sleep 2; done
  "${catalogue_compose[@]}" run --rm index >>/tmp/postergenre-catalogue.log 2>&1
  check "compose.catalogue.yml's index service fills the database (log: $(grep -o '[0-9]* posters added[^;]*' /tmp/postergenre-catalogue.log | head -1))" grep -q "6 posters added" /tmp/postergenre-catalogue.log
  "${catalogue_compose[@]}" up -d api >>/tmp/postergenre-catalogue.log 2>&1
  api=$("${catalogue_compose[@]}" ps -q api)
  for _ in $(seq 1 90); do status=$(docker inspect --format '{{.State.Health.Status}}' "$api" 2>/dev/null || echo gone); [ "$status" = healthy ] || [ "$status" = unhealthy ] || [ "$status" = gone ] && break; sleep 2; done
  similar=$(curl -s "http://127.0.0.1:$POSTERGENRE_PORT/api/v1/catalogue/tt0086425/similar?k=5")
  check "the API with the PostgreSQL catalogue answers a poster's 5 nearest others" python3 -c "import json,sys; r=json.loads(sys.argv[1]); n=r['neighbours']; assert len(n)==5 and all(x['id']!='tt0086425' and x['thumbnail'] for x in n), r" "$similar"
  POSTERGENRE_PORT=$((port + 1)) "${catalogue_compose[@]}" down -v --remove-orphans >/dev/null 2>&1
else
  tail -20 /tmp/postergenre-postgres-image.log
  check "the PostgreSQL image builds" false
fi

echo "container: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
