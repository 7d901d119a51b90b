import { describe, expect, it } from 'vitest';
import { createTestWorkspace, describeEachDb } from '../db/test-helpers.ts';
import { AppError } from '../errors.ts';
import { listAudit, systemActor } from '../workspaces/audit.ts';
import { archiveTemplate, createTemplate, getTemplate, getTemplateVersion, listTemplates, listTemplateVersions, renderTemplate, templateLabel, updateTemplate } from './templates.ts';
import { sampleContext } from './template-context.ts';

const MJML = (greeting: string) => `<mjml><mj-body><mj-section><mj-column><mj-text>${greeting} {{ customer.name | default: "고객" }}님</mj-text></mj-column></mj-section></mj-body></mjml>`;

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('labels', () => {
  it('name the template and its version', () => {
    expect(templateLabel('봄 세일', 3)).toBe('봄 세일 (v3)');
  });
});

describeEachDb('templates', (database) => {
  it('stores MJML compiled once per version; a change is a new version and the old one stays readable', async () => {
    const { db } = database();
    const ws = (await createTestWorkspace(database())).workspace.id;
    const created = await createTemplate(db, { workspaceId: ws, actor: systemActor, input: { name: '환영 메일', kind: 'email', subject: '{{ customer.first_name }}님 환영해요', body: MJML('안녕하세요') } });
    expect(created).toMatchObject({ name: '환영 메일', label: '환영 메일 (v1)', kind: 'email', purpose: 'marketing', latestVersion: 1, version: { version: 1, format: 'mjml' } });
    expect(created.version.compiled).toContain('안녕하세요 {{ customer.name | default: "고객" }}님');

    const changed = await updateTemplate(db, { workspaceId: ws, id: created.id, actor: systemActor, input: { body: MJML('반가워요') } });
    expect(changed).toMatchObject({ latestVersion: 2, label: '환영 메일 (v2)', version: { version: 2, subject: '{{ customer.first_name }}님 환영해요' } });
    expect(changed.version.compiled).toContain('반가워요');

    const v1 = await getTemplate(db, { workspaceId: ws, id: created.id, version: 1 });
    expect(v1.version.compiled).toContain('안녕하세요');
    expect((await listTemplateVersions(db, { workspaceId: ws, id: created.id })).map((v) => v.version)).toEqual([2, 1]);

    // Each version renders its own content.
    const ctx = { ...sampleContext('샵'), customer: { ...sampleContext('샵').customer, name: null } };
    const old = await getTemplateVersion(db, { workspaceId: ws, templateId: created.id, version: 1 });
    const now = await getTemplateVersion(db, { workspaceId: ws, templateId: created.id });
    expect((await renderTemplate(old.source, ctx)).body).toContain('안녕하세요 고객님');
    expect((await renderTemplate(now.source, ctx)).body).toContain('반가워요 고객님');
    expect(now.source.version).toBe(2);

    // A new name alone changes no content: no new version.
    const renamed = await updateTemplate(db, { workspaceId: ws, id: created.id, actor: systemActor, input: { name: '가입 환영' } });
    expect(renamed).toMatchObject({ name: '가입 환영', latestVersion: 2, label: '가입 환영 (v2)' });

    const audit = await listAudit(db, { workspaceId: ws, entityType: 'message_template', entityId: created.id, limit: 10 });
    expect(audit.items.map((a) => a.action)).toEqual(['template.update', 'template.update', 'template.create']);
  });

  it('two changes at once make two versions', async () => {
    const { db } = database();
    const ws = (await createTestWorkspace(database())).workspace.id;
    const t = await createTemplate(db, { workspaceId: ws, actor: systemActor, input: { name: '문자', kind: 'sms', purpose: 'transactional', body: '하나' } });
    await Promise.all([
      updateTemplate(db, { workspaceId: ws, id: t.id, actor: systemActor, input: { body: '둘' } }),
      updateTemplate(db, { workspaceId: ws, id: t.id, actor: systemActor, input: { body: '셋' } }),
    ]);
    const versions = await listTemplateVersions(db, { workspaceId: ws, id: t.id });
    expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(versions.map((v) => v.body).sort()).toEqual(['둘', '셋', '하나']);
  });

  it('refuses content that fails the checks, naming each field, and stores nothing', async () => {
    const { db } = database();
    const ws = (await createTestWorkspace(database())).workspace.id;
    const err = await refusal(createTemplate(db, { workspaceId: ws, actor: systemActor, input: { name: '오타', kind: 'email', format: 'html', subject: '{{ customer.nmae }}', body: '<p>{% if %}</p>' } }));
    expect(err.code).toBe('invalid_input');
    expect((err.details as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['subject', 'body']);
    expect(err.message).toMatch(/^subject: customer has no nmae/);
    expect(await listTemplates(db, { workspaceId: ws })).toEqual([]);
    expect((await refusal(createTemplate(db, { workspaceId: ws, actor: systemActor, input: { name: '018f2b7e-0000-7000-8000-000000000000', kind: 'sms', body: 'x' } }))).message).toMatch(/^name:/);
  });

  it('archives: out of the list, not changeable, still readable; other workspaces see nothing', async () => {
    const { db } = database();
    const ws = (await createTestWorkspace(database())).workspace.id;
    const other = (await createTestWorkspace(database())).workspace.id;
    const t = await createTemplate(db, { workspaceId: ws, actor: systemActor, input: { name: '푸시', kind: 'push', subject: '세일', body: '{{ customer.first_name }}님', options: { url: 'https://s/{{ customer.id }}' } } });
    expect((await listTemplates(db, { workspaceId: ws })).map((x) => x.id)).toEqual([t.id]);
    expect((await refusal(getTemplate(db, { workspaceId: other, id: t.id }))).code).toBe('not_found');
    expect((await refusal(archiveTemplate(db, { workspaceId: other, id: t.id, actor: systemActor }))).code).toBe('not_found');
    const archived = await archiveTemplate(db, { workspaceId: ws, id: t.id, actor: systemActor });
    expect(archived.archivedAt).not.toBeNull();
    expect(await listTemplates(db, { workspaceId: ws })).toEqual([]);
    expect((await listTemplates(db, { workspaceId: ws, archived: true })).map((x) => x.id)).toEqual([t.id]);
    expect((await refusal(updateTemplate(db, { workspaceId: ws, id: t.id, actor: systemActor, input: { body: 'x' } }))).code).toBe('conflict');
    expect((await getTemplate(db, { workspaceId: ws, id: t.id })).version.options).toEqual({ url: 'https://s/{{ customer.id }}' });
  });
});
