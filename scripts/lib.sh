# shellcheck shell=bash
# Shared functions for scripts/run and scripts/test. Source it; it does nothing by itself.
#
# PostgreSQL refuses to run as root. When these scripts run as root (CI, containers) the server runs
# as the system user $IJ_PG_OS_USER, created on first use; as an ordinary user it runs as that user.

IJ_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
IJ_PG_BIN="/usr/lib/postgresql/15/bin"
IJ_PG_OS_USER="ijpostgres"
IJ_PG_SUPERUSER="postgres" # the database superuser initdb creates; DATABASE_OWNER_URL connects as it
IJ_PG_SERVICE_USER="ij_app" # the service's login role, a member of ij_service; DATABASE_URL

# shellcheck disable=SC2034 # used by the scripts that source this file
# Debian 12 packages to build the service (the test suites are configured with it, so their C
# libraries are here too) and to run it locally.
# nodejs and npm install the dashboard's web packages (web/), which the build embeds into the binary.
IJ_BUILD_PACKAGES=(build-essential cmake pkg-config libulfius-dev libmicrohttpd-dev librhonabwy-dev
  libjansson-dev libgnutls28-dev libpq-dev uuid-dev check libcurl4-gnutls-dev libssl-dev
  libxlsxwriter-dev
  postgresql-15 postgresql-client-15 ca-certificates nodejs npm)
# Extra packages for scripts/test: chromium is the browser the dashboard's browser test drives
# (playwright-core never downloads one); wrk drives the benchmark's smoke run (bench-smoke);
# pgbouncer runs the HTTP suite through transaction pooling (http-pgbouncer); haproxy balances the
# two instances of the high-availability test (ha, scripts/ha); curl and jq run the README's
# walkthrough (readme-walkthrough); unzip opens the quarterly return's workbook (the HTTP suite's
# http_stats_quarterly).
# shellcheck disable=SC2034
IJ_TEST_PACKAGES=(nodejs npm clang-format chromium wrk pgbouncer haproxy curl jq unzip pgbackrest patroni etcd-server)
# The fuzzers (tests/fuzz) are built with clang and libFuzzer, which Debian 12 ships in
# libclang-rt-14-dev (libclang_rt.fuzzer*.a for clang 14, Debian 12's clang).
# shellcheck disable=SC2034
IJ_FUZZ_PACKAGES=(clang libclang-rt-14-dev)

ij_say() { printf '==> %s\n' "$*" >&2; }
ij_warn() { printf 'warning: %s\n' "$*" >&2; }
ij_die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}
ij_is_root() { [[ $EUID -eq 0 ]]; }

# ---- packages ------------------------------------------------------------------------------------

ij_has_package() {
  local status
  # shellcheck disable=SC2016 # ${Status} is dpkg-query's format, not a shell expansion
  status="$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)"
  [[ $status == "install ok installed" ]] && return 0
  # Node.js from another source (e.g. NodeSource) ships npm inside its nodejs package and conflicts
  # with Debian's npm: a working command counts as installed.
  case "$1" in
    nodejs) command -v node >/dev/null 2>&1 ;;
    npm) command -v npm >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

# Runs a command as root: directly when root, else through sudo.
ij_as_root() {
  if ij_is_root; then
    "$@"
  else
    sudo "$@"
  fi
}

