#!/usr/bin/env bash
# Installs Strata into a scratch prefix, builds the example collision model out of
# tree from the installed copy of docs/examples/bgk_plugin against the installed SDK
# (find_package(strata)), loads it with the installed program and runs a small
# layer-1 case with it, the installed conservation_box, as docs/plugin_guide.md says.
# Usage: out_of_tree_plugin.sh BUILD_DIR
set -euo pipefail
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
example="$work/prefix/share/strata/examples/bgk_plugin"
test -f "$example/CMakeLists.txt" -a -f "$example/bgk_example.cpp"
# The guide's commands, with no build type: strata_add_plugin then optimises (-O2).
cmake -S "$example" -B "$work/plugin" -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log"
configured=$(cat "$work/configure.log")
grep -q "strata_add_plugin(bgk_example): no CMAKE_BUILD_TYPE, so built with -O2" <<< "$configured"
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
# It runs as the layer-1 collision model: a small conservation_box (periodic, so
# mass, momentum and energy stay constant to round-off).
"$strata" run "$work/prefix/share/strata/cases/conservation_box.json" --plugin-dir "$work/plugin" -q --out "$work/run" \
  --set kinetic.plugin=bgk_example --set regime.mode=layer1 \
  --set mesh.nx=8 --set mesh.ny=8 --set velocity.n=12 --set time.end=0.05 --set 'output.times=[0.05]' \
  > "$work/run.log" 2>&1 || { cat "$work/run.log"; exit 1; }
python3 - "$work/run/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
drift = {q: s["conservation"][q] for q in ("mass", "momentum_x", "momentum_y", "energy")}
ok = (s["status"] == "completed" and s["plugins"]["kinetic"]["name"] == "bgk_example"
      and s["steps"] > 0 and all(0 <= d < 1e-12 for d in drift.values()))
print(f"bgk_example run: status {s['status']}, {s['steps']} steps, drifts {drift}")
sys.exit(0 if ok else 1)
PY
# Strata's own plugins, installed as sources, build against the installed SDK alone, and
# a copy loads in place of the installed plugin of its name (which it shadows).
cmake -S "$work/prefix/share/strata/examples/shipped_plugins" -B "$work/shipped" \
  -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/shipped_configure.log"
cmake --build "$work/shipped" -j 2 > "$work/shipped_build.log" || { cat "$work/shipped_build.log"; exit 1; }
described=$("$strata" describe realizability --plugin-dir "$work/shipped/realizability" 2>&1)
grep -q "plugin 'realizability': using $work/shipped/realizability/strata_realizability.so, which shadows" <<< "$described"
echo "out-of-tree plugins built from the installed example and the installed sources of the shipped ones, loaded and run"
