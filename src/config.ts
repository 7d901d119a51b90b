// Every setting Rapport reads from the environment, validated once at start.
import net from 'node:net';
import path from 'node:path';
import { DEFAULT_ESTIMATE_FROM } from './db/sample.ts';

export type Config = {
  port: number;
  host: string;
  /** postgres://… when running on a PostgreSQL server; undefined for embedded PGlite. */
  databaseUrl: string | undefined;
  /** Where the embedded database and other local state live. */
  dataDir: string;
  /** Where uploaded files wait to be imported: private to Rapport's user (src/uploads.ts). */
  uploadDir: string;
  demo: boolean;
  /** How many demo customers the first start loads (with RAPPORT_DEMO on). */
  demoCustomers: number;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Run the job worker inside the server process. */
  inProcessWorker: boolean;
  workerConcurrency: number;
  /** Requests per minute allowed for one API key. */
  apiKeyRateLimit: number;
  /** Login attempts per minute allowed from one address. */
  loginRateLimit: number;
  /**
   * Which proxies' X-Forwarded-* headers to believe (Fastify's trustProxy): false (the default:
   * the connection's address is the client's), a number of proxy hops, or addresses/CIDR ranges.
   */
  trustProxy: false | number | string[];
  /** The address people reach Rapport at (https://crm.example.com), for links Rapport hands out. */
  publicUrl: string | undefined;
  /** Mark cookies Secure (set when served over HTTPS). */
  secureCookies: boolean;
  sessionDays: number;
  /** Event batches written at once (/v1); more wait in line. */
  ingestConcurrency: number;
  /** Bytes of event batches allowed to wait in line before /v1 answers 429. */
  ingestQueueBytes: number;
  /** Live customers from which a segment preview estimates its count from the 1% sample. */
  previewEstimateFrom: number;
  /** Key (32 bytes) that encrypts secrets stored in the database (RAPPORT_SECRET_KEY, base64); else a key file in dataDir. */
  secretKey: Buffer | undefined;
};

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `must be 1/0, true/false, yes/no or on/off, got "${raw}"`);
}

function readOptional(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

// Small enough that the first start on the embedded database stays within a few seconds.
export const DEFAULT_DEMO_CUSTOMERS = 1000;

// Named ranges proxy-addr understands besides addresses and CIDRs.
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function readTrustProxy(env: Env): Config['trustProxy'] {
  const name = 'RAPPORT_TRUST_PROXY';
  const raw = readOptional(env, name);
  if (raw === undefined || ['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 32) throw new ConfigError(name, `must be between 0 and 32 proxy hops, got ${hops}`);
    return hops;
  }
  if (['true', 'yes', 'on'].includes(raw.toLowerCase())) {
    throw new ConfigError(name, `"${raw}" would believe any client's headers: give the number of proxies in front of Rapport (e.g. 1) or their addresses (10.0.0.0/8)`);
  }
  const entries = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const entry of entries) {
    if (PROXY_RANGE_NAMES.includes(entry)) continue;
    const [address, bits, extra] = entry.split('/');
    const family = net.isIP(address ?? '');
    const maxBits = family === 4 ? 32 : 128;
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits);
    if (!family || !bitsOk || extra !== undefined) {
      throw new ConfigError(name, `"${entry}" is not a number of proxy hops, an address, a CIDR range (10.0.0.0/8) or one of ${PROXY_RANGE_NAMES.join(', ')}`);
    }
  }
  return entries;
}

function readPublicUrl(env: Env): string | undefined {
  const raw = readOptional(env, 'RAPPORT_PUBLIC_URL');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('RAPPORT_PUBLIC_URL', `is not a URL (expected e.g. https://crm.example.com), got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('RAPPORT_PUBLIC_URL', `must start with https:// or http://, got "${url.protocol}//"`);
  if (url.search || url.hash || url.username || url.password) throw new ConfigError('RAPPORT_PUBLIC_URL', 'must be a plain address without query, fragment or credentials');
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: Env = process.env): Config {
  const databaseUrl = readOptional(env, 'DATABASE_URL');
  if (databaseUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(databaseUrl);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid URL (expected postgres://user:password@host:5432/database)');
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new ConfigError('DATABASE_URL', `must start with postgres:// or postgresql://, got "${url.protocol}//"`);
    }
  }

  const adminEmail = readOptional(env, 'RAPPORT_ADMIN_EMAIL');
  if (adminEmail !== undefined && !/^[^\s@]+@[^\s@]+$/.test(adminEmail)) {
    throw new ConfigError('RAPPORT_ADMIN_EMAIL', `is not an e-mail address: "${adminEmail}"`);
  }
  const adminPassword = readOptional(env, 'RAPPORT_ADMIN_PASSWORD');
  if (adminPassword !== undefined && adminPassword.length < 8) {
    throw new ConfigError('RAPPORT_ADMIN_PASSWORD', 'must be at least 8 characters long');
  }

  const logLevel = (readOptional(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const host = readOptional(env, 'HOST') ?? 'localhost';
  if (!/^[A-Za-z0-9.:\-[\]]+$/.test(host)) throw new ConfigError('HOST', `is not a host name or address: "${host}"`);

  const dataDir = path.resolve(readOptional(env, 'RAPPORT_DATA_DIR') ?? 'data');
  return {
    port: readInt(env, 'PORT', 3000, 0, 65535),
    host,
    databaseUrl,
    dataDir,
    uploadDir: path.resolve(readOptional(env, 'RAPPORT_UPLOAD_DIR') ?? path.join(dataDir, 'uploads')),
    demo: readBool(env, 'RAPPORT_DEMO', true),
    demoCustomers: readInt(env, 'RAPPORT_DEMO_CUSTOMERS', DEFAULT_DEMO_CUSTOMERS, 0, 1_000_000),
    adminEmail: adminEmail?.toLowerCase(),
    adminPassword,
    logLevel: logLevel as Config['logLevel'],
    inProcessWorker: readBool(env, 'RAPPORT_WORKER', true),
    workerConcurrency: readInt(env, 'RAPPORT_WORKER_CONCURRENCY', 4, 1, 256),
    apiKeyRateLimit: readInt(env, 'RAPPORT_API_RATE_LIMIT', 6000, 1, 10_000_000),
    loginRateLimit: readInt(env, 'RAPPORT_LOGIN_RATE_LIMIT', 10, 1, 100_000),
    trustProxy: readTrustProxy(env),
    publicUrl: readPublicUrl(env),
    secureCookies: readBool(env, 'RAPPORT_SECURE_COOKIES', false),
    sessionDays: readInt(env, 'RAPPORT_SESSION_DAYS', 14, 1, 365),
    ingestConcurrency: readInt(env, 'RAPPORT_INGEST_CONCURRENCY', 8, 1, 256),
    ingestQueueBytes: readInt(env, 'RAPPORT_INGEST_QUEUE_MB', 16, 0, 4096) * 1024 * 1024,
    previewEstimateFrom: readInt(env, 'RAPPORT_PREVIEW_ESTIMATE_FROM', DEFAULT_ESTIMATE_FROM, 0, 1_000_000_000),
    secretKey: readSecretKey(env),
  };
}

function readSecretKey(env: Env): Buffer | undefined {
  const raw = readOptional(env, 'RAPPORT_SECRET_KEY');
  if (raw === undefined) return undefined;
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new ConfigError('RAPPORT_SECRET_KEY', `must be 32 bytes in base64 (e.g. \`openssl rand -base64 32\`), got ${key.length} bytes`);
  return key;
}
