#!/usr/bin/env python3
"""Same findings? Per device: the versions and the number of distinct cipher suites that nmap's ssl-enum-ciphers
printed (nmap -oN output) against what `tlsdoctor fleet report --json` stored. Usage: compare.py NMAP.out REPORT.json"""
import json, re, sys

nmap, port, version = {}, None, None
for line in open(sys.argv[1]):
    if m := re.match(r"(\d+)/tcp", line):
        port = int(m.group(1)); version = None
    elif m := re.match(r"\|\s{3}(SSLv3|TLSv1\.[0-3]):", line):
        version = m.group(1); nmap.setdefault(port, (set(), set()))[0].add(version)
    elif (m := re.match(r"\|\s+(TLS_\w+)", line)) and version:
        name = m.group(1).replace("TLS_AKE_WITH_", "TLS_")  # nmap's name for the TLS 1.3 suites
        nmap[port][1].add(name)

rows = json.load(open(sys.argv[2]))["deviceRows"]
tls = [r for r in rows if r["versions"]]
same, diff = 0, []
for r in tls:
    versions, suites = nmap.get(r["port"], (set(), set()))
    if versions == set(r["versions"]) and len(suites) == r["suites"]: same += 1
    else: diff.append(f'{r["port"]} {r["model"]}: nmap {sorted(versions)} {len(suites)} suites, tlsdoctor {r["versions"]} {r["suites"]} suites')
print(f"same versions and suite count on {same} of {len(tls)} TLS devices; nmap enumerated {len(nmap)} ports")
for d in diff[:10]: print("  differs:", d)
