import { parseArgs } from 'node:util';
import { IMPLEMENTATIONS, SERVICE_ID } from './servers';

export type Mode = 'full' | 'smoke' | 'memory' | 'profile';

/** Settings of one benchmark run. Durations are in seconds. */
export interface BenchOptions {
  mode: Mode;
  rounds: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** First port of the range the servers listen on. Implementation i uses `basePort + i`. */
  basePort: number;
  implementations: string[];
  /** Distinct valid tokens in the memory cell. As many distinct bad-signature tokens are sent with them. */
  memoryTokens: number;
  memorySeconds: number;
  profileSeconds: number;
}

export const USAGE = `Usage: npm run bench -- [options]

Compares this service with baseline implementations under autocannon load on 127.0.0.1.

Modes (default: comparison, then the memory cell):
  --smoke              a second or so per cell, to check that the harness works
  --memory             only the memory cell
  --profile            only CPU profiles (node --cpu-prof), one per workload, of this
                       service or of the implementations that --only names

Options:
  --rounds N           interleaved rounds of the comparison (default 3)
  --duration S         seconds measured per cell (default 10)
  --warmup S           seconds of unmeasured load before each cell (default 2)
  --connections N      concurrent autocannon connections (default 50)
  --port N             first port for the servers; they use N to N+${IMPLEMENTATIONS.length - 1} (default 3400)
  --only IDS           comma-separated implementations to run (default all, or only
                       this service with --profile):
                       ${IMPLEMENTATIONS.map((implementation) => implementation.id).join(', ')}
  --memory-tokens N    distinct valid tokens in the memory cell (default 100000, 300000 with --memory)
  --memory-seconds S   time limit of the memory cell (default 60, 180 with --memory)
  --profile-seconds S  seconds of load per profiled workload (default 15)
  --help               print this text
`;

/** Size of the memory cell per mode: a full run keeps it short, `--memory` alone runs it longer. */
const MEMORY_DEFAULTS: Record<Mode, { tokens: number; seconds: number }> = {
  full: { tokens: 100_000, seconds: 60 },
  smoke: { tokens: 2_000, seconds: 2 },
  memory: { tokens: 300_000, seconds: 180 },
  profile: { tokens: 0, seconds: 0 },
};

/** Parses the command line. Throws an `Error` whose message names the invalid option. */
export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      smoke: { type: 'boolean', default: false },
      memory: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      port: { type: 'string' },
      only: { type: 'string' },
      'memory-tokens': { type: 'string' },
      'memory-seconds': { type: 'string' },
      'profile-seconds': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    return 'help';
  }

  const modes = (['smoke', 'memory', 'profile'] as const).filter((mode) => values[mode]);
  if (modes.length > 1) {
    throw new Error(`Options --${modes.join(' and --')} exclude each other. Pick one mode.`);
  }
  const mode: Mode = modes[0] ?? 'full';
  const smoke = mode === 'smoke';

  const known = IMPLEMENTATIONS.map((implementation) => implementation.id);
  let implementations = known;
  if (values.only !== undefined) {
    implementations = values.only.split(',').map((id) => id.trim());
  } else if (mode === 'profile') {
    implementations = [SERVICE_ID];
  }
  const unknown = implementations.filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    throw new Error(`--only names unknown implementation ${unknown.join(', ')}. Use ids from: ${known.join(', ')}.`);
  }

  return {
    mode,
    rounds: readNumber('rounds', values.rounds, smoke ? 1 : 3, { min: 1, max: 20, integer: true }),
    durationSeconds: readNumber('duration', values.duration, smoke ? 1 : 10, { min: 1, max: 600 }),
    warmupSeconds: readNumber('warmup', values.warmup, smoke ? 0 : 2, { min: 0, max: 60 }),
    connections: readNumber('connections', values.connections, 50, { min: 1, max: 1_000, integer: true }),
    basePort: readNumber('port', values.port, 3400, { min: 1_024, max: 65_535 - IMPLEMENTATIONS.length, integer: true }),
    implementations,
    memoryTokens: readNumber('memory-tokens', values['memory-tokens'], MEMORY_DEFAULTS[mode].tokens, { min: 1, max: 5_000_000, integer: true }),
    memorySeconds: readNumber('memory-seconds', values['memory-seconds'], MEMORY_DEFAULTS[mode].seconds, { min: 1, max: 3_600 }),
    profileSeconds: readNumber('profile-seconds', values['profile-seconds'], smoke ? 1 : 15, { min: 1, max: 600 }),
  };
}

function readNumber(name: string, raw: string | undefined, fallback: number, limits: { min: number; max: number; integer?: boolean }): number {
  if (raw === undefined) {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value < limits.min || value > limits.max || (limits.integer === true && !Number.isInteger(value))) {
    throw new Error(`--${name} must be ${limits.integer === true ? 'an integer' : 'a number'} from ${limits.min} to ${limits.max}, got "${raw}".`);
  }
  return value;
}
