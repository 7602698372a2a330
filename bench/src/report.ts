import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { LoadResult, WorkloadId } from './load';
import { IMPLEMENTATIONS, SERVICE_ID } from './servers';

export const WORKLOAD_LABELS: Record<WorkloadId, string> = {
  'one-token': 'one token repeated',
  'distinct-tokens': '2,000 distinct tokens',
  'bad-signatures': 'bad signatures (401)',
};
const WORKLOADS = Object.keys(WORKLOAD_LABELS) as WorkloadId[];

/** The service must reach at least this share of node:http + jose on distinct tokens. */
const JOSE_DISTINCT_GOAL = 0.8;

/** One measured cell: one implementation, one workload, one round. */
export interface CellRecord {
  implementation: string;
  workload: WorkloadId;
  round: number;
  result: LoadResult;
}

/** One server process, which serves every workload of one round. */
export interface ProcessRecord {
  implementation: string;
  round: number;
  peakRssBytes: number | undefined;
  jwksFetches: number;
}

export interface AggregatedCell {
  rounds: number;
  medianRequestsPerSecond: number;
  medianLatencyP50Ms: number;
  medianLatencyP99Ms: number;
  non2xx: number;
  unexpectedStatus: number;
  errors: number;
  /** Median over rounds of the server's CPU time per completed request, in microseconds. */
  medianCpuMicrosPerRequest: number | undefined;
  /** Median over rounds of the server's CPU use, in cores (1 = one core busy all the time). */
  medianServerCores: number | undefined;
}

export interface ImplementationSummary {
  id: string;
  label: string;
  workloads: Partial<Record<WorkloadId, AggregatedCell>>;
  jwksFetchesPerProcess: number[];
  peakRssBytes: number | undefined;
  /** This service's median requests per second divided by this implementation's, per workload. */
  serviceRatio: Partial<Record<WorkloadId, number>>;
  /**
   * This implementation's server CPU time per request divided by this
   * service's, per workload: above 1 means the service costs less CPU.
   * It does not depend on how the scheduler split the two cores between
   * server and load generator, which requests per second do.
   */
  serviceCpuRatio: Partial<Record<WorkloadId, number>>;
}

export interface GoalCheck {
  description: string;
  ratio: number | undefined;
  target: number;
  met: boolean;
}

export interface ComparisonSummary {
  implementations: ImplementationSummary[];
  goals: GoalCheck[];
}

/** Machine and software the numbers were measured on. */
export interface RunEnvironment {
  date: string;
  node: string;
  cpuModel: string;
  cpuCount: number;
  memoryGiB: number;
  packages: Record<string, string>;
}

const REPORTED_PACKAGES = [
  '@nestjs/core',
  '@nestjs/platform-express',
  'express',
  '@nestjs/passport',
  'passport-jwt',
  'jsonwebtoken',
  'jwks-rsa',
  'jose',
  'fastify',
  '@fastify/jwt',
  'fast-jwt',
  'get-jwks',
  'autocannon',
];

export function describeEnvironment(): RunEnvironment {
  const packages: Record<string, string> = {};
  for (const name of REPORTED_PACKAGES) {
    try {
      const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      packages[name] = manifest.version;
    } catch {
      packages[name] = 'not installed';
    }
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpuCount: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    packages,
  };
}

export function summarizeComparison(cells: CellRecord[], processes: ProcessRecord[]): ComparisonSummary {
  const implementations = IMPLEMENTATIONS.filter((implementation) => cells.some((cell) => cell.implementation === implementation.id)).map(
    (implementation): ImplementationSummary => {
      const workloads: Partial<Record<WorkloadId, AggregatedCell>> = {};
      for (const workload of WORKLOADS) {
        const results = cells.filter((cell) => cell.implementation === implementation.id && cell.workload === workload).map((cell) => cell.result);
        if (results.length > 0) {
          workloads[workload] = aggregate(results);
        }
      }
      const own = processes.filter((record) => record.implementation === implementation.id);
      const peaks = own.map((record) => record.peakRssBytes).filter((bytes): bytes is number => bytes !== undefined);
      return {
        id: implementation.id,
        label: implementation.label,
        workloads,
        jwksFetchesPerProcess: own.map((record) => record.jwksFetches),
        peakRssBytes: peaks.length > 0 ? Math.max(...peaks) : undefined,
        serviceRatio: {},
        serviceCpuRatio: {},
      };
    },
  );

  const service = implementations.find((summary) => summary.id === SERVICE_ID);
  for (const summary of implementations) {
    for (const workload of WORKLOADS) {
      const ours = service?.workloads[workload]?.medianRequestsPerSecond;
      const theirs = summary.workloads[workload]?.medianRequestsPerSecond;
      if (ours !== undefined && theirs !== undefined && theirs > 0) {
        summary.serviceRatio[workload] = ours / theirs;
      }
      const ourCpu = service?.workloads[workload]?.medianCpuMicrosPerRequest;
      const theirCpu = summary.workloads[workload]?.medianCpuMicrosPerRequest;
      if (ourCpu !== undefined && theirCpu !== undefined && ourCpu > 0) {
        summary.serviceCpuRatio[workload] = theirCpu / ourCpu;
      }
    }
  }
  return { implementations, goals: checkGoals(implementations) };
}

