#!/usr/bin/env bash
# Makes sure the Redis server binary the real-server cache canary tests need is on this machine
# (test/lambda/canary-redis.test.ts starts its own primary and replica from it; nothing else is
# started here). Installs Debian's `redis-server` package when it is missing: run as root (CI
# does), e.g. `sudo bash scripts/redis-test-server.sh`.
set -euo pipefail

if command -v redis-server >/dev/null; then
  echo "redis-server: $(command -v redis-server) ($(redis-server --version))"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "redis-server is missing; install it as root:" >&2
  echo "  sudo bash scripts/redis-test-server.sh   (Debian/Ubuntu: apt-get install -y redis-server)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
# The package's service is not needed (the tests start their own servers); where systemd or
# invoke-rc.d would start it, policy-rc.d usually refuses in containers and CI.
apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confold redis-server
command -v redis-server >/dev/null || { echo "installed redis-server, but the binary is still not found" >&2; exit 1; }
echo "redis-server installed: $(command -v redis-server) ($(redis-server --version))"
