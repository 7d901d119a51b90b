// The customer sample: a fixed 1-in-SAMPLE_MODULUS share of every workspace's customers, chosen by
// a hash of the customer id, so it stays the same customers from one query to the next and holds
// a customer's rows in every table at once. Partial indexes on customers, events and orders hold
// only the sample's rows (drizzle/0009_customer_sample.sql): a segment preview evaluates its
// definition over the sample and scales the count up, in milliseconds where the exact count reads
// millions of rows (src/segments/reports.ts).
//
// The expression is written out as a literal, not with parameters: the planner uses a partial
// index only for a query that states the index's own predicate.
import { sql, type SQL } from 'drizzle-orm';
import { createHash } from 'node:crypto';

export const SAMPLE_MODULUS = 100;

/**
 * From this many live customers a segment preview estimates from the sample unless asked for the
 * exact count (RAPPORT_PREVIEW_ESTIMATE_FROM): a sample of 2,000 or more customers.
 */
export const DEFAULT_ESTIMATE_FROM = 200_000;

/** What is hashed before the customer id (a prefix of its own: the sample is independent of the random-bucket condition). */
const SAMPLE_PREFIX = 'rapport-sample:';

/**
 * A stable bucket of a customer id, 0 … modulus − 1: the first 32 bits of md5(prefix || id), mod
 * modulus. The sample uses it, and so does the segments' random-bucket condition (with a prefix
 * of the workspace and seed), in SQL and in JavaScript alike.
 */
export function hashBucketSql(prefix: SQL, col: SQL, modulus: SQL): SQL {
  return sql`mod(('x' || substr(md5(${prefix} || ${col}::text), 1, 8))::bit(32)::bigint, ${modulus})`;
}

export function hashBucket(key: string, modulus: number): number {
  return parseInt(createHash('md5').update(key).digest('hex').slice(0, 8), 16) % modulus;
}

/** `col` (a customer id) is in the sample of 1 in `modulus`. */
export function inSample(col: SQL, modulus: number = SAMPLE_MODULUS): SQL {
  if (!Number.isInteger(modulus) || modulus < 1) throw new Error(`sample modulus: ${modulus} is not a positive integer`);
  return sql`${hashBucketSql(sql.raw(`'${SAMPLE_PREFIX}'`), col, sql.raw(String(modulus)))} = 0`;
}

/** The same test in JavaScript. */
export function customerInSample(customerId: string, modulus: number = SAMPLE_MODULUS): boolean {
  return hashBucket(SAMPLE_PREFIX + customerId, modulus) === 0;
}
