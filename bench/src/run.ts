import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoadResult, runLoad, Workload } from './load';
import { LocalIssuer } from './issuer';
import { mintTokens } from './minting';
import { BenchOptions, parseOptions, USAGE } from './options';
import { checkAnswers } from './preflight';
import { ProfileSummary, profileMarkdown, summarizeProfile } from './profile';
import {
  CellRecord,
  comparisonMarkdown,
  ComparisonSummary,
  describeEnvironment,
  environmentMarkdown,
  formatMiB,
  ProcessRecord,
  RunEnvironment,
  summarizeComparison,
  WORKLOAD_LABELS,
} from './report';
import { IMPLEMENTATIONS, Implementation, SERVICE_ID, ServerProcess } from './servers';
import { generateIssuerKey, IssuerKey, mintToken, TokenClaimsTemplate, withBadSignature } from './tokens';

const RESULTS_ROOT = join(__dirname, '..', '..', 'results');
const AUDIENCE = 'https://bench.api.example';
const DISTINCT_TOKEN_COUNT = 2_000;

/** Everything one run needs: the issuer, its tokens, and where files go. */
interface RunContext {
  options: BenchOptions;
  issuer: LocalIssuer;
  key: IssuerKey;
  template: TokenClaimsTemplate;
  workloads: Workload[];
  directory: string;
  /** Problems that make the run's numbers untrustworthy. Any of them fails the run. */
  problems: string[];
}

interface MemorySample {
  elapsedSeconds: number;
  requestsSent: number;
  rssBytes: number | undefined;
}

interface MemoryResult {
  validTokens: number;
  badSignatureTokens: number;
  load: LoadResult;
  rssAfterStartBytes: number | undefined;
  rssAfterWarmupBytes: number | undefined;
  rssEndBytes: number | undefined;
  /** Measured five seconds after the load stopped. */
  rssSettledBytes: number | undefined;
  peakRssBytes: number | undefined;
  jwksFetches: number;
  samples: MemorySample[];
}

interface RunResults {
  mode: string;
  environment: RunEnvironment;
  options: BenchOptions;
  comparison?: { summary: ComparisonSummary; cells: CellRecord[]; processes: ProcessRecord[] };
  memory?: MemoryResult;
  /** Keyed by `<implementation>-<workload>`. */
  profiles?: Record<string, ProfileSummary>;
  problems: string[];
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (parsed === 'help') {
    console.log(USAGE);
    return;
  }

  const options = parsed;
  const context = await prepare(options);
  const results: RunResults = { mode: options.mode, environment: describeEnvironment(), options, problems: context.problems };
  try {
    if (options.mode === 'full' || options.mode === 'smoke') {
      results.comparison = await runComparison(context);
    }
    if (options.mode !== 'profile' && options.implementations.includes(SERVICE_ID)) {
      results.memory = await runMemoryCell(context);
    }
    if (options.mode === 'profile') {
      results.profiles = await runProfiles(context, options.implementations);
    }
    if (options.mode === 'smoke' && options.implementations.includes(SERVICE_ID)) {
      results.profiles = await runProfiles(context, [SERVICE_ID]);
    }
  } finally {
    await context.issuer.stop();
  }

  writeResults(context, results);
  if (context.problems.length > 0) {
    console.error(`\nThe run found ${context.problems.length} problem(s):\n- ${context.problems.join('\n- ')}`);
    process.exitCode = 1;
  }
}

async function prepare(options: BenchOptions): Promise<RunContext> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const directory = join(RESULTS_ROOT, `${stamp}-${options.mode}`);
  for (const folder of ['logs', 'profiles', 'work']) {
    mkdirSync(join(directory, folder), { recursive: true });
  }

  const key = generateIssuerKey('bench-key-1');
  const issuer = new LocalIssuer([key]);
  await issuer.start();
  const template: TokenClaimsTemplate = { issuer: issuer.issuer, audience: AUDIENCE, lifetimeSeconds: 4 * 3600 };

  const distinct = await mintTokens(key, template, DISTINCT_TOKEN_COUNT);
  const workloads: Workload[] = [
    { id: 'one-token', label: WORKLOAD_LABELS['one-token'], tokens: [mintToken(key, template, 'user-one')], expectedStatus: 200 },
    { id: 'distinct-tokens', label: WORKLOAD_LABELS['distinct-tokens'], tokens: distinct, expectedStatus: 200 },
    // Distinct as well, so that no implementation can respond from a cache of rejected tokens.
    { id: 'bad-signatures', label: WORKLOAD_LABELS['bad-signatures'], tokens: distinct.map(withBadSignature), expectedStatus: 401 },
  ];

  console.log(`Results go to ${directory}`);
  console.log(`Issuer ${issuer.issuer} (RS256, 2048-bit key generated for this run)`);
  return { options, issuer, key, template, workloads, directory, problems: [] };
}

