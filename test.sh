#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")"

# The Redis specs start their own redis-server, the operations specs their own prometheus and run promtool (no global
# ones: Debian's packages do not start them without systemd); the PostgreSQL specs start their own server in a
# temporary directory (Debian's postgresql: initdb, postgres). Install them where missing.
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || missing+=(prometheus)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
{ { command -v dynalite >/dev/null && command -v s3rver >/dev/null; } || command -v npm >/dev/null; } || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The DynamoDB specs start their own dynalite (npm; it asks for Node.js 20, and runs on Debian 12's 18 too).
command -v dynalite >/dev/null || npm install -g --silent dynalite@4.0.0
# The S3 cold store specs start their own s3rver (npm), an S3 implementation.
command -v s3rver >/dev/null || npm install -g --silent s3rver@3.7.1

dotnet build Liiklus.sln -c Release --nologo -v quiet

log=$(mktemp)
status=0
dotnet test Liiklus.sln -c Release --no-build --nologo \
  --blame-hang-timeout 5m \
  2>&1 | tee "$log" || status=$?

# One closing line any CI can read: "N passed, N failed".
awk '/(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) }
     } END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
rm -f "$log"
exit $status
