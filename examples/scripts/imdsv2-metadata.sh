#!/usr/bin/env bash
# Reads instance metadata the IMDSv2 way: one session token, sent with every request.
set -euo pipefail

IMDS=http://169.254.169.254
TOKEN=$(curl -sS -X PUT "$IMDS/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 300")

md() {
  curl -sS -H "X-aws-ec2-metadata-token: $TOKEN" "$IMDS/latest/meta-data/$1"
}

echo "instance: $(md instance-id)"
echo "type:     $(md instance-type)"
wget -qO- --header="X-aws-ec2-metadata-token: $TOKEN" "$IMDS/latest/dynamic/instance-identity/document"
