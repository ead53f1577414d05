// Region discovery for the CLI wrapper scripts (plain Node, CommonJS-style ESM).
import http from 'node:http';

const IMDS_HOST = '169.254.169.254';

/** Falls back to the metadata service when AWS_REGION is not set. IMDSv1: no token header. */
export function region() {
  if (process.env.AWS_REGION) return Promise.resolve(process.env.AWS_REGION);
  return new Promise((resolve, reject) => {
    http
      .get({ host: IMDS_HOST, path: '/latest/meta-data/placement/region', timeout: 1000 }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

/** Google Compute Engine serves its metadata on the same address, with its own header: not IMDS. */
export function gceZone() {
  return fetch('http://169.254.169.254/computeMetadata/v1/instance/zone', { headers: { 'Metadata-Flavor': 'Google' } }).then((r) => r.text());
}
