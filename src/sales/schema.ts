// Tables of the sales area. For now only companies, the accounts Segment `group` calls link
// customers to; leads, deals and pipelines join them later.
import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from '../workspaces/schema.ts';

const tz = (name: string) => timestamp(name, { withTimezone: true });
const workspaceId = () =>
  uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id);

export const companies = pgTable(
  'companies',
  {
    workspaceId: workspaceId(),
    id: uuid('id').notNull(),
    /** The sender's id of the account (Segment `groupId`). */
    externalId: text('external_id'),
    name: text('name'),
    domain: text('domain'),
    industry: text('industry'),
    /** Further traits as sent, by key. */
    traits: jsonb('traits').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    deletedAt: tz('deleted_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('companies_external_id_key').on(t.workspaceId, t.externalId).where(sql`${t.externalId} is not null`),
    index('companies_name_idx').on(t.workspaceId, t.name),
  ],
);

/** Which customers belong to which companies. */
export const customerCompanies = pgTable(
  'customer_companies',
  {
    workspaceId: workspaceId(),
    customerId: uuid('customer_id').notNull(),
    companyId: uuid('company_id').notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.customerId, t.companyId] }), index('customer_companies_company_idx').on(t.workspaceId, t.companyId)],
);
