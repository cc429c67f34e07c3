#!/usr/bin/env bash
# Real InfluxDB 2.7 for citystream, without Docker.
#
#   influx.sh build    build influxd from its Go module (cached outside the repo)
#   influx.sh up       build if needed, start on 127.0.0.1:8086, one-time setup
#   influx.sh down     SIGTERM, wait, SIGKILL after a timeout (data is kept)
#   influx.sh status   one line: running/stopped, address, pid
#   influx.sh env      export lines for clients
#
# See infra/influxdb/BUILD-NOTES.md for how the build works and why.
set -euo pipefail

# ---------------------------------------------------------------- settings
INFLUXDB_VERSION="${INFLUXDB_VERSION:-v2.7.12}"   # newest 2.7 patch on the Go module proxy
INFLUXDB_MODULE="github.com/influxdata/influxdb/v2"

HOST=127.0.0.1
PORT="${INFLUX_PORT:-8086}"
ADDR="$HOST:$PORT"
URL="http://$ADDR"
ORG=citystream
BUCKET=citystream
USERNAME=citystream
PASSWORD=citystream-pass
TOKEN=citystream-dev-token

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
DATA_DIR="${INFLUX_DATA_DIR:-$REPO_ROOT/.services/influxdb}"
PID_FILE="$DATA_DIR/influxd.pid"
LOG_FILE="$DATA_DIR/influxd.log"
SETUP_MARK="$DATA_DIR/setup.done"

CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/citystream/influxdb"
CACHE_DIR="$CACHE_ROOT/$INFLUXDB_VERSION"
BIN="$CACHE_DIR/influxd"

START_TIMEOUT="${INFLUX_START_TIMEOUT:-90}"   # seconds to wait for /health
STOP_TIMEOUT="${INFLUX_STOP_TIMEOUT:-30}"     # seconds between SIGTERM and SIGKILL

