#!/usr/bin/env bash
# Scan benchmark: tlsdoctor vs sslscan, nmap ssl-enum-ciphers and testssl.sh on local OpenSSL/GnuTLS
# targets, all inside a loopback-only network namespace this script creates and deletes (testssl.sh
# would otherwise send DNS queries off the machine). Run by hand as root from anywhere:
#   sudo bench/scan/run.sh            # 5 runs per tool and target, rewrites the scan section of bench/RESULTS.md
# Environment knobs: RUNS (default 5), TARGETS (space separated names, default the six below, or "all"),
# TOOLS (default "tlsdoctor sslscan nmap testssl"), SKIP_PUBLISH=1 (reuse bench/out/tlsdoctor),
# NO_RESULTS=1 (keep bench/RESULTS.md untouched; the section is still written to bench/out/scan/).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUNS=${RUNS:-5}
DEFAULT_TARGETS="OldMfdWeakDh ModernTls12ServerOrder Tls13Only Tls10Tls11RsaOnly Legacy3DesRc4 Sha512Chain"
ALL_TARGETS="$DEFAULT_TARGETS OldMfdWeakDhGnutls Dh768 Dh1024 ClientOrder EcdsaTls12"
TARGETS=${TARGETS:-$DEFAULT_TARGETS}
[[ $TARGETS == all ]] && TARGETS=$ALL_TARGETS
TOOLS=${TOOLS:-"tlsdoctor sslscan nmap testssl"}
TESTSSL_TIMEOUT=300
TOOL_TIMEOUT=120
COMMAND_LINE="$(printf '%q ' "$0" "$@")"
[[ $RUNS =~ ^[1-9][0-9]?$ ]] || { echo "RUNS must be 1..99" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "run as root (network namespaces, nft, apt-get)" >&2; exit 2; }

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# ---------------------------------------------------------------- 1. tools
need_pkgs=()
declare -A PKG_OF=([sslscan]=sslscan [nmap]=nmap [testssl]=testssl.sh [openssl]=openssl [gnutls-serv]=gnutls-bin
  [gcc]=gcc [ip]=iproute2 [nft]=nftables [jq]=jq [timeout]=coreutils [awk]=gawk)
