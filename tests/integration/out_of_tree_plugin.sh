#!/usr/bin/env bash
# Installs Strata into a scratch prefix, builds the example collision model out of
# tree against the installed SDK (find_package(strata)), and loads it with the
# installed program. Usage: out_of_tree_plugin.sh BUILD_DIR EXAMPLE_SOURCE_DIR
set -euo pipefail
build=$1 example=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
cmake -S "$example" -B "$work/plugin" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release > "$work/configure.log"
cmake --build "$work/plugin" > "$work/build.log"
strata="$work/prefix/bin/strata"
# Outputs are captured before grep reads them: `grep -q` stops reading at its first
# match, and under pipefail the writer's SIGPIPE would fail the test.
# The installed program finds its own plugins in <prefix>/lib/strata/plugins ...
listing=$("$strata" plugins)
grep -q "^euler .*fluid model" <<< "$listing"
# ... and the third-party one through --plugin-dir and STRATA_PLUGIN_PATH.
# It was built against the installed SDK, so it reports that SDK's version.
info=$("$strata" info)
sdk=$(sed -n 's/.*SDK version: \([0-9]*\).*/\1/p' <<< "$info")
described=$("$strata" describe bgk_example --plugin-dir "$work/plugin")
grep -q "collision model, version 0.1.0, SDK $sdk)" <<< "$described"
listing=$(STRATA_PLUGIN_PATH="$work/plugin" "$strata" plugins)
grep -q "^bgk_example .*collision model" <<< "$listing"
echo "out-of-tree plugin built against the installed SDK and loaded"