log() { echo "influx.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------------------- build
binary_ok() {
  [[ -x "$BIN" ]] && "$BIN" version >/dev/null 2>&1
}

build() {
  if binary_ok; then
    log "cached: $BIN ($("$BIN" version 2>/dev/null))"
    return 0
  fi
  mkdir -p "$CACHE_DIR"
  # One build at a time (scripts/services may call several things at once).
  exec 8>"$CACHE_ROOT/build.lock"
  flock 8
  if binary_ok; then
    log "cached (built by a concurrent run): $BIN"
    exec 8>&-
    return 0
  fi

  local t0=$SECONDS
  local build_log="$CACHE_DIR/build.log"
  log "building influxd $INFLUXDB_VERSION (cold build: ~15-30 min on 2 cores); log: $build_log"
  : >"$build_log"

  command -v go >/dev/null || die "go not found"
  command -v cargo >/dev/null || die "cargo not found (rustup)"
  command -v cc >/dev/null || command -v gcc >/dev/null || die "a C compiler is needed (cgo)"
  # influxdata's pkg-config wrapper hands every non-flux lookup to the real
  # pkg-config, and refuses to run without one.
  if ! command -v pkg-config >/dev/null; then
    if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
      log "installing pkg-config (apt)"
      { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y pkg-config; } >>"$build_log" 2>&1 \
        || die "apt-get install pkg-config failed (see $build_log)"
    else
      die "pkg-config not found: install it (apt-get install pkg-config)"
    fi
  fi
  # Flux's rust-toolchain.toml pins Rust 1.72, which rustup would try to
  # download (static.rust-lang.org is unreachable here); use stable instead.
  export RUSTUP_TOOLCHAIN="${RUSTUP_TOOLCHAIN:-stable}"
  # flux-core builds with deny(warnings) under its "strict" feature; newer
  # rustc adds lints, so cap them to warnings.
  export RUSTFLAGS="${RUSTFLAGS:---cap-lints=warn}"
  # ...but with --target (the wrapper always passes one) cargo applies RUSTFLAGS
  # to target artifacts only, and flux-core is also a build-dependency (host
  # artifact) of flux. A workspace wrapper caps lints for flux-core/flux in
  # every role (registry crates already get --cap-lints=allow from cargo).
  # See BUILD-NOTES.md, failure 1.
  local tools="$CACHE_DIR/tools"
  mkdir -p "$tools"
  printf '%s\n' '#!/bin/sh' '# RUSTC_WORKSPACE_WRAPPER for libflux: $1 is rustc' 'exec "$@" --cap-lints=warn' \
    >"$tools/rustc-cap-lints"
  chmod +x "$tools/rustc-cap-lints"
  export RUSTC_WORKSPACE_WRAPPER="$tools/rustc-cap-lints"
  export CGO_ENABLED=1

  # 1. Fetch the influxdb module source (read-only, in the Go module cache).
  local modjson moddir
  modjson="$(cd "$CACHE_DIR" && go mod download -json "$INFLUXDB_MODULE@$INFLUXDB_VERSION")" \
    || die "go mod download $INFLUXDB_MODULE@$INFLUXDB_VERSION failed"
  moddir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$modjson" | head -1)"
  [[ -d "$moddir" ]] || die "module dir not found in: $modjson"
  local commit
  commit="$(sed -n 's/^[[:space:]]*"Hash": "\(.*\)",\{0,1\}$/\1/p' <<<"$modjson" | head -1 | cut -c1-10)"
  commit="${commit:-unknown}"
  log "source: $moddir (commit $commit)"

  # 2. influxdata's pkg-config wrapper, at the version influxdb's go.mod pins
  #    (the proxy's @latest still resolves to v0.2.7 from 2021).
  local pcver
  pcver="$(awk '$1=="github.com/influxdata/pkg-config"{print $2; exit}' "$moddir/go.mod")"
  pcver="${pcver:-latest}"
  log "installing github.com/influxdata/pkg-config@$pcver"
  GOBIN="$tools" go install "github.com/influxdata/pkg-config@$pcver" >>"$build_log" 2>&1 \
    || { tail -30 "$build_log" >&2; die "go install pkg-config failed"; }

  # 3. go build influxd from the module source. The wrapper (first on PATH and
  #    named by $PKG_CONFIG) builds libflux with cargo when cgo asks for "flux".
  #    Tags as in influxdb's GNUmakefile, minus "assets" (no UI).
  log "go build ./cmd/influxd (runs cargo build for libflux via pkg-config)"
  local tmp="$CACHE_DIR/influxd.tmp.$$"
  if ! (cd "$moddir" && \
        PATH="$tools:$PATH" PKG_CONFIG="$tools/pkg-config" \
        go build -tags sqlite_foreign_keys,sqlite_json \
          -ldflags "-X main.version=${INFLUXDB_VERSION#v} -X main.commit=$commit -X main.date=$(date -u +%FT%TZ)" \
          -o "$tmp" ./cmd/influxd) >>"$build_log" 2>&1; then
    rm -f "$tmp"
    tail -60 "$build_log" >&2
    die "go build influxd failed (full log: $build_log)"
  fi
  "$tmp" version >/dev/null 2>&1 || { rm -f "$tmp"; die "built binary does not run"; }
  mv -f "$tmp" "$BIN"
  exec 8>&-
  log "built $BIN in $((SECONDS - t0))s: $("$BIN" version)"
}

# ------------------------------------------------------------- run control
read_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  echo "$pid"
}

# Alive and really our influxd (not a recycled pid).
pid_alive() {
  local pid="$1"
  kill -0 "$pid" 2>/dev/null || return 1
  local exe
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null || true)"
  [[ -z "$exe" || "$exe" == *influxd* ]]
}

# Our influxd if the pid file was lost: a process running $BIN on our bolt path.
find_our_pid() {
  local f pid cmd
  for f in /proc/[0-9]*/cmdline; do
    pid="${f#/proc/}"; pid="${pid%/cmdline}"
    cmd="$(tr '\0' ' ' <"$f" 2>/dev/null)" || continue
    if [[ "$cmd" == "$BIN "* && "$cmd" == *"--bolt-path $DATA_DIR/influxd.bolt "* ]]; then
      echo "$pid"
      return 0
    fi
  done
  return 1
}

running_pid() {
  local pid
  if pid="$(read_pid)" && pid_alive "$pid"; then
    echo "$pid"
    return 0
  fi
  pid="$(find_our_pid)" || return 1
  echo "$pid" >"$PID_FILE" 2>/dev/null || true
  echo "$pid"
}

health_pass() {
  curl -fsS --max-time 2 "$URL/health" 2>/dev/null | grep -q '"status":[[:space:]]*"pass"'
}

port_in_use() {
  (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null
}

wait_health() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if health_pass; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "influxd exited during startup; last log lines:"
      tail -30 "$LOG_FILE" >&2 || true
      return 1
    fi
    sleep 0.2
  done
  log "influxd did not report healthy within ${START_TIMEOUT}s; last log lines:"
  tail -30 "$LOG_FILE" >&2 || true
  return 1
}

