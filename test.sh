#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")"

# The Redis specs start their own redis-server (no global one); install it where missing.
if ! command -v redis-server >/dev/null; then apt-get update -qq && apt-get install -y -qq redis-server; fi
# The PostgreSQL specs start their own server in a temporary directory (Debian's postgresql: initdb, postgres).
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then apt-get update -qq && apt-get install -y -qq postgresql; fi
# The DynamoDB specs start their own dynalite (npm; it asks for Node.js 20, and runs on Debian 12's 18 too).
if ! command -v dynalite >/dev/null; then
  if ! command -v npm >/dev/null; then apt-get update -qq && apt-get install -y -qq nodejs npm; fi
  npm install -g --silent dynalite@4.0.0
fi

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
