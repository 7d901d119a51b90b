import { Modal, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { CreateWorkspaceForm } from './CreateWorkspaceForm.tsx';

export function CreateWorkspaceModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal opened={opened} onClose={onClose} title={t('workspaces.createTitle')}>
      <Text size="sm" c="dimmed" mb="md">
        {t('workspaces.createText')}
      </Text>
      <CreateWorkspaceForm onDone={onClose} onCancel={onClose} />
    </Modal>
  );
}
