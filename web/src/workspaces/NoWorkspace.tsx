// Shown when the person belongs to no workspace (or was removed from the one they had open).
import { Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconBuildingStore } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { CreateWorkspaceForm } from './CreateWorkspaceForm.tsx';

export function NoWorkspace() {
  const { t } = useTranslation();
  return (
    <Paper withBorder p="xl" maw={560} mx="auto">
      <Stack gap="sm">
        <ThemeIcon size={48} radius="xl" variant="light">
          <IconBuildingStore size={26} />
        </ThemeIcon>
        <Title order={3}>{t('workspaces.noneTitle')}</Title>
        <Text size="sm" c="dimmed">
          {t('workspaces.noneText')}
        </Text>
        <CreateWorkspaceForm />
      </Stack>
    </Paper>
  );
}
