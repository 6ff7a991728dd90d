#!/bin/sh
# One-shot set-up of the lab volumes for docker/compose.yaml: a SoftHSM2 token, the KMS PKI with
# every identity of the stack, the bridge's config and operator tokens, the database password.
# Idempotent: an existing volume is left as it is. Uses the same commands as a source checkout.
set -eu
umask 077
LAB="${KEKVAULT_LAB:-/data}"
cd "$LAB"
if [ ! -f hsm/token-pin ]; then
  kekvault hsm init-token --dir "$LAB/hsm" --label kekvault
fi
if [ ! -f pki/ca.pem ]; then
  kekvault pki init --dir "$LAB/pki" --san DNS:kms-1 --san DNS:kms-2 --san DNS:hosts --san DNS:bridge
  for id in admin esxi-1 esxi-2 esxi-3; do
    case "$id" in admin) role=admin ;; *) role=host ;; esac
    kekvault pki issue --dir "$LAB/pki" --cn "$id" --role "$role"
  done
fi
if [ ! -f bridge/bridge.yaml ]; then
  kekvault bridge init --dir "$LAB/bridge" --listen-host 0.0.0.0
fi
mkdir -p "$LAB/audit"
if [ ! -f db-password ]; then
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > db-password
fi
echo "lab volumes ready"
