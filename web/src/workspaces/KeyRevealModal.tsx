// The new key, shown this once: copy it now, it is stored only as a hash.
import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { CopyableCode } from '../app/CopyableCode.tsx';
import type { CreatedApiKey } from './api.ts';

export function KeyRevealModal({ created, onClose }: { created: CreatedApiKey | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal
      opened={created !== null}
      onClose={onClose}
      title={t('keys.revealTitle')}
      closeOnClickOutside={false}
      size="lg"
      data-testid="key-reveal"
    >
      {created && (
        <Stack>
          <Alert color="yellow" icon={<IconAlertTriangle size={18} />}>
            {t('keys.revealWarning')}
          </Alert>
          <div>
            <Text size="sm" fw={500} mb={4}>
              {created.name} · {created.kind === 'secret' ? t('keys.secret') : t('keys.write')}
            </Text>
            <CopyableCode value={created.key} testId="new-api-key" />
          </div>
          <Group justify="flex-end">
            <Button onClick={onClose} data-testid="key-reveal-done">
              {t('keys.revealDone')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
