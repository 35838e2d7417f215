#!/usr/bin/env bash
# The PostgreSQL tests start their own throwaway cluster (initdb + pg_ctl from Debian's postgresql);
# CI and new machines start without the server binaries.
set -euo pipefail
have_server() {
  local bindir
  bindir="$(pg_config --bindir 2>/dev/null || true)"
  if [ -n "$bindir" ] && [ -x "$bindir/initdb" ] && [ -x "$bindir/pg_ctl" ]; then
    return 0
  fi
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}
if have_server; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "error: the PostgreSQL tests need the server binaries: run 'sudo apt-get install -y postgresql' (Debian) and try again." >&2
  exit 1
fi
echo "Installing PostgreSQL for the scale-out tests (once per machine)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
# The tests run their own clusters; the package's default one is not needed.
if command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters -h 2>/dev/null | while read -r version name _; do
    pg_ctlcluster "$version" "$name" stop >/dev/null 2>&1 || true
  done
fi
have_server