# Installs whichever of the given Debian packages are missing.
ij_install_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    ij_warn "not a Debian system: make sure these are installed: $*"
    return 0
  fi
  local missing=() pkg
  for pkg in "$@"; do
    ij_has_package "$pkg" || missing+=("$pkg")
  done
  ((${#missing[@]} > 0)) || return 0
  if ! ij_is_root && ! command -v sudo >/dev/null 2>&1; then
    ij_die "missing packages: ${missing[*]}. Run this as root or with sudo available, or install them:" \
      "apt-get install ${missing[*]}"
  fi
  ij_say "installing missing packages: ${missing[*]}"
  ij_as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  ij_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    "${missing[@]}"
}

# ---- build ---------------------------------------------------------------------------------------

# ij_npm_install DIR: installs the Node packages of $IJ_ROOT/DIR as its package-lock.json pins them
# (`npm ci`), unless node_modules is already newer than package.json and package-lock.json.
ij_npm_install() {
  local dir="$IJ_ROOT/$1" stamp
  [[ -f $dir/package.json ]] || return 0
  stamp="$dir/node_modules/.package-lock.json"
  if [[ -f $stamp && $stamp -nt $dir/package.json && (! -f $dir/package-lock.json || $stamp -nt $dir/package-lock.json) ]]; then
    return 0
  fi
  ij_say "installing the node packages of $1"
  if [[ -f $dir/package-lock.json ]]; then
    (cd "$dir" && npm ci --no-audit --no-fund)
  else
    (cd "$dir" && npm install --no-audit --no-fund)
  fi
}

# The dashboard's web packages (GOV.UK Frontend), embedded into the binary by the build.
ij_web_packages() {
  ij_npm_install web
}

# ij_build DIR [cmake configure arguments...]: configures and builds into $IJ_ROOT/DIR.
ij_build() {
  local dir="$IJ_ROOT/$1"
  shift
  ij_say "building $dir"
  cmake -S "$IJ_ROOT" -B "$dir" "$@"
  cmake --build "$dir" -j"${IJ_BUILD_JOBS:-2}"
}

# Fails when a C source or header is not formatted as .clang-format says.
ij_check_format() {
  local dirs=() files=() d f
  for d in service include tests; do
    [[ -d "$IJ_ROOT/$d" ]] && dirs+=("$IJ_ROOT/$d")
  done
  ((${#dirs[@]} > 0)) || return 0
  while IFS= read -r -d '' f; do
    files+=("$f")
  done < <(find "${dirs[@]}" \( -name node_modules -o -name build -o -name 'build-*' \) -prune \
    -o -type f \( -name '*.c' -o -name '*.h' \) -print0 | sort -z)
  ((${#files[@]} > 0)) || return 0
  ij_say "checking the formatting of ${#files[@]} C files"
  if ! clang-format --style=file --dry-run -Werror "${files[@]}"; then
    ij_die "the files above are not formatted; fix them with: clang-format -i <file>..."
  fi
}

# ---- fuzzing --------------------------------------------------------------------------------------

IJ_FUZZERS=(fuzz_json fuzz_csv fuzz_jwt)

# ij_fuzz SECONDS [HARNESS...]: builds the libFuzzer harnesses of tests/fuzz with clang in
# build-fuzz (IJ_FUZZ=ON: ASan, UBSan and coverage) and runs each (all when none is named) for
# SECONDS on a temporary copy of its seed corpus in tests/fuzz/corpus/<harness>/, so the
# repository's corpus never changes. Fails on any crash, leak, timeout, out-of-memory or sanitizer
# report; the input that caused it is kept in build-fuzz/fuzz-artifacts/ and the whole output in
# build-fuzz/fuzz-logs/<harness>.log. Prints libFuzzer's last line (runs, cov, ft, exec/s) for each.
ij_fuzz() {
  local seconds="$1" dir="$IJ_ROOT/build-fuzz" h tmp log rc
  shift
  local harnesses=("$@")
  ((${#harnesses[@]} > 0)) || harnesses=("${IJ_FUZZERS[@]}")
  command -v clang >/dev/null 2>&1 || ij_die "clang is missing: apt-get install ${IJ_FUZZ_PACKAGES[*]}"
  ij_say "building the fuzzers in $dir (clang, libFuzzer)"
  CC=clang cmake -S "$IJ_ROOT" -B "$dir" -DIJ_FUZZ=ON -DIJ_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$dir" --target fuzzers -j"${IJ_BUILD_JOBS:-2}"
  mkdir -p "$dir/fuzz-artifacts" "$dir/fuzz-logs"
  for h in "${harnesses[@]}"; do
    [[ -x $dir/fuzz/$h && -d $IJ_ROOT/tests/fuzz/corpus/$h ]] || ij_die "no such fuzzer: $h"
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/ij-fuzz-$h.XXXXXX")"
    cp -R "$IJ_ROOT/tests/fuzz/corpus/$h/." "$tmp/"
    log="$dir/fuzz-logs/$h.log"
    ij_say "fuzzing $h for ${seconds}s ($(find "$tmp" -type f | wc -l) seed inputs)"
    rc=0
    ASAN_OPTIONS="detect_leaks=1" \
      UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
      "$dir/fuzz/$h" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$dir/fuzz-artifacts/$h-" "$tmp" >"$log" 2>&1 \
      || rc=$?
    rm -rf "$tmp"
    if ((rc != 0)) || grep -qE '^==[0-9]+==ERROR|runtime error:|^SUMMARY: ' "$log"; then
      tail -n 80 "$log" >&2
      ij_die "$h failed (exit $rc; log above, whole in $log; the input is in $dir/fuzz-artifacts/)"
    fi
    printf '%s: %s\n' "$h" "$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)"
  done
}

# ---- PostgreSQL ----------------------------------------------------------------------------------

# Runs a command as the PostgreSQL server's user, from / (the caller's directory may be unreadable
# to that user).
ij_pg_as() {
  if ij_is_root; then
    (cd / && runuser -u "$IJ_PG_OS_USER" -- "$@")
  else
    (cd / && "$@")
  fi
}

ij_pg_ensure_os_user() {
  ij_is_root || return 0
  id -u "$IJ_PG_OS_USER" >/dev/null 2>&1 && return 0
  ij_say "creating the system user $IJ_PG_OS_USER to run PostgreSQL (it refuses to run as root)"
  useradd --system --no-create-home --shell /usr/sbin/nologin "$IJ_PG_OS_USER"
}

# True when the server's user can reach DIR (every directory above it must be traversable).
ij_pg_can_reach() {
  ij_pg_as test -x "$1"
}

# Unix socket paths are limited to 107 bytes; keep a margin.
ij_pg_socket_path_fits() {
  local sock="$1/.s.PGSQL.$2"
  ((${#sock} <= 100))
}

# Gives DIR (recursively) to the server's user, private to it.
ij_pg_own() {
  if ij_is_root; then
    chown -R "$IJ_PG_OS_USER:" "$1"
  fi
  chmod 700 "$1"
}

# A random port that nothing listens on at 127.0.0.1.
ij_free_port() {
  local port i low=32768 span
  # below the kernel's ephemeral range: an outgoing connection (to PostgreSQL, a replication
  # stream) takes its local port from that range and would make a listener's bind fail later
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  ((low > 11000)) || low=32768
  span=$((low - 10000))
  for ((i = 0; i < 100; i++)); do
    port=$((10000 + RANDOM % span))
    if ! (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  ij_die "found no free port"
}

# Percent-encodes a string for a URI query value ('/' is kept).
ij_urlencode() {
  local LC_ALL=C s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      [A-Za-z0-9._~/-]) out+="$c" ;;
      *) out+="$(printf '%%%02X' "'$c")" ;;
    esac
  done
  printf '%s' "$out"
}

# ij_pg_init DIR [setting...]: creates a cluster in DIR/data with its socket in DIR/socket and its
# log in DIR/log. DIR must exist. Each setting ("name = value") is added to postgresql.conf.
# Only the local socket is used: no TCP listener, trust authentication on the socket only.
ij_pg_init() {
  local dir="$1" setting locale_opt=(--no-locale)
  shift
  mkdir -p "$dir/socket" "$dir/log"
  ij_pg_own "$dir"
  if locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then
    locale_opt=(--locale=C.UTF-8)
  fi
  ij_pg_as "$IJ_PG_BIN/initdb" --pgdata="$dir/data" --username="$IJ_PG_SUPERUSER" \
    --auth-local=trust --auth-host=reject --encoding=UTF8 "${locale_opt[@]}" >"$dir/log/initdb.log" \
    || {
      cat "$dir/log/initdb.log" >&2
      ij_die "initdb failed (log above)"
    }
  {
    echo ""
    echo "# Added by scripts/lib.sh"
    echo "listen_addresses = ''"
    for setting in "$@"; do
      echo "$setting"
    done
    echo "include_if_exists = 'ij-local.conf'"
  } >>"$dir/data/postgresql.conf"
}

# ij_pg_start DIR PORT: starts the cluster in DIR on PORT (port and socket directory are written to
# DIR/data/ij-local.conf, so they can change between starts). Fails with the server log.
ij_pg_start() {
  local dir="$1" port="$2" sockdir
  sockdir="$(cd "$dir/socket" && pwd -P)"
  ij_pg_socket_path_fits "$sockdir" "$port" || ij_die "socket path too long: $sockdir"
  printf "port = %s\nunix_socket_directories = '%s'\n" "$port" "${sockdir//\'/\'\'}" \
    >"$dir/data/ij-local.conf"
  ij_is_root && chown "$IJ_PG_OS_USER:" "$dir/data/ij-local.conf"
  if ! ij_pg_as "$IJ_PG_BIN/pg_ctl" --pgdata="$dir/data" --log="$dir/log/postgresql.log" \
    --wait --timeout=60 --silent start; then
    tail -n 30 "$dir/log/postgresql.log" >&2 || true
    ij_die "PostgreSQL did not start (log above: $dir/log/postgresql.log)"
  fi
}

# True when the cluster in DIR is running (its pid file names a live postmaster).
ij_pg_running() {
  [[ -f "$1/data/postmaster.pid" ]] || return 1
  ij_pg_as "$IJ_PG_BIN/pg_ctl" --pgdata="$1/data" status >/dev/null 2>&1
}

# Stops the cluster in DIR if it runs.
ij_pg_stop() {
  local dir="$1"
  [[ -f "$dir/data/postmaster.pid" ]] || return 0
  ij_pg_as "$IJ_PG_BIN/pg_ctl" --pgdata="$dir/data" --mode=fast --wait --timeout=60 --silent stop \
    || ij_pg_as "$IJ_PG_BIN/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait --silent stop \
    || true
}

# ij_pg_url DIR DBNAME [USER]: the libpq URI of DBNAME on the running cluster in DIR (port and
# socket directory from its pid file) for USER (default: the superuser).
ij_pg_url() {
  local dir="$1" db="$2" user="${3:-$IJ_PG_SUPERUSER}" lines=()
  mapfile -t lines <"$dir/data/postmaster.pid"
  ((${#lines[@]} >= 5)) || ij_die "unexpected pid file $dir/data/postmaster.pid"
  printf 'postgresql://%s@/%s?host=%s&port=%s' "$user" "$db" \
    "$(ij_urlencode "${lines[4]}")" "${lines[3]}"
}

# ij_pg_create_db DIR DBNAME: creates DBNAME on the running cluster in DIR unless it exists.
ij_pg_create_db() {
  local dir="$1" db="$2" admin exists
  admin="$(ij_pg_url "$dir" postgres)"
  exists="$("$IJ_PG_BIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 -d "$admin" \
    -c "SELECT 1 FROM pg_database WHERE datname = '$db'")"
  if [[ $exists != 1 ]]; then
    ij_say "creating database $db"
    "$IJ_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$admin" -c "CREATE DATABASE \"$db\""
  fi
}

# ij_pg_service_role DIR: makes the service's roles on the running cluster in DIR unless they exist:
# ij_service (no login; the migrations grant it what the service needs and bind it by row-level
# security) and the login role $IJ_PG_SERVICE_USER, a member of it that owns nothing. Local socket
# connections are trusted, so it has no password.
ij_pg_service_role() {
  local dir="$1" admin
  admin="$(ij_pg_url "$dir" postgres)"
  "$IJ_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$admin" <<SQL
SET client_min_messages = warning;
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ij_service') THEN
    CREATE ROLE ij_service NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$IJ_PG_SERVICE_USER') THEN
    CREATE ROLE $IJ_PG_SERVICE_USER LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE ij_service;
  END IF;
END
\$\$;
SQL
}

# ---- the persistent development cluster (scripts/run) ---------------------------------------------

# True when DIR belongs to the server's user.
ij_pg_owns() {
  if ij_is_root; then
    [[ $(stat -c %U "$1") == "$IJ_PG_OS_USER" ]]
  else
    [[ -O $1 ]]
  fi
}

# ij_dev_pg_dir PORT: prints the directory of the development cluster: $IJ_ROOT/.local/pg or, when
# the server's user cannot reach the repository (e.g. it sits below /root, which is private) or the
# socket path would be too long, a private directory under /tmp that .local/pg links to.
ij_dev_pg_dir() {
  local port="$1" link="$IJ_ROOT/.local/pg" target hash
  ij_pg_ensure_os_user
  mkdir -p "$IJ_ROOT/.local"
  if [[ -L $link ]]; then
    target="$(readlink "$link")"
    if [[ -d $target ]] && ij_pg_owns "$target" && ij_pg_can_reach "$target"; then
      echo "$target"
      return 0
    fi
    rm -f "$link" # /tmp was emptied (a restart), or it was made by another user
  elif [[ -d $link ]]; then
    if ij_pg_owns "$link" && ij_pg_can_reach "$link" \
      && ij_pg_socket_path_fits "$link/socket" "$port"; then
      echo "$link"
      return 0
    fi
    target="$link.unusable-$(date +%Y%m%d%H%M%S)"
    mv "$link" "$target" || ij_die "cannot use or move $link (made by another user?): remove it"
    ij_warn "the PostgreSQL server cannot use $link as this user; moved it aside to $target"
  fi
  if ij_pg_can_reach "$IJ_ROOT/.local" && ij_pg_socket_path_fits "$link/socket" "$port"; then
    mkdir "$link"
    ij_pg_own "$link"
    echo "$link"
    return 0
  fi
  hash="$(printf '%s' "$IJ_ROOT" | sha256sum | cut -c1-12)"
  target="$(mktemp -d "/tmp/ij-pg-$hash.XXXXXX")"
  ij_pg_own "$target"
  ln -s "$target" "$link"
  ij_say "the PostgreSQL server's user cannot reach $IJ_ROOT/.local (or the socket path would be" \
    "too long), so the development cluster lives in $target and .local/pg links to it"
  echo "$target"
}

# ---- throwaway test clusters (scripts/test) -------------------------------------------------------

IJ_TEST_PG_DIR=""

# Removes throwaway clusters whose script is gone (killed before it could clean up).
ij_test_pg_sweep() {
  local base="$1" d pid
  for d in "$base"/ij-test-pg.*; do
    if ! [[ -d $d && -f $d/owner.pid ]] || ! ij_pg_owns "$d"; then
      continue
    fi
    pid="$(<"$d/owner.pid")"
    [[ $pid =~ ^[0-9]+$ && -d /proc/$pid ]] && continue
    ij_say "removing the stale test cluster $d"
    ij_pg_stop "$d" 2>/dev/null || true
    rm -rf "$d" 2>/dev/null || true
  done
}

# Starts a throwaway cluster in a new temporary directory with database DBNAME and exports
# DATABASE_URL for it. Pair with ij_test_pg_destroy (in an EXIT trap).
ij_test_pg_create() {
  local db="$1" base="${TMPDIR:-/tmp}" port
  ij_pg_ensure_os_user
  if [[ $base != /tmp ]] && ! { ij_pg_can_reach "$base" && ij_pg_socket_path_fits "$base/ij-test-pg.XXXXXX/socket" 65535; }; then
    base=/tmp
  fi
  ij_test_pg_sweep "$base"
  IJ_TEST_PG_DIR="$(mktemp -d "$base/ij-test-pg.XXXXXX")"
  echo "$$" >"$IJ_TEST_PG_DIR/owner.pid"
  port="$(ij_free_port)"
  ij_say "starting a throwaway PostgreSQL in $IJ_TEST_PG_DIR (port $port)"
  ij_pg_init "$IJ_TEST_PG_DIR" "fsync = off" "synchronous_commit = off" "full_page_writes = off" \
    "max_connections = 200"
  ij_pg_start "$IJ_TEST_PG_DIR" "$port"
  ij_pg_create_db "$IJ_TEST_PG_DIR" "$db"
  ij_pg_service_role "$IJ_TEST_PG_DIR"
  DATABASE_OWNER_URL="$(ij_pg_url "$IJ_TEST_PG_DIR" "$db")"
  DATABASE_URL="$(ij_pg_url "$IJ_TEST_PG_DIR" "$db" "$IJ_PG_SERVICE_USER")"
  # pg_ctl for this cluster as its server's user, for the fault tests that stop and start it:
  # "$IJ_TEST_PGCTL" stop -m fast, "$IJ_TEST_PGCTL" start -w, "$IJ_TEST_PGCTL" status.
  IJ_TEST_PGCTL="$IJ_TEST_PG_DIR/pgctl"
  ij_pg_write_pgctl "$IJ_TEST_PG_DIR" "$IJ_TEST_PGCTL"
  export DATABASE_URL DATABASE_OWNER_URL IJ_TEST_PGCTL
}

ij_test_pg_destroy() {
  local dir="$IJ_TEST_PG_DIR"
  [[ -n $dir && -d $dir && $(basename "$dir") == ij-test-pg.* ]] || return 0
  IJ_TEST_PG_DIR=""
  ij_pg_stop "$dir"
  rm -rf "$dir"
  ij_say "removed the throwaway PostgreSQL"
}

# ---- PgBouncer (transaction pooling) ---------------------------------------------------------------

IJ_PGBOUNCER_PORT="" # set by ij_pgbouncer_start

# ij_sbin_program NAME: prints the path of a program that Debian puts in /usr/sbin (which an
# ordinary user's PATH may lack), or dies saying which package to install.
ij_sbin_program() {
  if command -v "$1" 2>/dev/null; then
    return 0
  elif [[ -x /usr/sbin/$1 ]]; then
    echo "/usr/sbin/$1"
  else
    ij_die "$1 is missing: apt-get install $1"
  fi
}

# ij_pgbouncer_start DIR PG_HOST PG_PORT USER [POOL_SIZE]: runs PgBouncer (Debian 12: 1.18) as a
# daemon in transaction pooling mode in front of the PostgreSQL server at PG_HOST (a socket
# directory or a host name) and PG_PORT, every database by its own name, listening on 127.0.0.1 at
# a free port, which it puts in IJ_PGBOUNCER_PORT (and DIR/port). USER is the login role clients
# use, trusted without a password (a test proxy: anyone on the machine may connect as USER), and
# each database/user pair gets at most POOL_SIZE (default 4) server connections, fewer than the
# service's pool, so that consecutive transactions of one client land on different server
# connections. DIR (existing, empty) receives pgbouncer.ini, userlist.txt, the pid file and
# pgbouncer.log; it is given to the server's user, since PgBouncer, like PostgreSQL, refuses to run
# as root. Stop it with ij_pgbouncer_stop DIR.
ij_pgbouncer_start() {
  local dir="$1" host="$2" pgport="$3" user="$4" pool="${5:-4}" bin port i
  bin="$(ij_sbin_program pgbouncer)" || return 1
  ij_pg_ensure_os_user
  port="$(ij_free_port)"
  printf '"%s" ""\n' "$user" >"$dir/userlist.txt"
  cat >"$dir/pgbouncer.ini" <<INI
; Written by scripts/lib.sh (ij_pgbouncer_start)
[databases]
* = host=$host port=$pgport

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
; transaction pooling never resets a server connection between clients: nothing may rely on it
server_reset_query =
default_pool_size = $pool
max_client_conn = 500
query_wait_timeout = 60
; libpq sends none of these unless asked; JDBC-style clients send extra_float_digits
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
  ij_pg_own "$dir"
  if ! ij_pg_as "$bin" -d -q "$dir/pgbouncer.ini"; then
    tail -n 30 "$dir/pgbouncer.log" >&2 || true
    ij_die "PgBouncer did not start (log above: $dir/pgbouncer.log)"
  fi
  for ((i = 0; i < 100; i++)); do
    if (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port" >"$dir/port"
      # shellcheck disable=SC2034 # read by the caller
      IJ_PGBOUNCER_PORT="$port"
      return 0
    fi
    sleep 0.1
  done
  tail -n 30 "$dir/pgbouncer.log" >&2 || true
  ij_pgbouncer_stop "$dir"
  ij_die "PgBouncer does not listen on 127.0.0.1:$port (log above: $dir/pgbouncer.log)"
}

# ij_pgbouncer_stop DIR: stops the PgBouncer that ij_pgbouncer_start ran in DIR, if it runs (at
# once: clients are cut off), and waits for it to exit.
ij_pgbouncer_stop() {
  local dir="$1" pid i
  [[ -f $dir/pgbouncer.pid ]] || return 0
  pid="$(<"$dir/pgbouncer.pid")"
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    [[ -d /proc/$pid ]] || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# ---- streaming replication and HAProxy (scripts/ha) ------------------------------------------------

IJ_PG_REPLICATION_USER="ij_replicator" # the role a hot standby streams as (trusted on the socket)
# Settings of a primary that a hot standby streams from: ij_pg_init DIR "${IJ_PG_PRIMARY_SETTINGS[@]}".
# hot_standby_feedback keeps the primary's vacuum from removing rows a standby's query still reads;
# a standby (which copies these settings) gives up a silent connection to its primary after
# wal_receiver_timeout, well within IJ_READ_MAX_LAG_SECONDS: until then it would report no lag.
# shellcheck disable=SC2034
IJ_PG_PRIMARY_SETTINGS=("wal_level = replica" "max_wal_senders = 10" "max_replication_slots = 10"
  "hot_standby = on" "hot_standby_feedback = on" "wal_receiver_timeout = 10s")

# ij_pg_replication_role DIR: makes the replication role on the running cluster in DIR unless it
# exists. The clusters of these scripts trust every connection on their socket, replication too.
ij_pg_replication_role() {
  local admin
  admin="$(ij_pg_url "$1" postgres)"
  "$IJ_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$admin" <<SQL
SET client_min_messages = warning;
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$IJ_PG_REPLICATION_USER') THEN
    CREATE ROLE $IJ_PG_REPLICATION_USER LOGIN REPLICATION;
  END IF;
END
\$\$;
SQL
}

# ij_pg_standby PRIMARY_DIR DIR PORT SLOT: makes a hot standby of the running cluster in
# PRIMARY_DIR (made with IJ_PG_PRIMARY_SETTINGS and ij_pg_replication_role) in DIR, laid out as
# ij_pg_init lays out a cluster: pg_basebackup -R (standby.signal and primary_conninfo over the
# primary's socket) streaming from the replication slot SLOT, which it creates on the primary.
# Starts it on PORT and waits until its WAL receiver streams. DIR must exist and be empty.
ij_pg_standby() {
  local primary="$1" dir="$2" port="$3" slot="$4" lines=() i status=""
  mapfile -t lines <"$primary/data/postmaster.pid"
  ((${#lines[@]} >= 5)) || ij_die "unexpected pid file $primary/data/postmaster.pid"
  mkdir -p "$dir/socket" "$dir/log"
  ij_pg_own "$dir"
  if ! ij_pg_as "$IJ_PG_BIN/pg_basebackup" --pgdata="$dir/data" --write-recovery-conf \
    --wal-method=stream --checkpoint=fast --create-slot --slot="$slot" \
    --dbname="host=${lines[4]} port=${lines[3]} user=$IJ_PG_REPLICATION_USER" \
    >"$dir/log/basebackup.log" 2>&1; then
    cat "$dir/log/basebackup.log" >&2
    ij_die "pg_basebackup failed (log above)"
  fi
  ij_pg_start "$dir" "$port"
  for ((i = 0; i < 300; i++)); do
    status="$("$IJ_PG_BIN/psql" -X -q -t -A -d "$(ij_pg_url "$dir" postgres)" \
      -c "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null || true)"
    [[ $status == streaming ]] && return 0
    sleep 0.1
  done
  tail -n 30 "$dir/log/postgresql.log" >&2 || true
  ij_die "the standby in $dir does not stream from its primary (log above)"
}

# ij_pg_write_pgctl DIR FILE: writes FILE, an executable that runs pg_ctl for the cluster in DIR as
# the server's user (arguments go to pg_ctl: FILE stop -m fast, FILE start -w, FILE status).
ij_pg_write_pgctl() {
  local dir="$1" file="$2"
  {
    echo '#!/usr/bin/env bash'
    echo '# pg_ctl for a cluster made by scripts/lib.sh; arguments go to pg_ctl.'
    echo 'cd /'
    if ij_is_root; then
      printf 'exec runuser -u %q -- ' "$IJ_PG_OS_USER"
    else
      printf 'exec '
    fi
    printf '%q --pgdata=%q --log=%q "$@"\n' "$IJ_PG_BIN/pg_ctl" "$dir/data" \
      "$dir/log/postgresql.log"
  } >"$file"
  chmod 755 "$file"
}

# ij_http_ok PORT PATH: true when GET PATH on 127.0.0.1:PORT answers 200 within two seconds
# (bash's /dev/tcp: no HTTP client needed).
ij_http_ok() {
  local status=""
  # shellcheck disable=SC2016 # $1 and $2 are the inner shell's arguments
  status="$(timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" "$2" >&3
    IFS=" " read -r _ code _ <&3 && printf %s "$code"' _ "$1" "$2" 2>/dev/null)" || return 1
  [[ $status == 200 ]]
}
