#!/usr/bin/env bash
# How long a new user waits: a fresh clone of this checkout's branch, `make run` on spare ports
# with empty uv and pip caches, and the seconds until the first page answers; then it stops the
# servers and prints what `make run` printed. Issue 19 asks for 45 s at most.
#   bench/first_run.sh [checkout]   (PORT, SHEETS_PORT; KEEP_CACHES=1 keeps the caches)
set -u
SRC=$(cd "${1:-$(dirname "$0")/..}" && pwd)
PORT=${PORT:-8492}
SHEETS_PORT=${SHEETS_PORT:-8767}
DIR=$(mktemp -d /tmp/milepost-first-run.XXXX)
if [ -z "${KEEP_CACHES:-}" ]; then
  export UV_CACHE_DIR="$DIR/uv-cache" PIP_NO_CACHE_DIR=1
fi
git clone -q --branch "$(git -C "$SRC" rev-parse --abbrev-ref HEAD)" "$SRC" "$DIR/milepost"
cd "$DIR/milepost"
start=$(date +%s.%N)
setsid make run PORT="$PORT" SHEETS_PORT="$SHEETS_PORT" >"$DIR/run.log" 2>&1 &
pid=$!
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/accounts/login/"; do
  sleep 0.2
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "make run stopped before serving:"
    cat "$DIR/run.log"
    exit 1
  fi
done
end=$(date +%s.%N)
until grep -q "engineer" "$DIR/run.log"; do sleep 0.2; done
kill -TERM -- -"$pid" 2>/dev/null
wait "$pid" 2>/dev/null
echo "first page after $(python3 -c "print(f'{$end - $start:.1f}')") s (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
echo "--- what make run printed ($DIR/run.log):"
cat "$DIR/run.log"
rm -rf "$DIR/milepost/.venv" "$DIR/uv-cache"
