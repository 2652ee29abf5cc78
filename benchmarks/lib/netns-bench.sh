# Shared by the benchmarks that run everything in one network namespace (proxy-vs-haproxy.sh, udp-vs-nginx.sh).
# The caller sets NS, WORK, OUT and the array PIDS (every background process it starts), then sources this file.

# Background launches use `ip netns exec` directly (it execs), so $! is the process itself, not a subshell.
nsx() { ip netns exec "$NS" "$@"; }

# Stops every process in PIDS and deletes the namespace; the caller's cleanup adds its own steps around it.
bench_stop() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  ip netns del "$NS" 2>/dev/null || true
}

# Exits with a message unless every named tool is on PATH and we are root (namespaces need it).
bench_require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
  done
  [ "$(id -u)" = 0 ] || { echo "needs root (network namespace)" >&2; exit 1; }
}

# Publishes the daemon into OUT unless SKIP_PUBLISH=1 and it is there already.
bench_publish() {
  if [ "${SKIP_PUBLISH:-0}" != 1 ] || [ ! -x "$OUT/cloudcore-lb" ]; then
    dotnet publish src/Host -c Release -o "$OUT" -nologo -clp:ErrorsOnly >&2
  fi
}

# Starts cloudcore-lb in the namespace on $WORK/cloudcore-lb.yaml (log $WORK/cloudcore-lb.log) with CCLB_ENV; sets
# CCLB_PID. The caller waits for its listener.
bench_start_cclb() {
  # shellcheck disable=SC2086 # CCLB_ENV is a list of NAME=VALUE words
  ip netns exec "$NS" env $CCLB_ENV "$OUT/cloudcore-lb" run --config "$WORK/cloudcore-lb.yaml" --node bench --socket "$WORK/control.sock" \
    > "$WORK/cloudcore-lb.log" 2>&1 &
  CCLB_PID=$!
  PIDS+=("$CCLB_PID")
}

# Stops one process the script started and reaps it.
stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
