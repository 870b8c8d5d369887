#!/usr/bin/env bash
# What download analytics cost on the hot path: 1 KiB anonymous downloads (wrk) against one
# Bindery with analytics on and one with --no-download-analytics, alternating rounds, same run.
# Target: on/off >= 0.95. Only talks to 127.0.0.1. Usage: [ROUNDS=15] [DURATION=3s] [WARMUP=240s]
# [BENCH_PIN=1] bench/analytics-cost.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/java}
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
jar=${BINDERY_BUILD_DIR:-$root/target}/bindery.jar
# Many short rounds rather than a few long ones: this VM's speed swings by up to eight times within
# a minute, so the two halves of a round are only alike when they are close together, and the median
# of many rounds is what an outlier moves least.
DURATION=${DURATION:-3s}
WARMUP=${WARMUP:-240s}
ROUNDS=${ROUNDS:-15}
CONNS=${CONNS:-32}
# BENCH_PIN=1 (as in download-upload.sh) puts the servers on CPU 0 and wrk on CPU 1, as if the
# load came from elsewhere: unpinned, wrk takes about a third of this 2-core machine, and how the
# scheduler shares the cores between wrk and the server adds to the noise.
if [ "${BENCH_PIN:-0}" = 1 ]; then
  command -v taskset >/dev/null || { echo "BENCH_PIN=1 needs taskset (util-linux)" >&2; exit 2; }
  server_pin="taskset -c 0"; wrk_pin="taskset -c 1"
else
  server_pin=""; wrk_pin=""
fi
[ -f "$jar" ] || { echo "build first: ./mvnw -q -DskipTests package" >&2; exit 2; }
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/bindery-cost.XXXXXX)
touch "$tmp/pids"
# start() runs in a command substitution (a subshell), so server pids go to a file, not a variable.
stop() { # the servers are not this shell's children (start runs in a subshell): wait for them by pid
  xargs -r kill < "$tmp/pids" 2>/dev/null || true
  for _ in $(seq 1 100); do xargs -r ps -p < "$tmp/pids" >/dev/null 2>&1 || break; sleep 0.1; done
  rm -rf "$tmp"
}
trap stop EXIT
key=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
head -c 1024 /dev/urandom > "$tmp/small.bin"

