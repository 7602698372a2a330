/**
 * The bearer guard's decision on one request. `accepted` carries no reason;
 * a rejection carries the reason code the guard logged.
 */
export type AuthOutcome =
  | { result: 'accepted' }
  | { result: 'rejected'; reason: string; status: number };

const outcomes = new WeakMap<object, AuthOutcome>();

/** Notes that the guard accepted the request's token. Called by the guard; read by the HTTP metrics when the response finishes. */
export function recordAuthAccepted(request: object): void {
  outcomes.set(request, { result: 'accepted' });
}

/** Notes that the guard rejected the request, with the reason code it logged and the HTTP status it returned. */
export function recordAuthRejected(request: object, reason: string, status: number): void {
  outcomes.set(request, { result: 'rejected', reason, status });
}

/** Returns what the guard decided, or undefined for requests it never saw (public routes, 404s). */
export function authOutcomeOf(request: object): AuthOutcome | undefined {
  return outcomes.get(request);
}