/** Runs every implementation through every workload, rotating the order each round so drift hits all alike. */
async function runComparison(context: RunContext): Promise<{ summary: ComparisonSummary; cells: CellRecord[]; processes: ProcessRecord[] }> {
  const { options } = context;
  const selected = IMPLEMENTATIONS.filter((implementation) => options.implementations.includes(implementation.id));
  const cells: CellRecord[] = [];
  const processes: ProcessRecord[] = [];

  for (let round = 1; round <= options.rounds; round++) {
    const shift = (round - 1) % selected.length;
    const order = [...selected.slice(shift), ...selected.slice(0, shift)];
    for (const implementation of order) {
      const fetchesBefore = context.issuer.fetchCount(implementation.id);
      const server = await startServer(context, implementation, `round${round}`);
      try {
        for (const workload of context.workloads) {
          if (!implementation.checksTokens && workload.expectedStatus !== 200) {
            continue;
          }
          const result = await measure(context, server, workload);
          cells.push({ implementation: implementation.id, workload: workload.id, round, result });
          console.log(
            `round ${round} ${implementation.id.padEnd(13)} ${workload.id.padEnd(16)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s` +
              `  p50 ${result.latencyP50Ms} ms  p99 ${result.latencyP99Ms} ms  non-2xx ${result.non2xx}`,
          );
        }
        processes.push({
          implementation: implementation.id,
          round,
          peakRssBytes: server.readMemory().peakRssBytes,
          jwksFetches: context.issuer.fetchCount(implementation.id) - fetchesBefore,
        });
      } finally {
        await server.stop();
      }
    }
  }

  const summary = summarizeComparison(cells, processes);
  console.log(`\n${comparisonMarkdown(summary)}\n`);
  return { summary, cells, processes };
}

async function measure(context: RunContext, server: ServerProcess, workload: Workload): Promise<LoadResult> {
  const { options } = context;
  if (options.warmupSeconds > 0) {
    await runLoad(server.url, workload, { connections: options.connections, durationSeconds: options.warmupSeconds });
  }
  const cpuBefore = server.readCpuSeconds();
  const result = await runLoad(server.url, workload, { connections: options.connections, durationSeconds: options.durationSeconds });
  const cpuAfter = server.readCpuSeconds();
  checkCell(context, `${server.implementation.id} ${workload.id}`, result);
  if (cpuBefore !== undefined && cpuAfter !== undefined) {
    result.serverCpuSeconds = cpuAfter - cpuBefore;
  }
  return result;
}

function checkCell(context: RunContext, name: string, result: LoadResult): void {
  if (result.requests === 0) {
    context.problems.push(`${name}: no request completed`);
  }
  if (result.unexpectedStatus > 0) {
    context.problems.push(`${name}: ${result.unexpectedStatus} answers had an unexpected status (${JSON.stringify(result.statusCounts)})`);
  }
  if (result.errors > 0 || result.timeouts > 0) {
    context.problems.push(`${name}: ${result.errors} connection errors, ${result.timeouts} timeouts`);
  }
}

/**
 * Sends this service many distinct valid tokens, each with a distinct
 * bad-signature twin, once each, and samples its resident memory every second.
 */
