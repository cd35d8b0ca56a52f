#!/usr/bin/env bash
# Turns one run directory of bench/scan/run.sh (bench/out/scan/STAMP) into the markdown section
# "## Scan: tlsdoctor vs sslscan, nmap, testssl.sh". Usage:
#   bench/scan/report.sh RAWDIR                      # section on stdout
#   bench/scan/report.sh RAWDIR --write RESULTS.md   # replace (or append) that section in RESULTS.md
# Hand-written explanations come from bench/scan/notes.md (included verbatim when present).
set -euo pipefail
RAW=${1:?usage: report.sh RAWDIR [--write RESULTS.md]}
WRITE=
[[ ${2:-} == --write ]] && WRITE=${3:?--write needs a file}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HEAD='## Scan: tlsdoctor vs sslscan, nmap, testssl.sh'
MEAS=$RAW/measurements.tsv
[[ -f $MEAS ]] || { echo "no $MEAS" >&2; exit 2; }

TARGETS=$(awk -F'\t' 'NR > 1 && !seen[$1]++ {print $1}' "$MEAS")
TOOLS=$(awk -F'\t' 'NR > 1 && !seen[$2]++ {print $2}' "$MEAS")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

median() { sort -n | awk '{a[NR] = $1} END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
col() { awk -F'\t' -v t="$1" -v tool="$2" -v c="$3" 'NR > 1 && $1 == t && $2 == tool {print $c}' "$MEAS"; }
strip() { sed 's/\x1b\[[0-9;]*m//g' "$@"; }
# Seconds from milliseconds, to the millisecond: native scans of fast peers take tens of them.
secs() { awk -v ms="$1" 'BEGIN { if (ms == "-" || ms == "") print "-"; else printf "%.3f", ms / 1000 }'; }

# OpenSSL cipher name -> IANA name, for sslscan and testssl's OpenSSL-named lists. The local OpenSSL 3.0
# has no RC4/3DES/DES/EXPORT suites at all, so those few are listed by hand.
{
  openssl ciphers -V -stdname 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' 2>/dev/null | awk '{print $5, $3}'
  cat <<'MAP'
RC4-SHA TLS_RSA_WITH_RC4_128_SHA
RC4-MD5 TLS_RSA_WITH_RC4_128_MD5
DES-CBC3-SHA TLS_RSA_WITH_3DES_EDE_CBC_SHA
EDH-RSA-DES-CBC3-SHA TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA
DHE-RSA-DES-CBC3-SHA TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA
ECDHE-RSA-DES-CBC3-SHA TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA
ECDHE-RSA-RC4-SHA TLS_ECDHE_RSA_WITH_RC4_128_SHA
DES-CBC-SHA TLS_RSA_WITH_DES_CBC_SHA
MAP
} >"$TMP/names"
to_iana() { awk 'NR == FNR { m[$1] = $2; next } { n = $2; if (n ~ /^TLS_/) print $1, n; else if (n in m) print $1, m[n]; else print $1, n "(unmapped)" }' "$TMP/names" -; }

# Findings of one tool's output, normalised to lines "VERSION" (versions file) and "VERSION IANA_SUITE" (suites file).
# testssl's default run lists suites without versions: its suite lines use the version "any".
findings() { # tool file -> $TMP/v, $TMP/s
  local tool=$1 f=$2
  : >"$TMP/v"; : >"$TMP/s"
  [[ -s $f ]] || return 0
  case $tool in
    tlsdoctor)
      jq -r '.scans[0].protocols[] | select(.supported) | .version' "$f" >"$TMP/v" 2>/dev/null || true
      jq -r '.scans[0].protocols[] | select(.supported) | .version as $v | .cipherSuites[] | "\($v) \(.name)"' "$f" >"$TMP/s" 2>/dev/null || true ;;
    sslscan)
      strip "$f" | awk '/^(SSLv[23]|TLSv1\.[0-3]) +enabled/ {print $1}' >"$TMP/v"
      strip "$f" | awk '/^(Preferred|Accepted) / {print $2, $5}' | to_iana >"$TMP/s" ;;
    nmap)
      awk '/^\|   (SSLv3|TLSv1\.[0-3]): *$/ {v = $2; sub(":", "", v); print v}' "$f" >"$TMP/v"
      # nmap 7.93 prints TLS 1.3 suites by draft names (TLS_AKE_WITH_...).
      awk '/^\|   (SSLv3|TLSv1\.[0-3]): *$/ {v = $2; sub(":", "", v)} /^\|       (TLS|SSL)_/ && v != "" {n = $2; sub("^TLS_AKE_WITH_", "TLS_", n); print v, n}' "$f" >"$TMP/s" ;;
    testssl)
      strip "$f" | awk '/^ (SSLv2|SSLv3|TLS 1|TLS 1\.1|TLS 1\.2|TLS 1\.3) +offered/ {
          v = ($1 == "TLS") ? "TLSv" $2 : $1; if (v == "TLSv1") v = "TLSv1.0"; print v }' >"$TMP/v"
      strip "$f" | awk '/^ x[0-9a-f]+ / {print "any", $NF}' >"$TMP/s" ;;
  esac
}

