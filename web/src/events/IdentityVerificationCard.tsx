// Identity verification on the API keys page: what it is for, the secret (hidden until asked
// for), and rotating it. A browser's write key changes a known customer only with a user hash
// made with this secret.
import { Alert, Button, Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconEye, IconRefresh, IconShieldLock } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmModal } from '../app/ConfirmModal.tsx';
import { CopyableCode } from '../app/CopyableCode.tsx';
import { QueryError } from '../app/QueryState.tsx';
import { notifySuccess } from '../api/query-client.ts';
import { useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useRotateVerificationSecret, useVerificationSecret } from './identity-verification.ts';

export function IdentityVerificationCard() {
  const { t, i18n } = useTranslation();
  const me = useSession();
  const [shown, setShown] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const secret = useVerificationSecret(shown);
  const rotate = useRotateVerificationSecret();
  const value = secret.data?.secret ?? null;

  function doRotate() {
    rotate.mutate(undefined, {
      onSuccess: () => {
        notifySuccess(t('identityVerification.rotated'));
        setConfirming(false);
        setShown(true);
      },
    });
  }

  return (
    <Paper withBorder p="md" mt="lg" data-testid="identity-verification">
      <Stack gap="sm">
        <Group gap="xs">
          <IconShieldLock size={20} />
          <Title order={4}>{t('identityVerification.title')}</Title>
        </Group>
        <Text size="sm" c="dimmed">
          {t('identityVerification.description')}
        </Text>
        <Code block>{'userHash = HMAC-SHA256(userId, secret)'}</Code>
        {!shown ? (
          <Group>
            <Button variant="light" leftSection={<IconEye size={16} />} onClick={() => setShown(true)} data-testid="show-verification-secret">
              {t('identityVerification.show')}
            </Button>
          </Group>
        ) : secret.isError ? (
          <QueryError error={secret.error} onRetry={() => void secret.refetch()} />
        ) : secret.isPending ? null : value === null ? (
          <Alert color="yellow">{t('identityVerification.none')}</Alert>
        ) : (
          <div>
            <CopyableCode value={value} testId="verification-secret" />
            {secret.data?.createdAt && (
              <Text size="xs" c="dimmed" mt={4}>
                {t('identityVerification.createdAt', { date: formatDateTime(secret.data.createdAt, i18n.language, me.workspace?.timeZone) })}
              </Text>
            )}
          </div>
        )}
        <Group>
          <Button variant="default" leftSection={<IconRefresh size={16} />} onClick={() => setConfirming(true)} data-testid="rotate-verification-secret">
            {value === null && shown ? t('identityVerification.create') : t('identityVerification.rotate')}
          </Button>
        </Group>
      </Stack>
      <ConfirmModal
        opened={confirming}
        title={t('identityVerification.rotateTitle')}
        message={t('identityVerification.rotateConfirm')}
        confirmLabel={t('identityVerification.rotate')}
        loading={rotate.isPending}
        onConfirm={doRotate}
        onClose={() => setConfirming(false)}
      />
    </Paper>
  );
}