async function runMemoryCell(context: RunContext): Promise<MemoryResult> {
  const { options } = context;
  console.log(`\nMemory cell: minting ${options.memoryTokens} distinct tokens...`);
  const valid = await mintTokens(context.key, context.template, options.memoryTokens);
  const tokens: string[] = [];
  for (const token of valid) {
    tokens.push(token, withBadSignature(token));
  }

  const service = serviceImplementation();
  const fetchesBefore = context.issuer.fetchCount(service.id);
  const server = await startServer(context, service, 'memory');
  try {
    const rssAfterStartBytes = server.readMemory().rssBytes;
    const [oneToken] = context.workloads;
    await runLoad(server.url, oneToken, { connections: options.connections, durationSeconds: Math.max(1, options.warmupSeconds) });
    const rssAfterWarmupBytes = server.readMemory().rssBytes;

    const started = Date.now();
    const samples: MemorySample[] = [{ elapsedSeconds: 0, requestsSent: 0, rssBytes: rssAfterWarmupBytes }];
    const workload: Workload = { id: 'distinct-tokens', label: 'memory', tokens, expectedStatus: 200 };
    const load = await runLoad(server.url, workload, {
      connections: options.connections,
      durationSeconds: options.memorySeconds,
      maxRequests: tokens.length,
      onProgress: (requestsSent) =>
        samples.push({ elapsedSeconds: (Date.now() - started) / 1000, requestsSent, rssBytes: server.readMemory().rssBytes }),
    });
    const rssEndBytes = server.readMemory().rssBytes;
    await sleep(5_000);
    const memory = server.readMemory();

    const result: MemoryResult = {
      validTokens: valid.length,
      badSignatureTokens: valid.length,
      load,
      rssAfterStartBytes,
      rssAfterWarmupBytes,
      rssEndBytes,
      rssSettledBytes: memory.rssBytes,
      peakRssBytes: memory.peakRssBytes,
      jwksFetches: context.issuer.fetchCount(service.id) - fetchesBefore,
      samples,
    };
    checkMemoryLoad(context, load);
    console.log(`\n${memoryMarkdown(result)}\n`);
    return result;
  } finally {
    await server.stop();
  }
}

/** Checks that every valid token got 200 and every bad one 401. Anything else means the cell measured the wrong thing. */
function checkMemoryLoad(context: RunContext, load: LoadResult): void {
  const other = Object.entries(load.statusCounts).filter(([status]) => status !== '200' && status !== '401');
  if (load.requests === 0) {
    context.problems.push('memory cell: no request completed');
  }
  if (other.length > 0 || Math.abs((load.statusCounts['200'] ?? 0) - (load.statusCounts['401'] ?? 0)) > context.options.connections) {
    context.problems.push(`memory cell: answers were not half 200 and half 401 (${JSON.stringify(load.statusCounts)})`);
  }
  if (load.errors > 0 || load.timeouts > 0) {
    context.problems.push(`memory cell: ${load.errors} connection errors, ${load.timeouts} timeouts`);
  }
}

/** Profiles each implementation under each workload it serves, one process and one `.cpuprofile` per cell. */
async function runProfiles(context: RunContext, implementationIds: string[]): Promise<Record<string, ProfileSummary>> {
  const { options } = context;
  const summaries: Record<string, ProfileSummary> = {};

  for (const implementation of IMPLEMENTATIONS.filter((candidate) => implementationIds.includes(candidate.id))) {
    for (const workload of context.workloads) {
      if (!implementation.checksTokens && workload.expectedStatus !== 200) {
        continue;
      }
      const cell = `${implementation.id}-${workload.id}`;
      const summary = await profileCell(context, implementation, workload);
      if (summary !== undefined) {
        summaries[cell] = summary;
        const markdown = `## ${implementation.label}: ${workload.label}\n\n${profileMarkdown(summary)}\n`;
        writeFileSync(join(context.directory, 'profiles', `${cell}.md`), markdown);
        console.log(`\n${markdown}`);
      }
    }
  }
  return summaries;
}

async function profileCell(context: RunContext, implementation: Implementation, workload: Workload): Promise<ProfileSummary | undefined> {
  const { options } = context;
  const cell = `${implementation.id}-${workload.id}`;
  const name = `${cell}.cpuprofile`;
  const file = join(context.directory, 'profiles', name);
  const server = await startServer(context, implementation, `profile-${workload.id}`, [
    '--cpu-prof',
    '--cpu-prof-dir',
    join(context.directory, 'profiles'),
    '--cpu-prof-name',
    name,
    '--require',
    join(__dirname, 'exit-on-signal.js'),
  ]);

  let window: { startMicros: number; endMicros: number };
  try {
    if (options.warmupSeconds > 0) {
      await runLoad(server.url, workload, { connections: options.connections, durationSeconds: options.warmupSeconds });
    }
    const startMicros = Number(process.hrtime.bigint() / 1000n);
    const result = await runLoad(server.url, workload, { connections: options.connections, durationSeconds: options.profileSeconds });
    window = { startMicros, endMicros: Number(process.hrtime.bigint() / 1000n) };
    checkCell(context, `profile ${cell}`, result);
    console.log(`profile ${cell}: ${result.requestsPerSecond.toFixed(0)} req/s under --cpu-prof`);

    server.signal('SIGUSR2');
    if (!(await server.waitForExit(30_000))) {
      context.problems.push(`profile ${cell}: the server did not exit within 30 s of SIGUSR2, so no profile was written`);
      return undefined;
    }
  } finally {
    await server.stop();
  }

  return summarizeProfile(file, window);
}