function checkGoals(implementations: ImplementationSummary[]): GoalCheck[] {
  const fastify = implementations.find((summary) => summary.id === 'fastify-jwt');
  const jose = implementations.find((summary) => summary.id === 'jose-http');
  const goals: GoalCheck[] = WORKLOADS.map((workload) => {
    const ratio = fastify?.serviceRatio[workload];
    return { description: `at least Fastify + @fastify/jwt on ${WORKLOAD_LABELS[workload]}`, ratio, target: 1, met: ratio !== undefined && ratio >= 1 };
  });
  const joseRatio = jose?.serviceRatio['distinct-tokens'];
  goals.push({
    description: `within ${JOSE_DISTINCT_GOAL} of node:http + jose on ${WORKLOAD_LABELS['distinct-tokens']}`,
    ratio: joseRatio,
    target: JOSE_DISTINCT_GOAL,
    met: joseRatio !== undefined && joseRatio >= JOSE_DISTINCT_GOAL,
  });
  return goals;
}

function aggregate(results: LoadResult[]): AggregatedCell {
  return {
    rounds: results.length,
    medianRequestsPerSecond: median(results.map((result) => result.requestsPerSecond)),
    medianLatencyP50Ms: median(results.map((result) => result.latencyP50Ms)),
    medianLatencyP99Ms: median(results.map((result) => result.latencyP99Ms)),
    non2xx: sum(results.map((result) => result.non2xx)),
    unexpectedStatus: sum(results.map((result) => result.unexpectedStatus)),
    errors: sum(results.map((result) => result.errors + result.timeouts)),
    medianCpuMicrosPerRequest: medianOfDefined(
      results.map((result) => (result.serverCpuSeconds === undefined || result.requests === 0 ? undefined : (1e6 * result.serverCpuSeconds) / result.requests)),
    ),
    medianServerCores: medianOfDefined(
      results.map((result) => (result.serverCpuSeconds === undefined || result.durationSeconds === 0 ? undefined : result.serverCpuSeconds / result.durationSeconds)),
    ),
  };
}

/** Formats the comparison as the Markdown tables that `docs/benchmarks.md` quotes. */
export function comparisonMarkdown(summary: ComparisonSummary): string {
  const lines: string[] = [];
  lines.push(
    `| implementation | ${WORKLOADS.map((workload) => `${WORKLOAD_LABELS[workload]}, req/s`).join(' | ')} | JWKS fetches per process | peak RSS (MiB) |`,
    `|---|${WORKLOADS.map(() => '--:').join('|')}|--:|--:|`,
  );
  for (const row of summary.implementations) {
    const rates = WORKLOADS.map((workload) => formatNumber(row.workloads[workload]?.medianRequestsPerSecond, 0));
    lines.push(`| ${row.label} | ${rates.join(' | ')} | ${row.jwksFetchesPerProcess.join(', ')} | ${formatMiB(row.peakRssBytes)} |`);
  }

  lines.push(
    '',
    '| implementation | workload | p50 (ms) | p99 (ms) | server CPU per request (µs) | server CPU (cores) | non-2xx | unexpected status | errors |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|',
  );
  for (const row of summary.implementations) {
    for (const workload of WORKLOADS) {
      const cell = row.workloads[workload];
      if (cell !== undefined) {
        lines.push(
          `| ${row.label} | ${WORKLOAD_LABELS[workload]} | ${formatNumber(cell.medianLatencyP50Ms, 1)} | ${formatNumber(cell.medianLatencyP99Ms, 1)} | ` +
            `${formatNumber(cell.medianCpuMicrosPerRequest, 0)} | ${formatNumber(cell.medianServerCores, 2)} | ${cell.non2xx} | ${cell.unexpectedStatus} | ${cell.errors} |`,
        );
      }
    }
  }

  lines.push('', `| this service / baseline | ${WORKLOADS.map((workload) => WORKLOAD_LABELS[workload]).join(' | ')} |`, `|---|${WORKLOADS.map(() => '--:').join('|')}|`);
  for (const row of summary.implementations.filter((candidate) => candidate.id !== SERVICE_ID)) {
    lines.push(`| ${row.label} | ${WORKLOADS.map((workload) => formatNumber(row.serviceRatio[workload], 2)).join(' | ')} |`);
  }

  lines.push(
    '',
    `| baseline CPU per request / this service's | ${WORKLOADS.map((workload) => WORKLOAD_LABELS[workload]).join(' | ')} |`,
    `|---|${WORKLOADS.map(() => '--:').join('|')}|`,
  );
  for (const row of summary.implementations.filter((candidate) => candidate.id !== SERVICE_ID)) {
    lines.push(`| ${row.label} | ${WORKLOADS.map((workload) => formatNumber(row.serviceCpuRatio[workload], 2)).join(' | ')} |`);
  }

  lines.push('', '| goal (by requests per second) | ratio | target | met |', '|---|--:|--:|---|');
  for (const goal of summary.goals) {
    lines.push(`| ${goal.description} | ${formatNumber(goal.ratio, 2)} | ${goal.target} | ${goal.met ? 'yes' : 'no'} |`);
  }
  return lines.join('\n');
}

export function environmentMarkdown(environment: RunEnvironment): string {
  const packages = Object.entries(environment.packages)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return [
    `- date: ${environment.date}`,
    `- CPU: ${environment.cpuModel}, ${environment.cpuCount} cores; memory ${environment.memoryGiB} GiB`,
    `- Node.js ${environment.node}`,
    `- packages: ${packages}`,
  ].join('\n');
}

export function formatMiB(bytes: number | undefined): string {
  return bytes === undefined ? '-' : (bytes / 2 ** 20).toFixed(0);
}

function formatNumber(value: number | undefined, digits: number): string {
  return value === undefined ? '-' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function medianOfDefined(values: (number | undefined)[]): number | undefined {
  const defined = values.filter((value): value is number => value !== undefined);
  return defined.length === 0 ? undefined : median(defined);
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
