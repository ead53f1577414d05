variable "web_instance_type" {
  type    = string
  default = "t3.medium"
}

variable "batch_http_tokens" {
  description = "IMDS mode of the batch workers"
  type        = string
  default     = "optional"
}

variable "private_subnet_ids" {
  type = list(string)
}

variable "public_subnet_id" {
  type = string
}
