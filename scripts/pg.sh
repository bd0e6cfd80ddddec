#!/usr/bin/env bash
# SPDX-License-Identifier: AGPL-3.0-or-later
#
# A throwaway PostgreSQL cluster for tests and benchmarks.
#
#   scripts/pg.sh start    initdb if needed, start on 127.0.0.1 and a free port, create the
#                          databases kohtaamo_test and kohtaamo_bench; the last line on stdout
#                          is the SQLAlchemy URL. Already running: just prints the URL.
#   scripts/pg.sh url      prints the URL of the running cluster (exit 1 if not running)
#   scripts/pg.sh status   exit 0 if running, 3 if not
#   scripts/pg.sh stop     stops it (fast mode); not running is not an error
#   scripts/pg.sh destroy  stops it and deletes its files
#   scripts/pg.sh bindir   prints the PostgreSQL bin directory it would use (exit 1 if none)
#
# The cluster lives in .pg/ at the repository root (gitignored). Superuser `kohtaamo`,
# trust authentication on loopback and on the Unix socket (which is inside .pg/, not
# /var/run/postgresql). Durability settings are PostgreSQL's defaults (fsync,
# synchronous_commit and full_page_writes all on), so crash tests mean something.
#
# initdb refuses to run as root, so as root the server runs as the `postgres` system user
# (runuser) and .pg/ belongs to it. If that user cannot reach the repository (a clone in a
# private directory, say) or the socket path would be too long, the cluster lives in
# /tmp/kohtaamo-pg-<hash of the repository path> instead and .pg/location points there.
#
# Environment: KOHTAAMO_PG_BINDIR (a PostgreSQL bin directory), KOHTAAMO_PG_PORT (preferred
# port, default 55432).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
PGLINK="$REPO/.pg"
DB_USER=kohtaamo
DATABASES=(kohtaamo_test kohtaamo_bench)
PREFERRED_PORT="${KOHTAAMO_PG_PORT:-55432}"

log() { printf 'pg.sh: %s\n' "$*" >&2; }
die() { printf 'pg.sh: error: %s\n' "$*" >&2; exit 1; }

usage() {
    sed -n '4,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# --- PostgreSQL binaries ---------------------------------------------------------------

find_bindir() {
    if [[ -n "${KOHTAAMO_PG_BINDIR:-}" ]]; then
        [[ -x "$KOHTAAMO_PG_BINDIR/initdb" ]] || die "KOHTAAMO_PG_BINDIR=$KOHTAAMO_PG_BINDIR has no initdb"
        printf '%s\n' "$KOHTAAMO_PG_BINDIR"
        return
    fi
    local best="" best_ver=0 dir ver
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]] || continue
        ver="$(basename "$(dirname "$dir")")"
        ver="${ver%%.*}"
        [[ "$ver" =~ ^[0-9]+$ ]] || continue
        if ((ver > best_ver)); then best="$dir"; best_ver="$ver"; fi
    done
    if [[ -z "$best" ]] && command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        best="$(dirname "$(command -v pg_ctl)")"
    fi
    [[ -n "$best" ]] || return 1
    printf '%s\n' "$best"
}

# --- running things as the cluster's owner ------------------------------------------------

IS_ROOT=0
[[ "$(id -u)" == 0 ]] && IS_ROOT=1
PG_OS_USER="$(id -un)"
if ((IS_ROOT)); then PG_OS_USER=postgres; fi

as_owner() {
    # Run from / so the postgres user never trips over an unreadable working directory, and
    # close the start lock (fd 8) so the server does not inherit and hold it forever.
    if ((IS_ROOT)); then
        (cd / && exec 8>&- && runuser -u postgres -- "$@")
    else
        (cd / && exec 8>&- && "$@")
    fi
}

owner_can_use_dir() { # $1: directory the owner must be able to create things in
    if ((IS_ROOT)); then
        (cd / && runuser -u postgres -- test -x "$1" -a -w "$1") 2>/dev/null
    else
        test -x "$1" -a -w "$1"
    fi
}

owner_can_reach() { # $1: an existing directory the owner must be able to traverse
    if ((IS_ROOT)); then
        (cd / && runuser -u postgres -- test -x "$1") 2>/dev/null
    else
        test -x "$1"
    fi
}

# --- where the cluster lives ------------------------------------------------------------

