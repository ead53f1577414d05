// GENERATED from rules/*/rule.yaml by scripts/generate-rules.ts. DO NOT EDIT.
import type { RuleMeta } from '../rule-meta.js';

export const ruleMetas = {
  "no-imdsv1-request": {
    "id": "no-imdsv1-request",
    "code": "IMDS001",
    "title": "Disallow requests to the EC2 instance metadata service without a session token",
    "severity": "error",
    "type": "problem",
    "targets": [
      "bash",
      "powershell",
      "javascript",
      "typescript",
      "terraform",
      "cloudformation",
      "ansible",
      "packer",
      "dockerfile",
      "makefile",
      "systemd",
      "ci",
      "cloud-init"
    ],
    "recommended": true,
    "since": "0.1.0",
    "aliases": [],
    "fix": {
      "availability": "sometimes",
      "safety": "safe"
    },
    "messages": {
      "missingToken": {
        "text": "{{client}} reads {{url}} without the X-aws-ec2-metadata-token header: this is an IMDSv1 request and gets 401 once the instance requires IMDSv2"
      },
      "breaksAtBoot": {
        "text": "{{client}} reads {{url}} without a valid X-aws-ec2-metadata-token header, but {{resource}} requires IMDSv2: this request gets 401 and the script fails when it runs on that instance"
      },
      "dotNetClient": {
        "text": "{{client}} reads {{url}} without the X-aws-ec2-metadata-token header: this is an IMDSv1 request and gets 401 once the instance requires IMDSv2; there is no automatic fix, because the token has to be fetched and added to the object's Headers before the call (Invoke-RestMethod with -Headers does both in one line)"
      },
      "misspelledToken": {
        "text": "{{client}} reads {{url}} with a header named '{{header}}', which IMDS ignores: the token header is X-aws-ec2-metadata-token, so this is still an IMDSv1 request"
      },
      "tokenPathGet": {
        "text": "{{client}} sends a GET to {{url}}: the token endpoint only answers PUT, so no token is obtained and later requests fall back to IMDSv1"
      },
      "rootProbe": {
        "severity": "warning",
        "text": "{{client}} probes {{url}} without a token to detect EC2: the probe is an IMDSv1 request (counted by the MetadataNoToken metric); probe with the token PUT instead"
      },
      "cannotDetermine": {
        "severity": "warning",
        "text": "{{client}} reads {{url}}, but whether it sends the X-aws-ec2-metadata-token header cannot be determined: {{reason}}"
      },
      "legacyClient": {
        "severity": "warning",
        "text": "ec2metadata (cloud-utils) sends tokenless IMDSv1 requests in releases older than July 2020: check the installed version, or use ec2-metadata (amazon-ec2-utils) or curl with a token"
      },
      "v1OnlyLibrary": {
        "text": "{{library}} only makes IMDSv1 requests, it never fetches or sends a token: its calls get 401 once the instance requires IMDSv2; use @aws-sdk/ec2-metadata-service instead"
      },
      "suggestTokenHeader": {
        "text": "Fetch an IMDSv2 token first (PUT /latest/api/token) and send it in the X-aws-ec2-metadata-token header"
      },
      "suggestMetadataService": {
        "text": "Read the value with MetadataService from @aws-sdk/ec2-metadata-service, which fetches and sends the token itself"
      }
    },
    "references": [
      "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html",
      "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-transition-to-version-2.html"
    ]
  },
  "no-imdsv1-instance-config": {
    "id": "no-imdsv1-instance-config",
    "code": "IMDS002",
    "title": "Disallow instance configuration that lets the metadata service accept IMDSv1",
    "severity": "error",
    "type": "problem",
    "targets": [
      "bash",
      "javascript",
      "typescript",
      "terraform",
      "cloudformation",
      "ansible",
      "packer",
      "dockerfile",
      "makefile",
      "systemd",
      "ci",
      "cloud-init"
    ],
    "recommended": true,
    "since": "0.1.0",
    "aliases": [],
    "fix": {
      "availability": "sometimes",
      "safety": "unsafe"
    },
    "messages": {
      "tokensOptional": {
        "text": "{{resource}} sets HttpTokens to {{value}}: its instances accept IMDSv1 requests{{context}}"
      },
      "tokensMissing": {
        "text": "{{resource}} does not set HttpTokens: its instances accept IMDSv1 unless the AMI or the account default requires tokens{{context}}"
      },
      "tokensMissingToolDefault": {
        "text": "{{resource}} does not set HttpTokens, and {{tool}} then sends optional: its instances accept IMDSv1 requests{{context}}"
      },
      "requireImdsv2Missing": {
        "text": "{{resource}} does not set requireImdsv2: true: its instances accept IMDSv1 unless the AMI or the account default requires tokens"
      },
      "endpointEnabledWithoutTokens": {
        "text": "{{resource}} turns the metadata endpoint on without setting HttpTokens to required: an instance that accepted IMDSv1 keeps accepting it"
      },
      "suggestRequireTokens": {
        "text": "Require IMDSv2 tokens ({{change}}); IMDSv1 callers on these instances then get 401, so fix them first"
      },
      "endpointWithoutTokens": {
        "text": "{{resource}} enables the metadata endpoint without --http-tokens required: an instance that accepted IMDSv1 keeps accepting it"
      },
      "coveredByDefault": {
        "severity": "note",
        "text": "{{resource}} does not set HttpTokens and relies on {{source}} to require tokens: set http_tokens explicitly so the resource stays safe wherever it is deployed"
      },
      "notebookMinimumV1": {
        "text": "{{resource}} allows IMDSv1: its minimum instance metadata service version is {{value}}, not 2"
      },
      "notebookMinimumMissing": {
        "text": "{{resource}} does not set a minimum instance metadata service version, so its notebook instance accepts IMDSv1"
      },
      "amiAllowsV1Default": {
        "severity": "note",
        "text": "{{resource}} registers its AMI without imds_support = v2.0: instances launched from the image default to HttpTokens optional unless their own launch settings or the account default require tokens"
      },
      "cannotDetermine": {
        "severity": "warning",
        "text": "{{resource}}: whether HttpTokens is required cannot be determined: {{reason}}"
      }
    },
    "references": [
      "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-existing-instances.html",
      "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-new-instances.html"
    ]
  },
  "no-invalid-imds-token-request": {
    "id": "no-invalid-imds-token-request",
    "code": "IMDS003",
    "title": "Disallow IMDSv2 token requests that the metadata service rejects",
    "severity": "error",
    "type": "problem",
    "targets": [
      "bash",
      "powershell",
      "javascript",
      "typescript",
      "terraform",
      "cloudformation",
      "ansible",
      "packer",
      "dockerfile",
      "makefile",
      "systemd",
      "ci",
      "cloud-init"
    ],
    "recommended": true,
    "since": "0.1.0",
    "aliases": [],
    "fix": {
      "availability": "sometimes",
      "safety": "safe"
    },
    "messages": {
      "datedTokenPath": {
        "text": "{{client}} requests a token from {{url}}: only /latest/api/token issues tokens, a dated path gets 403"
      },
      "missingTtl": {
        "text": "{{client}} requests a token without the X-aws-ec2-metadata-token-ttl-seconds header: IMDS answers 400"
      },
      "ttlOutOfRange": {
        "text": "{{client}} asks for a token TTL of {{ttl}} seconds: IMDS accepts 1 to 21600 and answers 400 otherwise"
      }
    },
    "references": [
      "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html"
    ]
  },
  "no-imds-hop-limit-above-one": {
    "id": "no-imds-hop-limit-above-one",
    "code": "IMDS004",
    "title": "Disallow a metadata response hop limit above 1 where containers do not need it",
    "severity": "note",
    "type": "suggestion",
    "targets": [
      "terraform",
      "cloudformation",
      "ansible",
      "packer"
    ],
    "recommended": true,
    "since": "0.1.0",
    "aliases": [],
    "fix": {
      "availability": "none",
      "safety": "safe"
    },
    "messages": {
      "hopLimitAboveOne": {
        "text": "{{resource}} sets the metadata response hop limit to {{value}}: containers on the instance can reach IMDS; keep 1 unless containers need the instance role"
      }
    },
    "references": [
      "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html"
    ]
  },
  "no-invalid-suppression": {
    "id": "no-invalid-suppression",
    "code": "IMDS005",
    "title": "Disallow imds-guard-ignore comments that give no reason, name no known rule or suppress nothing",
    "severity": "warning",
    "type": "suggestion",
    "targets": [
      "bash",
      "powershell",
      "terraform",
      "cloudformation",
      "ansible",
      "packer",
      "dockerfile",
      "makefile",
      "systemd",
      "ci",
      "cloud-init"
    ],
    "recommended": true,
    "since": "0.1.0",
    "aliases": [],
    "fix": {
      "availability": "sometimes",
      "safety": "safe"
    },
    "messages": {
      "missingReason": {
        "text": "{{directive}} {{rules}} gives no reason: add one after ' -- ', e.g. '{{directive}} {{rules}} -- <why this is acceptable>'"
      },
      "missingRule": {
        "text": "{{directive}} names no rule: write the rule after it, e.g. '{{directive}} no-imdsv1-request -- <reason>'"
      },
      "unknownRule": {
        "text": "{{directive}} names '{{rule}}', which is not an imds-guard rule, code or alias; known rules: {{known}}"
      },
      "unused": {
        "text": "{{directive}} {{rules}} suppresses nothing: {{where}} has no finding of {{rules}}; remove the comment"
      }
    },
    "references": [
      "https://eslint.org/docs/latest/use/command-line-interface#--report-unused-disable-directives",
      "https://docs.astral.sh/ruff/rules/unused-noqa/"
    ]
  }
} as const satisfies Record<string, RuleMeta>;
