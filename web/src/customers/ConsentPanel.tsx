// Consent per channel × purpose (granted / denied / unknown), changed and saved together, with
// the append-only history below.
import { Badge, Button, Group, NativeSelect, Paper, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { notifySuccess } from '../api/query-client.ts';
import { useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { gridChanges, gridOf, setCell, STATUS_COLORS, type ConsentGrid } from './consent.ts';
import { CHANNELS, CONSENT_STATUSES, PURPOSES, type ConsentStatus } from './fields.ts';
import { useConsents, useSetConsents } from './profile-api.ts';

const HISTORY_SHOWN = 50;

export function ConsentPanel({ customerId, canEdit }: { customerId: string; canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  const consents = useConsents(customerId);
  const save = useSetConsents();
  const saved = consents.data ? gridOf(consents.data.current) : null;
  const [grid, setGrid] = useState<ConsentGrid | null>(null);
  const savedKey = JSON.stringify(saved);
  // Edits start again from what was saved whenever that changes (after saving, or a merge).
  useEffect(() => setGrid(saved), [savedKey]);

  if (consents.isPending) return <PageLoader />;
  if (consents.isError || !saved) return <QueryError error={consents.error} onRetry={() => void consents.refetch()} />;
  const current = grid ?? saved;
  const changes = gridChanges(saved, current);

  return (
    <Paper withBorder p="md" data-testid="consent-panel">
      <Group justify="space-between" mb="sm">
        <div>
          <Title order={4}>{t('consent.title')}</Title>
          <Text size="xs" c="dimmed">
            {t('consent.help')}
          </Text>
        </div>
        {canEdit && (
          <Group gap="xs">
            <Button size="xs" variant="default" disabled={changes.length === 0} onClick={() => setGrid(saved)}>
              {t('consent.reset')}
            </Button>
            <Button
              size="xs"
              disabled={changes.length === 0}
              loading={save.isPending}
              onClick={() => save.mutate({ id: customerId, consents: changes }, { onSuccess: () => notifySuccess(t('consent.saved', { count: changes.length })) })}
              data-testid="consent-save"
            >
              {t('consent.save', { count: changes.length })}
            </Button>
          </Group>
        )}
      </Group>
      <Table.ScrollContainer minWidth={560}>
        <Table withColumnBorders data-testid="consent-grid">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('consent.channel')}</Table.Th>
              {PURPOSES.map((p) => (
                <Table.Th key={p}>{t(`consentPurposes.${p}`)}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {CHANNELS.map((ch) => (
              <Table.Tr key={ch}>
                <Table.Td fw={500}>{t(`channels.${ch}`)}</Table.Td>
                {PURPOSES.map((p) => {
                  const status = current[ch][p];
                  const label = t('consent.cellLabel', { channel: t(`channels.${ch}`), purpose: t(`consentPurposes.${p}`) });
                  return (
                    <Table.Td key={p} data-testid={`consent-${ch}-${p}`} data-status={status}>
                      {canEdit ? (
                        <NativeSelect
                          size="xs"
                          aria-label={label}
                          value={status}
                          onChange={(e) => setGrid(setCell(current, ch, p, e.currentTarget.value as ConsentStatus))}
                          data={CONSENT_STATUSES.map((s) => ({ value: s, label: t(`consentStatuses.${s}`) }))}
                          styles={{ input: { color: `var(--mantine-color-${STATUS_COLORS[status]}-filled)`, fontWeight: 600 } }}
                        />
                      ) : (
                        <Badge variant="light" color={STATUS_COLORS[status]}>
                          {t(`consentStatuses.${status}`)}
                        </Badge>
                      )}
                    </Table.Td>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Title order={5} mt="lg" mb="xs">
        {t('consent.history')}
      </Title>
      {consents.data.history.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('consent.noHistory')}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table striped data-testid="consent-history">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('consent.when')}</Table.Th>
                <Table.Th>{t('consent.channel')}</Table.Th>
                <Table.Th>{t('consent.change')}</Table.Th>
                <Table.Th>{t('consent.source')}</Table.Th>
                <Table.Th>{t('consent.actor')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {consents.data.history.slice(0, HISTORY_SHOWN).map((h, i) => (
                <Table.Tr key={`${h.at}-${h.channel}-${h.purpose}-${i}`}>
                  <Table.Td>{formatDateTime(h.at, i18n.language, tz)}</Table.Td>
                  <Table.Td>
                    {t(`channels.${h.channel}`)} · {t(`consentPurposes.${h.purpose}`)}
                  </Table.Td>
                  <Table.Td>
                    {h.previousStatus ? `${t(`consentStatuses.${h.previousStatus}`)} → ` : ''}
                    <Badge size="sm" variant="light" color={STATUS_COLORS[h.status]}>
                      {t(`consentStatuses.${h.status}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{h.source ?? '—'}</Table.Td>
                  <Table.Td>{h.actorLabel ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}
