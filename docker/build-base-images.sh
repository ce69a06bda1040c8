#!/usr/bin/env bash
# Makes local stand-ins for mcr.microsoft.com/dotnet/sdk:10.0 and aspnet:10.0 where no container
# registry is reachable: a Debian 12 root from debootstrap (with ICU, CA certificates and tzdata, as
# the official images have) plus this machine's .NET install.
# They carry the same tags, user (app, uid 1654) and environment the Dockerfile relies on, so the
# Dockerfile itself stays the one a user with registry access builds. Skips tags already present.
set -euo pipefail

sdk_tag=${SDK_IMAGE:-mcr.microsoft.com/dotnet/sdk:10.0}
runtime_tag=${RUNTIME_IMAGE:-mcr.microsoft.com/dotnet/aspnet:10.0}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
work=${TMPDIR:-/tmp}/postergenre-base-images

have() { docker image inspect "$1" >/dev/null 2>&1; }
if have "$sdk_tag" && have "$runtime_tag"; then
  echo "base images: $sdk_tag and $runtime_tag already present"
  exit 0
fi

rm -rf "$work" && mkdir -p "$work"
echo "base images: debootstrap Debian 12 (minbase) from $mirror"
debootstrap --variant=minbase --include=ca-certificates,libicu72,tzdata bookworm "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
chroot "$work/root" sh -c 'groupadd -g 1654 app && useradd -u 1654 -g app -d /home/app -m -s /usr/sbin/nologin app'
rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*

runtime_version=$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -1)
import_image() { # root tag env...
  local root=$1 tag=$2; shift 2
  local changes=(--change 'ENV PATH=/usr/share/dotnet:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
                 --change 'ENV DOTNET_ROOT=/usr/share/dotnet' --change 'ENV APP_UID=1654'
                 --change 'ENV DOTNET_RUNNING_IN_CONTAINER=true' --change 'ENV DOTNET_CLI_TELEMETRY_OPTOUT=1')
  for e in "$@"; do changes+=(--change "ENV $e"); done
  tar -C "$root" -c . | docker import "${changes[@]}" - "$tag" >/dev/null
  echo "base images: built $tag"
}

if ! have "$runtime_tag"; then
  cp -a "$work/root" "$work/runtime"
  mkdir -p "$work/runtime/usr/share/dotnet/shared"
  cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$work/runtime/usr/share/dotnet/"
  for fw in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
    mkdir -p "$work/runtime/usr/share/dotnet/shared/$fw"
    cp -a "$dotnet_root/shared/$fw/$runtime_version" "$work/runtime/usr/share/dotnet/shared/$fw/"
  done
  ln -sf /usr/share/dotnet/dotnet "$work/runtime/usr/bin/dotnet"
  import_image "$work/runtime" "$runtime_tag" "ASPNETCORE_HTTP_PORTS=8080" "ASPNET_VERSION=$runtime_version"
fi

if ! have "$sdk_tag"; then
  cp -a "$work/root" "$work/sdk"
  mkdir -p "$work/sdk/usr/share/dotnet"
  cp -a "$dotnet_root/." "$work/sdk/usr/share/dotnet/"
  ln -sf /usr/share/dotnet/dotnet "$work/sdk/usr/bin/dotnet"
  # The host's CA bundle, so that restore reaches the package source exactly as the host does;
  # revocation lists are not reachable here, so NuGet checks certificates offline.
  cp /etc/ssl/certs/ca-certificates.crt "$work/sdk/etc/ssl/certs/ca-certificates.crt"
  import_image "$work/sdk" "$sdk_tag" "NUGET_CERT_REVOCATION_MODE=offline" "DOTNET_NOLOGO=1" "DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1"
fi
rm -rf "$work"
