#!/usr/bin/env bash
# Bindery vs nginx: downloads (wrk) and a 256 MiB upload (curl), one run, one table.
# See bench/README.md. Only ever talks to 127.0.0.1; every loop and run is bounded.
#
# Usage: bench/download-upload.sh [--nginx-only]
# Environment (all optional):
#   DURATION=5s   WARMUP=2s  ROUNDS=3 wrk measured run, warm-up run, alternating rounds per case
#   JIT_WARMUP=5s                     extra Bindery-only warm-up (1 KiB anon + Basic) before measuring; 0 = none
#   THREADS=2     CONNS=32            wrk threads / connections for the 1 KiB and 1 MiB cases
#   LARGE_CONNS=4 LARGE_TIMEOUT=60s   connections / per-request timeout for the 256 MiB case
#   UPLOAD_RUNS=3                     curl uploads per server (median and best reported)
#   HTPASSWD_ALGO=apr1|bcrypt         nginx auth_basic hash (default apr1, htpasswd's default)
#   BCRYPT_COST=5                     bcrypt cost when HTPASSWD_ALGO=bcrypt
#   NGINX_SENDFILE=on|off             nginx `sendfile` (and tcp_nopush); on = the specified baseline
#   BINDERY_JAR=target/bindery.jar    jar to run (relative to the repo root)
#   BINDERY_JAVA_OPTS="-Xmx1g"        JVM flags
#   BINDERY_EXTRA_ARGS=""             extra args after `serve --port P --data D`
#   BENCH_PIN=0                       1: servers on CPU 0, wrk/curl on CPU 1 (taskset)
#   BENCH_INSTALL=1                   0: never apt-get install missing tools
#   KEEP_TMP=0                        1: keep the temp dir (logs, configs) after the run
# Exit: 0 all targets met, 1 a target missed or a case had errors, 2 setup failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-2s}
ROUNDS=${ROUNDS:-3}
JIT_WARMUP=${JIT_WARMUP:-5s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-32}
LARGE_CONNS=${LARGE_CONNS:-4}
LARGE_TIMEOUT=${LARGE_TIMEOUT:-60s}
UPLOAD_RUNS=${UPLOAD_RUNS:-3}
HTPASSWD_ALGO=${HTPASSWD_ALGO:-apr1}
BCRYPT_COST=${BCRYPT_COST:-5}
NGINX_SENDFILE=${NGINX_SENDFILE:-on}
BINDERY_JAR=${BINDERY_JAR:-target/bindery.jar}
BINDERY_JAVA_OPTS=${BINDERY_JAVA_OPTS:--Xmx1g}
BINDERY_EXTRA_ARGS=${BINDERY_EXTRA_ARGS:-}
BENCH_PIN=${BENCH_PIN:-0}
BENCH_INSTALL=${BENCH_INSTALL:-1}
KEEP_TMP=${KEEP_TMP:-0}

nginx_only=0
for arg in "$@"; do
  case "$arg" in
    --nginx-only) nginx_only=1 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 2; }

# ---------------------------------------------------------------- tools
need_install=()
for t in nginx wrk htpasswd curl; do
  command -v "$t" >/dev/null 2>&1 || need_install+=("$t")
