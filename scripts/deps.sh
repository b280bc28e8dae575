#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian 12 packages the build, the guest runner and the checks
# need. Quiet and quick (one dpkg-query) when everything is present.
set -euo pipefail

pkgs=(
	gcc make libc6-dev binutils libelf-dev bc flex bison
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	qemu-system-x86 busybox-static cpio kmod xz-utils
	bpftrace stress-ng sparse perl procps dwarves debootstrap
)

declare -A have=()
while read -r st name; do
	[[ $st == ii* ]] && have[$name]=1
done < <(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${pkgs[@]}" \
	2> /dev/null || true)
missing=()
for p in "${pkgs[@]}"; do
	[[ -n ${have[$p]:-} ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
	echo "deps: missing packages: ${missing[*]}; run 'make deps' as root" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