setup_once() {
  # Already set up? (GET /api/v2/setup says {"allowed": false} once done.)
  local allowed
  allowed="$(curl -fsS --max-time 5 "$URL/api/v2/setup")" || die "GET /api/v2/setup failed"
  if grep -q '"allowed":[[:space:]]*false' <<<"$allowed"; then
    [[ -f "$SETUP_MARK" ]] || date -u +%FT%TZ >"$SETUP_MARK"
    return 0
  fi
  log "initial setup: org=$ORG bucket=$BUCKET user=$USERNAME"
  local body code
  body="$(printf '{"username":"%s","password":"%s","org":"%s","bucket":"%s","token":"%s","retentionPeriodSeconds":0}' \
    "$USERNAME" "$PASSWORD" "$ORG" "$BUCKET" "$TOKEN")"
  code="$(curl -sS --max-time 15 -o "$DATA_DIR/setup.response.json" -w '%{http_code}' \
    -H 'Content-Type: application/json' -X POST --data "$body" "$URL/api/v2/setup")" \
    || die "POST /api/v2/setup failed"
  [[ "$code" == 201 ]] || die "POST /api/v2/setup returned HTTP $code: $(cat "$DATA_DIR/setup.response.json")"
  rm -f "$DATA_DIR/setup.response.json"
  date -u +%FT%TZ >"$SETUP_MARK"
}

up() {
  mkdir -p "$DATA_DIR"
  exec 9>"$DATA_DIR/.lock"
  flock 9

  local pid
  if pid="$(running_pid)" && health_pass; then
    setup_once
    log "already running (pid $pid) at $URL"
    return 0
  fi

  build

  if pid="$(running_pid)"; then
    # Process alive but not healthy yet (e.g. still opening its engine).
    log "influxd pid $pid is up but not healthy yet; waiting"
  else
    rm -f "$PID_FILE"
    if port_in_use; then
      die "$ADDR is already in use by another process (not ours: no live pid in $PID_FILE)"
    fi
    mkdir -p "$DATA_DIR/engine"
    {
      echo "=== $(date -u +%FT%TZ) influx.sh up: starting $BIN"
    } >>"$LOG_FILE"
    # In a subshell: cwd = data dir (influxd reads config.{toml,yaml,json}
    # from its cwd or $INFLUXD_CONFIG_PATH; don't let a stray one change our
    # setup), and close every inherited fd above 2 -- otherwise influxd keeps
    # our flock (fd 9) forever and holds callers' pipes open (e.g. `$(...)`).
    # setsid: own session, so it outlives the caller's shell/terminal.
    (
      cd "$DATA_DIR"
      for fd in /proc/$BASHPID/fd/*; do
        fd="${fd##*/}"
        if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
      done
      INFLUXD_CONFIG_PATH="$DATA_DIR" exec setsid "$BIN" \
        --http-bind-address "$ADDR" \
        --bolt-path "$DATA_DIR/influxd.bolt" \
        --sqlite-path "$DATA_DIR/influxd.sqlite" \
        --engine-path "$DATA_DIR/engine" \
        --reporting-disabled \
        --ui-disabled \
        --log-level info
    ) </dev/null >>"$LOG_FILE" 2>&1 &
    pid=$!
    echo "$pid" >"$PID_FILE"
    log "started influxd pid $pid (log: $LOG_FILE)"
  fi

  wait_health "$pid" || die "influxd failed to become healthy"
  setup_once
  log "ready at $URL (pid $pid)"
}

down() {
  mkdir -p "$DATA_DIR"
  exec 9>"$DATA_DIR/.lock"
  flock 9

  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "stopping influxd pid $pid (SIGTERM)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still alive after ${STOP_TIMEOUT}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  # Make sure the port is free before returning, so an immediate `up` works.
  local i
  for i in $(seq 1 50); do port_in_use || break; sleep 0.1; done
  rm -f "$PID_FILE"
  echo "=== $(date -u +%FT%TZ) influx.sh down: stopped pid $pid" >>"$LOG_FILE"
  log "stopped"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    if health_pass; then
      echo "running $URL pid $pid"
    else
      echo "running (not healthy) $URL pid $pid"
    fi
  else
    echo "stopped $URL pid -"
  fi
}

print_env() {
  echo "export INFLUX_URL=$URL"
  echo "export INFLUX_TOKEN=$TOKEN"
  echo "export INFLUX_ORG=$ORG"
  echo "export INFLUX_BUCKET=$BUCKET"
}

case "${1:-}" in
  build) build ;;
  up) up ;;
  down) down ;;
  status) status ;;
  env) print_env ;;
  *) echo "usage: $0 build|up|down|status|env" >&2; exit 2 ;;
esac
