// People who log in, and checking their passwords.
import { eq, sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { hashPassword, verifyPassword } from './secrets.ts';
import { users } from './schema.ts';

export type User = { id: string; email: string; name: string; locale: string | null; createdAt: string };

export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function toUser(row: typeof users.$inferSelect): User {
  return { id: row.id, email: row.email, name: row.name, locale: row.locale, createdAt: row.createdAt.toISOString() };
}

export function validatePassword(password: string, field = 'password'): void {
  if (password.length < 8) throw new AppError('invalid_input', `${field}: must be at least 8 characters long`);
  if (password.length > 256) throw new AppError('invalid_input', `${field}: must be at most 256 characters long`);
}

export async function findUserByEmail(db: Queryable, email: string) {
  const [row] = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.trim().toLowerCase()))
    .limit(1);
  return row;
}

export async function getUser(db: Queryable, id: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return row ? toUser(row) : undefined;
}

export async function createUser(
  db: Queryable,
  opts: { email: string; password: string; name?: string; locale?: string },
): Promise<User> {
  const email = opts.email.trim().toLowerCase();
  if (!EMAIL_PATTERN.test(email)) throw new AppError('invalid_input', `email: "${opts.email}" is not an e-mail address`);
  validatePassword(opts.password);
  if (await findUserByEmail(db, email)) throw new AppError('conflict', `email: a user with ${email} already exists`);
  const [row] = await db
    .insert(users)
    .values({ id: uuidv7(), email, name: opts.name?.trim() ?? '', passwordHash: await hashPassword(opts.password), locale: opts.locale ?? null })
    .returning();
  return toUser(row!);
}

// Compared against when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
let dummyHash: Promise<string> | undefined;

/** The user for these credentials, or undefined. Never says which of the two was wrong. */
export async function authenticate(db: Queryable, email: string, password: string): Promise<User | undefined> {
  const row = await findUserByEmail(db, email);
  if (!row || row.disabledAt) {
    dummyHash ??= hashPassword('not-a-real-password');
    await verifyPassword(await dummyHash, password);
    return undefined;
  }
  if (!(await verifyPassword(row.passwordHash, password))) return undefined;
  await db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, row.id));
  return toUser(row);
}

export async function setPassword(db: Queryable, userId: string, password: string): Promise<void> {
  validatePassword(password);
  await db.update(users).set({ passwordHash: await hashPassword(password) }).where(eq(users.id, userId));
}
