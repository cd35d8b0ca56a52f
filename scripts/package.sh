#!/usr/bin/env bash
# Builds what ships: the .NET tool package (dist/TlsDoctor.*.nupkg), a native Linux build compiled ahead of
# time (dist/linux-x64/tlsdoctor: no .NET runtime needed, starts in ~10 ms), and a self-contained single-file
# tlsdoctor.exe for Windows servers without the .NET SDK (dist/win-x64/tlsdoctor.exe).
# Usage: scripts/package.sh [--skip-win]     (run from anywhere; writes dist/ in the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
art="${ARTIFACTS:-$(mktemp -d)}"   # private build folder: never collides with other builds of the tree
dist="$PWD/dist"
rm -rf "$dist"
mkdir -p "$dist"

echo "== dotnet pack (global tool)"
dotnet pack src/TlsDoctor.Cli/TlsDoctor.Cli.csproj -c Release -o "$dist" --artifacts-path "$art" -nologo -v q
pkg=$(ls "$dist"/TlsDoctor.*.nupkg | head -1)
echo "   $pkg"

echo "== check: dotnet tool install from the package"
tools=$(mktemp -d)
dotnet tool install --tool-path "$tools" --add-source "$dist" TlsDoctor >/dev/null
"$tools/tlsdoctor" --help | head -3
"$tools/tlsdoctor" fleet --help >/dev/null
rm -rf "$tools"
echo "   installed and ran from $pkg"

echo "== dotnet publish linux-x64 Native AOT"
# Needs a C toolchain for the final link (gcc or clang, zlib1g-dev); ./test.sh installs gcc.
dotnet publish src/TlsDoctor.Cli/TlsDoctor.Cli.csproj -c Release -r linux-x64 -p:PublishAot=true \
  -p:GenerateDocumentationFile=false -o "$dist/linux-x64" --artifacts-path "$art" -nologo -v q
rm -f "$dist"/linux-x64/*.dbg "$dist"/linux-x64/*.pdb "$dist"/linux-x64/*.xml
"$dist/linux-x64/tlsdoctor" --version
"$dist/linux-x64/tlsdoctor" lab list --json >/dev/null
ls -l "$dist/linux-x64"

if [ "${1:-}" != "--skip-win" ]; then
  echo "== dotnet publish win-x64 self-contained single file"
  # Native SQLite (e_sqlite3.dll) goes inside the exe too, so one file is all a server needs.
  dotnet publish src/TlsDoctor.Cli/TlsDoctor.Cli.csproj -c Release -r win-x64 --self-contained \
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=none \
    -p:GenerateDocumentationFile=false -o "$dist/win-x64" --artifacts-path "$art" -nologo -v q
  ls -l "$dist/win-x64"
  test -f "$dist/win-x64/tlsdoctor.exe"
  echo "   $dist/win-x64/tlsdoctor.exe"
fi
[ -n "${ARTIFACTS:-}" ] || rm -rf "$art"
