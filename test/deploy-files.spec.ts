import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = join(__dirname, '..');
const MANIFESTS = join(ROOT, 'deploy', 'kubernetes');

/** A manifest as parsed from YAML; the model classes check the rest of its shape. */
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

interface ValidatingModel {
  validate(): void;
}
type ModelClass = new (data: Manifest) => ValidatingModel;

/** Loads the kubernetes-models class for a kind; the package is ESM-only, hence the dynamic imports. */
async function modelFor(manifest: Manifest): Promise<ModelClass | undefined> {
  const groups: Record<string, () => Promise<Record<string, unknown>>> = {
    v1: () => import('kubernetes-models/v1'),
    'apps/v1': () => import('kubernetes-models/apps/v1'),
    'autoscaling/v2': () => import('kubernetes-models/autoscaling/v2'),
    'policy/v1': () => import('kubernetes-models/policy/v1'),
  };
  const load = groups[manifest.apiVersion];
  return load === undefined ? undefined : ((await load())[manifest.kind] as ModelClass | undefined);
}

function loadManifests(): Map<string, Manifest> {
  const manifests = new Map<string, Manifest>();
  for (const file of readdirSync(MANIFESTS).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml')) {
    for (const document of parseAllDocuments(readFileSync(join(MANIFESTS, file), 'utf8'))) {
      expect(document.errors).toEqual([]);
      const manifest = document.toJS() as Manifest;
      manifests.set(manifest.kind, manifest);
    }
  }
  return manifests;
}

describe('Kubernetes manifests', () => {
  const manifests = loadManifests();
  const deployment = manifests.get('Deployment') as Manifest & { spec: DeploymentSpec };

  it.each([...manifests.values()].map((manifest) => [manifest.kind, manifest] as const))('%s matches the API schema', async (_kind, manifest) => {
    const Model = await modelFor(manifest);

    expect(Model).toBeDefined();
    expect(() => new (Model as ModelClass)(manifest).validate()).not.toThrow();
  });

  it('schema check rejects a wrong type', async () => {
    const broken = { ...deployment, spec: { ...deployment.spec, replicas: 'two' } } as Manifest;
    const Model = (await modelFor(broken)) as ModelClass;

    expect(() => new Model(broken).validate()).toThrow(/replicas/);
  });

  it('kustomization lists every manifest', () => {
    const kustomization = parseAllDocuments(readFileSync(join(MANIFESTS, 'kustomization.yaml'), 'utf8'))[0].toJS() as { resources: string[] };
    const files = readdirSync(MANIFESTS).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml');

    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  it('probes use the health endpoints', () => {
    const container = deployment.spec.template.spec.containers[0];

    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.startupProbe.httpGet.path).toBe('/health/live');
  });

  it('grace period covers preStop and shutdown timeout', () => {
    const pod = deployment.spec.template.spec;
    const shutdownSeconds = Number(manifests.get('ConfigMap')?.data?.SHUTDOWN_TIMEOUT_MS) / 1000;

    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(pod.containers[0].lifecycle.preStop.sleep.seconds + shutdownSeconds);
  });

  it('Service, HPA and PDB target the Deployment', () => {
    const podLabels = deployment.spec.template.metadata.labels;
    const service = manifests.get('Service') as Manifest & { spec: { selector: Record<string, string>; ports: Array<{ targetPort: string }> } };
    const autoscaler = manifests.get('HorizontalPodAutoscaler') as Manifest & { spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number } };
    const budget = manifests.get('PodDisruptionBudget') as Manifest & { spec: { selector: { matchLabels: Record<string, string> } } };

    expect(podLabels).toMatchObject(service.spec.selector);
    expect(deployment.spec.template.spec.containers[0].ports.map((port) => port.name)).toContain(service.spec.ports[0].targetPort);
    expect(autoscaler.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    expect(autoscaler.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(podLabels).toMatchObject(budget.spec.selector.matchLabels);
  });

  it('pods run as non-root', () => {
    const pod = deployment.spec.template.spec;

    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.containers[0].securityContext.allowPrivilegeEscalation).toBe(false);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const instructions = dockerfile.split('\n').filter((line) => /^[A-Z]+\s/.test(line));

  it('builds in stages on Node 24', () => {
    const stages = instructions.filter((line) => line.startsWith('FROM '));

    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-/m);
  });

  it('runs as a non-root user', () => {
    const users = instructions.filter((line) => line.startsWith('USER '));

    expect(users.at(-1)).toBe('USER node');
    expect(instructions.indexOf(users.at(-1) as string)).toBeGreaterThan(instructions.findLastIndex((line) => line.startsWith('FROM ')));
  });

  it('health check calls /health/live', () => {
    expect(dockerfile).toMatch(/^HEALTHCHECK [^\n]*\\\n\s+CMD .*\/health\/live/m);
  });

  it('.dockerignore keeps secrets and dependencies out', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');

    for (const entry of ['.env', '.dev-issuer', 'node_modules', '.git']) {
      expect(ignored).toContain(entry);
    }
  });
});

interface Probe {
  httpGet: { path: string };
}
interface DeploymentSpec {
  template: {
    metadata: { labels: Record<string, string> };
    spec: {
      terminationGracePeriodSeconds: number;
      securityContext: { runAsNonRoot: boolean };
      containers: Array<{
        ports: Array<{ name: string }>;
        livenessProbe: Probe;
        readinessProbe: Probe;
        startupProbe: Probe;
        lifecycle: { preStop: { sleep: { seconds: number } } };
        securityContext: { allowPrivilegeEscalation: boolean };
      }>;
    };
  };
}
