#!/usr/bin/env bash
# Our register linearizability checker vs porcupine (Go) on Jepsen's 102 etcd CAS-register histories.
# Extracts porcupine into a temporary directory (never into this repository), builds its test binary, runs its
# etcd tests (verdicts) and benchmarks (checker time per history), then runs bench/linearizability-jepsen.ts on
# the same logs and prints both totals side by side.
#
#   bash bench/porcupine-compare.sh [porcupine checkout or bare git dir]
#
# Default source: the mirror the `fetch` tool leaves at /work/.mirror/anishathalye+porcupine/repo (or
# $PORCUPINE_GIT_DIR). Needs Go (apt-get install -y golang-go). Env: BENCHTIME (go -test.benchtime, default 1s),
# RUNS (our best-of-N, default 20).
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
source_dir=${1:-${PORCUPINE_GIT_DIR:-/work/.mirror/anishathalye+porcupine/repo}}
benchtime=${BENCHTIME:-1s}
runs=${RUNS:-20}

command -v go >/dev/null || { echo "go not found: apt-get update && apt-get install -y golang-go" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case "$work" in "$repo_root"/*) echo "temporary directory $work is inside the repository" >&2; exit 2 ;; esac

if [ -f "$source_dir/porcupine.go" ]; then
  cp -r "$source_dir"/. "$work"/
elif git --git-dir="$source_dir" rev-parse --verify -q HEAD >/dev/null; then
  git --git-dir="$source_dir" archive HEAD | tar -x -C "$work"
  echo "porcupine $(git --git-dir="$source_dir" rev-parse --short HEAD) from $source_dir"
else
  echo "no porcupine checkout or git dir at $source_dir" >&2
  exit 2
fi
logs="$work/test_data/jepsen"
[ -d "$logs" ] || { echo "no test_data/jepsen in $source_dir" >&2; exit 2; }

echo "== building porcupine's test binary ($(go version | cut -d' ' -f3))"
(cd "$work" && GOFLAGS=-mod=mod go test -c -o "$work/porcupine.test" . )

echo "== porcupine: TestEtcdJepsen* (verdicts; wall time includes its regexp log parsing)"
start=$(date +%s%N)
(cd "$work" && ./porcupine.test -test.run 'TestEtcdJepsen' -test.count 1) | tail -1
porcupine_tests_ms=$(( ($(date +%s%N) - start) / 1000000 ))

echo "== porcupine: BenchmarkEtcdJepsen* (benchtime $benchtime; checker only, ns/op per history)"
(cd "$work" && ./porcupine.test -test.run '^$' -test.bench 'BenchmarkEtcdJepsen' -test.benchtime "$benchtime") > "$work/bench.txt"
grep -q '^PASS' "$work/bench.txt" || { cat "$work/bench.txt"; echo "porcupine benchmark failed" >&2; exit 1; }
porcupine_count=$(grep -c '^BenchmarkEtcdJepsen' "$work/bench.txt")
porcupine_ms=$(awk '/^BenchmarkEtcdJepsen/ { total += $3 } END { printf "%.1f", total / 1e6 }' "$work/bench.txt")
awk '/^BenchmarkEtcdJepsen/ { printf "%s %10.3f ms\n", $1, $3 / 1e6 }' "$work/bench.txt" | sort -k2 -n -r | awk 'NR <= 5'

echo "== ours: bench/linearizability-jepsen.ts (best of $runs)"
(cd "$repo_root" && node --import tsx bench/linearizability-jepsen.ts "$logs" --runs "$runs") > "$work/ours.txt" || { cat "$work/ours.txt"; exit 1; }
sort -k4 -n -r "$work/ours.txt" | grep '^etcd_' | awk 'NR <= 5'
ours_ms=$(sed -n 's/.*total checker time \([0-9.]*\) ms.*/\1/p' "$work/ours.txt")
ours_mean_ms=$(sed -n 's/.*mean of the runs: \([0-9.]*\) ms.*/\1/p' "$work/ours.txt")
ours_count=$(grep -c '^etcd_' "$work/ours.txt")
tail -1 "$work/ours.txt"
grep 'total checker time' "$work/ours.txt"

echo
printf '%-44s %10s %10s\n' "checker time, Jepsen etcd histories" "histories" "total ms"
printf '%-44s %10s %10s\n' "porcupine (Go, go test -bench, ns/op summed)" "$porcupine_count" "$porcupine_ms"
printf '%-44s %10s %10s\n' "cpchaos checkRegister (Node, mean of $runs)" "$ours_count" "$ours_mean_ms"
printf '%-44s %10s %10s\n' "cpchaos checkRegister (Node, best of $runs)" "$ours_count" "$ours_ms"
printf '%-44s %10s %10s\n' "(porcupine go test -run TestEtcdJepsen wall)" "" "$porcupine_tests_ms"
echo "machine: $(nproc) cores, $(node --version), $(go version | cut -d' ' -f3)"
