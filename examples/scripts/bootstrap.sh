#!/usr/bin/env bash
# Instance bootstrap for the orders service: runs from user data on first boot, and again from
# the systemd unit after a reboot. Collects instance facts and writes them where the app reads them.
set -euo pipefail

METADATA_URL="http://169.254.169.254/latest"
ENV_FILE="${APP_ENV_FILE:-/dev/stdout}"

log() { echo "[bootstrap] $*" >&2; }

instance_id=$(curl -fsS --connect-timeout 2 "$METADATA_URL/meta-data/instance-id")
az=$(curl -fsS "$METADATA_URL/meta-data/placement/availability-zone")
region=${az%?}
log "running on $instance_id in $region"

private_ip() {
  wget -qO- http://169.254.169.254/latest/meta-data/local-ipv4
}

role_name() {
  # The role name is the only line of the listing.
  curl -fsS http://169.254.169.254/latest/meta-data/iam/security-credentials/ | head -n1
}

{
  echo "INSTANCE_ID=$instance_id"
  echo "AWS_REGION=$region"
  echo "PRIVATE_IP=$(private_ip)"
  echo "ROLE_NAME=$(role_name)"
} >> "$ENV_FILE"
log "wrote $ENV_FILE"