for cmd in "${!PKG_OF[@]}"; do command -v "$cmd" >/dev/null || need_pkgs+=("${PKG_OF[$cmd]}"); done
[[ -f /usr/include/openssl/ssl.h ]] || need_pkgs+=(libssl-dev)
if ((${#need_pkgs[@]})); then
  log "installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -q >/dev/null
  timeout 900 apt-get install -y -q "${need_pkgs[@]}" >/dev/null
fi

# ---------------------------------------------------------------- 2. tlsdoctor, Native AOT (as shipped: no JIT at start-up)
TLSDOCTOR=$ROOT/bench/out/tlsdoctor/tlsdoctor
if [[ ${SKIP_PUBLISH:-0} != 1 || ! -x $TLSDOCTOR ]]; then
  log "publishing tlsdoctor (Native AOT)"
  PUBLISH_LOG=$(mktemp /tmp/tlsdoctor-bench-publish.XXXXXX.log)
  if ! (cd "$ROOT" && timeout 900 dotnet publish src/TlsDoctor.Cli/TlsDoctor.Cli.csproj -c Release -r linux-x64 \
     -p:PublishAot=true -o bench/out/tlsdoctor --artifacts-path /tmp/art-bench >"$PUBLISH_LOG" 2>&1); then
    grep -E 'error|Error' "$PUBLISH_LOG" | sort -u | tail -20 >&2
    echo "dotnet publish failed (full log: $PUBLISH_LOG); SKIP_PUBLISH=1 benchmarks the binary already in bench/out/tlsdoctor" >&2
    exit 1
  fi
  rm -f "$PUBLISH_LOG"
  PUBLISHED=now
else
  PUBLISHED="earlier (SKIP_PUBLISH=1)"
fi

# ---------------------------------------------------------------- 3. namespace, certificates, targets
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW=$ROOT/bench/out/scan/$STAMP          # every tool output of this run (bench/out is git-ignored)
mkdir -p "$RAW"
WORK=$(mktemp -d /tmp/tlsdoctor-bench.XXXXXX)
NS=tlsdoctor-bench-$$-$RANDOM
SERVER_PIDS=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  # Anything still alive in the namespace (a tool killed mid-run) would keep it busy.
  for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$NS"
ip -n "$NS" link set lo up
in_ns() { ip netns exec "$NS" "$@"; }

log "namespace $NS, work dir $WORK, raw outputs $RAW"
ASSETS=$ROOT/tests/TlsDoctor.TestPeers/Assets
timeout 60 gcc -shared -fPIC -O2 -o "$WORK/seclevel_off.so" "$ASSETS/seclevel_off.c" -lssl -ldl
timeout 60 gcc -shared -fPIC -O2 -o "$WORK/bind_loopback.so" "$ASSETS/bind_loopback.c" -ldl
cp "$ASSETS"/dh512.pem "$ASSETS"/dh768.pem "$ASSETS"/dh1024.pem "$WORK/"

# Certificates as PeerCertificates.cs makes them: SAN localhost/127.0.0.1/::1, basicConstraints CA:FALSE.
# A config of our own, so that the system openssl.cnf adds no extensions of its own.
cat >"$WORK/req.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
[leaf]
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
basicConstraints = CA:FALSE
[leaf_issued]
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
basicConstraints = CA:FALSE
authorityKeyIdentifier = keyid:always
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
CNF
selfsigned() { # name cn digest extensions genpkey-args...
  local name=$1 cn=$2 digest=$3 ext=$4; shift 4
  timeout 60 openssl genpkey "$@" -out "$WORK/$name.key.pem" 2>/dev/null
  local -a req=(openssl req -config "$WORK/req.cnf" -x509 -new -key "$WORK/$name.key.pem" -"$digest" -days 3650
                -subj "/CN=$cn" -extensions "$ext" -out "$WORK/$name.crt.pem")
  # Debian's OpenSSL may refuse to sign with SHA-1 at its default level; the shim lifts that.
  timeout 60 "${req[@]}" 2>/dev/null || LD_PRELOAD=$WORK/seclevel_off.so timeout 60 "${req[@]}"
}
selfsigned oldmfd old-mfd sha1 leaf -algorithm RSA -pkeyopt rsa_keygen_bits:1024
selfsigned rsa2048 tls-peer sha256 leaf -algorithm RSA -pkeyopt rsa_keygen_bits:2048
selfsigned ecdsa ecdsa-peer sha256 leaf -algorithm EC -pkeyopt ec_paramgen_curve:P-256
selfsigned sha512ca sha512-ca sha512 ca -algorithm RSA -pkeyopt rsa_keygen_bits:2048
timeout 60 openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/sha512leaf.key.pem" 2>/dev/null
timeout 60 openssl req -config "$WORK/req.cnf" -new -key "$WORK/sha512leaf.key.pem" -sha512 -subj /CN=sha512-leaf \
  -out "$WORK/sha512leaf.csr"
timeout 60 openssl x509 -req -in "$WORK/sha512leaf.csr" -CA "$WORK/sha512ca.crt.pem" -CAkey "$WORK/sha512ca.key.pem" \
  -CAcreateserial -sha512 -days 3649 -extfile "$WORK/req.cnf" -extensions leaf_issued -out "$WORK/sha512leaf.crt.pem" 2>/dev/null

# Server command lines, as ServerCommand in tests/TlsDoctor.TestPeers/TlsServerProcess.cs builds them.
declare -A PORT CMD
start_port=4501
server_cmd() { # target port -> command words (shell-quoted) in CMD[target]
  local t=$1 p=$2
  local S="openssl s_server -accept 127.0.0.1:$p -www"
  local SHIM="env LD_PRELOAD=$WORK/seclevel_off.so" BIND="env LD_PRELOAD=$WORK/bind_loopback.so"
  local rsa="-cert $WORK/rsa2048.crt.pem -key $WORK/rsa2048.key.pem" old="-cert $WORK/oldmfd.crt.pem -key $WORK/oldmfd.key.pem"
  local mfd="DHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA:AES256-SHA:AES128-SHA:@SECLEVEL=0"
  case $t in
    OldMfdWeakDh) CMD[$t]="$SHIM $S $old -min_protocol TLSv1 -max_protocol TLSv1 -cipher $mfd -serverpref -dhparam $WORK/dh512.pem" ;;
    Dh768)  CMD[$t]="$SHIM $S $old -min_protocol TLSv1 -max_protocol TLSv1.2 -cipher $mfd -serverpref -dhparam $WORK/dh768.pem" ;;
    Dh1024) CMD[$t]="$S $old -min_protocol TLSv1 -max_protocol TLSv1.2 -cipher $mfd -serverpref -dhparam $WORK/dh1024.pem" ;;
    OldMfdWeakDhGnutls) CMD[$t]="$BIND gnutls-serv --port $p --x509certfile $WORK/oldmfd.crt.pem --x509keyfile $WORK/oldmfd.key.pem --priority NONE:+VERS-TLS1.0:+DHE-RSA:+RSA:+AES-256-CBC:+AES-128-CBC:+SHA1:+COMP-NULL:+SIGN-ALL:+GROUP-ALL:%SERVER_PRECEDENCE --disable-client-cert --dhparams $WORK/dh512.pem" ;;
    ModernTls12ServerOrder) CMD[$t]="$S $rsa -min_protocol TLSv1.2 -max_protocol TLSv1.2 -cipher ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256 -serverpref -groups X25519:P-256" ;;
    Tls13Only) CMD[$t]="$S $rsa -min_protocol TLSv1.3 -max_protocol TLSv1.3 -ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256 -serverpref -groups X25519:P-256:P-384" ;;
    Tls10Tls11RsaOnly) CMD[$t]="$S $rsa -min_protocol TLSv1 -max_protocol TLSv1.1 -cipher AES256-SHA:AES128-SHA:@SECLEVEL=0 -serverpref" ;;
    Sha512Chain) CMD[$t]="$S -cert $WORK/sha512leaf.crt.pem -key $WORK/sha512leaf.key.pem -min_protocol TLSv1.2 -max_protocol TLSv1.2 -cert_chain $WORK/sha512ca.crt.pem -cipher ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256 -serverpref -groups P-256:P-384" ;;
    Legacy3DesRc4) CMD[$t]="$BIND gnutls-serv --port $p --x509certfile $WORK/rsa2048.crt.pem --x509keyfile $WORK/rsa2048.key.pem --priority NONE:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:+RSA:+3DES-CBC:+ARCFOUR-128:+AES-128-CBC:+SHA1:+MD5:+COMP-NULL:+SIGN-ALL:+GROUP-ALL:%SERVER_PRECEDENCE --disable-client-cert" ;;
    ClientOrder) CMD[$t]="$S $rsa -min_protocol TLSv1.2 -max_protocol TLSv1.2 -cipher ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:AES128-GCM-SHA256 -groups X25519:P-256" ;;
    EcdsaTls12) CMD[$t]="$S -cert $WORK/ecdsa.crt.pem -key $WORK/ecdsa.key.pem -min_protocol TLSv1.2 -max_protocol TLSv1.2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256 -serverpref -groups P-256" ;;
    *) echo "unknown target $t (known: $ALL_TARGETS)" >&2; exit 2 ;;
  esac
}

