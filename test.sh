#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine with the .NET 10 SDK: installs what the tests start
# (Debian packages: mosquitto, mosquitto-clients, influxdb), builds, runs every test project, prints a summary.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v mosquitto_pub >/dev/null 2>&1 || need+=(mosquitto-clients)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
# The workbench: npm installs its chart library at build time; its browser tests drive Debian's chromium.
command -v npm >/dev/null 2>&1 || need+=(npm)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v influxd >/dev/null 2>&1 || [ -x /usr/sbin/influxd ] || need+=(influxdb)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "test.sh: installing ${need[*]} from Debian's packages"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# Build once, then run the test projects one after another: several of them start real brokers, services
# and agent processes, and on a 2-core machine running them all at once starves their start-up.
dotnet build EquipmentTwin.sln -c Release --nologo -v q
dotnet test EquipmentTwin.sln -c Release --nologo --no-build -m:1 "$@" 2>&1 | tee "$log" || status=$?

# One closing line for any reader: "tests: N passed, N failed, N skipped".
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+/ {
       for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
       n++ }
     END { gsub(",", "", f); printf "tests: %d passed, %d failed, %d skipped (%d test assemblies)\n", p, f, s, n }' "$log"
exit $status
