// Every way this customer is recognised (e-mail, phone, user id, anonymous id, external id):
// link one more, or unlink one.
import { ActionIcon, Badge, Button, Group, Paper, Select, Stack, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { notifySuccess } from '../api/query-client.ts';
import type { Identity } from './api.ts';
import { IDENTITY_KINDS, type IdentityKind } from './fields.ts';
import { useAddIdentity, useRemoveIdentity } from './profile-api.ts';

type Props = { customerId: string; identities: readonly Identity[]; canEdit: boolean };

export function IdentitiesPanel({ customerId, identities, canEdit }: Props) {
  const { t } = useTranslation();
  const add = useAddIdentity();
  const remove = useRemoveIdentity();
  const [kind, setKind] = useState<IdentityKind>('user_id');
  const [value, setValue] = useState('');

  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate(
      { id: customerId, kind, value: value.trim() },
      {
        onSuccess: () => {
          notifySuccess(t('identities.added'));
          setValue('');
        },
      },
    );
  }

  return (
    <Paper withBorder p="md" data-testid="identities-panel">
      <Title order={4} mb="sm">
        {t('identities.title')}
      </Title>
      <Stack gap={6}>
        {identities.length === 0 && (
          <Text size="sm" c="dimmed">
            {t('identities.none')}
          </Text>
        )}
        {identities.map((i) => (
          <Group key={i.id} justify="space-between" wrap="nowrap" gap="xs" data-testid="identity-row" data-kind={i.kind}>
            <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
              <Badge size="sm" variant="light" color="gray" tt="none" style={{ flexShrink: 0 }}>
                {t(`identityKinds.${i.kind}`)}
              </Badge>
              <Text size="sm" truncate title={i.value} ff="monospace">
                {i.value}
              </Text>
            </Group>
            {canEdit && (
              <Tooltip label={t('identities.remove')}>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  size="sm"
                  loading={remove.isPending && remove.variables?.identityId === i.id}
                  onClick={() => remove.mutate({ id: customerId, identityId: i.id }, { onSuccess: () => notifySuccess(t('identities.removed')) })}
                  aria-label={t('identities.removeLabel', { value: i.value })}
                >
                  <IconTrash size={14} />
                </ActionIcon>
              </Tooltip>
            )}
          </Group>
        ))}
      </Stack>
      {canEdit && (
        <form onSubmit={submit}>
          <Group gap="xs" mt="md" align="flex-end">
            <Select
              w={140}
              size="xs"
              label={t('identities.kind')}
              data={IDENTITY_KINDS.map((k) => ({ value: k, label: t(`identityKinds.${k}`) }))}
              value={kind}
              onChange={(v) => v && setKind(v as IdentityKind)}
              allowDeselect={false}
            />
            <TextInput size="xs" style={{ flex: '1 1 140px' }} label={t('identities.value')} value={value} onChange={(e) => setValue(e.currentTarget.value)} data-testid="identity-value" />
            <Button size="xs" type="submit" disabled={!value.trim()} loading={add.isPending} data-testid="identity-add">
              {t('identities.add')}
            </Button>
          </Group>
        </form>
      )}
    </Paper>
  );
}
