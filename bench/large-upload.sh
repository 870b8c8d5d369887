#!/usr/bin/env bash
# Uploads a 4 GiB file to a Bindery whose heap is capped at 256 MiB, then checks that the stored
# checksum and a full download match: uploads stream, they are never held in memory.
# Only talks to 127.0.0.1. Usage: bench/large-upload.sh   (SIZE=4G HEAP=256m to change)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZE=${SIZE:-4G}
HEAP=${HEAP:-256m}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/java}
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
jar=$root/target/bindery.jar
[ -f "$jar" ] || { echo "build first: ./mvnw -q -DskipTests package" >&2; exit 2; }

tmp=$(mktemp -d /tmp/bindery-large.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
key=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
BINDERY_ADMIN_API_KEY=$key "$JAVA" -Xmx"$HEAP" -jar "$jar" serve --port "$port" --data "$tmp/data" \
  > "$tmp/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
api=http://127.0.0.1:$port/api/v1
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.5; done

user_key=$(curl -sf -u admin:"$key" -X POST "$api/admin/users" -d '{"name": "big"}' \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"])')
auth=(-u "big:$user_key")
curl -sf "${auth[@]}" -X POST "$api/repos/big/files" -d '{"type": "generic"}' >/dev/null
curl -sf "${auth[@]}" -X POST "$api/packages/big/files" \
  -d '{"name": "big", "licenses": ["MIT"], "vcs_url": "https://example.com/big.git"}' >/dev/null

# A sparse file: no disk needed for the source, the server still reads and hashes every byte.
truncate -s "$SIZE" "$tmp/big.bin"
expected=$(sha256sum "$tmp/big.bin" | cut -d' ' -f1)
echo "uploading $SIZE with -Xmx$HEAP ..."
curl -sf "${auth[@]}" -T "$tmp/big.bin" "$api/content/big/files/big/1.0/big.bin?publish=1" \
  -w 'upload: %{http_code} in %{time_total}s (%{speed_upload} B/s)\n' -o /dev/null
stored=$(curl -sf "$api/packages/big/files/big/files" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["sha256"])')
downloaded=$(curl -sf "http://127.0.0.1:$port/dl/big/files/big.bin" | sha256sum | cut -d' ' -f1)
rss=$(ps -o rss= -p $pid)
echo "expected   $expected"
echo "stored     $stored"
echo "downloaded $downloaded"
echo "server heap cap $HEAP; resident set after the run ${rss} KiB (includes the mapped file when downloading)"
[ "$expected" = "$stored" ] && [ "$expected" = "$downloaded" ] && echo "OK" || { echo "MISMATCH"; exit 1; }
