// Startup metadata for the orders service: which instance, zone and role it runs on, logged once
// and attached to every trace. Written when the fleet still allowed IMDSv1.
import axios from 'axios';

const IMDS = 'http://169.254.169.254';
const METADATA = `${IMDS}/latest/meta-data`;

export interface InstanceInfo {
  instanceId: string;
  availabilityZone: string;
  instanceType: string;
  role?: string;
}

// IMDSv1: no token header. Breaks with 401 once the instances require IMDSv2.
async function read(path: string): Promise<string> {
  const response = await fetch(`${METADATA}/${path}`, { signal: AbortSignal.timeout(1000) });
  if (!response.ok) throw new Error(`IMDS ${path}: ${response.status}`);
  return response.text();
}

const imds = axios.create({ baseURL: `${IMDS}/latest/`, timeout: 1000 });

export async function instanceInfo(): Promise<InstanceInfo> {
  const [instanceId, availabilityZone] = await Promise.all([read('instance-id'), read('placement/availability-zone')]);
  // also IMDSv1, through an axios instance with a base URL
  const { data: instanceType } = await imds.get<string>('meta-data/instance-type');
  const role = await iamRole();
  return { instanceId, availabilityZone, instanceType, role };
}

// The IMDSv2 way: fetch a session token with a PUT, then send it on every read.
async function iamRole(): Promise<string | undefined> {
  const token = await (
    await fetch(`${IMDS}/latest/api/token`, {
      method: 'PUT',
      headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '21600' },
    })
  ).text();
  const response = await fetch(`${METADATA}/iam/security-credentials/`, {
    headers: { 'X-aws-ec2-metadata-token': token },
  });
  return response.ok ? (await response.text()).trim() : undefined;
}
