#!/usr/bin/env bash
# Builds and runs the HTTP request parser fuzzer (libFuzzer + AddressSanitizer), outside `swift build`.
# Usage: Tests/Fuzz/run-http-parser-fuzz.sh [SECONDS]   (default 120). Crashes land in .build/fuzz/crash-*.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-120}"
mkdir -p .build/fuzz/corpus-work
swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
  Tests/Fuzz/HTTPParserFuzz.swift Sources/HTTPServer/HTTPTypes.swift \
  Sources/HTTPServer/HTTPRequestParser.swift Sources/HTTPServer/RequestTarget.swift \
  -o .build/fuzz/http-parser-fuzz 2> >(grep -v "ld.gold: warning" >&2)
exec .build/fuzz/http-parser-fuzz -max_total_time="$seconds" -max_len=8192 -dict=Tests/Fuzz/http.dict \
  -print_final_stats=1 -artifact_prefix=.build/fuzz/ .build/fuzz/corpus-work Tests/Fuzz/corpus
