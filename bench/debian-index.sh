#!/usr/bin/env bash
# Debian index benchmark (issue 4): N small valid .deb files, then the time to build the index of
# all of them and to add one more, for Bindery (in-process, over its HTTP API), dpkg-scanpackages +
# apt-ftparchive release, apt-ftparchive with its cache database, and aptly (temp rootDir,
# -skip-signing). Prints one table with the ratios. Local only; bounded (about 3 minutes at 10,000).
# Usage: bench/debian-index.sh [packages=10000] [add-rounds=5]. Exit 1 when adding one package is not
# at least 10x faster than dpkg-scanpackages and aptly, 2 when a tool is missing. See bench/README.md.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
missing() { for tool in dpkg-deb dpkg-scanpackages apt-ftparchive aptly; do command -v "$tool" >/dev/null || echo "$tool"; done; }
if [ -n "$(missing)" ] && [ "$(id -u)" = 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq dpkg-dev apt-utils aptly >/dev/null; } || true
fi
if [ -n "$(missing)" ]; then
  echo "missing: $(missing | tr '\n' ' ')(apt-get install dpkg-dev apt-utils aptly)" >&2
  exit 2
fi
build=${BINDERY_BUILD_DIR:-/tmp/bindery-bench-build}
./mvnw -q -DskipTests -Dbindery.build.dir="$build" test-compile
./mvnw -q -Dbindery.build.dir="$build" dependency:build-classpath -Dmdep.outputFile="$build/cp.txt" >/dev/null
work=$(mktemp -d /tmp/debian-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$JAVA_HOME/bin/java" -Xmx2g -cp "$build/test-classes:$build/classes:$(cat "$build/cp.txt")" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn dev.bindery.bench.DebianIndexBench "${1:-10000}" "${2:-5}" "$work"
