#!/usr/bin/env bash
# Make sure what the test suite needs is there: PostgreSQL, Redis, Chromium (+ fonts).
# Starts a stopped service; installs a missing one with apt when running as root (CI may be a
# fresh machine). Under CI=true anything still missing fails the run later, in the tests.
set -u
log() { echo "[ensure-services] $*"; }
as_root() { [ "$(id -u)" = "0" ]; }
apt_updated=0
apt_install() {
  as_root || { log "not root: cannot install $*"; return 1; }
  if [ "$apt_updated" = 0 ]; then apt-get update -qq >/dev/null 2>&1; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    log "installing PostgreSQL"; apt_install postgresql postgresql-client
  fi
  for hba in /etc/postgresql/*/main/pg_hba.conf; do
    [ -f "$hba" ] || continue
    grep -q "ekspertiza-test-trust" "$hba" || sed -i '1i host all all 127.0.0.1/32 trust # ekspertiza-test-trust' "$hba"
  done
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start 2>/dev/null || true
  for _ in $(seq 1 20); do pg_up && break; sleep 0.5; done
fi
pg_up && log "PostgreSQL is up" || log "PostgreSQL is NOT reachable"

if ! redis_up; then
  command -v redis-server >/dev/null || { log "installing Redis"; apt_install redis-server; }
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1 \
    || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null 2>&1
  for _ in $(seq 1 20); do redis_up && break; sleep 0.25; done
fi
redis_up && log "Redis is up" || log "Redis is NOT reachable"

if [ ! -x /usr/bin/chromium ]; then
  log "installing Chromium"; apt_install chromium fonts-dejavu-core
fi
[ -x /usr/bin/chromium ] && log "Chromium: $(/usr/bin/chromium --version 2>/dev/null)" || log "Chromium is missing"

# WeasyPrint (the PDF conclusion) loads Pango, HarfBuzz (with its subsetter) and fontconfig;
# Cyrillic is set in DejaVu.
pdf_libs_present() {
  ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" \
    && ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset.so.0" \
    && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]
}
if ! pdf_libs_present; then
  log "installing Pango, HarfBuzz-subset and DejaVu fonts for WeasyPrint"
  apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
fi
pdf_libs_present && log "WeasyPrint libraries: present" || log "WeasyPrint libraries are missing"
exit 0
