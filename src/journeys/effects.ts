// What the non-message steps do to the world: change the profile (tags, attributes, lifecycle
// stage, through the customers area's bulk update and its audit), and tell a staff member by
// e-mail (the customer's owner, a named member, or else the workspace's owners), as a
// transactional message so the messaging log and its exactly-once key cover it.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/connection.ts';
import { updateProfilesInBulk } from '../customers/identities.ts';
import type { CustomerInput } from '../customers/profile-input.ts';
import type { SendRequest } from '../messaging/send.ts';
import { listMembers } from '../workspaces/workspaces.ts';
import type { NotifyStep, UpdateStep } from './graph.ts';

const journeyActor = { type: 'system', label: 'journey' } as const;

/** The profile after the steps, in order, for each customer once (the bulk update takes each customer once). */
export async function applyProfileUpdates(db: Queryable, opts: { workspaceId: string; updates: { customerId: string; step: UpdateStep }[] }): Promise<void> {
  if (opts.updates.length === 0) return;
  const ids = [...new Set(opts.updates.map((u) => u.customerId))];
  const { rows } = await db.execute<{ id: string; tags: string[] | null }>(sql`
    select id, tags from customers where workspace_id = ${opts.workspaceId}::uuid and id = any(${sql.param(ids)}::uuid[])`);
  const tagsOf = new Map(rows.map((r) => [r.id, r.tags ?? []]));
  const inputs = new Map<string, CustomerInput>();
  for (const { customerId, step } of opts.updates) {
    const input = inputs.get(customerId) ?? {};
    if (step.addTags?.length || step.removeTags?.length) {
      const tags = new Set(input.tags ?? tagsOf.get(customerId) ?? []);
      for (const t of step.addTags ?? []) tags.add(t);
      for (const t of step.removeTags ?? []) tags.delete(t);
      input.tags = [...tags];
    }
    if (step.attributes) input.attributes = { ...(input.attributes ?? {}), ...step.attributes };
    if (step.lifecycleStage) input.lifecycleStage = step.lifecycleStage;
    inputs.set(customerId, input);
  }
  await updateProfilesInBulk(db, {
    workspaceId: opts.workspaceId,
    actor: journeyActor,
    updates: [...inputs].filter(([id]) => tagsOf.has(id)).map(([customerId, input]) => ({ customerId, input, path: 'journey.update_profile' })),
  });
}

/** The e-mails of the notify steps: to the named member, else the customer's owner, else the workspace's owners. */
export async function notifyRequests(
  db: Queryable,
  opts: { workspaceId: string; notices: { runId: string; seq: number; customerId: string; journeyName: string; step: NotifyStep }[] },
): Promise<SendRequest[]> {
  if (opts.notices.length === 0) return [];
  const members = await listMembers(db, opts.workspaceId);
  const owners = members.filter((m) => m.role === 'owner').map((m) => m.email);
  const emailOf = new Map(members.map((m) => [m.userId, m.email]));
  const ids = [...new Set(opts.notices.map((n) => n.customerId))];
  const { rows } = await db.execute<{ id: string; name: string | null; owner_user_id: string | null }>(sql`
    select id, name, owner_user_id from customers where workspace_id = ${opts.workspaceId}::uuid and id = any(${sql.param(ids)}::uuid[])`);
  const customer = new Map(rows.map((r) => [r.id, r]));
  const reqs: SendRequest[] = [];
  for (const n of opts.notices) {
    const c = customer.get(n.customerId);
    const owner = c?.owner_user_id ? emailOf.get(c.owner_user_id) : undefined;
    const to = n.step.memberEmail ? [n.step.memberEmail] : owner ? [owner] : owners;
    to.forEach((address, i) => {
      reqs.push({
        workspaceId: opts.workspaceId,
        to: address,
        kind: 'email',
        content: { subject: n.step.subject, body: `<p>${n.step.body.split('\n').join('<br>')}</p>`, format: 'html' },
        data: { customer_name: c?.name ?? '', customer_id: n.customerId, journey_name: n.journeyName },
        purpose: 'transactional',
        idempotencyKey: `journey:${n.runId}:${n.seq}:notify:${i}`,
        origin: 'journey_notice',
        originId: null,
        createdByLabel: n.journeyName,
      });
    });
  }
  return reqs;
}
