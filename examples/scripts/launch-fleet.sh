#!/usr/bin/env bash
# Launches the batch workers and relaxes metadata options on the legacy reporting host.
set -euo pipefail

AMI_ID=$(aws ssm get-parameter --name /golden/ami --query Parameter.Value --output text)

aws ec2 run-instances \
  --image-id "$AMI_ID" \
  --instance-type c6i.large \
  --count 4 \
  --tag-specifications 'ResourceType=instance,Tags=[{Key=role,Value=batch}]'

# The reporting agent on this host predates IMDSv2.
aws ec2 modify-instance-metadata-options --instance-id i-0abc1234def567890 --http-tokens optional --http-endpoint enabled
