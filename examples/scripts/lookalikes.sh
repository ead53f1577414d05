#!/usr/bin/env bash
# Things that mention the metadata address but are not IMDSv1 calls. imds-guard stays quiet here.
set -euo pipefail

# ECS task role credentials come from the container agent, not from IMDS.
curl -s "http://169.254.170.2${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}"

# On GCE the same address answers with Google's own header.
curl -s -H "Metadata-Flavor: Google" http://169.254.169.254/computeMetadata/v1/instance/zone

# Azure's metadata service, same address again.
curl -s -H "Metadata: true" "http://169.254.169.254/metadata/instance?api-version=2021-02-01"

# Documentation and configuration, not requests:
echo "If this hangs, check that http://169.254.169.254/latest/meta-data/ is reachable"
export NO_PROXY=169.254.169.254,localhost
iptables -A OUTPUT -d 169.254.169.254 -m owner ! --uid-owner root -j DROP
# curl http://169.254.169.254/latest/meta-data/instance-id
