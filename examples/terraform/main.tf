# Web tier and batch workers of the orders service.

data "aws_ssm_parameter" "al2023" {
  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

resource "aws_launch_template" "web" {
  name_prefix   = "orders-web-"
  image_id      = data.aws_ssm_parameter.al2023.value
  instance_type = var.web_instance_type

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "optional" # TODO: the log shipper still reads IMDSv1
  }

  iam_instance_profile {
    name = aws_iam_instance_profile.web.name
  }
}

resource "aws_autoscaling_group" "web" {
  name                = "orders-web"
  min_size            = 2
  max_size            = 6
  vpc_zone_identifier = var.private_subnet_ids

  launch_template {
    id      = aws_launch_template.web.id
    version = "$Latest"
  }
}

resource "aws_launch_template" "batch" {
  name_prefix   = "orders-batch-"
  image_id      = data.aws_ssm_parameter.al2023.value
  instance_type = "c6i.xlarge"

  metadata_options {
    http_tokens                 = var.batch_http_tokens
    http_put_response_hop_limit = 2
  }
}

resource "aws_instance" "bastion" {
  ami                         = data.aws_ssm_parameter.al2023.value
  instance_type               = "t3.micro"
  subnet_id                   = var.public_subnet_id
  associate_public_ip_address = true

  tags = {
    Name = "orders-bastion"
  }
}

resource "aws_instance" "reporting" {
  ami           = data.aws_ssm_parameter.al2023.value
  instance_type = "t3.small"
  subnet_id     = var.private_subnet_ids[0]

  # Written before the IMDSv2 switch below: the region lookup has no token.
  user_data = <<-EOT
    #!/bin/bash
    set -euo pipefail
    REGION=$(curl -fsS http://169.254.169.254/latest/meta-data/placement/region)
    echo "AWS_REGION=$${REGION}" >> /etc/orders-reporting.env
    systemctl enable --now orders-reporting.timer
  EOT

  metadata_options {
    http_tokens = "required"
  }
}
