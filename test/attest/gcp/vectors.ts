import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../../fixtures/gcp/', import.meta.url));
const read = (name: string) => readFileSync(FIXTURES + name, 'utf8');

/** The real Google-signed tokens in test/fixtures/gcp, with the values their README lists. */
export const GCP_VECTORS = [
  {
    name: 'rhsm-2021-us-east1-b',
    token: read('rhsm-2021-us-east1-b.jwt').trim(),
    jwks: JSON.parse(read('google-jwks-kid-6a8ba565.json')) as { keys: Record<string, unknown>[] },
    kid: '6a8ba5652a7044121d4fedac8f14d14c54e4895b',
    aud: 'https://subscription.rhsm.redhat.com:443/subscription',
    iat: 1616596223,
    exp: 1616599823,
    projectId: 'fair-kingdom-308514',
    projectNumber: '161958465613',
    instanceId: '2589221140676718026',
    instanceName: 'instance-1',
    zone: 'us-east1-b',
    region: 'us-east1',
    created: '1616595847',
    sub: '104070955682298736149',
    email: '161958465613-compute@developer.gserviceaccount.com',
    licenseIds: '5731035067256925298',
  },
  {
    name: 'agentcomm-2025-europe-west1-b',
    token: read('agentcomm-2025-europe-west1-b.jwt').trim(),
    jwks: JSON.parse(read('google-jwks-kid-eec534fa.json')) as { keys: Record<string, unknown>[] },
    kid: 'eec534fa5b8caca201ca8d0ff96b54c562210d1e',
    aud: 'agentcommunication.googleapis.com',
    iat: 1739324791,
    exp: 1739328391,
    projectId: 'weipengpanda-project',
    projectNumber: '326694433618',
    instanceId: '2875949485074006138',
    instanceName: 'wi-test-vm-1',
    zone: 'europe-west1-b',
    region: 'europe-west1',
    created: '1734377115',
    sub: '109422233875895820585',
    email: '326694433618-compute@developer.gserviceaccount.com',
    licenseIds: undefined,
  },
  {
    name: 'infisical-2024-us-central1-a',
    token: read('infisical-2024-us-central1-a.jwt').trim(),
    jwks: JSON.parse(read('google-jwks-kid-a3b762f8.json')) as { keys: Record<string, unknown>[] },
    kid: 'a3b762f871cdb3bae0044c649622fc1396eda3e3',
    aud: '71d1b279-2fe3-4828-85f5-2f4a2fdb02a1',
    iat: 1715962787,
    exp: 1715966387,
    projectId: 'infisical-dev',
    projectNumber: '741176294612',
    instanceId: '8418160715288427941',
    instanceName: 'test-instance',
    zone: 'us-central1-a',
    region: 'us-central1',
    created: '1715962701',
    sub: '106448564376038902066',
    email: 'test-user@infisical-dev.iam.gserviceaccount.com',
    licenseIds: undefined,
  },
] as const;

export type GcpVector = (typeof GCP_VECTORS)[number];

/** Instant inside [iat, exp]: a minute after issue. */
export const insideValidity = (vector: GcpVector): Date => new Date((vector.iat + 60) * 1000);
