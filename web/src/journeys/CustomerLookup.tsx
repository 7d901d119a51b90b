// Where one customer is in this journey, and why: each time they entered, where the run is now (or
// how it ended), and the steps it took with what happened at each. Those who may send can also put
// the customer in by hand (an active journey takes them if its entry rules allow).
import { Alert, Badge, Button, Code, Group, Paper, Stack, Text, Timeline, Tooltip } from '@mantine/core';
import { IconLogin2 } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage, notifySuccess } from '../api/query-client.ts';
import { useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { CustomerSearch } from '../messaging/CustomerSearch.tsx';
import { MessageDrawer } from '../messaging/MessageDrawer.tsx';
import { useEnterCustomer, useRuns, type JourneyView, type RunView } from './api.ts';
import { STEP_ICONS } from './step-icons.ts';
import { RunStatusBadge } from './StatusBadge.tsx';
import { exitReasonText, outcomeText, stepName } from './words.ts';

export function CustomerLookup({ journey, readOnly }: { journey: JourneyView; readOnly: boolean }) {
  const { t } = useTranslation();
  const [customerId, setCustomerId] = useState<string | undefined>();
  const [message, setMessage] = useState<string | null>(null);
  const runs = useRuns(journey.id, { customerId }, Boolean(customerId));
  const enter = useEnterCustomer(journey.id);
  const items = runs.data?.pages.flatMap((p) => p.items) ?? [];

  function putIn() {
    if (!customerId) return;
    enter.mutate({ customerId }, { onSuccess: (r) => r.entered && notifySuccess(t('journeys.lookup.enteredNow')) });
  }

  return (
    <Stack gap="md" maw={900}>
      <Text size="sm" c="dimmed">
        {t('journeys.lookup.help')}
      </Text>
      <Group align="flex-end">
        <CustomerSearch
          value={customerId}
          onChange={(id) => {
            setCustomerId(id);
            enter.reset();
          }}
          label={t('journeys.lookup.customer')}
          testId="lookup-customer"
          width={360}
        />
        {!readOnly && customerId && (
          <Tooltip label={t('journeys.lookup.enterHelp')} multiline w={280}>
            <Button variant="light" leftSection={<IconLogin2 size={16} />} loading={enter.isPending} disabled={journey.status !== 'active'} onClick={putIn} data-testid="lookup-enter">
              {t('journeys.lookup.enter')}
            </Button>
          </Tooltip>
        )}
      </Group>
      {enter.data && !enter.data.entered && (
        <Alert color="yellow" data-testid="lookup-not-entered">
          {t('journeys.lookup.notEntered', { reason: enter.data.reason ? t(`journeys.lookup.notEnteredReason.${enter.data.reason}`) : '—' })}
        </Alert>
      )}
      {enter.isError && <Alert color="red">{errorMessage(enter.error)}</Alert>}
      {customerId && runs.isError && <Alert color="red">{errorMessage(runs.error)}</Alert>}
      {customerId && runs.isSuccess && items.length === 0 && (
        <Text size="sm" c="dimmed" data-testid="lookup-none">
          {t('journeys.lookup.none')}
        </Text>
      )}
      {items.map((run) => (
        <RunCard key={run.id} run={run} onOpenMessage={setMessage} />
      ))}
      {runs.hasNextPage && (
        <Button variant="subtle" onClick={() => void runs.fetchNextPage()} loading={runs.isFetchingNextPage} style={{ alignSelf: 'center' }}>
          {t('common.loadMore')}
        </Button>
      )}
      <MessageDrawer id={message} onClose={() => setMessage(null)} />
    </Stack>
  );
}

function RunCard({ run, onOpenMessage }: { run: RunView; onOpenMessage: (id: string) => void }) {
  const { t, i18n } = useTranslation();
  const timeZone = useSession().workspace?.timeZone;
  const when = (iso: string | null) => formatDateTime(iso, i18n.language, timeZone);
  const [details, setDetails] = useState(false);
  const here = run.stepType ? stepName(t, { label: run.stepLabel, type: run.stepType }) : null;
  return (
    <Paper withBorder p="md" data-testid="lookup-run" data-status={run.status}>
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Group gap="xs">
            <RunStatusBadge status={run.status} />
            {run.holdout && (
              <Badge variant="outline" color="gray" size="sm">
                {t('journeys.lookup.holdout')}
              </Badge>
            )}
          </Group>
          <Text size="sm">{t('journeys.lookup.entered', { time: when(run.enteredAt) })}</Text>
          {run.status === 'active' && here && (
            <Text size="sm" fw={500} data-testid="lookup-current">
              {t('journeys.lookup.at', { step: here })}
              {run.waiting && run.dueAt ? ` · ${t('journeys.lookup.waitingUntil', { time: when(run.dueAt) })}` : ''}
            </Text>
          )}
          {run.finishedAt && (
            <Text size="sm" data-testid="lookup-finished">
              {t('journeys.lookup.finished', { time: when(run.finishedAt) })}
              {run.exitReason ? ` · ${exitReasonText(t, run.exitReason)}` : ''}
            </Text>
          )}
        </Stack>
        <Text size="xs" c="dimmed">
          {t('journeys.lookup.version', { version: run.version })}
        </Text>
      </Group>
      <Text size="sm" fw={600} mt="md" mb="xs">
        {t('journeys.lookup.trail')}
      </Text>
      {run.steps.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('journeys.lookup.noSteps')}
        </Text>
      ) : (
        <Timeline bulletSize={22} lineWidth={2} active={run.steps.length - 1} data-testid="lookup-trail">
          {run.steps.map((s) => {
            const Icon = STEP_ICONS[s.stepType];
            return (
              <Timeline.Item key={s.seq} bullet={Icon ? <Icon size={12} /> : undefined} title={stepName(t, { label: s.label, type: s.stepType })}>
                <Text size="sm">{outcomeText(t, s.outcome, s.stepType)}</Text>
                <Group gap="xs">
                  <Text size="xs" c="dimmed">
                    {when(s.at)}
                  </Text>
                  {s.messageId && (
                    <Button variant="subtle" size="compact-xs" onClick={() => onOpenMessage(s.messageId!)}>
                      {t('journeys.lookup.openMessage')}
                    </Button>
                  )}
                </Group>
              </Timeline.Item>
            );
          })}
        </Timeline>
      )}
      <Button variant="subtle" color="gray" size="compact-xs" mt="sm" onClick={() => setDetails((v) => !v)}>
        {t('journeys.step.details')}
      </Button>
      {details && (
        <Code block mt={4} fz="xs">
          {JSON.stringify(run, null, 2)}
        </Code>
      )}
    </Paper>
  );
}
