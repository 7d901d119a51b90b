// Profiles that look like the same person as this one, best first: compare and merge, or mark
// "not the same person" so the pair is not suggested again.
import { Anchor, Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconGitMerge } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { QueryError } from '../app/QueryState.tsx';
import { notifySuccess } from '../api/query-client.ts';
import type { AttributeDef, Customer, DuplicatePair, Merge } from './api.ts';
import { displayName } from './format.ts';
import { MergeModal } from './MergeModal.tsx';
import { useDismissDuplicate, useDuplicatesOf } from './profile-api.ts';

/** The profile of a pair that is not `id`. */
export function otherOf(pair: DuplicatePair, id: string): Customer {
  return pair.a.id === id ? pair.b : pair.a;
}

type Props = { customer: Customer; defs: readonly AttributeDef[]; canEdit: boolean; onMerged: (merge: Merge) => void };

export function DuplicatesPanel({ customer, defs, canEdit, onMerged }: Props) {
  const { t } = useTranslation();
  const duplicates = useDuplicatesOf(customer.id, !customer.erasedAt);
  const dismiss = useDismissDuplicate();
  const [merging, setMerging] = useState<string | null>(null);
  const items = duplicates.data?.items ?? [];

  if (duplicates.isError) return <QueryError error={duplicates.error} onRetry={() => void duplicates.refetch()} />;
  if (items.length === 0) return null;

  return (
    <Paper withBorder p="md" data-testid="duplicates-panel" style={{ borderColor: 'var(--mantine-color-yellow-5)' }}>
      <Title order={4}>{t('duplicates.title')}</Title>
      <Text size="xs" c="dimmed" mb="sm">
        {t('duplicates.help')}
      </Text>
      <Stack gap="sm">
        {items.map((pair) => {
          const other = otherOf(pair, customer.id);
          return (
            <Paper key={other.id} withBorder p="sm" data-testid="duplicate" data-id={other.id}>
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <div style={{ minWidth: 0 }}>
                  <Anchor component={Link} to={`/customers/${other.id}`} size="sm" fw={500}>
                    {displayName(other)}
                  </Anchor>
                  <Text size="xs" c="dimmed" truncate>
                    {[other.email, other.phone, other.birthday].filter(Boolean).join(' · ')}
                  </Text>
                </div>
                <Badge variant="light" color={pair.score >= 0.9 ? 'red' : 'yellow'} data-testid="duplicate-score">
                  {Math.round(pair.score * 100)}%
                </Badge>
              </Group>
              <Group gap={4} mt={6}>
                {pair.reasons.map((r) => (
                  <Badge key={r} size="xs" variant="outline" color="gray" tt="none">
                    {t(`duplicateReasons.${r}`)}
                  </Badge>
                ))}
              </Group>
              {canEdit && (
                <Group gap="xs" mt="sm">
                  <Button size="xs" leftSection={<IconGitMerge size={14} />} onClick={() => setMerging(other.id)} data-testid="duplicate-merge">
                    {t('duplicates.compare')}
                  </Button>
                  <Button
                    size="xs"
                    variant="subtle"
                    color="gray"
                    loading={dismiss.isPending && dismiss.variables?.bId === other.id}
                    onClick={() => dismiss.mutate({ aId: customer.id, bId: other.id }, { onSuccess: () => notifySuccess(t('duplicates.dismissed')) })}
                    data-testid="duplicate-dismiss"
                  >
                    {t('duplicates.dismiss')}
                  </Button>
                </Group>
              )}
            </Paper>
          );
        })}
      </Stack>
      {merging && (
        <MergeModal
          survivor={customer}
          otherId={merging}
          defs={defs}
          onClose={() => setMerging(null)}
          onMerged={(merge) => {
            setMerging(null);
            onMerged(merge);
          }}
        />
      )}
    </Paper>
  );
}
