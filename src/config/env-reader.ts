import { z } from 'zod';

/** A configuration value that is wrong: start-up stops with one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
  }
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `40`, `40s`, `15m`, `2h`, `7d`, `500ms` (a bare number is seconds) into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] ?? 's']!;
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/**
 * Reads typed values from an environment, each validated with zod, remembering which ones fell
 * back to a development default so start-up can say so (and refuse them in production).
 */
export class EnvReader {
  constructor(
    readonly env: NodeJS.ProcessEnv,
    /** Shared with the scoped readers made from this one. */
    readonly devDefaults: string[] = [],
  ) {}

  /**
   * A reader of only the `allowed` names, for one part of the configuration (a provider's module):
   * reading any other throws, so what it declares is what it reads; `read` records what it read.
   */
  scoped(allowed: readonly string[], owner: string): ScopedEnvReader {
    return new ScopedEnvReader(this.env, this.devDefaults, new Set(allowed), owner);
  }

  protected raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    return this.raw(name) ?? fallback;
  }

  /**
   * A value that only has a development default: recorded, and refused (start-up stops naming it)
   * unless KYC_DEV_DEFAULTS=1 outside production.
   */
  devString(name: string, devFallback: string): string {
    const value = this.raw(name);
    if (value !== undefined) return value;
    this.devDefaults.push(name);
    return devFallback;
  }

  enumOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const value = this.raw(name) ?? fallback;
    if (!(values as readonly string[]).includes(value)) {
      throw new ConfigError(name, `'${value}' is not one of ${values.join(', ')}`);
    }
    return value as T;
  }

  url(name: string, fallback: string): string {
    const value = this.raw(name) ?? fallback;
    const result = z.url({ protocol: /^https?$/ }).safeParse(value);
    // Not echoed: a URL may carry credentials (user:password@host).
    if (!result.success) throw new ConfigError(name, 'is not an http(s) URL');
    return value.replace(/\/+$/, '');
  }

  port(name: string, fallback: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const result = z.coerce.number().int().min(0).max(65535).safeParse(value);
    if (!result.success) throw new ConfigError(name, `'${value}' is not a port number (0-65535)`);
    return result.data;
  }

  integer(name: string, fallback: number, min = 0): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const result = z.coerce.number().int().min(min).safeParse(value);
    if (!result.success) throw new ConfigError(name, `'${value}' is not a whole number >= ${min}`);
    return result.data;
  }

  /** A size such as `512kb`, `1mb` or a number of bytes. */
  bytes(name: string, fallback: string): number {
    const value = (this.raw(name) ?? fallback).toLowerCase();
    const match = /^(\d+)\s*(b|kb|mb)?$/.exec(value);
    const unit: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };
    const bytes = match ? Number(match[1]) * (unit[match[2] ?? 'b'] ?? NaN) : NaN;
    if (!Number.isSafeInteger(bytes) || bytes <= 0)
      throw new ConfigError(name, `'${value}' is not a size (e.g. 512kb, 1mb)`);
    return bytes;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    throw new ConfigError(name, `'${value}' is not a boolean (true/false)`);
  }

  duration(name: string, fallback: string): number {
    const value = this.raw(name) ?? fallback;
    const ms = parseDuration(value);
    if (ms === undefined || ms <= 0)
      throw new ConfigError(name, `'${value}' is not a duration (e.g. 40, 30s, 15m, 2h, 7d)`);
    return ms;
  }

  durations(name: string, fallback: string): number[] {
    const value = this.raw(name) ?? fallback;
    const parts = value.split(',').map((part) => part.trim());
    const values = parts.map(parseDuration);
    if (parts.length === 0 || values.some((ms) => ms === undefined || ms <= 0)) {
      throw new ConfigError(name, `'${value}' is not a comma-separated list of durations (e.g. 40,60,100 or 30s,2m)`);
    }
    return values as number[];
  }

  list(name: string, fallback: string): string[] {
    return (this.raw(name) ?? fallback)
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }
}

/** An {@link EnvReader} limited to the names its owner declares (see {@link EnvReader.scoped}). */
export class ScopedEnvReader extends EnvReader {
  /** Every name read so far. */
  readonly read = new Set<string>();

  constructor(
    env: NodeJS.ProcessEnv,
    devDefaults: string[],
    private readonly allowed: ReadonlySet<string>,
    private readonly owner: string,
  ) {
    super(env, devDefaults);
  }

  protected override raw(name: string): string | undefined {
    if (!this.allowed.has(name)) throw new Error(`${this.owner} reads ${name}, which it does not declare`);
    this.read.add(name);
    return super.raw(name);
  }
}
