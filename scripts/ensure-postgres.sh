#!/usr/bin/env bash
# Makes the PostgreSQL server the tests use reachable: OPENINSIGHTS_TEST_DATABASE_URL, else
# 127.0.0.1:5432. For a local address, starts the Debian cluster that listens on that port (creating
# the default cluster when there is none, and installing PostgreSQL with apt when it is missing).
# Idempotent; needs root.
set -euo pipefail
url="${OPENINSIGHTS_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
hostport=$(node -e 'const u = new URL(process.argv[1]); console.log(`${u.hostname || "127.0.0.1"} ${u.port || 5432}`)' "$url")
read -r host port <<<"$hostport"
pg_isready -h "$host" -p "$port" -t 2 >/dev/null 2>&1 && exit 0
case "$host" in
  127.0.0.1 | localhost | "[::1]" | ::1) ;;
  *) echo "ensure-postgres: $host:$port is not local; start that server yourself" >&2; exit 1 ;;
esac
export DEBIAN_FRONTEND=noninteractive
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "ensure-postgres: installing PostgreSQL (apt-get install postgresql)"
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
# The cluster that listens on this port; a new default one when there is no cluster at all.
cluster=$(pg_lsclusters -h | awk -v p="$port" '$3 == p {print $1" "$2; exit}')
if [ -z "$cluster" ] && [ -n "$(pg_lsclusters -h)" ]; then
  echo "ensure-postgres: no PostgreSQL cluster listens on port $port (pg_lsclusters lists the others)" >&2
  exit 1
fi
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  echo "ensure-postgres: creating cluster $version main on port $port"
  pg_createcluster -p "$port" "$version" main >/dev/null
  # The tests connect as postgres without a password, as on the project's machines (trust on loopback).
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  cluster="$version main"
fi
echo "ensure-postgres: starting cluster $cluster"
# shellcheck disable=SC2086
pg_ctlcluster --skip-systemctl-redirect $cluster start || true
pg_isready -h "$host" -p "$port" -t 30 >/dev/null
