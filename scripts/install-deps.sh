#!/usr/bin/env bash
# Installs the Debian 12 packages Tetrad needs to build, test and run.
# Idempotent: packages already present are left alone. Must run as root.
set -euo pipefail

packages=(
  build-essential cmake pkg-config          # toolchain
  clang libclang-rt-14-dev                  # libFuzzer targets and sanitizers
  libsqlite3-dev sqlite3                    # local and hub store
  libcurl4-openssl-dev                      # syncd's HTTPS client
  libcjson-dev                              # JSON parsing for forms and change sets
  libsodium-dev                             # signatures, encryption, key derivation
  libmicrohttpd-dev libgnutls28-dev gnutls-bin  # hub's HTTPS server, test certificates
  zlib1g-dev                                # change-set compression (see docs/protocol.md)
  valgrind curl iproute2 procps python3     # tests and benchmarks (python3: test proxies)
  qrencode                                  # enrollment codes as QR (tetrad-hub token create)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: need root to install: ${missing[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
