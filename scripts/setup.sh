#!/usr/bin/env bash
# Installs what cpchaos needs and is missing: npm dependencies, and the system tools the sandbox runs
# (etcd from Debian's etcd-server, ip from iproute2, iptables, kubectl from kubernetes-client for the kubectl tests,
# haproxy and openssl for the kind twin's load balancer and certificates, python3-kubernetes for the Python client test).
# As root it installs them with apt-get and says so; otherwise it names the missing package and fails.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "cpchaos setup: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund >/dev/null
fi

missing=()
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || missing+=(etcd-client)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The official Kubernetes Python client (Debian's, for Debian's python3), for the API server's conformance test.
/usr/bin/python3 -c 'import kubernetes' >/dev/null 2>&1 || missing+=(python3-kubernetes)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "cpchaos setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian starts the packaged haproxy service; the kind twin starts its own HAProxy per cluster.
    if [[ " ${missing[*]} " == *" haproxy "* ]] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      systemctl disable --now haproxy.service >/dev/null 2>&1 || true
      echo "cpchaos setup: stopped and disabled the haproxy service Debian started (the kind twin runs its own)"
    fi
  else
    echo "cpchaos setup: missing Debian packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install ${missing[*]}" >&2
    exit 2
  fi
fi
