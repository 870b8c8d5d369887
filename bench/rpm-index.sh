#!/usr/bin/env bash
# RPM index benchmark (issue 4): Bindery against createrepo_c on a repository of N small packages
# (default 10,000): a full index build, and adding one package (createrepo_c --update after copying it
# in, Bindery an upload with publish=1 until repomd.xml lists it). Prints the times and ratios.
#
# The packages are real rpmbuild output (batches of subpackages, one rpmbuild per core), kept in
# RPM_CACHE between runs: the first run spends about two minutes building them.
# Usage: bench/rpm-index.sh [count]        Environment: JAVA_HOME, RPM_CACHE, BINDERY_BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
count=${1:-10000}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
build=${BINDERY_BUILD_DIR:-/tmp/bindery-bench-build}
cache=${RPM_CACHE:-/tmp/bindery-rpm-bench-$count}
for tool in rpmbuild createrepo_c; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install rpm createrepo-c)" >&2; exit 2; }
done

ms() { date +%s%N | awk '{ printf "%d", $1 / 1000000 }'; }

# --- packages: bench-0 .. bench-<count-1> for the repository, bench-<count> to add -----------------
build_batch() { # build_batch OUT FROM TO
  local out=$1 from=$2 to=$3 dir
  dir=$(mktemp -d)
  {
    printf 'Name: bench-batch-%s\nVersion: 1.0\nRelease: 1\nSummary: batch\nLicense: MIT\nBuildArch: noarch\n' "$from"
    printf '%%description\nBatch.\n%%install\nmkdir -p %%{buildroot}/usr/share/bench\n'
    printf 'for i in $(seq %s %s); do echo "package $i" > %%{buildroot}/usr/share/bench/bench-$i.txt; done\n' "$from" "$to"
    for ((i = from; i <= to; i++)); do
      printf '%%package -n bench-%s\nSummary: Bench package %s\nRequires: bash >= 4.0\nProvides: bench-capability-%s = 1.0\n' "$i" "$i" "$i"
      printf '%%description -n bench-%s\nPackage %s of the Bindery RPM index benchmark.\n' "$i" "$i"
      printf '%%files -n bench-%s\n/usr/share/bench/bench-%s.txt\n' "$i" "$i"
    done
  } > "$dir/bench.spec"
  rpmbuild -bb --quiet --define "_topdir $dir/top" --define "_build_id_links none" "$dir/bench.spec" >"$dir/log" 2>&1 \
    || { cat "$dir/log" >&2; exit 2; }
  mv "$dir"/top/RPMS/noarch/bench-[0-9]*.rpm "$out"/
  rm -rf "$dir"
}
if [ "$(ls "$cache/base" 2>/dev/null | wc -l)" != "$count" ] || [ ! -f "$cache/extra/bench-$count-1.0-1.noarch.rpm" ]; then
  echo "Building $((count + 1)) packages with rpmbuild into $cache (once)..."
  rm -rf "$cache"; mkdir -p "$cache/all" "$cache/base" "$cache/extra"
  start=$(ms); batch=1000; jobs=$(nproc)
  for ((from = 0; from <= count; from += batch)); do
    to=$((from + batch - 1)); ((to > count)) && to=$count
    build_batch "$cache/all" $from $to &
    while (( $(jobs -rp | wc -l) >= jobs )); do wait -n; done
  done
  wait
  mv "$cache/all/bench-$count-1.0-1.noarch.rpm" "$cache/extra/"
  mv "$cache/all"/*.rpm "$cache/base/"
  rmdir "$cache/all"
  echo "  built in $(( ($(ms) - start) / 1000 )) s"
fi

# --- createrepo_c: full, then --update after adding one (same outputs as Bindery: no sqlite) -------
work=$(mktemp -d /tmp/bindery-rpm-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$cache/base" "$work/repo"
sync
start=$(ms); createrepo_c --quiet --no-database "$work/repo"; full=$(( $(ms) - start ))
cp "$cache/extra"/*.rpm "$work/repo/"
start=$(ms); createrepo_c --quiet --no-database --update "$work/repo"; update=$(( $(ms) - start ))
echo "createrepo_c $(createrepo_c --version | head -1 | awk '{print $2}'): full ${full} ms, --update after adding one ${update} ms"

# --- Bindery ---------------------------------------------------------------------------------------
./mvnw -q -DskipTests -Dbindery.build.dir="$build" test-compile
./mvnw -q -Dbindery.build.dir="$build" dependency:build-classpath -Dmdep.outputFile="$build/cp.txt" >/dev/null
"$JAVA_HOME/bin/java" -Xmx2g -cp "$build/test-classes:$build/classes:$(cat "$build/cp.txt")" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${BENCH_JAVA_OPTS:-} dev.bindery.bench.RpmIndexBench \
  "$cache/base" "$cache/extra/bench-$count-1.0-1.noarch.rpm" "$full" "$update"