done
if ((${#need_install[@]})); then
  if [[ $(id -u) -eq 0 && $BENCH_INSTALL == 1 ]]; then
    log "installing nginx wrk apache2-utils curl (missing: ${need_install[*]})"
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx wrk apache2-utils curl >/dev/null \
      || die "apt-get install failed"
  else
    die "missing: ${need_install[*]}. Install with: sudo apt-get update && sudo apt-get install -y nginx wrk apache2-utils curl"
  fi
fi
nginx -V 2>&1 | grep -q -- --with-http_dav_module || die "this nginx lacks the DAV module (needed for PUT)"

if [[ $BENCH_PIN == 1 ]]; then
  command -v taskset >/dev/null || die "BENCH_PIN=1 needs taskset (util-linux)"
  SRV_PIN=(taskset -c 0); CLI_PIN=(taskset -c 1)
else
  SRV_PIN=(); CLI_PIN=()
fi

# ---------------------------------------------------------------- java / jar
JAVA=""
if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
  JAVA=$JAVA_HOME/bin/java
elif [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
elif command -v java >/dev/null; then
  JAVA=$(command -v java)
fi
jar=$BINDERY_JAR
[[ $jar == /* ]] || jar=$root/$jar
if [[ $nginx_only == 0 ]]; then
  if [[ ! -f $jar ]]; then
    log "no $jar (build: cd $root && ./mvnw -q -DskipTests package); running the nginx half only"
    nginx_only=1
  elif [[ -z $JAVA ]]; then
    log "no java found (set JAVA_HOME); running the nginx half only"
    nginx_only=1
  fi
fi

# ---------------------------------------------------------------- temp dir, cleanup
tmp=$(mktemp -d /tmp/bindery-bench.XXXXXX)
nginx_started=0
bindery_pid=""
cleanup() {
  local rc=$?
  if [[ $nginx_started == 1 && -s $tmp/nginx.pid ]]; then
    local npid; npid=$(cat "$tmp/nginx.pid")
    kill -QUIT "$npid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$npid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$npid" 2>/dev/null || true
  fi
  if [[ -n $bindery_pid ]]; then
    kill -TERM "$bindery_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$bindery_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$bindery_pid" 2>/dev/null || true
  fi
  if [[ $KEEP_TMP == 1 ]]; then
    log "kept $tmp"
  else
    rm -rf "$tmp"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

# ---------------------------------------------------------------- is the machine quiet?
# Other work on these 2 cores (a build, tests, another server) skews every number: say so up front.
cpu_busy_pct() { # share of CPU time not idle over 2 s, all cores
  local a b
  read -r -a a < <(grep '^cpu ' /proc/stat); sleep 2; read -r -a b < <(grep '^cpu ' /proc/stat)
  local ta=0 tb=0 i
  for i in 1 2 3 4 5 6 7 8; do ta=$((ta + a[i])); tb=$((tb + b[i])); done
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=$((tb - ta))
  ((total > 0)) && echo $(( 100 - 100 * idle / total )) || echo 0
}
# CPU accounting, to tell afterwards how much CPU other processes took during the run:
# (user+nice+system of all CPUs) - (this script and its waited-for children: wrk, curl, ...)
# - (Bindery's JVM) - (nginx master and workers) - (kernel threads, busy with our loopback traffic).
proc_snapshot() { # -> lines "pid ppid ticks comm"; ticks = utime+stime+cutime+cstime
  local f line rest comm
  for f in /proc/[0-9]*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    rest=${line##*) }; comm=${line#*(}; comm=${comm%)*}
    # shellcheck disable=SC2086
    set -- $rest
    echo "${f//[!0-9]/} $2 $((${12} + ${13} + ${14} + ${15})) ${comm// /_}"
  done
}
cpu_ticks() { awk '/^cpu / { print $2 + $3 + $4 }' /proc/stat; }
busy=$(cpu_busy_pct)
proc_snapshot >"$tmp/procs-start"
cpu_start=$(cpu_ticks)
run_start=$SECONDS
busy_note=""
if ((busy > 10)); then
  busy_note="WARNING: the machine was ${busy}% busy before the benchmark started (other processes); numbers are skewed"
  log "$busy_note"
  ps -eo pid,pcpu,comm --sort=-pcpu | sed -n '2,4p' | while read -r line; do log "  busy: $line"; done
else
  log "machine idle before start (${busy}% CPU busy)"
fi

# ---------------------------------------------------------------- test files
SMALL=1024
MEDIUM=$((1024 * 1024))
LARGE=$((256 * 1024 * 1024))
mkdir -p "$tmp/www/pub" "$tmp/www/priv" "$tmp/www/upload" "$tmp/client_body" "$tmp/files"
log "creating test files (1 KiB, 1 MiB, 256 MiB and $UPLOAD_RUNS x 256 MiB to upload, random bytes) in $tmp"
head -c $SMALL /dev/urandom >"$tmp/files/small.bin"
head -c $MEDIUM /dev/urandom >"$tmp/files/medium.bin"
head -c $LARGE /dev/urandom >"$tmp/files/large.bin"
for f in small medium large; do
  cp "$tmp/files/$f.bin" "$tmp/www/pub/$f.bin"
  cp "$tmp/files/$f.bin" "$tmp/www/priv/$f.bin"
done
# Upload sources: fresh random bytes per round (a content-addressed store must not get to skip
# a write because it has seen the bytes before); round i sends the same file to both servers.
for i in $(seq 1 "$UPLOAD_RUNS"); do head -c $LARGE /dev/urandom >"$tmp/files/upload-$i.bin"; done

# ---------------------------------------------------------------- nginx
NPORT=$(free_port) || die "no free port"
NGINX_USER=bench
NGINX_PASS=bench-secret-$RANDOM$RANDOM
case "$HTPASSWD_ALGO" in
  apr1) htpasswd -b -c -m "$tmp/htpasswd" "$NGINX_USER" "$NGINX_PASS" 2>"$tmp/htpasswd.log" || die "htpasswd: $(cat "$tmp/htpasswd.log")" ;;
  bcrypt) htpasswd -b -c -B -C "$BCRYPT_COST" "$tmp/htpasswd" "$NGINX_USER" "$NGINX_PASS" 2>"$tmp/htpasswd.log" || die "htpasswd: $(cat "$tmp/htpasswd.log")" ;;
  *) die "HTPASSWD_ALGO must be apr1 or bcrypt" ;;
esac
[[ $NGINX_SENDFILE == on || $NGINX_SENDFILE == off ]] || die "NGINX_SENDFILE must be on or off"
user_line=""
[[ $(id -u) -eq 0 ]] && user_line="user root;"
cat >"$tmp/nginx.conf" <<EOF
$user_line
daemon on;
worker_processes auto;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events { worker_connections 1024; }
http {
    default_type application/octet-stream;
    access_log $tmp/nginx-access.log combined;
    sendfile $NGINX_SENDFILE;
    tcp_nopush $NGINX_SENDFILE;
    keepalive_requests 1000000;
    client_body_temp_path $tmp/client_body;
    server {
        listen 127.0.0.1:$NPORT;
        root $tmp/www;
        location /pub/ { }
        location /priv/ {
            auth_basic "bench";
            auth_basic_user_file $tmp/htpasswd;
        }
        location /upload/ {
            auth_basic "bench";
            auth_basic_user_file $tmp/htpasswd;
            dav_methods PUT;
            create_full_put_path on;
            client_max_body_size 0;
            client_body_temp_path $tmp/client_body;
        }
    }
}
EOF
"${SRV_PIN[@]}" nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log" \
  || die "nginx failed to start: $(tail -5 "$tmp/nginx-error.log" 2>/dev/null)"
nginx_started=1
for _ in $(seq 1 50); do [[ -s $tmp/nginx.pid ]] && break; sleep 0.1; done
NURL=http://127.0.0.1:$NPORT
NAUTH="Basic $(printf '%s:%s' "$NGINX_USER" "$NGINX_PASS" | base64 -w0)"
log "nginx $(nginx -v 2>&1 | sed 's/.*\///') on $NURL (auth_basic: $HTPASSWD_ALGO, sendfile: $NGINX_SENDFILE, workers: auto=$(nproc))"

# ---------------------------------------------------------------- bindery
BPORT=""; BURL=""; BAUTH=""
bcurl() { curl -sS -o "$tmp/resp" -w '%{http_code}' "$@"; }
expect() { # expect CODE... -- description ; reads $code
  local want=$1 what=$2
  [[ " $want " == *" $code "* ]] || die "$what: HTTP $code (want $want): $(head -c 400 "$tmp/resp" 2>/dev/null)"
}
if [[ $nginx_only == 0 ]]; then
  BPORT=$(free_port) || die "no free port"
  admin_key=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
  mkdir -p "$tmp/bindery-data"
  # Run a private copy: a rebuild of target/ during the run must not pull the jar from under the JVM.
  cp "$jar" "$tmp/bindery.jar"; jar=$tmp/bindery.jar
  log "starting Bindery: $JAVA $BINDERY_JAVA_OPTS -jar $jar serve --port $BPORT --data $tmp/bindery-data $BINDERY_EXTRA_ARGS"
  # shellcheck disable=SC2086
  BINDERY_ADMIN_API_KEY=$admin_key "${SRV_PIN[@]}" "$JAVA" $BINDERY_JAVA_OPTS -jar "$jar" serve \
    --port "$BPORT" --data "$tmp/bindery-data" $BINDERY_EXTRA_ARGS >"$tmp/bindery.log" 2>&1 &
  bindery_pid=$!
  BURL=http://127.0.0.1:$BPORT
  ok=0
  for _ in $(seq 1 120); do
    kill -0 "$bindery_pid" 2>/dev/null || die "Bindery exited: $(tail -20 "$tmp/bindery.log")"
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "$BURL/health" 2>/dev/null) == 200 ]]; then ok=1; break; fi
    sleep 0.5
  done
  [[ $ok == 1 ]] || die "Bindery /health not 200 after 60 s: $(tail -20 "$tmp/bindery.log")"
  log "Bindery up on $BURL"

  code=$(bcurl -u "admin:$admin_key" -H 'Content-Type: application/json' -X POST \
    -d '{"name":"bench","full_name":"Bench","email":"b@example.com"}' "$BURL/api/v1/admin/users")
  expect "200 201" "create user bench"
  bench_key=$(tr -d '\n' <"$tmp/resp" | sed -n 's/.*"api_key"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')
  [[ -n $bench_key ]] || die "no api_key in: $(cat "$tmp/resp")"
  BAUTH="Basic $(printf 'bench:%s' "$bench_key" | base64 -w0)"
  for repo in pub priv; do
    private=false; [[ $repo == priv ]] && private=true
    code=$(bcurl -u "bench:$bench_key" -H 'Content-Type: application/json' -X POST \
      -d "{\"type\":\"generic\",\"private\":$private}" "$BURL/api/v1/repos/bench/$repo")
    expect "200 201" "create repo bench/$repo"
    code=$(bcurl -u "bench:$bench_key" -H 'Content-Type: application/json' -X POST \
      -d '{"name":"files","licenses":["MIT"],"vcs_url":"https://example.com/x.git"}' "$BURL/api/v1/packages/bench/$repo")
    expect "200 201" "create package bench/$repo/files"
    for f in small medium large; do
      code=$(bcurl -u "bench:$bench_key" -H 'Expect:' -T "$tmp/files/$f.bin" \
        "$BURL/api/v1/content/bench/$repo/files/1.0/$f.bin?publish=1")
      expect "200 201" "upload bench/$repo/$f.bin"
    done
  done
  log "Bindery: user bench, repos pub (public) and priv (private), 3 files each, published"
fi

# ---------------------------------------------------------------- preflight: every URL answers 200 with the right bytes
check_get() { # url auth-header expected-file
  local url=$1 auth=$2 file=$3 out
  if [[ -n $auth ]]; then
    out=$(curl -sS -o "$tmp/got" -w '%{http_code}' -H "Authorization: $auth" "$url")
  else
    out=$(curl -sS -o "$tmp/got" -w '%{http_code}' "$url")
  fi
  [[ $out == 200 ]] || die "GET $url: HTTP $out (wrk does not follow redirects; the benchmark needs 200)"
  cmp -s "$tmp/got" "$file" || die "GET $url: body differs from $file ($(stat -c %s "$tmp/got") bytes)"
  rm -f "$tmp/got"
}
for f in small medium large; do
  check_get "$NURL/pub/$f.bin" "" "$tmp/files/$f.bin"
  check_get "$NURL/priv/$f.bin" "$NAUTH" "$tmp/files/$f.bin"
  code=$(curl -s -o /dev/null -w '%{http_code}' "$NURL/priv/$f.bin")
  [[ $code == 401 ]] || die "nginx /priv without auth: HTTP $code, want 401"
  if [[ $nginx_only == 0 ]]; then
    check_get "$BURL/dl/bench/pub/$f.bin" "" "$tmp/files/$f.bin"
    check_get "$BURL/dl/bench/priv/$f.bin" "$BAUTH" "$tmp/files/$f.bin"
    code=$(curl -s -o /dev/null -w '%{http_code}' "$BURL/dl/bench/priv/$f.bin")
    [[ $code == 401 || $code == 403 || $code == 404 ]] || die "Bindery private file without auth: HTTP $code, want 401/403/404"
  fi
done
log "preflight ok: all downloads answer 200 with identical bytes; private ones refuse anonymous callers"

# ---------------------------------------------------------------- wrk runs
# Loopback throughput on this VM is noisy (runs of the same config differ by up to 2x), so every
# case is measured in ROUNDS rounds that alternate nginx and Bindery, and the median is reported.
declare -A R        # R[case,server] = median metric value
declare -A D        # D[case,server] = detail line
declare -A E        # E[case,server] = error count (HTTP status >= 400, timeouts, connect errors)
declare -A V        # V[case,server] = per-round values
declare -A L        # L[case,server] = per-round "p50/p99 ms"

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{ if (NR == 0) { print 0; exit } m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m }'; }
fmt1() { awk -v x="$1" 'BEGIN{printf "%.1f", x}'; }

wrk_once() { # case server url auth conns timeout metric duration -> appends to V/L/E, or warm-up when duration=warm
  local cs=$1 srv=$2 url=$3 auth=$4 conns=$5 tmo=$6 metric=$7 dur=$8
  local hdr=()
  [[ -n $auth ]] && hdr=(-H "Authorization: $auth")
  if [[ $dur == warm ]]; then
    "${CLI_PIN[@]}" wrk -t"$THREADS" -c"$conns" -d"$WARMUP" --timeout "$tmo" "${hdr[@]}" "$url" >/dev/null 2>&1 || true
    return
  fi
  local out line
  out=$("${CLI_PIN[@]}" wrk -t"$THREADS" -c"$conns" -d"$dur" --timeout "$tmo" -s "$here/report.lua" "${hdr[@]}" "$url" 2>&1) || true
  printf '=== %s %s %s\n%s\n' "$cs" "$srv" "$url" "$out" >>"$tmp/wrk.log"
  line=$(grep '^BENCH ' <<<"$out" || true)
  if [[ -z $line ]]; then
    log "wrk produced no result for $cs/$srv: $(tail -3 <<<"$out")"
    E[$cs,$srv]=$((${E[$cs,$srv]:-0} + 1)); V[$cs,$srv]+="0 "; return
  fi
  local -A kv=(); local item
  for item in ${line#BENCH }; do kv[${item%%=*}]=${item#*=}; done
  local value errs
  if [[ $metric == rps ]]; then
    value=$(awk -v n="${kv[requests]}" -v d="${kv[duration_us]}" 'BEGIN{printf "%.0f", n/(d/1e6)}')
  else
    value=$(awk -v b="${kv[bytes]}" -v d="${kv[duration_us]}" 'BEGIN{printf "%.1f", b/(d/1e6)/1048576}')
  fi
  errs=$((kv[status] + kv[timeout] + kv[connect]))
  E[$cs,$srv]=$((${E[$cs,$srv]:-0} + errs))
  V[$cs,$srv]+="$value "
  L[$cs,$srv]+="$(awk -v a="${kv[p50_us]}" -v b="${kv[p99_us]}" 'BEGIN{printf "%.1f/%.1f", a/1000, b/1000}') "
  log "$(printf '%-7s %-16s %10s %-5s req=%-8s p50/p99=%sms errors: status=%s timeout=%s connect=%s read=%s write=%s' \
    "$srv" "$cs" "$value" "${UNIT[$cs]}" "${kv[requests]}" \
    "$(awk -v a="${kv[p50_us]}" -v b="${kv[p99_us]}" 'BEGIN{printf "%.1f/%.1f", a/1000, b/1000}')" \
    "${kv[status]}" "${kv[timeout]}" "${kv[connect]}" "${kv[read]}" "${kv[write]}")"
}

if [[ $nginx_only == 0 && $JIT_WARMUP != 0 && $JIT_WARMUP != 0s ]]; then
  # A JVM needs its hot paths compiled before it is measured; nginx has nothing to warm up.
  log "JIT warm-up: $JIT_WARMUP each of Bindery 1 KiB anonymous and Basic-auth downloads"
  "${CLI_PIN[@]}" wrk -t"$THREADS" -c"$CONNS" -d"$JIT_WARMUP" "$BURL/dl/bench/pub/small.bin" >/dev/null 2>&1 || true
  "${CLI_PIN[@]}" wrk -t"$THREADS" -c"$CONNS" -d"$JIT_WARMUP" -H "Authorization: $BAUTH" "$BURL/dl/bench/priv/small.bin" >/dev/null 2>&1 || true
fi

cases=(dl-1KiB-anon dl-1KiB-basic dl-1MiB-anon dl-1MiB-basic dl-256MiB-anon dl-256MiB-basic)
declare -A FILE=([1KiB]=small [1MiB]=medium [256MiB]=large)
declare -A METRIC TARGET UNIT
servers=(nginx); [[ $nginx_only == 1 ]] || servers+=(bindery)
for cs in "${cases[@]}"; do
  size=${cs#dl-}; size=${size%-*}; mode=${cs##*-}
  file=${FILE[$size]}
  case $size in
    1KiB) METRIC[$cs]=rps; UNIT[$cs]="req/s"; TARGET[$cs]=0.5; conns=$CONNS; tmo=10s ;;
    1MiB) METRIC[$cs]=mibps; UNIT[$cs]="MiB/s"; TARGET[$cs]=-; conns=$CONNS; tmo=10s ;;
    256MiB) METRIC[$cs]=mibps; UNIT[$cs]="MiB/s"; TARGET[$cs]=0.9; conns=$LARGE_CONNS; tmo=$LARGE_TIMEOUT ;;
  esac
  declare -A URL=() AUTH=()
  if [[ $mode == anon ]]; then
    URL[nginx]=$NURL/pub/$file.bin; AUTH[nginx]=""
    URL[bindery]=$BURL/dl/bench/pub/$file.bin; AUTH[bindery]=""
  else
    URL[nginx]=$NURL/priv/$file.bin; AUTH[nginx]=$NAUTH
    URL[bindery]=$BURL/dl/bench/priv/$file.bin; AUTH[bindery]=$BAUTH
  fi
  for srv in "${servers[@]}"; do
    wrk_once "$cs" "$srv" "${URL[$srv]}" "${AUTH[$srv]}" "$conns" "$tmo" "${METRIC[$cs]}" warm
  done
  for _ in $(seq 1 "$ROUNDS"); do
    for srv in "${servers[@]}"; do
      wrk_once "$cs" "$srv" "${URL[$srv]}" "${AUTH[$srv]}" "$conns" "$tmo" "${METRIC[$cs]}" "$DURATION"
    done
  done
  for srv in "${servers[@]}"; do
    # shellcheck disable=SC2086
    R[$cs,$srv]=$(median ${V[$cs,$srv]})
    if [[ ${METRIC[$cs]} == mibps ]]; then R[$cs,$srv]=$(fmt1 "${R[$cs,$srv]}"); else R[$cs,$srv]=$(printf '%.0f' "${R[$cs,$srv]}"); fi
    D[$cs,$srv]=$(printf '%-7s %-16s %-5s rounds=[ %s] median=%s  p50/p99 ms=[ %s] errors=%s' \
      "$srv" "$cs" "${UNIT[$cs]}" "${V[$cs,$srv]}" "${R[$cs,$srv]}" "${L[$cs,$srv]}" "${E[$cs,$srv]:-0}")
  done
done

# ---------------------------------------------------------------- uploads
# curl -T, `Expect:` removed so neither server is charged curl's 1 s wait for "100 Continue".
# UPLOAD_RUNS rounds alternate nginx and Bindery; each PUT goes to a new path.
cs=upload-256MiB
cases+=("$cs")
METRIC[$cs]=mibps; UNIT[$cs]="MiB/s"; TARGET[$cs]=0.7
declare -A UPREFIX=([nginx]="$NURL/upload" [bindery]="$BURL/api/v1/content/bench/priv/files/1.0/upload")
declare -A UCRED=([nginx]="$NGINX_USER:$NGINX_PASS" [bindery]="bench:${bench_key:-}")
for i in $(seq 1 "$UPLOAD_RUNS"); do
  for srv in "${servers[@]}"; do
    res=$("${CLI_PIN[@]}" curl -sS -o "$tmp/resp" -w '%{http_code} %{time_total}' -H 'Expect:' \
      -u "${UCRED[$srv]}" -T "$tmp/files/upload-$i.bin" "${UPREFIX[$srv]}/run-$i.bin") || res="000 0"
    code=${res% *}; secs=${res#* }
    if [[ $code != 200 && $code != 201 && $code != 204 ]]; then
      log "upload $srv #$i: HTTP $code: $(head -c 300 "$tmp/resp" 2>/dev/null)"
      E[$cs,$srv]=$((${E[$cs,$srv]:-0} + 1)); continue
    fi
    rate=$(awk -v s="$secs" 'BEGIN{printf "%.1f", 256/s}')
    V[$cs,$srv]+="$rate "
    log "$(printf '%-7s %-16s %10s MiB/s  HTTP %s in %ss' "$srv" "$cs" "$rate" "$code" "$secs")"
  done
done
for i in $(seq 1 "$UPLOAD_RUNS"); do
  f="$tmp/www/upload/run-$i.bin"
  if [[ -f $f ]] && ! cmp -s "$f" "$tmp/files/upload-$i.bin"; then
    log "WARNING: nginx upload #$i differs from the source"; E[$cs,nginx]=$((${E[$cs,nginx]:-0} + 1))
  fi
done
for srv in "${servers[@]}"; do
  # shellcheck disable=SC2086
  R[$cs,$srv]=$(fmt1 "$(median ${V[$cs,$srv]:-})")
  best=$(printf '%s\n' ${V[$cs,$srv]:-0} | sort -g | tail -1)
  D[$cs,$srv]=$(printf '%-7s %-16s %-5s runs=[ %s] median=%s best=%s errors=%s' \
    "$srv" "$cs" "MiB/s" "${V[$cs,$srv]:-}" "${R[$cs,$srv]}" "$best" "${E[$cs,$srv]:-0}")
done

# ---------------------------------------------------------------- did anything else run meanwhile?
cpu_end=$(cpu_ticks)
proc_snapshot >"$tmp/procs-end"
ours=" $$ ${bindery_pid:-x} "
[[ -s $tmp/nginx.pid ]] && ours+="$(cat "$tmp/nginx.pid") "
elapsed=$((SECONDS - run_start))
others=$(awk -v ours="$ours" -v hz="$(getconf CLK_TCK)" -v all="$((cpu_end - cpu_start))" '
  FNR == NR { start[$1] = $3; next }
  { pid = $1; ppid = $2; t = $3 - ((pid in start) ? start[pid] : 0)
    if (t <= 0) next
    if (index(ours, " " pid " ") || index(ours, " " ppid " ") || pid == 2 || ppid == 2) { mine += t; next }
    if (t > 0.5 * hz) top = top sprintf(" %s(%d):%.0fs", $4, pid, t / hz) }
  END { o = (all - mine) / hz; if (o < 0) o = 0; printf "%.0f%s", o, top }' "$tmp/procs-start" "$tmp/procs-end")
others_sec=${others%% *}; others_top=${others#"$others_sec"}
during_note=""
if ((others_sec * 100 > 5 * elapsed * $(nproc))); then
  during_note="WARNING: other processes used ~${others_sec} CPU-seconds during the ${elapsed} s run (of $((elapsed * $(nproc))) available)${others_top:+; long-lived ones:}${others_top}; numbers are skewed"
  log "$during_note"
fi

# ---------------------------------------------------------------- report
echo
echo "Bindery vs nginx $(nginx -v 2>&1 | sed 's/.*\///') on $(nproc) cores; wrk -t$THREADS, median of $ROUNDS alternating rounds of $DURATION (after a $WARMUP warm-up);" \
     "-c$CONNS for 1 KiB/1 MiB, -c$LARGE_CONNS for 256 MiB; nginx auth_basic=$HTPASSWD_ALGO sendfile=$NGINX_SENDFILE; upload = median of $UPLOAD_RUNS curl PUTs; pinned=$BENCH_PIN"
echo
echo "details:"
for cs in "${cases[@]}"; do
  for srv in nginx bindery; do
    [[ -n ${D[$cs,$srv]:-} ]] && echo "  ${D[$cs,$srv]}"
  done
done
echo
fmt='%-24s | %12s | %12s | %6s | %6s | %s\n'
# shellcheck disable=SC2059
printf "$fmt" case nginx bindery ratio target ok
printf '%s\n' "-------------------------+--------------+--------------+--------+--------+-----"
missed=0
for cs in "${cases[@]}"; do
  n=${R[$cs,nginx]:-0}
  b=${R[$cs,bindery]:-}
  t=${TARGET[$cs]}
  errs=$((${E[$cs,nginx]:-0} + ${E[$cs,bindery]:-0}))
  if [[ -z $b ]]; then
    ratio="n/a"; b="n/a"; ok="-"
  else
    ratio=$(awk -v b="$b" -v n="$n" 'BEGIN{ if (n > 0) printf "%.2f", b/n; else print "n/a" }')
    if ((errs > 0)); then ok="ERR"; missed=1
    elif [[ $t == - || $ratio == n/a ]]; then ok="-"
    elif awk -v r="$ratio" -v t="$t" 'BEGIN{exit !(r >= t)}'; then ok="yes"
    else ok="NO"; missed=1
    fi
  fi
  tgt=$t; [[ $t != - ]] && tgt=">=$t"
  # shellcheck disable=SC2059
  printf "$fmt" "$cs (${UNIT[$cs]})" "$n" "$b" "$ratio" "$tgt" "$ok"
done
echo
[[ $nginx_only == 1 ]] && echo "(nginx only: Bindery was not run)"
[[ -n $busy_note ]] && echo "$busy_note"
[[ -n $during_note ]] && echo "$during_note"
[[ -z $busy_note && -z $during_note ]] && echo "machine otherwise idle: other processes used ${others_sec} CPU-seconds during the ${elapsed} s run"
echo "ERR = a run had HTTP status errors, timeouts or connect errors (see details); logs: $tmp$( [[ $KEEP_TMP == 1 ]] || echo ' (removed; KEEP_TMP=1 keeps them)')"
exit $missed
