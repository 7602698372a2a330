import { readFileSync } from 'node:fs';

/** The parts of V8's `.cpuprofile` format (Chrome DevTools Protocol `Profiler.Profile`) read here. */
interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds on the process's monotonic clock. */
  startTime: number;
  endTime: number;
  samples: number[];
  /** Microseconds between consecutive samples. The first is measured from `startTime`. */
  timeDeltas: number[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Time attributed to one function or package, in milliseconds and as a share of busy time. */
export interface TimeShare {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  /** Sampled time inside the window, idle excluded, in milliseconds. */
  busyMs: number;
  idleMs: number;
  samples: number;
  /** False when the window did not overlap the profile and all samples were used. */
  windowApplied: boolean;
  selfByPackage: TimeShare[];
  selfByFunction: TimeShare[];
  /** Time with the function anywhere on the stack, counted once per sample. */
  inclusiveByFunction: TimeShare[];
}

/** Microsecond bounds on the monotonic clock, as `process.hrtime` reads it. */
export interface TimeWindow {
  startMicros: number;
  endMicros: number;
}

const IDLE = '(idle)';

/**
 * Sums a profile's samples by function and by package. Each sample is
 * charged the time until the next one, as Chrome DevTools does. With a
 * window, only samples taken inside it count, which keeps start-up work out.
 */
export function summarizeProfile(file: string, window?: TimeWindow, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      parents.set(child, node.id);
    }
  }

  const sampleTimes: number[] = [];
  let clock = profile.startTime;
  for (const delta of profile.timeDeltas) {
    clock += delta;
    sampleTimes.push(clock);
  }
  const windowApplied =
    window !== undefined && sampleTimes.some((time) => time >= window.startMicros && time <= window.endMicros);

  const selfByFunction = new Map<string, number>();
  const selfByPackage = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busyMicros = 0;
  let idleMicros = 0;
  let counted = 0;

  for (let index = 0; index < profile.samples.length; index++) {
    const time = sampleTimes[index];
    if (windowApplied && window !== undefined && (time < window.startMicros || time > window.endMicros)) {
      continue;
    }
    const next = sampleTimes[index + 1];
    const duration = next === undefined ? 0 : next - time;
    const node = nodes.get(profile.samples[index]);
    if (node === undefined) {
      continue;
    }
    counted++;
    if (node.callFrame.functionName === IDLE) {
      idleMicros += duration;
      continue;
    }

    busyMicros += duration;
    add(selfByFunction, functionKey(node), duration);
    add(selfByPackage, packageOf(node), duration);

    const onStack = new Set<string>();
    for (let current: ProfileNode | undefined = node; current !== undefined; current = nodes.get(parents.get(current.id) ?? -1)) {
      if (current.callFrame.functionName !== '(root)') {
        onStack.add(functionKey(current));
      }
    }
    for (const key of onStack) {
      add(inclusive, key, duration);
    }
  }

  return {
    file,
    busyMs: busyMicros / 1000,
    idleMs: idleMicros / 1000,
    samples: counted,
    windowApplied,
    selfByPackage: rank(selfByPackage, busyMicros, top),
    selfByFunction: rank(selfByFunction, busyMicros, top),
    inclusiveByFunction: rank(inclusive, busyMicros, top),
  };
}

/** Formats a summary as Markdown tables. */
export function profileMarkdown(summary: ProfileSummary): string {
  const table = (title: string, rows: TimeShare[]): string =>
    [
      `| ${title} | ms | % of busy |`,
      '|---|--:|--:|',
      ...rows.map((row) => `| ${escapeCell(row.name)} | ${row.ms.toFixed(0)} | ${row.percent.toFixed(1)} |`),
    ].join('\n');

  return [
    `Busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms, ${summary.samples} samples` +
      (summary.windowApplied ? ' (load window only).' : ' (whole profile: the load window did not match its clock).'),
    '',
    table('self time by package', summary.selfByPackage),
    '',
    table('self time by function', summary.selfByFunction),
    '',
    table('inclusive time by function', summary.inclusiveByFunction),
  ].join('\n');
}

function functionKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName === '' ? '(anonymous)' : functionName;
  return url === '' ? name : `${name} ${shortenUrl(url)}:${lineNumber + 1}`;
}

/** Names the package a frame belongs to: an npm package, a folder of this service, Node.js core, or a V8 pseudo-frame. */
function packageOf(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (url === '') {
    return functionName.startsWith('(') ? functionName : '(native)';
  }
  if (url.startsWith('node:')) {
    return 'node core';
  }

  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const parts = path.slice(modules + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const service = /\/dist\/(.+)\/[^/]+$/.exec(path);
  if (service !== null) {
    return `service: ${service[1]}`;
  }
  return path.includes('/dist/') ? 'service: (root)' : path;
}

function shortenUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    return path.slice(modules + '/node_modules/'.length);
  }
  const dist = path.lastIndexOf('/dist/');
  return dist === -1 ? path : path.slice(dist + 1);
}

function add(map: Map<string, number>, key: string, micros: number): void {
  map.set(key, (map.get(key) ?? 0) + micros);
}

function rank(map: Map<string, number>, totalMicros: number, top: number): TimeShare[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, micros]) => ({ name, ms: micros / 1000, percent: totalMicros > 0 ? (100 * micros) / totalMicros : 0 }));
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
