import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MintJob } from './mint-worker';
import { IssuerKey, mintToken, TokenClaimsTemplate } from './tokens';

/** Below this count, starting workers costs more than it saves. */
const WORKER_THRESHOLD = 5_000;

/**
 * Mints `count` distinct valid tokens. Large counts are split across one
 * worker thread per core, because one RS256 signature costs about 0.25 ms.
 */
export async function mintTokens(key: IssuerKey, template: TokenClaimsTemplate, count: number): Promise<string[]> {
  if (count < WORKER_THRESHOLD) {
    return Array.from({ length: count }, (_, index) => mintToken(key, template, `user-${index}`));
  }

  const workers = Math.max(1, availableParallelism());
  const share = Math.ceil(count / workers);
  const batches = await Promise.all(
    Array.from({ length: workers }, (_, worker) => {
      const job: MintJob = {
        key,
        template,
        count: Math.min(share, count - worker * share),
        subjectPrefix: `user-${worker}-`,
      };
      return runMintWorker(job);
    }),
  );
  return batches.flat();
}

function runMintWorker(job: MintJob): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'mint-worker.js'), { workerData: job });
    worker.once('message', (tokens: string[]) => resolve(tokens));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`token minting worker exited with code ${code}`));
      }
    });
  });
}
