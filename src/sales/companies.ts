// Companies as Segment `group` calls describe them: the account a customer belongs to.
import { sql } from 'drizzle-orm';
import { uuidv7 } from '../db/uuid.ts';
import type { Queryable } from '../db/connection.ts';

/** `https://www.Example.com/about` → `example.com`; undefined when it is not a web address. */
function domainOf(website: unknown): string | undefined {
  if (typeof website !== 'string' || !website.trim()) return undefined;
  const raw = website.trim();
  try {
    const host = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`).hostname.toLowerCase();
    return host.includes('.') ? host.replace(/^www\./, '') : undefined;
  } catch {
    return undefined;
  }
}

const textTrait = (value: unknown, max = 200) => (typeof value === 'string' && value.trim() ? value.trim().slice(0, max) : undefined);

/**
 * Creates or updates the company the sender knows as `groupId` (given traits replace stored
 * ones; name, industry and website/domain get their own columns, the rest are kept as traits)
 * and, when the customer is known, links them to it. Returns the company id.
 */
export async function upsertGroupCompany(
  db: Queryable,
  opts: { workspaceId: string; groupId: string; traits: Record<string, unknown>; customerId: string | null },
): Promise<string> {
  const { traits } = opts;
  const name = textTrait(traits.name);
  const industry = textTrait(traits.industry);
  const domain = domainOf(traits.website) ?? domainOf(traits.domain);
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(traits)) {
    if (!['name', 'industry', 'website', 'domain'].includes(key)) rest[key] = value;
  }
  const { rows } = await db.execute<{ id: string }>(sql`
    insert into companies (workspace_id, id, external_id, name, domain, industry, traits, created_at, updated_at)
    values (${opts.workspaceId}::uuid, ${uuidv7()}::uuid, ${opts.groupId}, ${name ?? null}, ${domain ?? null}, ${industry ?? null}, ${JSON.stringify(rest)}::jsonb, now(), now())
    on conflict (workspace_id, external_id) where external_id is not null do update set
      name = coalesce(excluded.name, companies.name),
      domain = coalesce(excluded.domain, companies.domain),
      industry = coalesce(excluded.industry, companies.industry),
      traits = companies.traits || excluded.traits,
      updated_at = now()
    returning id`);
  const companyId = rows[0]!.id;
  if (opts.customerId) {
    await db.execute(sql`
      insert into customer_companies (workspace_id, customer_id, company_id, created_at)
      values (${opts.workspaceId}::uuid, ${opts.customerId}::uuid, ${companyId}::uuid, now())
      on conflict do nothing`);
  }
  return companyId;
}
