#!/usr/bin/env bash
# Makes the PostgreSQL image that the pgvector catalogue store is tested and deployed with, where
# no container registry is reachable: a Debian 13 root from debootstrap with Debian's PostgreSQL 17
# and pgvector 0.8 (postgresql-17-pgvector), started by docker/postgres/entrypoint.sh, which makes
# the cluster, user and database on first start (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, as
# the official postgres image reads them) with the vector extension. Skips the tag when present.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${POSTGRES_IMAGE:-postergenre-postgres:17}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=${TMPDIR:-/tmp}/postergenre-postgres-image
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "postgres image: $tag already present"
  exit 0
fi

rm -rf "$work" && mkdir -p "$work"
echo "postgres image: debootstrap Debian 13 (minbase) + postgresql-17 and postgresql-17-pgvector from $mirror"
debootstrap --variant=minbase --include=postgresql-17,postgresql-17-pgvector trixie "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
install -m 755 docker/postgres/entrypoint.sh "$work/root/usr/local/bin/postergenre-postgres"
rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"* "$work/root/var/lib/postgresql/17/main"
tar -C "$work/root" -c . | docker import \
  --change 'ENV PATH=/usr/lib/postgresql/17/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV PGDATA=/var/lib/postgresql/data' \
  --change 'EXPOSE 5432' \
  --change 'CMD ["/usr/local/bin/postergenre-postgres"]' - "$tag" >/dev/null
rm -rf "$work"
echo "postgres image: built $tag"
