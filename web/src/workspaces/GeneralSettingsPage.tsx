// Name, time zone and currency of the workspace; read-only without workspace.manage.
import { Alert, Button, Code, Group, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { notifySuccess } from '../api/query-client.ts';
import { useCan } from '../auth/session.ts';
import { currencyLabel } from '../i18n/format.ts';
import { useUpdateWorkspace, useWorkspace, type Workspace } from './api.ts';

function supported(kind: 'timeZone' | 'currency', fallback: string[]): string[] {
  try {
    return Intl.supportedValuesOf(kind);
  } catch {
    return fallback;
  }
}

function WorkspaceForm({ workspace, editable }: { workspace: Workspace; editable: boolean }) {
  const { t, i18n } = useTranslation();
  const update = useUpdateWorkspace();
  const [name, setName] = useState(workspace.name);
  const [timeZone, setTimeZone] = useState(workspace.timeZone);
  const [currency, setCurrency] = useState(workspace.currency);

  const timeZones = useMemo(() => {
    const zones = supported('timeZone', ['Asia/Seoul', 'UTC']);
    return zones.includes(workspace.timeZone) ? zones : [workspace.timeZone, ...zones];
  }, [workspace.timeZone]);
  const currencies = useMemo(() => {
    const codes = supported('currency', ['KRW', 'USD', 'EUR', 'JPY']);
    const all = codes.includes(workspace.currency) ? codes : [workspace.currency, ...codes];
    return all.map((code) => ({ value: code, label: currencyLabel(code, i18n.language) }));
  }, [workspace.currency, i18n.language]);

  const changed = name.trim() !== workspace.name || timeZone !== workspace.timeZone || currency !== workspace.currency;

  function submit(event: FormEvent) {
    event.preventDefault();
    const patch: Partial<Pick<Workspace, 'name' | 'timeZone' | 'currency'>> = {};
    if (name.trim() !== workspace.name) patch.name = name.trim();
    if (timeZone !== workspace.timeZone) patch.timeZone = timeZone;
    if (currency !== workspace.currency) patch.currency = currency;
    update.mutate(patch, { onSuccess: () => notifySuccess(t('common.saved')) });
  }

  return (
    <form onSubmit={submit}>
      <Stack maw={560}>
        {!editable && (
          <Alert icon={<IconInfoCircle size={18} />} color="gray">
            {t('common.readOnly')}
          </Alert>
        )}
        <TextInput label={t('general.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} required maxLength={200} disabled={!editable} />
        <Select
          label={t('general.timeZone')}
          description={t('general.timeZoneHelp')}
          data={timeZones}
          value={timeZone}
          onChange={(v) => v && setTimeZone(v)}
          searchable
          allowDeselect={false}
          disabled={!editable}
          limit={200}
        />
        <Select
          label={t('general.currency')}
          description={t('general.currencyHelp')}
          data={currencies}
          value={currency}
          onChange={(v) => v && setCurrency(v)}
          searchable
          allowDeselect={false}
          disabled={!editable}
        />
        <div>
          <Text size="sm" fw={500}>
            {t('general.id')}
          </Text>
          <Text size="xs" c="dimmed" mb={4}>
            {t('general.idHelp')}
          </Text>
          <Code>{workspace.id}</Code>
        </div>
        {editable && (
          <Group>
            <Button type="submit" loading={update.isPending} disabled={!changed || !name.trim()}>
              {t('common.save')}
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}

export function GeneralSettingsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const workspace = useWorkspace();
  return (
    <>
      <PageHeader title={t('general.title')} description={t('general.description')} />
      <Paper withBorder p="lg">
        {workspace.isPending ? (
          <PageLoader />
        ) : workspace.isError ? (
          <QueryError error={workspace.error} onRetry={() => void workspace.refetch()} />
        ) : (
          // Keyed by the saved version, so the form starts again from what the server holds.
          <WorkspaceForm key={JSON.stringify(workspace.data)} workspace={workspace.data} editable={can('workspace.manage')} />
        )}
      </Paper>
    </>
  );
}
