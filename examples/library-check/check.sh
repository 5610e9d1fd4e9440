#!/usr/bin/env bash
# Checks Recur as a library, as a user gets it: `mvn install` into a private local repository (the
# shared ~/.m2 is left alone), then builds the project in this folder, which depends only on the
# published coordinates, runs its program, and checks the result and the dependency surface.
#
#   examples/library-check/check.sh [REPO]    REPO: the private repository (default /tmp/m2-recur-check;
#                                             seeded from ~/.m2/repository so nothing is downloaded)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
repo=${1:-/tmp/m2-recur-check}
JAVA_HOME=$("$root/bin/find-jdk")
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
mvn_() { mvn -B -q -o -Dstyle.color=never -Dmaven.repo.local="$repo" "$@"; }

[ -d "$repo" ] || cp -r "$HOME/.m2/repository" "$repo"
rm -rf "$repo/dev/recur"
(cd "$root" && mvn_ install -DskipTests -pl '!spark')   # the Spark module needs Spark's jars; the library does not
for a in recur-parent engine layers train-app; do
  ls "$repo/dev/recur/$a/0.1.0-SNAPSHOT/"*.pom >/dev/null || { echo "check: dev.recur:$a was not installed" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$here/pom.xml" "$here/src" "$work/"
(cd "$work" && mvn_ package && mvn_ dependency:build-classpath -Dmdep.outputFile=cp.txt)
cp=$(cat "$work/cp.txt")
for unwanted in picocli jackson xchart; do
  if [[ "$cp" == *"$unwanted"* ]]; then echo "check: the library pulls in the app's $unwanted" >&2; exit 1; fi
done
echo "class path of a project using Recur: $(tr ':' '\n' <<<"$cp" | xargs -n1 basename | tr '\n' ' ')"
out=$(cd "$work" && java --add-modules jdk.incubator.vector -cp "target/classes:$cp" demo.Minimal "$work/model.safetensors" 2>/dev/null)
echo "$out"
[ -s "$work/model.safetensors" ] || { echo "check: no checkpoint written" >&2; exit 1; }
# the two praising texts above 0.5, the two panning ones below
echo "$out" | awk '/wonderful|superb/ && $1 <= 0.5 {bad=1} /dull|awful/ && $1 >= 0.5 {bad=1} END {exit bad}' \
  || { echo "check: the trained model does not separate the texts" >&2; exit 1; }
echo "check: OK: dev.recur:layers and dev.recur:train-app $(basename "$(dirname "$(ls "$repo"/dev/recur/layers/*/layers-*.jar | head -1)")") installed; a project using them builds and runs"