function serviceImplementation(): Implementation {
  const service = IMPLEMENTATIONS.find((implementation) => implementation.id === SERVICE_ID);
  if (service === undefined) {
    throw new Error('The service is missing from the implementation list.');
  }
  return service;
}

async function startServer(context: RunContext, implementation: Implementation, run: string, nodeFlags: string[] = []): Promise<ServerProcess> {
  const port = context.options.basePort + IMPLEMENTATIONS.indexOf(implementation);
  const server = await ServerProcess.start(implementation, {
    port,
    issuer: context.template.issuer,
    audience: context.template.audience,
    jwksUri: context.issuer.jwksUri(implementation.id),
    cwd: join(context.directory, 'work'),
    logFile: join(context.directory, 'logs', `${implementation.id}-${run}.log`),
    nodeFlags,
  });
  await checkAnswers(implementation, server.url, {
    valid: context.workloads[0].tokens[0],
    badSignature: context.workloads[2].tokens[0],
  }).catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  return server;
}

function memoryMarkdown(memory: MemoryResult): string {
  const step = Math.max(1, Math.ceil(memory.samples.length / 12));
  const samples = memory.samples.filter((_, index) => index % step === 0 || index === memory.samples.length - 1);
  return [
    `${memory.validTokens} distinct valid tokens and ${memory.badSignatureTokens} distinct bad-signature tokens, each sent at most once; ` +
      `${memory.load.requests} answered in ${memory.load.durationSeconds} s (${memory.load.requestsPerSecond.toFixed(0)} req/s), statuses ${JSON.stringify(memory.load.statusCounts)}, JWKS fetches ${memory.jwksFetches}.`,
    '',
    '| point | RSS (MiB) |',
    '|---|--:|',
    `| after start | ${formatMiB(memory.rssAfterStartBytes)} |`,
    `| after warm-up | ${formatMiB(memory.rssAfterWarmupBytes)} |`,
    `| end of load | ${formatMiB(memory.rssEndBytes)} |`,
    `| 5 s after load | ${formatMiB(memory.rssSettledBytes)} |`,
    `| peak | ${formatMiB(memory.peakRssBytes)} |`,
    '',
    '| seconds | requests sent | RSS (MiB) |',
    '|--:|--:|--:|',
    ...samples.map((sample) => `| ${sample.elapsedSeconds.toFixed(0)} | ${sample.requestsSent} | ${formatMiB(sample.rssBytes)} |`),
  ].join('\n');
}

function writeResults(context: RunContext, results: RunResults): void {
  const sections = [`# Benchmark run (${results.mode})`, '', environmentMarkdown(results.environment), ''];
  const { options } = context;
  sections.push(
    `Load: autocannon, ${options.connections} connections, ${options.durationSeconds} s per cell after ${options.warmupSeconds} s of warm-up, ${options.rounds} round(s); medians over rounds.`,
    '',
  );
  if (results.comparison !== undefined) {
    sections.push('## Comparison', '', comparisonMarkdown(results.comparison.summary), '');
  }
  if (results.memory !== undefined) {
    sections.push('## Memory (this service)', '', memoryMarkdown(results.memory), '');
  }
  for (const [cell, summary] of Object.entries(results.profiles ?? {})) {
    sections.push(`## CPU profile: ${cell}`, '', profileMarkdown(summary), '');
  }
  if (results.problems.length > 0) {
    sections.push('## Problems', '', ...results.problems.map((problem) => `- ${problem}`), '');
  }

  const json = join(context.directory, 'results.json');
  const markdown = join(context.directory, 'results.md');
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(markdown, sections.join('\n'));
  copyFileSync(json, join(RESULTS_ROOT, `latest-${results.mode}.json`));
  copyFileSync(markdown, join(RESULTS_ROOT, `latest-${results.mode}.md`));
  console.log(`Wrote ${markdown} and results.json beside it (copied to bench/results/latest-${results.mode}.*).`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
