// Write or change a template: its fields checked by the server as they are typed, a preview for a
// chosen customer, save (each save of a template is a new version), its versions, and sending it.
import { Alert, Anchor, Button, Grid, Group, Paper, Stack } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconArchive, IconArrowLeft, IconDeviceFloppy, IconSend } from '@tabler/icons-react';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../api/client.ts';
import { notifySuccess } from '../api/query-client.ts';
import { ConfirmModal } from '../app/ConfirmModal.tsx';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useCan } from '../auth/session.ts';
import { useArchiveTemplate, useCreateTemplate, useTemplate, useTemplateVersions, useUpdateTemplate, useValidation, type Template, type ValidationError } from './api.ts';
import { SendMessageModal } from './SendMessageModal.tsx';
import { emptyForm, errorFromMessage, fieldErrors, fromVersion, toInput, toValidation, type TemplateForm } from './template-form.ts';
import { TemplateFields } from './TemplateFields.tsx';
import { TemplatePreview } from './TemplatePreview.tsx';
import { TemplateVersions } from './TemplateVersions.tsx';

/** The errors of a refused save: the list the server gave, else its message read as `field: message`. */
function saveErrors(err: unknown): ValidationError[] {
  if (!(err instanceof ApiError)) return [{ field: '', message: err instanceof Error ? err.message : String(err) }];
  const listed = (err.details as { errors?: unknown } | undefined)?.errors;
  if (Array.isArray(listed)) return listed as ValidationError[];
  return [errorFromMessage(err.message)];
}

export function TemplateEditPage() {
  const { id } = useParams();
  const template = useTemplate(id);
  const versions = useTemplateVersions(id && template.data && !template.data.version ? id : undefined);
  if (!id) return <Editor key="new" template={undefined} />;
  if (template.isPending) return <PageLoader />;
  if (template.isError) return <QueryError error={template.error} onRetry={() => void template.refetch()} />;
  const t = template.data;
  const current = t.version ?? versions.data?.find((v) => v.version === t.latestVersion);
  if (!current) return versions.isError ? <QueryError error={versions.error} /> : <PageLoader />;
  return <Editor key={`${t.id}`} template={{ ...t, version: current }} />;
}

function Editor({ template }: { template: (Template & { version: NonNullable<Template['version']> }) | undefined }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const can = useCan();
  const canEdit = can('messaging.write');
  // The page builds `template` afresh on each render: the saved form changes only with a new version.
  const savedKey = template ? `${template.id}:${template.latestVersion}:${template.version.version}` : 'new';
  const saved = useMemo(() => (template ? fromVersion(template, template.version) : emptyForm('email')), [savedKey]);
  const [form, setForm] = useState<TemplateForm>(saved);
  const [refused, setRefused] = useState<ValidationError[]>([]);
  const [customerId, setCustomerId] = useState<string | undefined>();
  const [sending, setSending] = useState(false);
  const [archiving, setArchiving] = useState(false);
  const create = useCreateTemplate();
  const update = useUpdateTemplate(template?.id ?? '');
  const archive = useArchiveTemplate();

  // Only once the server answers with a new version does the form become "saved".
  useEffect(() => setForm(saved), [saved]);

  // The check counts an SMS's bytes for the customer being previewed, when there is one.
  const [checked] = useDebouncedValue(useMemo(() => ({ ...toValidation(form), ...(customerId ? { customerId } : {}) }), [form, customerId]), 400);
  const validation = useValidation(canEdit && checked.body.trim() ? checked : null);
  const dirty = JSON.stringify(toInput(form)) !== JSON.stringify(toInput(saved));
  // While the check of the latest text is on its way, the previous answer is not shown as if it were about it.
  const current = validation.isPlaceholderData ? undefined : validation.data;
  const errors = fieldErrors(refused.length ? refused : (current?.errors ?? []));
  const warnings = current?.warnings ?? [];

  const change = (next: TemplateForm) => {
    setForm(next);
    setRefused([]);
  };

  function save() {
    const input = toInput(form);
    const done = {
      onSuccess: (tpl: Template) => {
        notifySuccess(t('messaging.editor.savedVersion', { version: tpl.latestVersion }));
        if (!template) navigate(`/messages/templates/${tpl.id}`, { replace: true });
      },
      onError: (err: unknown) => setRefused(saveErrors(err)),
    };
    if (template) update.mutate(input, done);
    else create.mutate(input, done);
  }

  const actions = template && canEdit && (
    <>
      <Button variant="default" color="red" leftSection={<IconArchive size={16} />} onClick={() => setArchiving(true)} data-testid="template-archive">
        {t('messaging.editor.archive')}
      </Button>
      <Button variant="light" leftSection={<IconSend size={16} />} onClick={() => setSending(true)} disabled={dirty} data-testid="template-send">
        {t('messaging.send.open')}
      </Button>
    </>
  );

  return (
    <>
      <Anchor component={Link} to="/messages/templates" size="sm" mb="sm" display="inline-flex" style={{ alignItems: 'center', gap: 4 }}>
        <IconArrowLeft size={14} /> {t('messaging.editor.back')}
      </Anchor>
      <PageHeader title={template ? template.name : t('messaging.editor.newTitle')} description={t('messaging.editor.description')} actions={actions || undefined} />
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Paper withBorder p="md">
            <Stack gap="md">
              <TemplateFields form={form} onChange={change} errors={errors} validation={validation.data} isNew={!template} readOnly={!canEdit} />
              {warnings.length > 0 && (
                <Alert color="yellow" data-testid="template-warnings" style={{ whiteSpace: 'pre-line' }}>
                  {warnings.map((w) => w.message).join('\n')}
                </Alert>
              )}
              {errors.other.length > 0 && (
                <Alert color="red" data-testid="template-errors">
                  {errors.other.join('\n')}
                </Alert>
              )}
              {canEdit && (
                <Group justify="flex-end">
                  <Button leftSection={<IconDeviceFloppy size={16} />} onClick={save} loading={create.isPending || update.isPending} disabled={Boolean(template) && !dirty} data-testid="template-save">
                    {template ? t('messaging.editor.saveVersion') : t('messaging.editor.create')}
                  </Button>
                </Group>
              )}
            </Stack>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <Stack gap="lg">
            <Paper withBorder p="md">
              <TemplatePreview templateId={template?.id} version={template?.latestVersion} kind={form.kind} customerId={customerId} onCustomer={setCustomerId} dirty={dirty} />
            </Paper>
            {template && <TemplateVersions templateId={template.id} latest={template.latestVersion} canEdit={canEdit} onLoad={(v) => change(fromVersion(template, v))} />}
          </Stack>
        </Grid.Col>
      </Grid>
      {template && sending && <SendMessageModal opened onClose={() => setSending(false)} customerId={customerId} templateId={template.id} kind={template.kind} />}
      <ConfirmModal
        opened={archiving}
        title={t('messaging.editor.archiveTitle')}
        message={t('messaging.editor.archiveText', { name: template?.name ?? '' })}
        confirmLabel={t('messaging.editor.archive')}
        loading={archive.isPending}
        onConfirm={() => template && archive.mutate(template.id, { onSuccess: () => navigate('/messages/templates') })}
        onClose={() => setArchiving(false)}
      />
    </>
  );
}