# Compares one tool's findings with tlsdoctor's; prints a markdown cell.
compare() { # tool file tlsdoctor-file
  local tool=$1
  findings tlsdoctor "$3"; mv "$TMP/v" "$TMP/tv"; mv "$TMP/s" "$TMP/ts"
  findings "$tool" "$2"
  local out="" miss extra
  if [[ ! -s $TMP/v && ! -s $TMP/s ]]; then echo "reported no versions and no suites"; return; fi
  miss=$(comm -23 <(sort -u "$TMP/tv") <(sort -u "$TMP/v") | paste -sd, -)
  extra=$(comm -13 <(sort -u "$TMP/tv") <(sort -u "$TMP/v") | paste -sd, -)
  if [[ -z $miss$extra ]]; then out="versions same"; else out="versions differ (not seen: ${miss:-none}; only this tool: ${extra:-none})"; fi
  if [[ $tool == testssl ]]; then
    # No per-version suite list in testssl's default output: compare the union over versions.
    awk '{print $2}' "$TMP/ts" | sort -u >"$TMP/ta"; awk '{print $2}' "$TMP/s" | sort -u >"$TMP/sa"
  else
    sort -u "$TMP/ts" | tr ' ' '/' >"$TMP/ta"; sort -u "$TMP/s" | tr ' ' '/' >"$TMP/sa"
  fi
  miss=$(comm -23 "$TMP/ta" "$TMP/sa" | paste -sd' ' -)
  extra=$(comm -13 "$TMP/ta" "$TMP/sa" | paste -sd' ' -)
  local n; n=$(wc -l <"$TMP/sa")
  if [[ -z $miss$extra ]]; then out+="; suites same ($n$([[ $tool == testssl ]] && echo ', union over versions'))"
  else out+="; suites differ — not seen: ${miss:-none}; only this tool: ${extra:-none}"; fi
  echo "$out"
}

