/**
 * The manual alternative side by side with one broker join, against the same emulator (no
 * faults) and the same built Worker, each as the shell a person or cloud-init would run:
 *
 * - manual (the runbook's scripted steps, as in test/cluster/runbook.test.ts): make a token,
 *   `kubectl apply` its bootstrap-token Secret with the admin kubeconfig, `curl` cluster-info and
 *   take the CA out with jq, the openssl pin pipeline, write bootstrap-kubelet.conf;
 * - broker: `openssl cms -sign` of a fresh instance document (standing in for IMDS) piped into
 *   `curl --data-binary @- …/v1/join/aws`, the bundle written to a file.
 *
 * Each is run `runs` times after one warm-up (kubectl's discovery cache then warm, as on an
 * operator's machine); the figures are medians of wall time and their ratio.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devSigner, instanceDocument, startStack } from '../test/e2e/stack.js';
import { run } from '../test/support/run.js';
import { median, round } from './lib/stats.js';

export interface ManualResult {
  runs: number;
  manualMedianMs: number;
  brokerJoinMedianMs: number;
  /** manual / broker. */
  ratio: number;
  steps: { manual: string; broker: string };
}

const MANUAL = `
token_id=$(openssl rand -hex 3)
token_secret=$(openssl rand -hex 8)
cat > token.yaml <<EOF
apiVersion: v1
kind: Secret
metadata:
  name: bootstrap-token-$token_id
  namespace: kube-system
type: bootstrap.kubernetes.io/token
stringData:
  description: "runbook: join a worker"
  token-id: $token_id
  token-secret: $token_secret
  expiration: "$(date -u -d '+10 minutes' +%Y-%m-%dT%H:%M:%SZ)"
  usage-bootstrap-authentication: "true"
  usage-bootstrap-signing: "true"
  auth-extra-groups: system:bootstrappers:kubeadm:default-node-token
EOF
kubectl --kubeconfig "$ADMIN_KUBECONFIG" apply -f token.yaml >/dev/null
curl -fsS --cacert "$CLUSTER_CA" "$API_SERVER/api/v1/namespaces/kube-public/configmaps/cluster-info" | jq -r '.data.kubeconfig' > cluster-info.yaml
sed -n 's/^ *certificate-authority-data: //p' cluster-info.yaml | base64 -d > ca.crt
server=$(sed -n 's/^ *server: //p' cluster-info.yaml)
pin=$(openssl x509 -pubkey -noout -in ca.crt | openssl pkey -pubin -outform der | openssl dgst -sha256 -hex | sed 's/^.* //')
cat > bootstrap-kubelet.conf <<EOF
apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: $PWD/ca.crt
    server: $server
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: tls-bootstrap-token-user
  name: tls-bootstrap-token-user@kubernetes
current-context: tls-bootstrap-token-user@kubernetes
users:
- name: tls-bootstrap-token-user
  user:
    token: $token_id.$token_secret
EOF
test -n "$pin"
`;

const BROKER = `
openssl cms -sign -binary -nodetach -nocerts -md sha256 -signer "$SIGNER_CERT" -inkey "$SIGNER_KEY" -outform PEM < document.json \\
  | curl -fsS --data-binary @- "$BROKER_URL/v1/join/aws" -o bundle.json
test -s bundle.json
`;

export async function benchManual(options: { runs: number }): Promise<ManualResult> {
  const stack = await startStack({ worker: { captureOutput: true } });
  const work = mkdtempSync(join(tmpdir(), 'kjb-bench-manual-'));
  const env = {
    PATH: process.env['PATH'],
    HOME: work,
    KUBECONFIG: '',
    ADMIN_KUBECONFIG: stack.cluster.adminKubeconfigPath,
    CLUSTER_CA: stack.cluster.caPath,
    API_SERVER: stack.cluster.url,
    SIGNER_CERT: devSigner().certPath,
    SIGNER_KEY: devSigner().keyPath,
    BROKER_URL: stack.worker.url.href.replace(/\/$/, ''),
  };
  const timed = async (script: string): Promise<number> => {
    const started = performance.now();
    const { code, stderr } = await run('bash', ['-euo', 'pipefail', '-c', script], undefined, { env, cwd: work });
    if (code !== 0) throw new Error(`bench script failed (${code}): ${stderr}`);
    return performance.now() - started;
  };
  try {
    const manual: number[] = [];
    const broker: number[] = [];
    for (let i = 0; i <= options.runs; i++) {
      const manualMs = await timed(MANUAL);
      writeFileSync(join(work, 'document.json'), JSON.stringify(instanceDocument(), null, 2));
      const brokerMs = await timed(BROKER);
      if (i > 0) {
        manual.push(manualMs);
        broker.push(brokerMs);
      }
    }
    return {
      runs: options.runs,
      manualMedianMs: round(median(manual), 0),
      brokerJoinMedianMs: round(median(broker), 0),
      ratio: round(median(manual) / median(broker), 1),
      steps: {
        manual: 'kubectl apply (bootstrap-token Secret, admin kubeconfig); curl cluster-info | jq; openssl pin pipeline; write bootstrap-kubelet.conf',
        broker: 'openssl cms -sign (stands in for IMDS) | curl --data-binary @- /v1/join/aws',
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    await stack.stop();
  }
}
