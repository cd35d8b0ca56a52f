#!/usr/bin/env bash
# Fleet benchmark (run by hand, not a test): 1,000 lab devices in one `tlsdoctor lab start` process, scanned by
# `tlsdoctor fleet scan` in a separate process (wall time, peak RSS, connections per device), then by
# nmap -n -Pn --script ssl-enum-ciphers on the same ports. Loopback only.
# Usage: bench/fleet/run.sh [RUNS=3] [DEVICES_PER_PROFILE=125]
set -uo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
per=${2:-125}
base=21000
art=${ARTIFACTS:-/tmp/art-fleet-bench}
out=${OUT:-/tmp/fleet-bench}
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Eight server profiles, round robin in blocks: the guide's devices, a healthy one, and four hostile ones that
# answer fast (HTTP, garbage, an alert, a reset); silent/slow-drip devices are left out because they measure
# timeouts, not the scanner.
profiles=(mfd-weak-dh mfd-broken-dh mfd-fake-tls12 mfd-tls12-only payment-sha512 mfd-modern hostile-http hostile-reset-after-hello)
devices=$(( per * ${#profiles[@]} ))

dotnet build src/TlsDoctor.Cli/TlsDoctor.Cli.csproj -c Release --artifacts-path "$art" -nologo -v q >/dev/null || { echo "build failed"; exit 1; }
tlsdoctor="$art/bin/TlsDoctor.Cli/release/tlsdoctor"

"$tlsdoctor" lab start "${profiles[@]}" --count-per-profile "$per" --base-port "$base" --duration 3600 --json >"$out/lab.json" 2>"$out/lab.err" &
lab=$!
trap 'kill $lab 2>/dev/null; wait $lab 2>/dev/null' EXIT
for _ in $(seq 1 600); do
  python3 -c "import json,sys; json.load(open('$out/lab.json'))" 2>/dev/null && break
  sleep 0.5
done
python3 - "$out/lab.json" "$out/inventory.csv" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    f.write("name,host,port,model,site\n")
    for i, d in enumerate(doc["devices"]):
        f.write(f"dev-{i:04d},127.0.0.1,{d['port']},{d['profile']},site-{i % 4}\n")
PY
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "lab: $devices devices on 127.0.0.1:$base-$((base + devices - 1)), RSS $(ps -o rss= -p $lab | awk '{printf "%.0f MB", $1/1024}')"

active() { awk '/^Tcp:/ { if (++n == 2) print $6 }' /proc/net/snmp; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

rm -f "$out/fleet.raw" "$out/nmap.raw"
: >"$out/fleet.txt"
for r in $(seq 1 "$runs"); do
  rm -f "$out/fleet.db"*
  /usr/bin/time -f "%e %M" -o "$out/time.txt" "$tlsdoctor" fleet scan "$out/inventory.csv" --db "$out/fleet.db" --json >"$out/scan.json" 2>"$out/scan.err"
  rc=$?
  read -r secs kb < <(tail -1 "$out/time.txt")   # GNU time prefixes "Command exited with non-zero status N"
  conns=$(python3 -c "import json; d=json.load(open('$out/scan.json')); print(d['connections'], json.dumps(d['statuses']))")
  echo "fleet run $r: exit $rc, ${secs} s, peak RSS $((kb / 1024)) MB, connections+statuses: $conns" | tee -a "$out/fleet.txt"
  echo "$secs $kb ${conns%% *}" >>"$out/fleet.raw"
done

: >"$out/nmap.txt"
for r in $(seq 1 "$runs"); do
  before=$(active)
  /usr/bin/time -f "%e %M" -o "$out/time.txt" nmap -n -Pn -p "$base-$((base + devices - 1))" --script ssl-enum-ciphers 127.0.0.1 -oN "$out/nmap.out" >/dev/null 2>&1
  after=$(active)
  read -r secs kb < <(tail -1 "$out/time.txt")
  echo "nmap run $r: ${secs} s, peak RSS $((kb / 1024)) MB, ~$((after - before)) TCP connects (system-wide ActiveOpens delta)" | tee -a "$out/nmap.txt"
  echo "$secs $kb $((after - before))" >>"$out/nmap.raw"
done

echo
echo "fleet scan median: $(cut -d' ' -f1 "$out/fleet.raw" | median) s, peak RSS $(cut -d' ' -f2 "$out/fleet.raw" | median | awk '{printf "%.0f", $1/1024}') MB, $(cut -d' ' -f3 "$out/fleet.raw" | median | awk -v n=$devices '{printf "%.1f", $1/n}') connections/device"
echo "nmap median:       $(cut -d' ' -f1 "$out/nmap.raw" | median) s, peak RSS $(cut -d' ' -f2 "$out/nmap.raw" | median | awk '{printf "%.0f", $1/1024}') MB, ~$(cut -d' ' -f3 "$out/nmap.raw" | median | awk -v n=$devices '{printf "%.1f", $1/n}') connections/device"
rm -f "$out/fleet.raw" "$out/nmap.raw"
