// Invitations sent and not yet accepted, with a way to withdraw each.
import { ActionIcon, Badge, Paper, Table, Text, Title, Tooltip } from '@mantine/core';
import { IconX } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { notifySuccess } from '../api/query-client.ts';
import { useSession } from '../auth/session.ts';
import { formatDate } from '../i18n/format.ts';
import { useInvitations, useWithdrawInvitation } from './api.ts';

export function PendingInvitations() {
  const { t, i18n } = useTranslation();
  const me = useSession();
  const invitations = useInvitations(true);
  const withdraw = useWithdrawInvitation();
  const items = invitations.data ?? [];
  if (items.length === 0) return null;

  return (
    <Paper withBorder mt="lg" data-testid="pending-invitations">
      <Title order={4} px="md" pt="md">
        {t('invitations.pending')}
      </Title>
      <Table.ScrollContainer minWidth={560}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('members.email')}</Table.Th>
              <Table.Th>{t('members.role')}</Table.Th>
              <Table.Th>{t('invitations.expires')}</Table.Th>
              <Table.Th ta="right">{t('common.actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((inv) => (
              <Table.Tr key={inv.id} data-testid="invitation-row" data-email={inv.email}>
                <Table.Td>
                  <Text size="sm">{inv.email}</Text>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color="gray">
                    {t(`roles.${inv.role}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDate(inv.expiresAt, i18n.language, me.workspace?.timeZone)}</Text>
                </Table.Td>
                <Table.Td ta="right">
                  <Tooltip label={t('invitations.withdraw')}>
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={t('invitations.withdrawLabel', { email: inv.email })}
                      loading={withdraw.isPending && withdraw.variables === inv.id}
                      onClick={() => withdraw.mutate(inv.id, { onSuccess: () => notifySuccess(t('invitations.withdrawn', { email: inv.email })) })}
                    >
                      <IconX size={16} />
                    </ActionIcon>
                  </Tooltip>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}
