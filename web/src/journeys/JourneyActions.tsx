// Save, activate (or resume, or publish the saved changes as a new version, optionally moving the
// customers waiting in the old one), pause and delete. Activation waits until the changes are saved
// and no problem is left.
import { Alert, Button, Checkbox, Group, Modal, Stack, Text, Tooltip } from '@mantine/core';
import { IconDeviceFloppy, IconPlayerPause, IconPlayerPlay, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { errorMessage, notifyError, notifySuccess } from '../api/query-client.ts';
import { ConfirmModal } from '../app/ConfirmModal.tsx';
import { activationKind } from './activation.ts';
import { useActivateJourney, useArchiveJourney, usePauseJourney, type JourneyView } from './api.ts';

type Props = { journey: JourneyView; dirty: boolean; readOnly: boolean; saving: boolean; onSave: () => void };

export function JourneyActions({ journey: j, dirty, readOnly, saving, onSave }: Props) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const activate = useActivateJourney(j.id);
  const pause = usePauseJourney(j.id);
  const archive = useArchiveJourney();
  const [activating, setActivating] = useState(false);
  const [archiving, setArchiving] = useState(false);
  if (readOnly || j.status === 'archived') return null;
  const kind = activationKind(j);
  const blocked = dirty ? t('journeys.editor.saveFirst') : j.problems.length > 0 ? t('journeys.editor.fixProblems') : null;

  return (
    <Group gap="xs">
      <Button leftSection={<IconDeviceFloppy size={16} />} variant={dirty ? 'filled' : 'default'} disabled={!dirty} loading={saving} onClick={onSave} data-testid="journey-save">
        {t('journeys.editor.save')}
      </Button>
      {kind && (
        <Tooltip label={blocked} disabled={!blocked}>
          <Button
            leftSection={<IconPlayerPlay size={16} />}
            color="teal"
            disabled={Boolean(blocked)}
            onClick={() => setActivating(true)}
            data-testid="journey-activate"
          >
            {t(kind === 'resume' ? 'journeys.editor.resume' : 'journeys.editor.activate')}
          </Button>
        </Tooltip>
      )}
      {j.status === 'active' && (
        <Button
          leftSection={<IconPlayerPause size={16} />}
          variant="default"
          loading={pause.isPending}
          onClick={() => pause.mutate(undefined, { onSuccess: () => notifySuccess(t('journeys.editor.paused')), onError: notifyError })}
          data-testid="journey-pause"
        >
          {t('journeys.editor.pause')}
        </Button>
      )}
      <Button leftSection={<IconTrash size={16} />} variant="subtle" color="red" onClick={() => setArchiving(true)} data-testid="journey-archive">
        {t('journeys.editor.archive')}
      </Button>
      {kind && <ActivateModal opened={activating} kind={kind} journey={j} onClose={() => setActivating(false)} mutation={activate} />}
      <ConfirmModal
        opened={archiving}
        title={t('journeys.editor.archiveTitle')}
        message={t('journeys.editor.archiveText')}
        confirmLabel={t('journeys.editor.archive')}
        loading={archive.isPending}
        onClose={() => setArchiving(false)}
        onConfirm={() =>
          archive.mutate(j.id, {
            onSuccess: () => {
              notifySuccess(t('journeys.editor.archived'));
              navigate('/journeys');
            },
            onError: notifyError,
          })
        }
      />
    </Group>
  );
}

function ActivateModal({ opened, kind, journey: j, onClose, mutation }: { opened: boolean; kind: 'first' | 'newVersion' | 'resume'; journey: JourneyView; onClose: () => void; mutation: ReturnType<typeof useActivateJourney> }) {
  const { t } = useTranslation();
  const [move, setMove] = useState(false);
  // Moving waiting customers only means something when runs wait in an older version.
  const canMove = kind === 'newVersion';
  const text = kind === 'first' ? t('journeys.activate.first') : kind === 'newVersion' ? t('journeys.activate.newVersion', { version: j.version + 1 }) : t('journeys.activate.resume');
  function confirm() {
    mutation.mutate(canMove ? { moveWaitingRuns: move } : {}, {
      onSuccess: () => {
        notifySuccess(t('journeys.editor.activated'));
        onClose();
      },
    });
  }
  return (
    <Modal opened={opened} onClose={onClose} title={t('journeys.activate.title')} data-testid="activate-modal">
      <Stack gap="md">
        <Text size="sm">{text}</Text>
        {canMove && (
          <Checkbox
            checked={move}
            onChange={(e) => setMove(e.currentTarget.checked)}
            label={t('journeys.activate.moveWaiting')}
            description={t('journeys.activate.moveWaitingHelp')}
            data-testid="activate-move-waiting"
          />
        )}
        {mutation.isError && (
          <Alert color="red" title={t('journeys.editor.actionFailed')}>
            {errorMessage(mutation.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button color="teal" loading={mutation.isPending} onClick={confirm} data-testid="activate-confirm">
            {t('journeys.activate.confirm')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
