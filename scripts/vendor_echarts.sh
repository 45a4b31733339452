#!/usr/bin/env bash
# Vendors Apache ECharts (the report's charts, drawn offline) from the npm registry into vendor/echarts/ (git-ignored).
# The tarball's SHA-512 must equal the registry's published integrity for this version, pinned here.
set -euo pipefail
cd "$(dirname "$0")/.."
version=5.5.1
integrity="sha512-Fce8upazaAXUVUVsjgV6mBnGuqgO+JNDlcgF79Dksy4+wgGpQB2lmYoO4TSweFg/mZITdpGHomw/cNBJZj1icA=="
target=vendor/echarts/echarts.min.js
stamp=vendor/echarts/.version
if [ -f "$target" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then exit 0; fi
mkdir -p vendor/echarts
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "setup: downloading Apache ECharts $version from the npm registry"
curl -fsSL --retry 3 -o "$tmp/echarts.tgz" "https://registry.npmjs.org/echarts/-/echarts-$version.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tmp/echarts.tgz" | base64 -w0)"
if [ "$got" != "$integrity" ]; then echo "setup: echarts-$version.tgz does not match the registry's integrity; not used" >&2; exit 1; fi
tar -xzf "$tmp/echarts.tgz" -C "$tmp" package/dist/echarts.min.js package/LICENSE
cp "$tmp/package/dist/echarts.min.js" "$target"
cp "$tmp/package/LICENSE" vendor/echarts/LICENSE
echo "$version" > "$stamp"