# One counter per target port: SYNs (SYN set, ACK clear) that leave for the port = TCP connections opened.
NFT=$'table inet tlsdoctor_bench {\n'
p=$start_port
for t in $TARGETS; do PORT[$t]=$p; NFT+="  counter c$p { }"$'\n'; p=$((p + 1)); done
NFT+=$'  chain out {\n    type filter hook output priority 0; policy accept;\n'
for t in $TARGETS; do NFT+="    tcp dport ${PORT[$t]} tcp flags & (syn | ack) == syn counter name \"c${PORT[$t]}\""$'\n'; done
NFT+=$'  }\n}\n'
in_ns nft -f - <<<"$NFT"
syn_count() { in_ns nft -j list counter inet tlsdoctor_bench "c$1" | jq '.nftables[] | select(.counter) | .counter.packets'; }
syn_reset() { in_ns nft reset counter inet tlsdoctor_bench "c$1" >/dev/null; }

for t in $TARGETS; do
  server_cmd "$t" "${PORT[$t]}"
  log "starting $t on 127.0.0.1:${PORT[$t]}: ${CMD[$t]}"
  # shellcheck disable=SC2086  # CMD holds words without spaces inside them
  ip netns exec "$NS" ${CMD[$t]} </dev/null >"$RAW/server-$t.log" 2>&1 &
  SERVER_PIDS+=($!)
  ok=0
  for _ in $(seq 100); do
    if in_ns timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/${PORT[$t]}" 2>/dev/null; then ok=1; break; fi
    kill -0 "${SERVER_PIDS[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  ((ok)) || { echo "$t did not start:"; cat "$RAW/server-$t.log"; exit 1; } >&2
