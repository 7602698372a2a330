export type Environment = Record<string, string | undefined>;

/** One invalid or missing variable, with the fix. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Thrown at start-up when one or more variables are invalid; lists every problem. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      [
        'Configuration is invalid. Fix these environment variables (see .env.example) and start again:',
        ...problems.map((problem) => `  - ${problem.variable}: ${problem.message}`),
      ].join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

interface IntegerRule {
  min: number;
  max: number;
  unit: string;
}

/**
 * Reads typed values out of the environment and collects every problem
 * instead of stopping at the first, so one start-up reports them all.
 */
export class EnvReader {
  readonly problems: ConfigProblem[] = [];

  constructor(private readonly env: Environment) {}

  /** Returns the trimmed value, or undefined when the variable is unset or blank. */
  optional(variable: string): string | undefined {
    const value = this.env[variable]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  has(variable: string): boolean {
    return this.optional(variable) !== undefined;
  }

  integer(variable: string, fallback: number, rule: IntegerRule): number {
    const raw = this.optional(variable);
    if (raw === undefined) {
      return fallback;
    }

    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < rule.min || value > rule.max) {
      this.report(
        variable,
        `invalid value "${printable(raw)}". Set a whole number from ${rule.min} to ${rule.max} (${rule.unit}), or unset it for the default ${fallback}.`,
      );
      return fallback;
    }
    return value;
  }

  /** Reads `true` or `false` (any case). */
  boolean(variable: string, fallback: boolean): boolean {
    const raw = this.optional(variable)?.toLowerCase();
    if (raw === undefined) {
      return fallback;
    }
    if (raw === 'true' || raw === 'false') {
      return raw === 'true';
    }
    this.report(variable, `invalid value "${printable(raw)}". Set true or false, or unset it for the default ${fallback}.`);
    return fallback;
  }

  /** Reads one of a fixed set of words, compared exactly. */
  choice<T extends string>(variable: string, allowed: readonly T[], fallback: T): T {
    const raw = this.optional(variable);
    if (raw === undefined) {
      return fallback;
    }
    const match = allowed.find((candidate) => candidate === raw);
    if (match === undefined) {
      this.report(variable, `invalid value "${printable(raw)}". Set one of ${allowed.join(', ')}, or unset it for the default ${fallback}.`);
      return fallback;
    }
    return match;
  }

  /** Splits a comma-separated list; blank items are dropped. */
  list(variable: string): string[] | undefined {
    const raw = this.optional(variable);
    if (raw === undefined) {
      return undefined;
    }
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /** Parses an absolute http or https URL; plain http is accepted only for loopback hosts unless allowed. */
  url(variable: string, value: string, options: { allowHttp: boolean }): URL | undefined {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.report(variable, `invalid URL "${printable(value)}". Set an absolute https URL, for example https://tenant.eu.auth0.com/.`);
      return undefined;
    }

    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      this.report(variable, `unsupported scheme "${url.protocol}". Use an https URL.`);
      return undefined;
    }
    if (url.protocol === 'http:' && !options.allowHttp && !isLoopbackHost(url.hostname)) {
      this.report(
        variable,
        `"${printable(value)}" uses plain http to a host that is not loopback, so keys could be tampered with in transit. Use https, or set AUTH_ALLOW_INSECURE_HTTP=true outside production.`,
      );
      return undefined;
    }
    if (url.username !== '' || url.password !== '') {
      this.report(variable, 'the URL contains a user name or password. Remove the credentials from the URL.');
      return undefined;
    }
    return url;
  }

  report(variable: string, message: string): void {
    this.problems.push({ variable, message });
  }
}

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Shortens a value for an error message and strips control characters, so a message stays one readable line. */
export function printable(value: string): string {
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 120 ? `${clean.slice(0, 117)}...` : clean;
}

/** Runs one namespace's reader over `env` and throws with every problem it found. */
export function parseEnvironment<T>(env: Environment, read: (reader: EnvReader) => T): T {
  const reader = new EnvReader(env);
  const config = read(reader);
  if (reader.problems.length > 0) {
    throw new ConfigValidationError(reader.problems);
  }
  return config;
}
