// The new key, shown this once: copy it now, it is stored only as a hash.
import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
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
            <Group gap="xs" wrap="nowrap" align="stretch">
              <Code block style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} data-testid="new-api-key">
                {created.key}
              </Code>
              <CopyButton value={created.key}>
                {({ copied, copy }) => (
                  <Button
                    variant={copied ? 'filled' : 'light'}
                    color={copied ? 'teal' : 'brand'}
                    leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                    onClick={copy}
                    h="auto"
                  >
                    {copied ? t('common.copied') : t('common.copy')}
                  </Button>
                )}
              </CopyButton>
            </Group>
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
