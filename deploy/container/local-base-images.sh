#!/usr/bin/env bash
# Makes the Dockerfile's two base images on a machine that cannot pull the official .NET images: a minimal Debian
# root (debootstrap, from Debian's packages) with this machine's .NET SDK for the build stage, and the same root with
# its ASP.NET Core runtime alone for the final stage, imported with podman. Made once per Debian release and .NET
# version (the tag), then reused. Prints the two image names, SDK first:
#   read -r sdk runtime < <(deploy/container/local-base-images.sh)
#   buildah bud --isolation chroot --build-arg SDK_IMAGE=$sdk --build-arg RUNTIME_IMAGE=$runtime -t liiklus .
set -euo pipefail

suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
sdk_version=$(dotnet --version)
# The machine's own trust roots go into both images: the build stage reaches the package registry as this machine
# does (through whatever TLS interception it trusts).
ca_bundle=/etc/ssl/certs/ca-certificates.crt
tag="$suite-$sdk_version-$(sha256sum "$ca_bundle" | cut -c1-12)"
sdk_image="localhost/liiklus-base-sdk:$tag"
runtime_image="localhost/liiklus-base-runtime:$tag"

if ! podman image exists "$sdk_image" || ! podman image exists "$runtime_image"; then
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  # What .NET needs of a Debian system: TLS roots, ICU, OpenSSL, time zones; bash for the image's health check.
  debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3,tzdata "$suite" "$root" "$mirror" >&2
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  cp "$ca_bundle" "$root/etc/ssl/certs/ca-certificates.crt"
  mkdir -p "$root/usr/share/dotnet"
  cp -a "$dotnet_root/." "$root/usr/share/dotnet/"
  ln -sf /usr/share/dotnet/dotnet "$root/usr/bin/dotnet"
  tar -C "$root" -c . | podman import --change 'ENV DOTNET_CLI_TELEMETRY_OPTOUT=1' - "$sdk_image" >&2
  rm -rf "$root/usr/share/dotnet/sdk" "$root/usr/share/dotnet/packs" "$root/usr/share/dotnet/templates" \
    "$root/usr/share/dotnet/sdk-manifests" "$root/usr/share/dotnet/metadata"
  tar -C "$root" -c . | podman import - "$runtime_image" >&2
fi

echo "$sdk_image $runtime_image"
