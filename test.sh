#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")"

# The Redis specs start their own redis-server, the operations specs their own prometheus and run promtool (no global
# ones: Debian's packages do not start them without systemd); install them where missing.
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
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