# BASE holds data/ (the cluster), sock/ (Unix socket), port, server.log.
resolve_base() {
    if [[ -f "$PGLINK/location" ]]; then
        BASE="$(cat "$PGLINK/location")"
    else
        BASE="$PGLINK"
    fi
}

tmp_base() {
    local hash
    hash="$(printf '%s' "$REPO" | sha256sum | cut -c1-12)"
    printf '/tmp/kohtaamo-pg-%s\n' "$hash"
}

# Decide where a new cluster goes and create that directory, owned by the cluster owner.
prepare_base() {
    resolve_base
    if [[ -d "$BASE/data" ]]; then
        return
    fi
    local in_repo_ok=1
    # The socket path (…/sock/.s.PGSQL.NNNNN) must fit in sun_path (107 bytes).
    if ((${#PGLINK} + 22 > 107)); then
        in_repo_ok=0
        log "repository path too long for a Unix socket inside .pg/; using /tmp"
    elif ! owner_can_reach "$REPO"; then
        in_repo_ok=0
        log "user '$PG_OS_USER' cannot traverse $REPO; using a directory under /tmp"
    fi
    if ((in_repo_ok)); then
        mkdir -p "$PGLINK"
        rm -f "$PGLINK/location"
        if ((IS_ROOT)); then chown postgres:postgres "$PGLINK"; fi
        chmod 700 "$PGLINK"
        BASE="$PGLINK"
        if owner_can_use_dir "$BASE"; then
            return
        fi
        log "user '$PG_OS_USER' cannot write $BASE; using a directory under /tmp"
    fi
    BASE="$(tmp_base)"
    if [[ -e "$BASE" ]]; then
        local owner
        owner="$(stat -c %U "$BASE")"
        [[ "$owner" == "$PG_OS_USER" && ! -L "$BASE" ]] \
            || die "$BASE exists but is not a directory owned by $PG_OS_USER; remove it"
    else
        mkdir -m 700 "$BASE"
        if ((IS_ROOT)); then chown postgres:postgres "$BASE"; fi
    fi
    owner_can_use_dir "$BASE" || die "user '$PG_OS_USER' cannot write $BASE"
    mkdir -p "$PGLINK"
    # .pg/ only holds the pointer here; keep it ours.
    if ((IS_ROOT)); then chown root:root "$PGLINK"; fi
    chmod 755 "$PGLINK"
    printf '%s\n' "$BASE" >"$PGLINK/location"
}

# --- helpers --------------------------------------------------------------------------------

port_is_free() { # $1: port
    local py
    for py in python3.11 python3 python; do
        if command -v "$py" >/dev/null 2>&1; then
            "$py" - "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# As PostgreSQL does, so connections in TIME_WAIT do not make the port look taken.
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
            return
        fi
    done
    # No python: something answering on the port means it is taken.
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
    local p
    if port_is_free "$PREFERRED_PORT"; then
        printf '%s\n' "$PREFERRED_PORT"
        return
    fi
    for ((i = 0; i < 200; i++)); do
        p=$((20000 + RANDOM % 40000))
        if port_is_free "$p"; then
            printf '%s\n' "$p"
            return
        fi
    done
    die "found no free TCP port on 127.0.0.1"
}

is_running() {
    [[ -f "$BASE/data/PG_VERSION" ]] || return 1
    as_owner "$BINDIR/pg_ctl" status -D "$BASE/data" >/dev/null 2>&1
}

current_port() {
    [[ -f "$BASE/port" ]] || die "no port recorded in $BASE/port"
    cat "$BASE/port"
}

print_url() {
    printf 'postgresql+psycopg://%s@127.0.0.1:%s/%s\n' "$DB_USER" "$(current_port)" "${DATABASES[0]}"
}

psql_admin() { # SQL via TCP as the superuser, into database `postgres`
    "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(current_port)" -U "$DB_USER" \
        -d postgres "$@"
}

init_cluster() {
    local locale=C
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then locale=C.UTF-8; fi
    log "initdb in $BASE/data (PostgreSQL $(basename "$(dirname "$BINDIR")"), locale $locale)"
    as_owner mkdir -p "$BASE/sock"
    as_owner chmod 700 "$BASE/sock"
    as_owner "$BINDIR/initdb" -D "$BASE/data" -U "$DB_USER" --encoding=UTF8 --locale="$locale" \
        --auth=trust >"$BASE/initdb.log" 2>&1 || {
        cat "$BASE/initdb.log" >&2
        die "initdb failed"
    }
    # Loopback only, trust only for the kohtaamo role over TCP; the socket dir is private.
    as_owner tee "$BASE/data/pg_hba.conf" >/dev/null <<EOF
# Throwaway test cluster (scripts/pg.sh).
# TYPE  DATABASE  USER      ADDRESS        METHOD
local   all       all                      trust
host    all       $DB_USER  127.0.0.1/32   trust
host    all       $DB_USER  ::1/128        trust
EOF
    # Durability settings stay at their defaults (fsync, synchronous_commit, full_page_writes on).
    as_owner tee -a "$BASE/data/postgresql.conf" >/dev/null <<EOF

# --- scripts/pg.sh ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$BASE/sock'
unix_socket_permissions = 0700
timezone = 'UTC'
log_timezone = 'UTC'
EOF
}

# --- commands ---------------------------------------------------------------------------------

cmd_start() {
    # One start at a time (two `./dev test` runs racing to initdb).
    local lockfile
    lockfile="$(tmp_base).lock"
    exec 8>"$lockfile"
    flock -w 120 8 || die "timed out waiting for another pg.sh start ($lockfile)"

    prepare_base
    if [[ -f "$BASE/data/PG_VERSION" ]]; then
        local have want
        have="$(cat "$BASE/data/PG_VERSION")"
        want="$("$BINDIR/postgres" --version | awk '{print $3}' | cut -d. -f1)"
        if [[ "$have" != "$want" ]] && ! is_running; then
            log "cluster is PostgreSQL $have but binaries are $want; recreating it (throwaway)"
            as_owner rm -rf "$BASE/data"
        fi
    fi
    if [[ ! -f "$BASE/data/PG_VERSION" ]]; then
        as_owner rm -rf "$BASE/data"
        init_cluster
    fi

    if ! is_running; then
        local port attempt ok=0
        for attempt in 1 2 3; do
            port=""
            if [[ -f "$BASE/port" ]] && port_is_free "$(cat "$BASE/port")"; then
                port="$(cat "$BASE/port")"
            else
                port="$(pick_port)"
            fi
            printf '%s\n' "$port" >"$BASE/port"
            log "starting PostgreSQL on 127.0.0.1:$port"
            if as_owner "$BINDIR/pg_ctl" start -D "$BASE/data" -w -t 60 -l "$BASE/server.log" \
                -o "-p $port -c max_connections=200" >/dev/null; then
                ok=1
                break
            fi
            log "start attempt $attempt failed; last lines of $BASE/server.log:"
            tail -n 15 "$BASE/server.log" >&2 || true
            rm -f "$BASE/port"
        done
        ((ok)) || die "could not start PostgreSQL (see $BASE/server.log)"
    fi

    local db
    for db in "${DATABASES[@]}"; do
        if [[ -z "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]]; then
            psql_admin -c "CREATE DATABASE \"$db\" OWNER \"$DB_USER\"" >/dev/null
            log "created database $db"
        fi
    done
    print_url
}

cmd_url() {
    resolve_base
    is_running || die "PostgreSQL is not running (scripts/pg.sh start)"
    print_url
}

cmd_status() {
    resolve_base
    if is_running; then
        log "running: $(print_url) (data in $BASE/data)"
        return 0
    fi
    log "not running"
    return 3
}

cmd_stop() {
    resolve_base
    if is_running; then
        as_owner "$BINDIR/pg_ctl" stop -D "$BASE/data" -m fast -w -t 60 >/dev/null
        log "stopped"
    else
        log "not running"
    fi
}

cmd_destroy() {
    cmd_stop
    resolve_base
    if [[ "$BASE" != "$PGLINK" && -d "$BASE" ]]; then rm -rf "$BASE"; fi
    rm -rf "$PGLINK"
    rm -f "$(tmp_base).lock"
    log "removed"
}

case "${1:-}" in
    bindir)
        find_bindir || die "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin (apt-get install postgresql)"
        ;;
    start | url | status | stop | destroy)
        if ! BINDIR="$(find_bindir)"; then
            die "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin (apt-get install postgresql)"
        fi
        if ((IS_ROOT)) && ! id postgres >/dev/null 2>&1; then
            die "running as root needs a 'postgres' system user to own the cluster (apt-get install postgresql creates it)"
        fi
        "cmd_$1"
        ;;
    -h | --help | help)
        usage
        ;;
    *)
        usage >&2
        exit 2
        ;;
esac
