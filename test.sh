#!/usr/bin/env bash
# Builds TlsDoctor and runs every test; the last line is "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")"

need=()
command -v openssl >/dev/null || need+=(openssl)
command -v gnutls-serv >/dev/null || need+=(gnutls-bin)
command -v gcc >/dev/null || need+=(gcc)
[ -f /usr/include/openssl/ssl.h ] || need+=(libssl-dev)
command -v chromium >/dev/null || need+=(chromium)   # fleet report HTML test (headless)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)   # fleet tests start a private cluster
[ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null || need+=(wine64)   # the win-x64 build under Wine (Cli WineTests)
if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]}" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null \
    || { echo "test.sh: apt-get install ${need[*]} failed" >&2; echo "0 passed, 1 failed"; exit 1; }
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results=artifacts/test-results
rm -rf "$results"
if ! dotnet build TlsDoctor.slnx -c Release -nologo -v q; then
  echo "test.sh: build failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test TlsDoctor.slnx -c Release --no-build -nologo -v q \
  --logger "trx" --results-directory "$results" -- RunConfiguration.TestSessionTimeout=540000
rc=$?

passed=0; failed=0; skipped=0
for f in "$results"/*.trx; do
  [ -f "$f" ] || continue
  line=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$line")
  fa=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$line")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$line")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$line")
  passed=$((passed + ${p:-0})); failed=$((failed + ${fa:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ "$failed" -gt 0 ]; then
  # The quiet console run names a failed test but not why; CI logs need the assertion message too.
  echo "test.sh: failed tests:" >&2
  if command -v python3 >/dev/null; then
    python3 - "$results" <<'PY' >&2
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for f in sorted(glob.glob(sys.argv[1] + "/*.trx")):
    for r in ET.parse(f).getroot().iterfind(".//t:UnitTestResult[@outcome='Failed']", ns):
        print("  FAILED", r.get("testName"))
        for tag in ("Message", "StackTrace"):
            e = r.find(".//t:ErrorInfo/t:" + tag, ns)
            if e is not None and e.text:
                print("\n".join("    " + l for l in e.text.strip().splitlines()[:25]))
PY
  else
    grep -ho 'testName="[^"]*"[^>]*outcome="Failed"' "$results"/*.trx | sed 's/testName="\([^"]*\)".*/  FAILED \1/' >&2
  fi
fi
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then echo "test.sh: no test ran" >&2; failed=1; fi
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[ "$failed" -eq 0 ]
