#!/usr/bin/env bash
# Fleet benchmark (run by hand, not a test): 1,000 lab devices in one `tlsdoctor lab start` process, scanned side by
# side in one run by (1) `tlsdoctor fleet scan` into SQLite, (2) three `tlsdoctor fleet worker` processes on one
# private PostgreSQL cluster (initdb into a temp dir, Unix socket only), (3) nmap -n -Pn --script ssl-enum-ciphers on
# the same ports. Per run: wall time, the scanner's CPU (user+sys; the three workers summed), the lab process's CPU,
# PostgreSQL's CPU, peak RSS and connections per device. Loopback only.
# Usage: bench/fleet/run.sh [RUNS=3] [DEVICES_PER_PROFILE=125]   (SKIP_PG=1 / SKIP_NMAP=1 leave a column out)
set -uo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
per=${2:-125}
base=21000
art=${ARTIFACTS:-/tmp/art-fleet-bench}
out=${OUT:-/tmp/fleet-bench}
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
need=()
[ -z "${SKIP_NMAP:-}" ] && ! command -v nmap >/dev/null && need+=(nmap)
[ -z "${SKIP_PG:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] && SUDO="" || SUDO=sudo
  $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null || { echo "apt-get install ${need[*]} failed"; exit 1; }
fi

# Eight server profiles, round robin in blocks: the guide's devices, a healthy one, and four hostile ones that
# answer fast (HTTP, garbage, an alert, a reset); silent/slow-drip devices are left out because they measure
# timeouts, not the scanner.
profiles=(mfd-weak-dh mfd-broken-dh mfd-fake-tls12 mfd-tls12-only payment-sha512 mfd-modern hostile-http hostile-reset-after-hello)
devices=$(( per * ${#profiles[@]} ))

# The shipped tool is Native AOT (scripts/package.sh): a JIT build would add seconds of compilation to every
# scanner process (three workers: three times). SKIP_PUBLISH=1 reuses the last published binary.
if [ -z "${SKIP_PUBLISH:-}" ]; then
  dotnet publish src/TlsDoctor.Cli/TlsDoctor.Cli.csproj -c Release -r linux-x64 -p:PublishAot=true -o "$art/aot" --artifacts-path "$art" -nologo -v q >"$out/publish.log" 2>&1 \
    || { echo "publish failed: $out/publish.log"; exit 1; }
fi
tlsdoctor="$art/aot/tlsdoctor"

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
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); git $(git rev-parse --short HEAD)"
echo "lab: $devices devices on 127.0.0.1:$base-$((base + devices - 1)), RSS $(ps -o rss= -p $lab | awk '{printf "%.0f MB", $1/1024}')"

active() { awk '/^Tcp:/ { if (++n == 2) print $6 }' /proc/net/snmp; }
tck=$(getconf CLK_TCK)
# CPU seconds of a process so far; with "all", also of its reaped children (PostgreSQL's exited backends).
cpu() { awk -v t="$tck" -v all="${2:-}" '{ s = $14 + $15; if (all != "") s += $16 + $17; printf "%.2f", s / t }' "/proc/$1/stat" 2>/dev/null || echo 0; }
pgcpu() { local s; s=$(cpu "$1" all); for c in $(pgrep -P "$1"); do s=$(awk -v a="$s" -v b="$(cpu "$c")" 'BEGIN { printf "%.2f", a + b }'); done; echo "$s"; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

rm -f "$out/fleet.raw" "$out/nmap.raw" "$out/pg.raw"
: >"$out/fleet.txt"
for r in $(seq 1 "$runs"); do
  rm -f "$out/fleet.db"*
  lab0=$(cpu $lab)
  /usr/bin/time -f "%e %M %U %S" -o "$out/time.txt" "$tlsdoctor" fleet scan "$out/inventory.csv" --db "$out/fleet.db" --json >"$out/scan.json" 2>"$out/scan.err"
  rc=$?
  labcpu=$(sub "$(cpu $lab)" "$lab0")
  read -r secs kb u s < <(tail -1 "$out/time.txt")   # GNU time prefixes "Command exited with non-zero status N"
  conns=$(python3 -c "import json; d=json.load(open('$out/scan.json')); print(d['connections'], json.dumps(d['statuses']))")
  echo "fleet run $r: exit $rc, ${secs} s, scanner CPU $(awk -v a=$u -v b=$s 'BEGIN{print a+b}') s, lab CPU $labcpu s, peak RSS $((kb / 1024)) MB, connections+statuses: $conns" | tee -a "$out/fleet.txt"
  echo "$secs $kb ${conns%% *} $(awk -v a=$u -v b=$s 'BEGIN{print a+b}') $labcpu" >>"$out/fleet.raw"
done

if [ -z "${SKIP_PG:-}" ]; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  pgdir=$(mktemp -d /tmp/fleet-bench-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres "$pgdir" && as=(runuser -u postgres --) || as=()
  "${as[@]}" "$pgbin/initdb" -D "$pgdir/data" -U postgres -A trust --no-sync >/dev/null
  "${as[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -o "-k $pgdir -c listen_addresses='' -c max_connections=300" start >/dev/null
  pgpid=$(head -1 "$pgdir/data/postmaster.pid")
  trap 'kill $lab 2>/dev/null; wait $lab 2>/dev/null; "${as[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null; rm -rf "$pgdir"' EXIT
  : >"$out/pg.txt"
  for r in $(seq 1 "$runs"); do
    "$pgbin/psql" -h "$pgdir" -U postgres -qc "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench" postgres
    db="postgres://postgres@/bench?host=$pgdir"
    "$tlsdoctor" fleet enqueue "$out/inventory.csv" --db "$db" --json >"$out/enqueue.json" 2>"$out/enqueue.err" || { echo "enqueue failed"; cat "$out/enqueue.err"; break; }
    lab0=$(cpu $lab); pg0=$(pgcpu $pgpid)
    start=$(date +%s.%N)
    for w in 1 2 3; do
      /usr/bin/time -f "%e %M %U %S" -o "$out/time-w$w.txt" "$tlsdoctor" fleet worker --db "$db" --name "w$w" --json >"$out/w$w.json" 2>"$out/w$w.err" &
    done
    wait $(jobs -p | grep -v "^$lab\$") 2>/dev/null
    secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    labcpu=$(sub "$(cpu $lab)" "$lab0"); pgc=$(sub "$(pgcpu $pgpid)" "$pg0")
    wcpu=$(cat "$out"/time-w?.txt | awk 'NF == 4 { s += $3 + $4; if ($2 > m) m = $2 } END { printf "%.2f %d", s, m }')
    conns=$(python3 -c "import json; print(sum(json.load(open('$out/w%d.json' % i))['connections'] for i in (1, 2, 3)))")
    results=$("$pgbin/psql" -h "$pgdir" -U postgres -At -c "SELECT count(*) || ' results, ' || count(DISTINCT device) || ' devices' FROM results" bench)
    echo "pg run $r: ${secs} s, workers' CPU ${wcpu% *} s, lab CPU $labcpu s, PostgreSQL CPU $pgc s, peak RSS per worker $(( ${wcpu#* } / 1024 )) MB, $conns connections, $results" | tee -a "$out/pg.txt"
    echo "$secs ${wcpu#* } $conns ${wcpu% *} $labcpu $pgc" >>"$out/pg.raw"
  done
fi

: >"$out/nmap.txt"
for r in $(seq 1 "$runs"); do
  [ -n "${SKIP_NMAP:-}" ] && break
  before=$(active); lab0=$(cpu $lab)
  /usr/bin/time -f "%e %M %U %S" -o "$out/time.txt" nmap -n -Pn -p "$base-$((base + devices - 1))" --script ssl-enum-ciphers 127.0.0.1 -oN "$out/nmap.out" >/dev/null 2>&1
  after=$(active); labcpu=$(sub "$(cpu $lab)" "$lab0")
  read -r secs kb u s < <(tail -1 "$out/time.txt")
  # nmap runs ssl-enum-ciphers only on ports its own TLS probe recognised: count what it really enumerated.
  enumerated=$(python3 - "$out/nmap.out" <<'PY'
import re, sys
ports, suites, port = set(), 0, None
for line in open(sys.argv[1]):
    if m := re.match(r"(\d+)/tcp", line): port = m.group(1)
    elif re.match(r"\|\s+TLS_", line): suites += 1; ports.add(port)
print(f"{len(ports)} ports with suites, {suites} suite lines")
PY
)
  echo "nmap run $r: ${secs} s, nmap CPU $(awk -v a=$u -v b=$s 'BEGIN{print a+b}') s, lab CPU $labcpu s, peak RSS $((kb / 1024)) MB, ~$((after - before)) TCP connects (system-wide ActiveOpens delta), $enumerated" | tee -a "$out/nmap.txt"
  echo "$secs $kb $((after - before)) $(awk -v a=$u -v b=$s 'BEGIN{print a+b}') $labcpu" >>"$out/nmap.raw"
done

if [ -s "$out/nmap.out" ] && [ -f "$out/fleet.db" ]; then
  "$tlsdoctor" fleet report --db "$out/fleet.db" --json >"$out/report.json" 2>/dev/null
  echo "findings, fleet scan vs nmap: $(python3 bench/fleet/compare.py "$out/nmap.out" "$out/report.json")"
fi

col() { cut -d' ' -f"$2" "$1" | median; }
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "medians per $devices devices: wall s | scanner CPU s (user+sys) | lab CPU s | PostgreSQL CPU s"
echo "  fleet scan (SQLite):    $(col "$out/fleet.raw" 1) | $(col "$out/fleet.raw" 4) | $(col "$out/fleet.raw" 5) | -"
[ -f "$out/pg.raw" ] && echo "  3 workers (PostgreSQL): $(col "$out/pg.raw" 1) | $(col "$out/pg.raw" 4) | $(col "$out/pg.raw" 5) | $(col "$out/pg.raw" 6)"
[ -s "$out/nmap.raw" ] && echo "  nmap ssl-enum-ciphers:  $(col "$out/nmap.raw" 1) | $(col "$out/nmap.raw" 4) | $(col "$out/nmap.raw" 5) | -"
echo "fleet scan median: $(cut -d' ' -f1 "$out/fleet.raw" | median) s, peak RSS $(cut -d' ' -f2 "$out/fleet.raw" | median | awk '{printf "%.0f", $1/1024}') MB, $(cut -d' ' -f3 "$out/fleet.raw" | median | awk -v n=$devices '{printf "%.1f", $1/n}') connections/device"
[ -s "$out/nmap.raw" ] && echo "nmap median:       $(cut -d' ' -f1 "$out/nmap.raw" | median) s, peak RSS $(cut -d' ' -f2 "$out/nmap.raw" | median | awk '{printf "%.0f", $1/1024}') MB, ~$(cut -d' ' -f3 "$out/nmap.raw" | median | awk -v n=$devices '{printf "%.1f", $1/n}') connections/device"
rm -f "$out/fleet.raw" "$out/nmap.raw" "$out/pg.raw"
