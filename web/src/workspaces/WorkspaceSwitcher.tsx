// The active workspace at the top of the navbar; opens a menu to switch or create one.
import { Avatar, Group, Menu, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconCheck, IconPlus, IconSelector } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { notifySuccess } from '../api/query-client.ts';
import { useSession } from '../auth/session.ts';
import { useSwitchWorkspace } from './api.ts';
import { CreateWorkspaceModal } from './CreateWorkspaceModal.tsx';

function WorkspaceAvatar({ name }: { name: string }) {
  return (
    <Avatar radius="md" size={36} color="brand" variant="filled">
      {name.trim().slice(0, 1).toUpperCase() || '?'}
    </Avatar>
  );
}

export function WorkspaceSwitcher() {
  const { t } = useTranslation();
  const me = useSession();
  const switchWorkspace = useSwitchWorkspace();
  const [creating, { open: openCreate, close: closeCreate }] = useDisclosure(false);
  const current = me.workspace;

  return (
    <>
      <Menu position="bottom-start" shadow="md" width="target" withinPortal>
        <Menu.Target>
          <UnstyledButton w="100%" p={6} aria-label={t('workspaces.switcher')} data-testid="workspace-switcher" style={{ borderRadius: 'var(--mantine-radius-md)' }}>
            <Group gap="sm" wrap="nowrap">
              <WorkspaceAvatar name={current?.name ?? '?'} />
              <div style={{ flex: 1, minWidth: 0 }}>
                <Text size="sm" fw={600} truncate data-testid="current-workspace-name">
                  {current?.name ?? t('workspaces.noneTitle')}
                </Text>
                {me.role && (
                  <Text size="xs" c="dimmed" truncate>
                    {t(`roles.${me.role}`)}
                  </Text>
                )}
              </div>
              <IconSelector size={16} />
            </Group>
          </UnstyledButton>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>{t('workspaces.yourWorkspaces')}</Menu.Label>
          {me.workspaces.map((ws) => (
            <Menu.Item
              key={ws.id}
              disabled={switchWorkspace.isPending}
              rightSection={ws.id === current?.id ? <IconCheck size={16} /> : null}
              onClick={() => {
                if (ws.id === current?.id) return;
                switchWorkspace.mutate(ws.id, { onSuccess: () => notifySuccess(t('workspaces.switched', { name: ws.name })) });
              }}
            >
              <Text size="sm" truncate>
                {ws.name}
              </Text>
              <Text size="xs" c="dimmed">
                {t(`roles.${ws.role}`)}
              </Text>
            </Menu.Item>
          ))}
          <Menu.Divider />
          <Menu.Item leftSection={<IconPlus size={16} />} onClick={openCreate}>
            {t('workspaces.create')}
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <CreateWorkspaceModal opened={creating} onClose={closeCreate} />
    </>
  );
}