done

# ---------------------------------------------------------------- 4. runs
# This machine pages out file pages left untouched for a few seconds (a DAMON "pageout" scheme), and a tool's
# runs are ~80 s apart (testssl runs in between): without this, a tool would start by reading its own binary back
# from disk (tlsdoctor's 28 MB: +13 ms, 19 ms instead of 6 for --version). Every tool gets its executable and
# shared libraries read into the page cache just before its timed run, as they are for a tool in regular use.
warm_files() {
  local f; f=$(command -v "$1") || return 0
  cat "$f" >/dev/null
  { ldd "$f" 2>/dev/null || true; } | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | xargs -r cat >/dev/null
}

run_tool() { # tool target port -> writes $RAW/<target>.<tool>.<run>.out ; prints "ms syns rc"
  local tool=$1 t=$2 p=$3 run=$4 out="$RAW/$2.$1.$4" rc=0 t0 t1
  local -a cmd
  case $tool in
    tlsdoctor) cmd=(timeout "$TOOL_TIMEOUT" "$TLSDOCTOR" scan "127.0.0.1:$p" --json) ;;
    sslscan)   cmd=(timeout "$TOOL_TIMEOUT" sslscan --no-colour "127.0.0.1:$p") ;;
    nmap)      cmd=(timeout "$TOOL_TIMEOUT" nmap -n -Pn -p "$p" --script ssl-enum-ciphers 127.0.0.1) ;;
    testssl)   cmd=(timeout "$TESTSSL_TIMEOUT" testssl --nodns none --warnings batch --quiet "127.0.0.1:$p") ;;
  esac
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  warm_files "${cmd[2]}"
  syn_reset "$p"
  # Two clocks. The tool's own wall time is taken inside the namespace, by a shell that starts only the tool
  # (fork + exec + run + exit): entering the namespace (ip netns exec) and the timeout wrapper cost every tool
  # the same 11-13 ms and belong to no tool. The outer clock includes them, and is kept as a cross-check.
  rm -f "$out.us"
  t0=$(date +%s%N)
  in_ns "${cmd[@]:0:2}" bash -c 's=${EPOCHREALTIME/./}; "$@"; rc=$?; e=${EPOCHREALTIME/./}; echo $((e - s)) >"$0"; exit $rc' \
    "$out.us" "${cmd[@]:2}" </dev/null >"$out.out" 2>"$out.err" || rc=$?
  t1=$(date +%s%N)
  local outer=$(((t1 - t0) / 1000000)) own
  # A tool killed by the timeout leaves no inner reading; the outer one stands in.
  own=$(awk '{printf "%d", ($1 + 500) / 1000}' "$out.us" 2>/dev/null) ; [[ -n $own ]] || own=$outer
  echo "$own $(syn_count "$p") $rc $load $outer"
}

