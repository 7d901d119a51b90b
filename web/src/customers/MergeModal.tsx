// Merge another profile into this one: both side by side, a choice per field they disagree on,
// then POST /merge. The other profile is folded into this one (undoable for 30 days).
import { Alert, Badge, Button, Group, Modal, Radio, Table, Text } from '@mantine/core';
import { IconGitMerge } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { notifySuccess } from '../api/query-client.ts';
import { useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useCustomer, type AttributeDef, type Customer, type Merge } from './api.ts';
import { displayName, formatAttributeValue } from './format.ts';
import { useFieldLabel, useValueLabel } from './labels.ts';
import { defaultChoices, MERGE_FIELDS, mergeConflicts, mergeFields, type MergeConflict, type MergeSelection } from './merge.ts';
import { useMergeCustomers } from './profile-api.ts';

type Props = { survivor: Customer; otherId: string; defs: readonly AttributeDef[]; onClose: () => void; onMerged: (merge: Merge) => void };

export function MergeModal({ survivor, otherId, defs, onClose, onMerged }: Props) {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  const other = useCustomer(otherId);
  const merge = useMergeCustomers();
  const fieldLabel = useFieldLabel(defs);
  const valueLabel = useValueLabel();
  const [choices, setChoices] = useState<Record<string, MergeSelection>>({});
  const conflicts: MergeConflict[] = other.data ? mergeConflicts(survivor, other.data) : [];
  const loadedKey = other.data ? `${other.data.id}:${other.data.updatedAt}:${survivor.updatedAt}` : '';
  useEffect(() => {
    if (other.data) setChoices(defaultChoices(mergeConflicts(survivor, other.data), survivor, other.data));
  }, [loadedKey]);

  const show = (field: string, value: unknown): string => {
    if (value === null || value === undefined || value === '') return '—';
    if (field === 'signedUpAt' && typeof value === 'string') return formatDateTime(value, i18n.language, tz);
    if (Array.isArray(value)) return value.join(', ') || '—';
    return valueLabel(field, String(value));
  };
  const attrText = (c: Customer, def: AttributeDef) => formatAttributeValue(c.attributes[def.key], def.type, { language: i18n.language, yes: t('common.yes'), no: t('common.no') }) || '—';
  const choose = (field: string, value: MergeSelection) => setChoices((c) => ({ ...c, [field]: value }));

  function pick(field: string, side: 'survivor' | 'other', label: string) {
    return (
      <Radio
        size="xs"
        name={`merge-${field}`}
        value={side}
        checked={choices[field] === side}
        onChange={() => choose(field, side)}
        aria-label={t(side === 'survivor' ? 'merge.keepThis' : 'merge.keepOther', { field: label })}
        data-testid={`merge-pick-${field}-${side}`}
      />
    );
  }

  function row(field: string, label: string, a: string, b: string, conflict: boolean) {
    return (
      <Table.Tr key={field} data-testid="merge-row" data-field={field} data-conflict={conflict ? 'true' : 'false'}>
        <Table.Td fw={500}>
          {label}
          {conflict && (field === 'tags' || field === 'attributes') && (
            <Radio
              size="xs"
              mt={4}
              label={t('merge.combine')}
              name={`merge-${field}`}
              checked={choices[field] === 'combine'}
              onChange={() => choose(field, 'combine')}
              data-testid={`merge-pick-${field}-combine`}
            />
          )}
        </Table.Td>
        {([['survivor', a], ['other', b]] as const).map(([side, text]) => (
          <Table.Td key={side} bg={conflict && choices[field] === side ? 'var(--mantine-primary-color-light)' : undefined}>
            <Group gap="xs" wrap="nowrap" align="flex-start">
              {conflict && pick(field, side, label)}
              <Text size="sm" style={{ wordBreak: 'break-word' }}>
                {text}
              </Text>
            </Group>
          </Table.Td>
        ))}
      </Table.Tr>
    );
  }

  function submit() {
    if (!other.data) return;
    const name = displayName(other.data);
    merge.mutate(
      { id: survivor.id, otherId, fields: mergeFields(conflicts, choices) },
      {
        onSuccess: (result) => {
          notifySuccess(t('merge.done', { name }));
          onMerged(result.merge);
        },
      },
    );
  }

  const isConflict = (field: string) => conflicts.some((c) => c.field === field);
  const otherAttributes = other.data?.attributes ?? {};
  const attributeKeys = defs.filter((d) => survivor.attributes[d.key] !== undefined || otherAttributes[d.key] !== undefined);

  return (
    <Modal opened onClose={onClose} title={t('merge.title')} size="xl" data-testid="merge-modal">
      {other.isPending ? (
        <PageLoader />
      ) : other.isError ? (
        <QueryError error={other.error} onRetry={() => void other.refetch()} />
      ) : (
        <>
          <Alert color="blue" icon={<IconGitMerge size={18} />} mb="md">
            {t('merge.explain', { other: displayName(other.data), survivor: displayName(survivor) })}
          </Alert>
          <Table.ScrollContainer minWidth={560}>
            <Table withColumnBorders data-testid="merge-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={170}>{t('merge.field')}</Table.Th>
                  <Table.Th>
                    {t('merge.thisProfile')} <Badge size="xs">{t('merge.stays')}</Badge>
                  </Table.Th>
                  <Table.Th>{t('merge.otherProfile')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {MERGE_FIELDS.filter((f) => show(f, survivor[f]) !== '—' || show(f, other.data[f]) !== '—').map((f) =>
                  row(f, fieldLabel(f), show(f, survivor[f]), show(f, other.data[f]), isConflict(f)),
                )}
                {row('tags', fieldLabel('tags'), show('tags', survivor.tags), show('tags', other.data.tags), isConflict('tags'))}
                {attributeKeys.length > 0 &&
                  row('attributes', t('customers.customAttributes'), t('merge.attributeCount', { count: Object.keys(survivor.attributes).length }), t('merge.attributeCount', { count: Object.keys(other.data.attributes).length }), isConflict('attributes'))}
                {attributeKeys.map((d) => (
                  <Table.Tr key={d.key} data-testid="merge-attribute-row">
                    <Table.Td pl="lg">{d.label}</Table.Td>
                    <Table.Td>{attrText(survivor, d)}</Table.Td>
                    <Table.Td>{attrText(other.data, d)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Text size="xs" c="dimmed" mt="sm">
            {t('merge.moves')}
          </Text>
          <Group justify="flex-end" mt="md">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button leftSection={<IconGitMerge size={16} />} onClick={submit} loading={merge.isPending} data-testid="merge-confirm">
              {t('merge.confirm')}
            </Button>
          </Group>
        </>
      )}
    </Modal>
  );
}
