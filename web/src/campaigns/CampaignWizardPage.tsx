// The campaign wizard (/campaigns/new, /campaigns/:id/edit for a draft): audience, content,
// schedule, review. It saves the campaign (POST, or PATCH of the draft) and starts it; a field the
// server refuses is shown at its field, on its step, and in an alert above the steps.
import { Alert, Anchor, Button, Group, Stepper, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { ApiError } from '../api/client.ts';
import { errorMessage, notifySuccess } from '../api/query-client.ts';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useSession } from '../auth/session.ts';
import { useCampaign, useSaveCampaign, useStartCampaign } from './api.ts';
import { AudienceStep } from './AudienceStep.tsx';
import { ContentStep } from './ContentStep.tsx';
import { ReviewStep } from './ReviewStep.tsx';
import { ScheduleStep } from './ScheduleStep.tsx';
import { draftFromCampaign, draftToInput, emptyDraft, fieldErrorOf, STEPS, stepOfPath, stepProblems, type FieldError, type WizardDraft } from './wizard-state.ts';

export function CampaignWizardPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const [params] = useSearchParams();
  const timeZone = useSession().workspace?.timeZone ?? 'Asia/Seoul';
  const campaign = useCampaign(id);
  if (!id) return <Wizard initial={emptyDraft(params.get('segment'))} timeZone={timeZone} />;
  if (campaign.isPending) return <PageLoader />;
  if (campaign.isError) return <QueryError error={campaign.error} onRetry={() => void campaign.refetch()} />;
  if (campaign.data.status !== 'draft') {
    return (
      <Alert color="yellow" title={t('campaigns.wizard.notDraftTitle')} data-testid="wizard-not-draft">
        {t('campaigns.wizard.notDraftText')}{' '}
        <Anchor component={Link} to={`/campaigns/${id}`}>
          {t('campaigns.wizard.openCampaign')}
        </Anchor>
      </Alert>
    );
  }
  return <Wizard key={id} campaignId={id} initial={draftFromCampaign(campaign.data, timeZone)} timeZone={timeZone} />;
}

function Wizard({ campaignId, initial, timeZone }: { campaignId?: string; initial: WizardDraft; timeZone: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [draft, setDraft] = useState(initial);
  const [active, setActive] = useState(0);
  const [error, setError] = useState<{ field: FieldError | null; message: string } | null>(null);
  // Once saved (say the start failed), later attempts change that draft instead of making another.
  const [savedId, setSavedId] = useState(campaignId);
  const save = useSaveCampaign();
  const start = useStartCampaign();
  const step = STEPS[active]!;
  const problems = stepProblems(draft, step);
  const update = (patch: Partial<WizardDraft>) => change((d) => ({ ...d, ...patch }));
  // A change answers the server's complaint (or makes a new one at the next save): it goes.
  function change(fn: (d: WizardDraft) => WizardDraft) {
    setDraft(fn);
    setError(null);
  }

  async function submit(andStart: boolean) {
    setError(null);
    try {
      const saved = await save.mutateAsync({ id: savedId, input: draftToInput(draft, timeZone, { editing: Boolean(savedId) }) });
      setSavedId(saved.id);
      if (andStart) await start.mutateAsync(saved.id);
      notifySuccess(t(andStart ? (draft.when === 'now' ? 'campaigns.wizard.started' : 'campaigns.wizard.scheduled') : 'campaigns.wizard.savedDraft'));
      navigate(andStart ? `/campaigns/${saved.id}` : '/campaigns');
    } catch (err) {
      const field = err instanceof ApiError ? fieldErrorOf(err.message) : null;
      setError({ field, message: errorMessage(err) });
      const at = field ? STEPS.indexOf(stepOfPath(field.path)) : -1;
      if (at >= 0 && at < STEPS.length - 1) setActive(at);
    }
  }

  const fieldError = error?.field ?? null;
  return (
    <>
      <PageHeader title={t(campaignId ? 'campaigns.wizard.editTitle' : 'campaigns.wizard.title')} description={t('campaigns.wizard.description')} />
      {error && (
        <Alert color="red" icon={<IconAlertTriangle size={18} />} title={t('campaigns.wizard.errorTitle')} mb="md" withCloseButton onClose={() => setError(null)} role="alert" data-testid="wizard-error">
          {error.message}
        </Alert>
      )}
      <Stepper active={active} onStepClick={(i) => i < active && setActive(i)} allowNextStepsSelect={false} data-testid="campaign-wizard" data-step={step}>
        <Stepper.Step label={t('campaigns.wizard.steps.audience')} data-testid="step-audience">
          <AudienceStep draft={draft} update={update} error={fieldError} />
        </Stepper.Step>
        <Stepper.Step label={t('campaigns.wizard.steps.content')} data-testid="step-content">
          <ContentStep draft={draft} update={update} setDraft={change} error={fieldError} />
        </Stepper.Step>
        <Stepper.Step label={t('campaigns.wizard.steps.schedule')} data-testid="step-schedule">
          <ScheduleStep draft={draft} update={update} error={fieldError} timeZone={timeZone} />
        </Stepper.Step>
        <Stepper.Step label={t('campaigns.wizard.steps.review')} data-testid="step-review">
          <ReviewStep draft={draft} timeZone={timeZone} busy={save.isPending || start.isPending} onSubmit={(andStart) => void submit(andStart)} />
        </Stepper.Step>
      </Stepper>
      <Group justify="space-between" mt="xl">
        <Button variant="default" onClick={() => (active === 0 ? navigate(-1) : setActive(active - 1))} data-testid="wizard-back">
          {t(active === 0 ? 'common.cancel' : 'campaigns.wizard.back')}
        </Button>
        {active < STEPS.length - 1 && (
          <Group gap="sm">
            {problems.length > 0 && (
              <Text size="sm" c="dimmed" data-testid="wizard-problems">
                {problems.map((p) => t(`campaigns.wizard.problems.${p}`)).join(' ')}
              </Text>
            )}
            <Button onClick={() => setActive(active + 1)} disabled={problems.length > 0} data-testid="wizard-next">
              {t('campaigns.wizard.next')}
            </Button>
          </Group>
        )}
      </Group>
    </>
  );
}
