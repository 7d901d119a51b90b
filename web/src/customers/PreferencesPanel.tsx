// Preferences: what the customer told us (survey, editable, weights 0–1) and, apart, what the
// analytics inferred from behaviour (read only).
import { ActionIcon, Button, Group, NumberInput, Paper, Progress, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { notifySuccess } from '../api/query-client.ts';
import type { Preference } from './api.ts';
import { cleanPreferences, samePreferences, splitPreferences, type PreferenceRow } from './preferences.ts';
import { useSetPreferences } from './profile-api.ts';

type Props = { customerId: string; preferences: readonly Preference[]; canEdit: boolean };

function Weights({ items, testId }: { items: readonly Preference[]; testId: string }) {
  const { t } = useTranslation();
  if (items.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {t('preferences.none')}
      </Text>
    );
  }
  return (
    <Stack gap={6} data-testid={testId}>
      {items.map((p) => (
        <div key={p.category} data-testid="preference-row" data-category={p.category}>
          <Group justify="space-between" gap="xs">
            <Text size="sm">{p.category}</Text>
            <Text size="xs" c="dimmed">
              {Math.round(p.weight * 100)}%
            </Text>
          </Group>
          <Progress value={p.weight * 100} size="sm" aria-label={t('preferences.weightOf', { category: p.category })} />
        </div>
      ))}
    </Stack>
  );
}

export function PreferencesPanel({ customerId, preferences, canEdit }: Props) {
  const { t } = useTranslation();
  const save = useSetPreferences();
  const { stated, inferred } = splitPreferences(preferences);
  const savedRows: PreferenceRow[] = stated.map((p) => ({ category: p.category, weight: p.weight }));
  const savedKey = JSON.stringify(savedRows);
  const [rows, setRows] = useState<PreferenceRow[] | null>(null);
  useEffect(() => setRows(null), [savedKey]);
  const editing = rows !== null;

  const setRow = (i: number, row: Partial<PreferenceRow>) => setRows((r) => (r ? r.map((x, j) => (j === i ? { ...x, ...row } : x)) : r));

  function submit() {
    if (!rows) return;
    save.mutate(
      { id: customerId, source: 'survey', preferences: cleanPreferences(rows) },
      {
        onSuccess: () => {
          notifySuccess(t('preferences.saved'));
          setRows(null);
        },
      },
    );
  }

  return (
    <Paper withBorder p="md" data-testid="preferences-panel">
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xl">
        <div>
          <Group justify="space-between" mb="xs">
            <div>
              <Title order={5}>{t('preferences.stated')}</Title>
              <Text size="xs" c="dimmed">
                {t('preferences.statedHelp')}
              </Text>
            </div>
            {canEdit && !editing && (
              <Button size="xs" variant="light" onClick={() => setRows(savedRows.length ? savedRows : [{ category: '', weight: 0.5 }])} data-testid="edit-preferences">
                {t('preferences.edit')}
              </Button>
            )}
          </Group>
          {!editing ? (
            <Weights items={stated} testId="stated-preferences" />
          ) : (
            <Stack gap="xs">
              {rows.map((row, i) => (
                <Group key={i} gap="xs" wrap="nowrap" align="flex-end">
                  <TextInput
                    size="xs"
                    style={{ flex: 1 }}
                    label={i === 0 ? t('preferences.category') : undefined}
                    aria-label={t('preferences.category')}
                    value={row.category}
                    onChange={(e) => setRow(i, { category: e.currentTarget.value })}
                    data-testid="preference-category"
                  />
                  <NumberInput
                    size="xs"
                    w={100}
                    label={i === 0 ? t('preferences.weight') : undefined}
                    aria-label={t('preferences.weight')}
                    min={0}
                    max={1}
                    step={0.1}
                    decimalScale={2}
                    value={row.weight}
                    onChange={(v) => setRow(i, { weight: typeof v === 'number' ? v : Number(v) || 0 })}
                    data-testid="preference-weight"
                  />
                  <ActionIcon variant="subtle" color="red" onClick={() => setRows(rows.filter((_, j) => j !== i))} aria-label={t('preferences.removeRow')}>
                    <IconTrash size={14} />
                  </ActionIcon>
                </Group>
              ))}
              <Group justify="space-between">
                <Button size="xs" variant="subtle" leftSection={<IconPlus size={14} />} onClick={() => setRows([...rows, { category: '', weight: 0.5 }])}>
                  {t('preferences.addRow')}
                </Button>
                <Group gap="xs">
                  <Button size="xs" variant="default" onClick={() => setRows(null)}>
                    {t('common.cancel')}
                  </Button>
                  <Button size="xs" onClick={submit} loading={save.isPending} disabled={samePreferences(rows, savedRows)} data-testid="save-preferences">
                    {t('common.save')}
                  </Button>
                </Group>
              </Group>
            </Stack>
          )}
        </div>
        <div>
          <Title order={5}>{t('preferences.inferred')}</Title>
          <Text size="xs" c="dimmed" mb="xs">
            {t('preferences.inferredHelp')}
          </Text>
          <Weights items={inferred} testId="inferred-preferences" />
        </div>
      </SimpleGrid>
    </Paper>
  );
}
