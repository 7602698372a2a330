import { parentPort, workerData } from 'node:worker_threads';
import { IssuerKey, mintToken, TokenClaimsTemplate } from './tokens';

/** Input of one minting worker. `KeyObject`s survive the structured clone to a worker. */
export interface MintJob {
  key: IssuerKey;
  template: TokenClaimsTemplate;
  count: number;
  subjectPrefix: string;
}

const job = workerData as MintJob;
const tokens: string[] = new Array<string>(job.count);
for (let index = 0; index < job.count; index++) {
  tokens[index] = mintToken(job.key, job.template, `${job.subjectPrefix}${index}`);
}
parentPort?.postMessage(tokens);
