#!/usr/bin/env bash
# Install parkedge on a Debian/Ubuntu site box: Node 20+, a dedicated user in dialout, the unit, a first config.
# Run as root from a checkout:  sudo bash scripts/install.sh
set -euo pipefail

PREFIX=/opt/parkedge
CONF_DIR=/etc/parkedge
UNIT=/etc/systemd/system/parkedge.service
SRC="$(cd "$(dirname "$0")/.." && pwd)"

if [ "$(id -u)" -ne 0 ]; then echo "run as root (sudo bash scripts/install.sh)" >&2; exit 1; fi

need_node() {
  command -v node >/dev/null 2>&1 || return 0
  [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]
}
if need_node; then
  echo "installing Node.js from Debian's packages"
  apt-get update -q
  apt-get install -y -q nodejs npm
  if need_node; then echo "Node.js >= 20 is required; this release ships $(node --version). Install Node 20+ first." >&2; exit 1; fi
fi
# native modules (better-sqlite3, serialport) build here when no prebuilt binary matches the box
apt-get install -y -q python3 make g++ >/dev/null

id parkedge >/dev/null 2>&1 || useradd --system --home-dir /var/lib/parkedge --shell /usr/sbin/nologin parkedge
usermod -a -G dialout parkedge

mkdir -p "$PREFIX"
cp -a "$SRC/package.json" "$SRC/package-lock.json" "$SRC/bin" "$SRC/src" "$SRC/config" "$SRC/tsconfig.json" "$SRC/tsconfig.build.json" "$PREFIX/"
cd "$PREFIX"
npm ci --no-audit --no-fund
npm run build
npm prune --omit=dev --no-audit --no-fund

install -d -m 0750 -o root -g parkedge "$CONF_DIR"
if [ ! -f "$CONF_DIR/parkedge.yaml" ]; then
  install -m 0640 -o root -g parkedge "$PREFIX/config/example.yaml" "$CONF_DIR/parkedge.yaml"
  echo "wrote $CONF_DIR/parkedge.yaml from the example: edit it, then: parkedge check-config $CONF_DIR/parkedge.yaml"
fi
[ -f "$CONF_DIR/parkedge.env" ] || install -m 0640 -o root -g parkedge /dev/null "$CONF_DIR/parkedge.env"

ln -sf "$PREFIX/bin/parkedge.js" /usr/local/bin/parkedge
install -m 0644 "$SRC/systemd/parkedge.service" "$UNIT"
systemctl daemon-reload
systemctl enable parkedge.service
echo "installed. Check the config, add a booth admin, then start:"
echo "  parkedge check-config $CONF_DIR/parkedge.yaml"
echo "  sudo -u parkedge PARKEDGE_PASSWORD=... parkedge user add -c $CONF_DIR/parkedge.yaml -u admin -r admin"
echo "  systemctl start parkedge && journalctl -u parkedge -f"
