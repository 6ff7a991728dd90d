#!/usr/bin/env bash
# Creates a SoftHSM2 token for Kekvault and prints how to point the KMS at it.
#
#   KEKVAULT_SO_PIN_FILE=/secure/so-pin KEKVAULT_PIN_FILE=/secure/token-pin \
#     hsm-config/setup-token.sh --dir /var/lib/kekvault/softhsm --label kekvault
#
# PINs come from files (KEKVAULT_SO_PIN_FILE, KEKVAULT_PIN_FILE) or environment variables
# (KEKVAULT_SO_PIN, KEKVAULT_PIN); never from arguments or committed config. Missing PIN files
# are created with random PINs (mode 0600). The token is found by label afterwards, never by
# slot number: SoftHSM2 renumbers slots when a token is initialised.
set -euo pipefail

DIR="" LABEL="kekvault"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --label) LABEL="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -n "$DIR" ]] || { echo "--dir is required" >&2; exit 2; }
command -v softhsm2-util >/dev/null || { echo "softhsm2-util missing: apt-get install softhsm2" >&2; exit 1; }

umask 077
mkdir -p "$DIR/tokens"
HERE="$(cd "$(dirname "$0")" && pwd)"
sed "s#\${TOKEN_DIR}#$(cd "$DIR/tokens" && pwd)#" "$HERE/softhsm2.conf.template" > "$DIR/softhsm2.conf"
export SOFTHSM2_CONF="$DIR/softhsm2.conf"

read_pin() { # $1 = file variable name, $2 = env variable name, $3 = default file
  local file_var="$1" env_var="$2" default_file="$3" file
  if [[ -n "${!env_var:-}" ]]; then printf '%s' "${!env_var}"; return; fi
  file="${!file_var:-$default_file}"
  if [[ ! -s "$file" ]]; then
    head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$file"
    chmod 600 "$file"
    echo "created random PIN file $file" >&2
  fi
  tr -d '\r\n' < "$file"
}
SO_PIN="$(read_pin KEKVAULT_SO_PIN_FILE KEKVAULT_SO_PIN "$DIR/so-pin")"
USER_PIN="$(read_pin KEKVAULT_PIN_FILE KEKVAULT_PIN "$DIR/token-pin")"

if softhsm2-util --show-slots 2>/dev/null | grep -q "Label: *$LABEL *$"; then
  echo "a token labelled '$LABEL' already exists in $DIR; nothing changed" >&2
  exit 0
fi
# softhsm2-util only takes PINs as arguments or from a terminal. The process lives for a few
# milliseconds; on hosts where other users can read /proc, use `./kekvault hsm init-token`
# (PKCS#11 C_InitToken, no PIN on any command line) instead.
softhsm2-util --init-token --free --label "$LABEL" --so-pin "$SO_PIN" --pin "$USER_PIN" >/dev/null
unset SO_PIN USER_PIN
softhsm2-util --show-slots | grep -q "Label: *$LABEL *$" || { echo "token '$LABEL' not found after init" >&2; exit 1; }

cat <<INFO
token '$LABEL' ready in $DIR
  export SOFTHSM2_CONF=$DIR/softhsm2.conf
  KMS config:  hsm.module=/usr/lib/softhsm/libsofthsm2.so  hsm.token-label=$LABEL  hsm.pin=file:${KEKVAULT_PIN_FILE:-$DIR/token-pin}
INFO