MEAS=$RAW/measurements.tsv
# load1: the 1-minute load average when the run started (other work on the machine skews wall times).
# wall_ms: the tool's own process (timed inside the namespace); outer_ms: the same run timed from outside,
# including ip netns exec and timeout.
printf 'target\ttool\trun\twall_ms\tsyns\texit\thandshakes\tload1\touter_ms\n' >"$MEAS"
for t in $TARGETS; do
  # Runs interleaved (each tool once, then again) so that changing load on the machine hits every tool alike.
  for run in $(seq "$RUNS"); do
    for tool in $TOOLS; do
      read -r ms syns rc load outer < <(run_tool "$tool" "$t" "${PORT[$t]}" "$run")
      hs=-
      [[ $tool == tlsdoctor ]] && hs=$(jq -r '.scans[0].handshakes // "-"' "$RAW/$t.$tool.$run.out" 2>/dev/null || echo -)
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$tool" "$run" "$ms" "$syns" "$rc" "$hs" "$load" "$outer" >>"$MEAS"
      log "$t $tool run $run: ${ms} ms (${outer} ms from outside the namespace), $syns connections, exit $rc$([[ $hs == - ]] || echo ", handshakes $hs"), load $load"
    done
  done
  if [[ " $TOOLS " == *" tlsdoctor "* ]]; then
    # One more, untimed run with -v: its JSON lists every connection and what it was for.
    p=${PORT[$t]}
    syn_reset "$p"
    in_ns timeout "$TOOL_TIMEOUT" "$TLSDOCTOR" scan "127.0.0.1:$p" --json -v </dev/null >"$RAW/$t.tlsdoctor.verbose.out" 2>"$RAW/$t.tlsdoctor.verbose.err" || true
    echo "$(syn_count "$p")" >"$RAW/$t.tlsdoctor.verbose.syns"
  fi
done

# Versions of everything, for the report.
{
  echo "nproc: $(nproc)"
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "cpu: $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
  echo "kernel: $(uname -r)"
  echo "os: $(. /etc/os-release; echo "$PRETTY_NAME")"
  echo "dotnet: $(dotnet --version 2>/dev/null)"
  echo "tlsdoctor: bench/out/tlsdoctor published $PUBLISHED, main binary dated $(date -u -r "$TLSDOCTOR" '+%Y-%m-%d %H:%M UTC'); work tree at git $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null)$(cd "$ROOT" && [[ -n $(git status --porcelain -- src 2>/dev/null) ]] && echo ' + uncommitted changes in src/')"
  echo "openssl: $(openssl version)"
  echo "gnutls-serv: $(gnutls-serv --version | head -1)"
  echo "sslscan: $(sslscan --version 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | awk 'NF{print $1; exit}') (dpkg $(dpkg-query -W -f='${Version}' sslscan))"
  echo "nmap: $(nmap --version | head -1)"
  echo "testssl.sh: dpkg $(dpkg-query -W -f='${Version}' testssl.sh)"
} >"$RAW/machine.txt"

# The server command lines, for the report.
for t in $TARGETS; do echo "$t	${CMD[$t]//$WORK/\$W}"; done >"$RAW/servers.tsv"

{
  echo "command: $COMMAND_LINE"
  echo "env: RUNS=$RUNS TARGETS=\"$TARGETS\" TOOLS=\"$TOOLS\" SKIP_PUBLISH=${SKIP_PUBLISH:-0}"
  echo "started: $STAMP"
  echo "finished: $(date -u +%Y%m%dT%H%M%SZ)"
} >"$RAW/meta.txt"

log "measurements in $MEAS; writing the report"
if [[ ${NO_RESULTS:-0} == 1 ]]; then
  bash "$ROOT/bench/scan/report.sh" "$RAW" >"$RAW/section.md"
else
  bash "$ROOT/bench/scan/report.sh" "$RAW" --write "$ROOT/bench/RESULTS.md"
fi
log "done; raw outputs in $RAW"