{
  echo "$HEAD"
  echo
  echo "Produced by \`bench/scan/run.sh\` (as root; it creates and deletes its own loopback-only network"
  echo "namespace and starts the targets inside it). This run:"
  echo
  echo '```'
  sed -n 's/^command: /# /p; s/^env: /# /p' "$RAW/meta.txt" 2>/dev/null || true
  echo "# started $(sed -n 's/^started: //p' "$RAW/meta.txt" 2>/dev/null), finished $(sed -n 's/^finished: //p' "$RAW/meta.txt" 2>/dev/null); raw outputs: bench/out/scan/$(basename "$RAW")/"
  echo '```'
  echo
  echo "Tool commands, each run inside the namespace, wrapped in \`timeout\` (120 s; testssl 300 s):"
  echo
  echo '```'
  echo 'bench/out/tlsdoctor/tlsdoctor scan 127.0.0.1:PORT --json      # published with Native AOT (scripts/package.sh builds the same)'
  echo 'sslscan --no-colour 127.0.0.1:PORT'
  echo 'nmap -n -Pn -p PORT --script ssl-enum-ciphers 127.0.0.1'
  echo 'testssl --nodns none --warnings batch --quiet 127.0.0.1:PORT'
  echo '```'
  echo
  if awk -F'\t' 'NR == 1 {exit !($9 == "outer_ms")}' "$MEAS"; then
    echo "Wall time: the tool's whole process (fork, exec, run, exit), timed inside the namespace by a shell that starts"
    echo "nothing else (\`\$EPOCHREALTIME\` before and after). Timed from outside instead, every tool also pays"
    echo "\`ip netns exec\` and \`timeout\`: that reading is in the \"timed from outside\" columns."
  else
    echo "Wall time: \`date +%s%N\` before and after, outside the namespace (includes \`ip netns exec\` and \`timeout\`)."
  fi
  echo "Connections: TCP SYNs (SYN set, ACK clear)"
  echo "sent to the target port during that run, counted by an nftables counter in the namespace's output"
  echo "hook. Medians over $(awk -F'\t' 'NR > 1 {n[$1 FS $2]++} END {for (k in n) {print n[k]; exit}}' "$MEAS") runs."
  echo
  echo "Machine:"
  echo
  sed 's/^/- /' "$RAW/machine.txt" 2>/dev/null || true
  echo
  echo "Targets (the test peers of tests/TlsDoctor.TestPeers, rebuilt in bash; \`\$W\` is the script's temp dir):"
  echo
  awk -F'\t' '{printf "- **%s**: `%s`\n", $1, $2}' "$RAW/servers.tsv" 2>/dev/null || true
  echo

  # Summary table first: one line per target.
  echo "### Summary"
  echo
  echo "| target | tlsdoctor s | sslscan s | ratio (goal ≤ 0.33) | ratio timed from outside the namespace | tlsdoctor conns | bound Σ(suites+1)+3 | within bound | of them group enumeration / full handshakes | handshakes field = SYNs |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for t in $TARGETS; do
    td=$(col "$t" tlsdoctor 4 | median); ss=$(col "$t" sslscan 4 | median); tc=$(col "$t" tlsdoctor 5 | median)
    ratio=$(awk -v a="$td" -v b="$ss" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f %s", a / b, (a / b <= 1 / 3 ? "met" : "**missed**") }')
    # Column 9 (outer_ms) exists in runs from 2026-11-27 04:00 UTC on; older runs were timed from outside only.
    tdo=$(col "$t" tlsdoctor 9 | awk NF | median); sso=$(col "$t" sslscan 9 | awk NF | median)
    ratio_o=$(awk -v a="$tdo" -v b="$sso" 'BEGIN { if (a == "-" || a == "" || b == "-" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }')
    f=$RAW/$t.tlsdoctor.1.out
    bound=$(jq '[.scans[0].protocols[] | ((.cipherSuites // []) | length) + 1] | add + 3' "$f" 2>/dev/null || echo -)
    within=$(awk -v c="$tc" -v b="$bound" 'BEGIN { if (c == "-" || b == "-") print "-"; else print (c <= b ? "yes" : "**no**") }')
    eq=$(awk -F'\t' -v t="$t" 'NR > 1 && $1 == t && $2 == "tlsdoctor" {n++; if ($5 == $7) k++} END {printf "%d of %d runs", k, n}' "$MEAS")
    v=$RAW/$t.tlsdoctor.verbose.out
    gf=$(jq -r '[.scans[0].attempts[]?.purpose] | "\(map(select(startswith("groups "))) | length) / \(map(select(startswith("full handshake"))) | length)"' "$v" 2>/dev/null || echo -)
    echo "| $t | $(secs "$td") | $(secs "$ss") | $ratio | $ratio_o | $tc | $bound | $within | $gf | $eq |"
  done
  echo

  for t in $TARGETS; do
    echo "### $t"
    echo
    echo "| tool | median wall s | min–max s | median s timed from outside the namespace | median connections | min–max | exit codes | load avg at start (median) |"
    echo "|---|---|---|---|---|---|---|---|"
    for tool in $TOOLS; do
      w=$(col "$t" "$tool" 4 | median); c=$(col "$t" "$tool" 5 | median); wo=$(col "$t" "$tool" 9 | awk NF | median)
      wr=$(col "$t" "$tool" 4 | sort -n | awk 'NR == 1 {a = $1} {b = $1} END {printf "%.3f–%.3f", a / 1000, b / 1000}')
      cr=$(col "$t" "$tool" 5 | sort -n | awk 'NR == 1 {a = $1} {b = $1} END {print a "–" b}')
      ex=$(col "$t" "$tool" 6 | sort -n | uniq -c | awk '{printf "%s%s×%s", sep, $1, $2; sep = ", "}')
      ld=$(col "$t" "$tool" 8 | median)
      echo "| $tool | $(secs "$w") | $wr | $(secs "$wo") | $c | $cr | $ex | $ld |"
    done
    echo
    f=$RAW/$t.tlsdoctor.1.out
    if [[ -s $f ]]; then
      terms=$(jq -r '[.scans[0].protocols[] | "\(.version) \((.cipherSuites // []) | length)+1"] | join(", ")' "$f")
      bound=$(jq '[.scans[0].protocols[] | ((.cipherSuites // []) | length) + 1] | add + 3' "$f")
      hs=$(col "$t" tlsdoctor 7 | paste -sd' ' -); syn=$(col "$t" tlsdoctor 5 | paste -sd' ' -)
      el=$(for r in $(col "$t" tlsdoctor 3); do jq -r '.scans[0].elapsedMs' "$RAW/$t.tlsdoctor.$r.out" 2>/dev/null; done | median)
      echo "- tlsdoctor connection bound: Σ over versions (accepted suites + 1) + 3 = ($terms) + 3 = **$bound**;"
      echo "  counted SYNs per run: $syn; its own \`handshakes\` field per run: $hs."
      ov=$(for r in $(col "$t" tlsdoctor 3); do
             w=$(awk -F'\t' -v t="$t" -v r="$r" 'NR > 1 && $1 == t && $2 == "tlsdoctor" && $3 == r {print $4}' "$MEAS")
             e=$(jq -r '.scans[0].elapsedMs' "$RAW/$t.tlsdoctor.$r.out" 2>/dev/null) && echo $((w - e)); done | median)
      echo "- tlsdoctor's own \`elapsedMs\` (the scan alone, from first to last connection), median: $el ms;"
      echo "  the rest of its wall time (process start, argument parsing, JSON, exit), median of wall − elapsedMs: $ov ms."
      v=$RAW/$t.tlsdoctor.verbose.out
      if [[ -s $v ]]; then
        # Purposes look like "suites TLSv1.2", "versions: highest", "full handshake TLSv1.0": group by the part before the version.
        br=$(jq -r '.scans[0].attempts[]?.purpose' "$v" | sed -E 's/:.*$//; s/ (SSLv[23]|TLSv1\.[0-3])$//' | sort | uniq -c | sort -rn | awk '{n = $1; $1 = ""; sub(/^ /, ""); printf "%s%s %s", sep, n, $0; sep = ", "}')
        echo "- Where tlsdoctor's connections went (one extra untimed run with \`-v\`, $(jq '.scans[0].handshakes' "$v") handshakes, $(cat "$RAW/$t.tlsdoctor.verbose.syns" 2>/dev/null || echo '?') SYNs): $br."
      fi
      echo "- tlsdoctor findings: $(jq -r '[.scans[0].protocols[] | select(.supported) | "\(.version)\(if .serverOrder == true then " (server order)" elif .serverOrder == false then " (client order)" else "" end): \([.cipherSuites[] | .name + (if .dhBits then " DH\(.dhBits)" else "" end)] | join(" > "))"] | join("; ")' "$f"); groups: $(jq -r '.scans[0].groups | join(", ") | if . == "" then "none" else . end' "$f"); leaf: $(jq -r '.scans[0].certificates[0] | "\(.subject), \(.keyAlgorithm) \(.keyBits), \(.signatureAlgorithm)"' "$f")."
      stable=$(for r in $(col "$t" tlsdoctor 3); do jq -c '[.scans[0].protocols[] | [.version, .supported, [.cipherSuites[]?.name]]]' "$RAW/$t.tlsdoctor.$r.out" 2>/dev/null; done | sort -u | wc -l)
      echo "- tlsdoctor gave the same versions and suites in every run: $([[ $stable == 1 ]] && echo yes || echo "**no** ($stable different answers)")."
      for tool in $TOOLS; do
        [[ $tool == tlsdoctor ]] && continue
        # Findings of the first run; later runs are assumed to agree unless their outputs differ.
        o=$RAW/$t.$tool.1.out
        echo "- $tool vs tlsdoctor: $(compare "$tool" "$o" "$f")$(
          [[ $tool == testssl ]] && grep -q 'Your OpenSSL cannot connect' "$o" 2>/dev/null && echo ' — **testssl aborted**: "Your OpenSSL cannot connect to 127.0.0.1:PORT"')."
      done
    else
      echo "- tlsdoctor produced no JSON on this target."
    fi
    echo
  done

  if [[ -f $HERE/notes.md ]]; then
    cat "$HERE/notes.md"
    echo
  fi
} >"$TMP/section.md"

if [[ -z $WRITE ]]; then
  cat "$TMP/section.md"
else
  # Replace only this section; keep everything else (e.g. another helper's "Lab scale").
  [[ -f $WRITE ]] || printf '# Benchmark results\n\n' >"$WRITE"
  awk -v head="$HEAD" -v sect="$TMP/section.md" '
    $0 == head { skip = 1; while ((getline l < sect) > 0) print l; done = 1; next }
    skip && /^## / { skip = 0 }
    !skip { print }
    END { if (!done) { print ""; while ((getline l < sect) > 0) print l } }' "$WRITE" >"$WRITE.tmp"
  mv "$WRITE.tmp" "$WRITE"
  cp "$TMP/section.md" "$RAW/section.md"
  echo "wrote $WRITE" >&2
fi
