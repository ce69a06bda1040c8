#!/usr/bin/env bash
# Starts the PostgreSQL 17 + pgvector container the catalogue's PostgreSQL tests run against
# (docker/build-postgres-image.sh makes the image), waits until it takes connections, and prints
# its Npgsql connection string on standard output; progress goes to standard error. Used by
# scripts/test.sh; by hand: export POSTERGENRE_TEST_POSTGRES=$(bash scripts/start-postgres.sh).
# "bash scripts/start-postgres.sh stop" removes the container.
set -euo pipefail
cd "$(dirname "$0")/.."
name=postergenre-test-postgres
port=${POSTERGENRE_POSTGRES_PORT:-15432}
password=postergenre-test
if [ "${1:-}" = stop ]; then
  docker rm -f "$name" >/dev/null 2>&1 || true
  exit 0
fi

{
  bash docker/start-engine.sh
  bash docker/build-postgres-image.sh
} >&2
docker rm -f "$name" >/dev/null 2>&1 || true
docker run -d --name "$name" -p "127.0.0.1:$port:5432" --tmpfs /var/lib/postgresql/data \
  -e POSTGRES_USER=postergenre -e POSTGRES_PASSWORD="$password" -e POSTGRES_DB=postergenre \
  "${POSTGRES_IMAGE:-postergenre-postgres:17}" >/dev/null
for _ in $(seq 1 60); do
  if docker exec "$name" pg_isready -h 127.0.0.1 -U postergenre -d postergenre >/dev/null 2>&1; then
    echo "postgres: ready on 127.0.0.1:$port" >&2
    echo "Host=127.0.0.1;Port=$port;Username=postergenre;Password=$password;Database=postergenre"
    exit 0
  fi
  sleep 1
done
docker logs "$name" >&2 || true
echo "postgres: the container did not take connections within 60 s" >&2
exit 1
