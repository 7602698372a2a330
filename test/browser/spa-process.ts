import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const SERVER_SCRIPT = join(__dirname, '..', '..', 'examples', 'spa', 'server.mjs');
const START_TIMEOUT_MS = 10_000;

export interface SpaProcess {
  /** TCP port the static server listens on. */
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts `examples/spa/server.mjs` as `npm run spa` does, in its own Node.js
 * process, and resolves once it listens. `env` contains the SPA_* settings.
 */
export async function startSpaProcess(env: Record<string, string>): Promise<SpaProcess> {
  // process.execPath is the Node.js 24 that runs Jest, not the machine's own.
  const child = spawn(process.execPath, [SERVER_SCRIPT], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await waitForListening(child);
  return { port, stop: () => stopProcess(child) };
}

function waitForListening(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`SPA server did not report listening within ${START_TIMEOUT_MS} ms. Output:\n${output}`));
    }, START_TIMEOUT_MS);

    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /spa: serving http:\/\/[^:]+:(\d+) /.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`SPA server exited with code ${code} before listening. Output:\n${output}`));
    });
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}
