#!/usr/bin/env bash
# Makes a local stand-in for the official haproxy:2.6 image where no container registry is
# reachable: a Debian 12 root from debootstrap with Debian's haproxy 2.6, run as the official image
# runs it (haproxy -W -db -f /usr/local/etc/haproxy/haproxy.cfg). Skips the tag when present.
set -euo pipefail
tag=${HAPROXY_IMAGE:-haproxy:2.6}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=${TMPDIR:-/tmp}/postergenre-haproxy-image
if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "haproxy image: $tag already present"
  exit 0
fi

rm -rf "$work" && mkdir -p "$work"
echo "haproxy image: debootstrap Debian 12 (minbase) + haproxy from $mirror"
debootstrap --variant=minbase --include=haproxy bookworm "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
mkdir -p "$work/root/usr/local/etc/haproxy"
rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*
tar -C "$work/root" -c . | docker import \
  --change 'CMD ["haproxy", "-W", "-db", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]' - "$tag" >/dev/null
rm -rf "$work"
echo "haproxy image: built $tag"
