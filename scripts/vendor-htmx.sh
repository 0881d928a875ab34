#!/usr/bin/env bash
# Vendors htmx from its npm package (no node_modules) and records version and checksum.
set -euo pipefail
version=${1:?usage: vendor-htmx.sh VERSION}
dest="$(dirname "$0")/../static/vendor/htmx"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "htmx.org@$version" >/dev/null)
tar -xzf "$tmp/htmx.org-$version.tgz" -O package/dist/htmx.min.js > "$dest/htmx.min.js"
tar -xzf "$tmp/htmx.org-$version.tgz" -O package/LICENSE > "$dest/LICENSE"
sha=$(sha256sum "$dest/htmx.min.js" | cut -d' ' -f1)
sed -i "s/htmx.org@[0-9.]*/htmx.org@$version/g; s/^- sha256 of htmx.min.js: .*/- sha256 of htmx.min.js: $sha/" "$dest/VERSION.md"
echo "htmx $version vendored ($sha)"
