// Members of the workspace and their roles; owners and admins invite, re-role and remove them.
import { ActionIcon, Avatar, Badge, Button, Group, Paper, Select, Table, Text, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconTrash, IconUserPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmModal } from '../app/ConfirmModal.tsx';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { notifySuccess } from '../api/query-client.ts';
import { useSession } from '../auth/session.ts';
import { formatDate, initials } from '../i18n/format.ts';
import { InviteMemberModal } from './InviteMemberModal.tsx';
import { PendingInvitations } from './PendingInvitations.tsx';
import { useChangeMemberRole, useMembers, useRemoveMember, type Member } from './api.ts';
import { grantableRoles, type Role } from './roles.ts';

export function MembersPage() {
  const { t, i18n } = useTranslation();
  const me = useSession();
  const members = useMembers();
  const changeRole = useChangeMemberRole();
  const remove = useRemoveMember();
  const [adding, { open: openAdd, close: closeAdd }] = useDisclosure(false);
  const [removing, setRemoving] = useState<Member | null>(null);

  const manage = me.permissions.includes('members.manage');
  const grantable = grantableRoles(me.role, me.permissions);
  // Only an owner may touch an owner's membership (the server says the same).
  const canEdit = (m: Member) => manage && m.userId !== me.user.id && (m.role !== 'owner' || me.role === 'owner');

  function onRoleChange(member: Member, role: Role) {
    if (role === member.role) return;
    changeRole.mutate(
      { userId: member.userId, role },
      { onSuccess: (m) => notifySuccess(t('members.roleChanged', { email: m.email, role: t(`roles.${m.role}`) })) },
    );
  }

  function confirmRemove() {
    if (!removing) return;
    const { email, userId } = removing;
    remove.mutate(userId, {
      onSuccess: () => {
        notifySuccess(t('members.removed', { email }));
        setRemoving(null);
      },
    });
  }

  const rows = (members.data ?? []).map((m) => (
    <Table.Tr key={m.userId} data-testid="member-row" data-email={m.email}>
      <Table.Td>
        <Group gap="sm" wrap="nowrap">
          <Avatar radius="xl" size={34} color="brand">
            {initials(m.name, m.email)}
          </Avatar>
          <div style={{ minWidth: 0 }}>
            <Group gap={6} wrap="nowrap">
              <Text size="sm" fw={500} truncate>
                {m.name || m.email}
              </Text>
              {m.userId === me.user.id && (
                <Badge size="xs" variant="light">
                  {t('common.you')}
                </Badge>
              )}
            </Group>
            <Text size="xs" c="dimmed" truncate>
              {m.email}
            </Text>
          </div>
        </Group>
      </Table.Td>
      <Table.Td>
        {canEdit(m) && grantable.includes(m.role) ? (
          <Select
            size="xs"
            w={150}
            data={grantable.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
            value={m.role}
            onChange={(v) => v && onRoleChange(m, v as Role)}
            allowDeselect={false}
            aria-label={t('members.changeRole', { email: m.email })}
            disabled={changeRole.isPending}
          />
        ) : (
          <Badge variant="light" color={m.role === 'owner' ? 'brand' : 'gray'} data-testid="member-role">
            {t(`roles.${m.role}`)}
          </Badge>
        )}
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDate(m.joinedAt, i18n.language, me.workspace?.timeZone)}</Text>
      </Table.Td>
      {manage && (
        <Table.Td ta="right">
          {canEdit(m) && (
            <Tooltip label={t('members.remove')}>
              <ActionIcon variant="subtle" color="red" onClick={() => setRemoving(m)} aria-label={t('members.removeLabel', { email: m.email })}>
                <IconTrash size={16} />
              </ActionIcon>
            </Tooltip>
          )}
        </Table.Td>
      )}
    </Table.Tr>
  ));

  return (
    <>
      <PageHeader
        title={t('members.title')}
        description={t('members.description')}
        actions={
          manage && (
            <Button leftSection={<IconUserPlus size={18} />} onClick={openAdd} data-testid="invite-member">
              {t('invitations.invite')}
            </Button>
          )
        }
      />
      {members.isPending ? (
        <PageLoader />
      ) : members.isError ? (
        <QueryError error={members.error} onRetry={() => void members.refetch()} />
      ) : (
        <Paper withBorder>
          <Table.ScrollContainer minWidth={560}>
            <Table data-testid="members-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('members.name')}</Table.Th>
                  <Table.Th>{t('members.role')}</Table.Th>
                  <Table.Th>{t('members.joined')}</Table.Th>
                  {manage && <Table.Th ta="right">{t('common.actions')}</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>{rows}</Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Text size="xs" c="dimmed" px="md" py="sm">
            {t('members.count', { count: members.data.length })}
          </Text>
        </Paper>
      )}
      {manage && <PendingInvitations />}
      {manage && <InviteMemberModal opened={adding} onClose={closeAdd} roles={grantable} />}
      <ConfirmModal
        opened={removing !== null}
        title={t('members.removeTitle')}
        message={removing ? t('members.removeConfirm', { email: removing.email }) : ''}
        confirmLabel={t('members.remove')}
        loading={remove.isPending}
        onConfirm={confirmRemove}
        onClose={() => setRemoving(null)}
      />
    </>
  );
}
