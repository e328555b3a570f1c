#!/usr/bin/env bash
# Installs the Debian 12 packages Tetrad needs to build, test, benchmark and
# run the demo, and the ru_RU.UTF-8 locale (protocol/test_textin's
# decimal-comma case). Every program the tests, the benchmarks and the
# scripts run is declared in scripts/commands.txt with its package, which is
# either listed here or Essential/required in a minbase system
# (`scripts/commands.py check` holds the two lists together).
# Idempotent: packages already present are left alone. Must run as root.
set -euo pipefail

packages=(
  build-essential cmake pkg-config          # toolchain
  binutils                                  # addr2line: sanitizer stack traces
  clang libclang-rt-14-dev                  # libFuzzer targets and sanitizers
  libsqlite3-dev sqlite3                    # local and hub store; sqlite3 CLI in tests
  libcurl4-openssl-dev                      # syncd's HTTPS client
  libcjson-dev                              # JSON parsing for forms and change sets
  libsodium-dev                             # signatures, encryption, key derivation
  libmicrohttpd-dev libgnutls28-dev gnutls-bin  # hub's HTTPS server, test certificates
  zlib1g-dev                                # change-set compression (see docs/protocol.md)
  valgrind curl procps python3              # tests (python3: test proxies, sqlite3 module)
  iproute2                                  # bench_slowlink: ip netns, tc
  openssl                                   # test_hub_cli, test_sync_basic, docs/syncd.md pin
  time                                      # `command time` (GNU time): test_sync_large, bench_sync peak RSS
  zbar-tools                                # zbarimg: test_hub_cli reads token create's terminal QR code back
  locales                                   # ru_RU.UTF-8 for unit/protocol/test_textin
  mandoc                                    # ctest meta/man_lint: mandoc -Tlint of man/
  nodejs npm                                # bench_pouchdb (PouchDB side of the comparison)
  git debootstrap                           # scripts/check-bare-debian.sh
  debhelper dpkg-dev fakeroot               # scripts/build-deb.sh: the Debian packages
  lintian                                   # scripts/check-debs.sh (systemd: below)
  libxlsxwriter-dev                         # .xlsx: the client's export, the hub's reports
  libqrencode-dev                           # enrollment QR codes: the dashboard's (SVG), token create's (text)
  chromium chromium-driver python3-selenium # browser tests of `tetrad ui`
  python3-openpyxl                          # tests read the .xlsx back (browser, export, hub reports)
  systemd                                   # systemd-analyze: test_units, scripts/check-debs.sh
  strace                                    # test_units: the calls the programs make against the units' SystemCallFilter=
  chromium-l10n                             # Chromium in Russian: date fields ДД.ММ.ГГГГ in the screenshots
  libpq-dev                                 # the hub's PostgreSQL store (libpq)
  postgresql-15 postgresql-client-15        # the tests' own cluster (tests/tools/pgcluster.sh): server, psql, createdb
  haproxy                                   # several hub processes behind one address (issue 20's multi-process test)
)
locale_name=ru_RU.UTF-8

# Installed packages and what they provide (nodesource's nodejs provides npm).
have=" $(dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Provides}\n' 2>/dev/null |
	awk '$1 == "ii" { $1 = ""; gsub(/ \([^)]*\)/, ""); gsub(/,/, " "); print }' | tr '\n' ' ') "
missing=()
for p in "${packages[@]}"; do
  case "$have" in
  *" $p "*) ;;
  *) missing+=("$p") ;;
  esac
done

has_locale() {
  locale -a 2>/dev/null | grep -qix 'ru_RU.utf-\?8'
}

if [ ${#missing[@]} -eq 0 ] && has_locale; then
  echo "install-deps: all ${#packages[@]} packages and the $locale_name locale already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: need root to install: ${missing[*]:-}$(has_locale || echo " locale $locale_name")" >&2
  exit 1
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if ! has_locale; then
  echo "install-deps: generating the $locale_name locale"
  sed -i -E "s/^# *($locale_name UTF-8)/\1/" /etc/locale.gen
  grep -q "^$locale_name UTF-8" /etc/locale.gen || echo "$locale_name UTF-8" >>/etc/locale.gen
  locale-gen >/dev/null
  has_locale || { echo "install-deps: locale-gen did not make $locale_name" >&2; exit 1; }
fi
