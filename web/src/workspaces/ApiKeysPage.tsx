// API keys of the workspace: create (the key is shown once), see their use, revoke.
import { Badge, Button, Code, Paper, Table, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconKey, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmModal } from '../app/ConfirmModal.tsx';
import { EmptyMessage } from '../app/EmptyMessage.tsx';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { notifySuccess } from '../api/query-client.ts';
import { useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { IdentityVerificationCard } from '../events/IdentityVerificationCard.tsx';
import { useApiKeys, useRevokeApiKey, type ApiKey, type CreatedApiKey } from './api.ts';
import { CreateKeyModal } from './CreateKeyModal.tsx';
import { KeyRevealModal } from './KeyRevealModal.tsx';
import { keyRoles } from './roles.ts';

export function ApiKeysPage() {
  const { t, i18n } = useTranslation();
  const me = useSession();
  const keys = useApiKeys();
  const revoke = useRevokeApiKey();
  const [creating, { open: openCreate, close: closeCreate }] = useDisclosure(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const tz = me.workspace?.timeZone;
  const when = (iso: string | null) => (iso ? formatDateTime(iso, i18n.language, tz) : t('common.never'));

  function confirmRevoke() {
    if (!revoking) return;
    const { id, name } = revoking;
    revoke.mutate(id, {
      onSuccess: () => {
        notifySuccess(t('keys.revokedDone', { name }));
        setRevoking(null);
      },
    });
  }

  const createButton = (
    <Button leftSection={<IconPlus size={18} />} onClick={openCreate} data-testid="create-key">
      {t('keys.create')}
    </Button>
  );

  return (
    <>
      <PageHeader title={t('keys.title')} description={t('keys.description')} actions={createButton} />
      {keys.isPending ? (
        <PageLoader />
      ) : keys.isError ? (
        <QueryError error={keys.error} onRetry={() => void keys.refetch()} />
      ) : keys.data.length === 0 ? (
        <EmptyMessage icon={<IconKey size={28} />} title={t('keys.empty')} text={t('keys.emptyText')} />
      ) : (
        <Paper withBorder>
          <Table.ScrollContainer minWidth={860}>
            <Table data-testid="keys-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('keys.name')}</Table.Th>
                  <Table.Th>{t('keys.kind')}</Table.Th>
                  <Table.Th>{t('keys.role')}</Table.Th>
                  <Table.Th>{t('keys.key')}</Table.Th>
                  <Table.Th>{t('keys.created')}</Table.Th>
                  <Table.Th>{t('keys.lastUsed')}</Table.Th>
                  <Table.Th>{t('keys.status')}</Table.Th>
                  <Table.Th ta="right">{t('common.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {keys.data.map((k) => (
                  <Table.Tr key={k.id} data-testid="key-row" data-prefix={k.prefix} data-revoked={k.revokedAt ? 'true' : 'false'}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {k.name}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={k.kind === 'secret' ? 'grape' : 'cyan'}>
                        {k.kind === 'secret' ? t('keys.secret') : t('keys.write')}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{k.role ? t(`roles.${k.role}`) : t('keys.noRole')}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Code>{k.prefix}…</Code>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{when(k.createdAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{when(k.lastUsedAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      {k.revokedAt ? (
                        <Badge color="gray" variant="light" title={t('keys.revokedAt', { date: when(k.revokedAt) })} data-testid="key-status">
                          {t('keys.revoked')}
                        </Badge>
                      ) : (
                        <Badge color="teal" variant="light" data-testid="key-status">
                          {t('keys.active')}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td ta="right">
                      {!k.revokedAt && (
                        <Button size="xs" variant="subtle" color="red" onClick={() => setRevoking(k)} aria-label={t('keys.revokeLabel', { name: k.name })}>
                          {t('keys.revoke')}
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
      <IdentityVerificationCard />
      <CreateKeyModal opened={creating} onClose={closeCreate} roles={keyRoles(me.role, me.permissions)} onCreated={setCreated} />
      <KeyRevealModal created={created} onClose={() => setCreated(null)} />
      <ConfirmModal
        opened={revoking !== null}
        title={t('keys.revokeTitle')}
        message={revoking ? t('keys.revokeConfirm', { name: revoking.name }) : ''}
        confirmLabel={t('keys.revoke')}
        loading={revoke.isPending}
        onConfirm={confirmRevoke}
        onClose={() => setRevoking(null)}
      />
    </>
  );
}
