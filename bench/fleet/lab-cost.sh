#!/usr/bin/env bash
# Where the lab's CPU goes (run by hand, not a test): the lab process's CPU (utime+stime from /proc, in ms) for
# (1) nmap ssl-enum-ciphers, `tlsdoctor scan` with and without full handshakes over the same lab devices, and
# (2) 50 openssl s_client full handshakes of each kind against one lab device. Loopback only.
# Usage: bench/fleet/lab-cost.sh [DEVICES_PER_PROFILE=40] [BASE_PORT=43100]
set -uo pipefail
cd "$(dirname "$0")/../.."
per=${1:-40}
base=${2:-43100}
tool=${TLSDOCTOR:-artifacts/bin/TlsDoctor.Cli/release/tlsdoctor}
[ -x "$tool" ] || dotnet build src/TlsDoctor.Cli -c Release -nologo -v q >/dev/null || exit 1
command -v nmap >/dev/null || { echo "nmap is needed (apt-get install nmap)"; exit 1; }
tick_ms=$(( 1000 / $(getconf CLK_TCK) ))
out=$(mktemp -d)

start_lab() { ${LABENV:-} "$tool" lab start "$@" --duration 900 >"$out/lab.txt" 2>&1 & lab=$!; sleep 5; kill -0 $lab 2>/dev/null || { cat "$out/lab.txt"; exit 1; }; }
cpu() { awk '{print $14+$15}' /proc/$lab/stat; }
measure() { local c0; c0=$(cpu); "$@" >"$out/last" 2>/dev/null; echo $(( ($(cpu) - c0) * tick_ms )); }
connections() { python3 -c "import json,sys; print(sum(s['handshakes'] for s in json.load(open(sys.argv[1]))['scans']))" "$out/last"; }

n=$(( per * 2 ))
last=$(( base + n - 1 ))
start_lab mfd-modern mfd-weak-dh --count-per-profile "$per" --base-port "$base"
targets=(); for p in $(seq "$base" "$last"); do targets+=("127.0.0.1:$p"); done
echo "== $n devices (mfd-modern, mfd-weak-dh): lab CPU"
echo "nmap ssl-enum-ciphers:         $(measure nmap -n -Pn -p "$base-$last" --script ssl-enum-ciphers 127.0.0.1) ms"
echo "tlsdoctor scan:                $(measure "$tool" scan "${targets[@]}" --json) ms, $(connections) connections"
echo "tlsdoctor scan --no-handshake: $(measure "$tool" scan "${targets[@]}" --json --no-handshake) ms, $(connections) connections"
kill $lab; wait $lab 2>/dev/null

start_lab mfd-modern --base-port "$base"
echo "== 50 openssl s_client handshakes against one mfd-modern device (RSA 2048): lab CPU"
hs() { for _ in $(seq 50); do echo | openssl s_client -connect "127.0.0.1:$base" "$@" >/dev/null 2>&1; done; }
measure hs -tls1_2 -cipher AES128-GCM-SHA256 >/dev/null  # warm the lab's JIT
for opt in "-tls1_2 -cipher AES128-GCM-SHA256" "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -groups X25519" \
           "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -groups P-256" "-tls1_3 -groups X25519" "-tls1_3 -groups P-256"; do
  # shellcheck disable=SC2086
  echo "$opt: $(measure hs $opt) ms"
done
kill $lab; wait $lab 2>/dev/null
rm -rf "$out"
