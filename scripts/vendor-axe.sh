#!/usr/bin/env bash
# Vendors axe-core (the accessibility checker of the browser tests) from its npm package and
# records version and checksum in tests/browser/vendor/axe-core/VERSION.md.
set -euo pipefail
version=${1:?usage: vendor-axe.sh VERSION}
dest="$(dirname "$0")/../tests/browser/vendor/axe-core"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "axe-core@$version" >/dev/null)
tar -xzf "$tmp/axe-core-$version.tgz" -O package/axe.min.js > "$dest/axe.min.js"
tar -xzf "$tmp/axe-core-$version.tgz" -O package/LICENSE > "$dest/LICENSE"
sha=$(sha256sum "$dest/axe.min.js" | cut -d' ' -f1)
sed -i "s/axe-core@[0-9.]*/axe-core@$version/g; s/^- sha256 of axe.min.js: .*/- sha256 of axe.min.js: $sha/" "$dest/VERSION.md"
echo "axe-core $version vendored ($sha)"
