// What may be done to a campaign now, for those who send: edit a draft, start it, pause a send,
// resume it, cancel (after a confirmation: it cannot be undone). A refusal is shown as an alert.
import { Alert, Button, Group } from '@mantine/core';
import { IconEdit, IconPlayerPause, IconPlayerPlay, IconSend, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { errorMessage } from '../api/query-client.ts';
import { ConfirmModal } from '../app/ConfirmModal.tsx';
import { useCan } from '../auth/session.ts';
import { useCampaignAction, type Campaign, type CampaignAction } from './api.ts';

export function CampaignActions({ campaign: c }: { campaign: Campaign }) {
  const { t } = useTranslation();
  const can = useCan();
  const action = useCampaignAction(c.id);
  const [confirming, setConfirming] = useState(false);
  if (!can('messaging.write')) return null;

  // The status badge and these buttons change with the answer: that is the confirmation (a
  // notification would only cover the buttons).
  const run = (a: CampaignAction) => action.mutate(a, { onSettled: () => setConfirming(false) });
  const busy = action.isPending;
  const cancellable = c.status === 'draft' || c.status === 'scheduled' || c.status === 'sending' || c.status === 'paused';

  return (
    <Group gap="sm">
      {c.status === 'draft' && (
        <>
          <Button component={Link} to={`/campaigns/${c.id}/edit`} variant="default" leftSection={<IconEdit size={16} />} data-testid="campaign-edit">
            {t('campaigns.actions.edit')}
          </Button>
          <Button leftSection={<IconSend size={16} />} loading={busy && action.variables === 'schedule'} onClick={() => run('schedule')} data-testid="campaign-start">
            {t(c.schedule.mode === 'now' ? 'campaigns.actions.sendNow' : 'campaigns.actions.schedule')}
          </Button>
        </>
      )}
      {c.status === 'sending' && (
        <Button variant="default" leftSection={<IconPlayerPause size={16} />} loading={busy && action.variables === 'pause'} onClick={() => run('pause')} data-testid="campaign-pause">
          {t('campaigns.actions.pause')}
        </Button>
      )}
      {c.status === 'paused' && (
        <Button leftSection={<IconPlayerPlay size={16} />} loading={busy && action.variables === 'resume'} onClick={() => run('resume')} data-testid="campaign-resume">
          {t('campaigns.actions.resume')}
        </Button>
      )}
      {cancellable && (
        <Button color="red" variant="light" leftSection={<IconX size={16} />} onClick={() => setConfirming(true)} data-testid="campaign-cancel">
          {t('campaigns.actions.cancel')}
        </Button>
      )}
      {action.isError && (
        <Alert color="red" role="alert" w="100%" withCloseButton onClose={() => action.reset()} data-testid="campaign-action-error">
          {errorMessage(action.error)}
        </Alert>
      )}
      <ConfirmModal
        opened={confirming}
        title={t('campaigns.actions.cancelTitle')}
        message={t('campaigns.actions.cancelText', { name: c.name })}
        confirmLabel={t('campaigns.actions.cancelConfirm')}
        loading={busy && action.variables === 'cancel'}
        onConfirm={() => run('cancel')}
        onClose={() => setConfirming(false)}
      />
    </Group>
  );
}
