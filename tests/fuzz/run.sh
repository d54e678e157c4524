#!/usr/bin/env bash
# Runs every fuzz target for N minutes each (default 2) and prints the
# executions per target and any crash found.
#
#   tests/fuzz/run.sh [minutes] [target...]
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# Corpora grow in tests/fuzz/corpus/<target> (seeded from the SQL in the
# tests on first run); crashes land in tests/fuzz/artifacts/<target>.
# A crash becomes a regression test in the module it hit.
# FUZZ_SANITIZER=none builds without AddressSanitizer (faster; panics are
# still caught). With ASan, libsql's build script runs a C tool that the
# sanitizer's leak check fails: then also export ASAN_OPTIONS=detect_leaks=0.
set -euo pipefail

MINUTES=${1:-2}
shift || true
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(frontend translate decode_params)
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$HERE/target}

seed() { # target
    local dir="$HERE/corpus/$1"
    [ -d "$dir" ] && return
    mkdir -p "$dir"
    case "$1" in
    translate)
        # Every SQL string literal in the tests and translator tests.
        perl -ne 'while (/"((?:SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|WITH|COPY|BEGIN|SET|SHOW|select|insert|update|delete|create|with)\b(?:[^"\\]|\\.)*)"/g) { print "$1\n" }' \
            "$ROOT"/tests/*.rs "$ROOT"/src/sql/translate/*.rs |
            sort -u | head -2000 | {
            n=0
            while IFS= read -r line; do
                n=$((n + 1))
                printf '%b' "$line" >"$dir/seed-$n"
            done
        }
        ;;
    frontend)
        # mode byte (1 = SCRAM), startup packet, then typed messages.
        local startup='\x00\x00\x00\x19\x00\x03\x00\x00user\x00alice@acme\x00\x00'
        printf '\x01'"$startup"'p\x00\x00\x00\x16SCRAM-SHA-256\x00\x00\x00\x00\x00' >"$dir/sasl"
        printf '\x00'"$startup"'p\x00\x00\x00\x07pw\x00Q\x00\x00\x00\x0dSELECT 1\x00X\x00\x00\x00\x04' >"$dir/simple"
        printf '\x00'"$startup"'P\x00\x00\x00\x15\x00SELECT $1\x00\x00\x01\x00\x00\x00\x17B\x00\x00\x00\x13\x00\x00\x00\x01\x00\x01\x00\x01\x00\x00\x00\x01\x07\x00\x00D\x00\x00\x00\x06P\x00E\x00\x00\x00\x09\x00\x00\x00\x00\x00S\x00\x00\x00\x04' >"$dir/extended"
        printf '\x00'"$startup"'d\x00\x00\x00\x081\t2\nc\x00\x00\x00\x04f\x00\x00\x00\x07no\x00' >"$dir/copy"
        printf '\x00\x00\x00\x00\x08\x04\xd2\x16\x2f'"$startup" >"$dir/sslrequest"
        printf '\x00\x00\x00\x00\x10\x04\xd2\x16\x2e\x00\x00\x00\x07\x01\x02\x03\x04' >"$dir/cancel"
        ;;
    decode_params)
        local i=0 t v
        for v in 1 -32768 2147483647 9223372036854775807 3.14 NaN -Infinity 1e308 \
            t false 2024-02-29 '2024-02-29 12:34:56.789+02' '12:00:00' '1 day 02:03:04' \
            'P1Y2M3DT4H5M6S' 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' '{"a":[1,2,{"b":null}]}' \
            '{1,2,NULL}' '{{a,b},{c,d}}' '\x00ff' 'infinity' '-123.4500'; do
            for t in $(seq 0 2 60); do
                i=$((i + 1))
                { printf "\\x$(printf %02x "$t")"; printf '%s' "$v"; } >"$dir/text-$i"
            done
        done
        # binary: int4 42, int8 -1, float8 1.5, a numeric and a one-dimensional int4 array
        for t in $(seq 1 2 61); do
            i=$((i + 1)); { printf "\\x$(printf %02x "$t")"; printf '\x00\x00\x00\x2a'; } >"$dir/bin-$i"
            i=$((i + 1)); { printf "\\x$(printf %02x "$t")"; printf '\xff\xff\xff\xff\xff\xff\xff\xff'; } >"$dir/bin-$i"
            i=$((i + 1)); { printf "\\x$(printf %02x "$t")"; printf '\x00\x02\x00\x00\x00\x00\x00\x02\x00\x01\x13\x88'; } >"$dir/bin-$i"
            i=$((i + 1)); { printf "\\x$(printf %02x "$t")"; printf '\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x17\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x04\x00\x00\x00\x07\xff\xff\xff\xff'; } >"$dir/bin-$i"
        done
        ;;
    esac
}

cd "$ROOT"
declare -A EXECS CRASHES
for t in "${TARGETS[@]}"; do
    seed "$t"
    mkdir -p "$HERE/artifacts/$t"
    echo "== $t: $MINUTES min"
    log=$(mktemp)
    set +e
    cargo +nightly fuzz run ${FUZZ_SANITIZER:+--sanitizer "$FUZZ_SANITIZER"} --fuzz-dir "$HERE" "$t" "$HERE/corpus/$t" -- \
        -max_total_time=$((MINUTES * 60)) -jobs=1 -workers=1 -print_final_stats=1 \
        -artifact_prefix="$HERE/artifacts/$t/" -rss_limit_mb=2048 -max_len=4096 >"$log" 2>&1
    rc=$?
    set -e
    EXECS[$t]=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -1)
    CRASHES[$t]=$(find "$HERE/artifacts/$t" -type f | wc -l)
    [ $rc -ne 0 ] && { tail -40 "$log"; echo "   $t stopped with status $rc"; }
    rm -f "$log"
done

printf '\n%-14s %14s %8s\n' target executions crashes
for t in "${TARGETS[@]}"; do
    printf '%-14s %14s %8s\n' "$t" "${EXECS[$t]:-?}" "${CRASHES[$t]}"
done
