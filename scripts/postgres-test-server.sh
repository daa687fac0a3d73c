#!/usr/bin/env bash
# Makes sure the PostgreSQL server binaries the real-server tests need are on this machine
# (test/lambda/postgres-control.test.ts starts its own primary and streaming replica from
# them; nothing else is started here). Installs Debian's `postgresql` package when they are
# missing: run as root (CI does), e.g. `sudo bash scripts/postgres-test-server.sh`.
set -euo pipefail

found() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/pg_basebackup" ] && [ -x "$dir/postgres" ]; then
      echo "$dir"
      return 0
    fi
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null && command -v pg_basebackup >/dev/null; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

if dir=$(found); then
  echo "PostgreSQL server binaries: $dir ($("$dir/postgres" --version))"
else
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are missing; install them as root:" >&2
    echo "  sudo bash scripts/postgres-test-server.sh   (Debian/Ubuntu: apt-get install -y postgresql)" >&2
    exit 1
  fi
  # The tests create their own clusters; skip Debian's default "main" cluster and its service.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common
    echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confold postgresql
  dir=$(found) || { echo "installed postgresql, but its server binaries are still not found" >&2; exit 1; }
  echo "PostgreSQL server binaries installed: $dir ($("$dir/postgres" --version))"
fi

# initdb refuses to run as root, so as root the tests run the servers as the postgres OS user.
if [ "$(id -u)" -eq 0 ] && ! id -u postgres >/dev/null 2>&1; then
  echo "running as root but there is no postgres OS user to run the test servers as; reinstall the postgresql package" >&2
  exit 1
fi