start() { # name, extra args -> prints port
  local name=$1; shift
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  BINDERY_ADMIN_API_KEY=$key $server_pin "$JAVA" -Xmx1g ${BINDERY_JAVA_OPTS:-} -jar "$jar" serve --port "$port" --data "$tmp/$name" "$@" \
    > "$tmp/$name.log" 2>&1 &
  echo $! >> "$tmp/pids"
  echo $! > "$tmp/$name.pid"
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.5; done
  local api=http://127.0.0.1:$port/api/v1
  local user_key
  user_key=$(curl -sf -u admin:"$key" -X POST "$api/admin/users" -d '{"name": "bench"}' \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"])')
  curl -sf -u "bench:$user_key" -X POST "$api/repos/bench/pub" -d '{"type": "generic"}' >/dev/null
  curl -sf -u "bench:$user_key" -X POST "$api/packages/bench/pub" \
    -d '{"name": "files", "licenses": ["MIT"], "vcs_url": "https://example.com/x.git"}' >/dev/null
  curl -sf -u "bench:$user_key" -T "$tmp/small.bin" "$api/content/bench/pub/files/1.0/small.bin?publish=1" >/dev/null
  echo "$port"
}

on=$(start on)
off=$(start off --no-download-analytics)
url() { echo "http://127.0.0.1:$1/dl/bench/pub/small.bin"; }
# The server's CPU time in clock ticks (user + system, all threads), from /proc.
ticks() { awk '{print $14 + $15}' "/proc/$(cat "$tmp/$1.pid")/stat"; }
# One measurement of server $1 (on or off): req/s, then the server's CPU µs per request, the second
# figure less exposed to the machine's drift, since wrk shares the two cores with the server.
measure() {
  local before after out requests
  before=$(ticks "$1")
  out=$($wrk_pin wrk -t2 -c"$CONNS" -d"$DURATION" "$(url "${!1}")")
  after=$(ticks "$1")
  requests=$(awk '/requests in/ {print $1}' <<< "$out")
  echo "$(awk '/Requests\/sec/ {print int($2)}' <<< "$out") $(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" \
    -v n="$requests" 'BEGIN {printf "%.1f", t * 1000000 / hz / n}')"
}
# Warm both JITs until compilation settles: after 5 s the rates still rose round after round, and
# after 20 s C2 still took 6-7% of the analytics-on server's CPU: the analytics server has more code
# to compile, so short warm-ups measured its warm-up, not its cost. After 60 s it still ran about 50
# C2 compilations per 10 s (mostly H2's code, which the followers run about once a second, so it
# gets hot slowly) against 12 for the server with analytics off, and C2 took about 7% of its CPU
# against 4.6%; after 240 s, 15 per 10 s and under 4%. A server runs for weeks: its cost is the
# steady state.
$wrk_pin wrk -t2 -c"$CONNS" -d"$WARMUP" "$(url "$on")" >/dev/null
$wrk_pin wrk -t2 -c"$CONNS" -d"$WARMUP" "$(url "$off")" >/dev/null
# Then a few short runs each: the first time a run's connections close and the next run's open,
# C2 throws away the request path it compiled without ever having seen that (Jetty's read and parse
# methods, "made not entrant: uncommon trap" in -XX:+PrintCompilation) and compiles it again. That
# cost the first measured round of each server 2-3 µs per request in C2 alone, and happens once.
for _ in 1 2 3; do
  $wrk_pin wrk -t2 -c"$CONNS" -d5s "$(url "$on")" >/dev/null
  $wrk_pin wrk -t2 -c"$CONNS" -d5s "$(url "$off")" >/dev/null
done
on_runs=(); off_runs=(); on_cpu=(); off_cpu=()
for round in $(seq 1 "$ROUNDS"); do
  # Which goes first alternates, so a drift in the machine's speed favours neither.
  for name in $( (( round % 2 )) && echo on off || echo off on ); do
    read -r rate cpu <<< "$(measure "$name")"
    if [ "$name" = on ]; then on_runs+=("$rate"); on_cpu+=("$cpu"); else off_runs+=("$rate"); off_cpu+=("$cpu"); fi
  done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m_on=$(median "${on_runs[@]}"); m_off=$(median "${off_runs[@]}")
echo "1 KiB anonymous downloads, req/s: analytics on [${on_runs[*]}] median $m_on; off [${off_runs[*]}] median $m_off"
# Also each round's ratio: the rate of this machine drifts by as much as a third within a run, and a
# round's two halves, back to back, share most of that drift; the ratio of the medians does not.
echo "server CPU per request, µs: analytics on [${on_cpu[*]}] median $(median "${on_cpu[@]}"); off [${off_cpu[*]}] median $(median "${off_cpu[@]}")"
python3 - "${on_runs[*]}" "${off_runs[*]}" "${on_cpu[*]}" "${off_cpu[*]}" <<'PY'
import statistics, sys
on, off = ([int(x) for x in arg.split()] for arg in sys.argv[1:3])
on_cpu, off_cpu = ([float(x) for x in arg.split()] for arg in sys.argv[3:5])
pairs = [a / b for a, b in zip(on, off)]
medians = statistics.median(on) / statistics.median(off)
paired = statistics.median(pairs)
print("per-round on/off: " + " ".join(f"{r:.3f}" for r in pairs))
# The rate one core would serve at each server's CPU per request, for comparison: not the target.
print(f"CPU per request off/on: {statistics.median(off_cpu) / statistics.median(on_cpu):.3f} of the medians, "
      f"{statistics.median(b / a for a, b in zip(on_cpu, off_cpu)):.3f} median of the rounds")
print(f"ratio on/off: {medians:.3f} of the medians, {paired:.3f} median of the rounds (target >= 0.95): "
      + ("ok" if min(medians, paired) >= 0.95 else "MISSED"))
PY
