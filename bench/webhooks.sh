#!/usr/bin/env bash
# Webhook benchmark (issue 6, "publishing latency unchanged"): publish latency p50/p99 with no hooks
# against 200 hooks whose receivers are slow (200 ms a call), refuse connections or never answer, in
# one run, alternating rounds; prints the ratios. In-process Bindery on H2, 127.0.0.1 only, bounded.
# Usage: bench/webhooks.sh [rounds] [publishes-per-phase] [slow-ms]
#        Environment: JAVA_HOME, BINDERY_BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
build=${BINDERY_BUILD_DIR:-/tmp/bindery-bench-build}
./mvnw -q -DskipTests -Dbindery.build.dir="$build" test-compile
./mvnw -q -Dbindery.build.dir="$build" dependency:build-classpath -Dmdep.outputFile="$build/cp.txt" >/dev/null
"$JAVA_HOME/bin/java" -Xmx1g -cp "$build/test-classes:$build/classes:$(cat "$build/cp.txt")" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.dev.bindery.events.WebhookDelivery=error \
  dev.bindery.bench.WebhookBench "${1:-3}" "${2:-400}" "${3:-200}"
