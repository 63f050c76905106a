# Sourced by the scripts: one target dir outside the clone (warm across clones and runs) and
# the locally installed tools on PATH.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/fastsim-lab/target}"
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Debug info off for everything the tests build; dependencies are the bulk of build time.
export CARGO_PROFILE_RELEASE_DEBUG=false
# The ROOT reader (tools/root-reader, its own lockfile) builds into the same target dir.
export FASTSIM_ROOT_READER="${FASTSIM_ROOT_READER:-$CARGO_TARGET_DIR/release/fastsim-root}"
# The Python with JAX that `fastsim bench` runs its peer with (scripts/install makes it).
export FASTSIM_JAX_PYTHON="${FASTSIM_JAX_PYTHON:-$HOME/.cache/fastsim-lab/venv/bin/python}"
