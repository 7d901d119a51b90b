// One campaign: its status with pause, resume and cancel, what it is (channel, audience, schedule,
// goal, winner selection), and two tabs: the report and the recipients.
import { Group, Paper, SimpleGrid, Stack, Tabs, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { formatCount } from '../analytics/format.ts';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useCampaign, type Campaign } from './api.ts';
import { CampaignActions } from './CampaignActions.tsx';
import { RecipientsTab } from './RecipientsTab.tsx';
import { ReportView } from './ReportView.tsx';
import { CampaignStatusBadge } from './StatusBadge.tsx';
import { WinnerFact } from './WinnerFact.tsx';

export function CampaignPage() {
  const { id = '' } = useParams();
  const campaign = useCampaign(id);
  if (campaign.isPending) return <PageLoader />;
  if (campaign.isError) return <QueryError error={campaign.error} onRetry={() => void campaign.refetch()} />;
  return <CampaignView campaign={campaign.data} />;
}

function CampaignView({ campaign: c }: { campaign: Campaign }) {
  const { t } = useTranslation();
  return (
    <Stack gap="md">
      <PageHeader title={c.name} actions={<CampaignActions campaign={c} />} />
      <Facts campaign={c} />
      <Tabs defaultValue="report" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="report" data-testid="tab-report">
            {t('campaigns.page.reportTab')}
          </Tabs.Tab>
          <Tabs.Tab value="recipients" data-testid="tab-recipients" disabled={!c.startedAt}>
            {t('campaigns.page.recipientsTab')}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="report">
          <ReportView campaign={c} />
        </Tabs.Panel>
        <Tabs.Panel value="recipients">
          <RecipientsTab campaign={c} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId: string }) {
  return (
    <Stack gap={2} data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </Stack>
  );
}

function Facts({ campaign: c }: { campaign: Campaign }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const timeZone = useSession().workspace?.timeZone;
  const when = (iso: string | null) => formatDateTime(iso, lang, timeZone);
  const s = c.schedule;
  const schedule =
    s.mode === 'now'
      ? t('campaigns.page.scheduleNow')
      : s.mode === 'best_hour'
        ? t('campaigns.page.scheduleBestHour')
        : s.customerTimeZone
          ? t('campaigns.page.scheduleCustomer', { time: formatDateTime(`${s.at}:00Z`, lang, 'UTC') })
          : t('campaigns.page.scheduleAt', { time: when(s.at) });
  return (
    <Paper withBorder p="md">
      <SimpleGrid cols={{ base: 2, sm: 3, lg: c.winner ? 7 : 6 }}>
        <Fact label={t('campaigns.page.status')} testId="fact-status">
          <Group gap={6}>
            <CampaignStatusBadge status={c.status} testId="campaign-status" />
          </Group>
        </Fact>
        <Fact label={t('campaigns.page.channel')} testId="fact-channel">
          {t(`messaging.kinds.${c.kind}`)} · {t(`messaging.purposes.${c.purpose}`)}
        </Fact>
        <Fact label={t('campaigns.page.audience')} testId="fact-audience">
          {c.audienceSize === null ? t('campaigns.page.notFrozen') : formatCount(c.audienceSize, lang)}
          {c.excludedGlobalControl ? (
            <Text size="xs" c="dimmed">
              {t('campaigns.page.controlKept', { count: formatCount(c.excludedGlobalControl, lang) })}
            </Text>
          ) : null}
        </Fact>
        <Fact label={t('campaigns.page.schedule')} testId="fact-schedule">
          {schedule}
          {c.throttlePerMinute > 0 && (
            <Text size="xs" c="dimmed">
              {t('campaigns.page.throttle', { count: formatCount(c.throttlePerMinute, lang) })}
            </Text>
          )}
        </Fact>
        <Fact label={t('campaigns.page.goal')} testId="fact-goal">
          {t('campaigns.page.goalText', { event: c.goal.event, days: c.goal.windowDays })}
        </Fact>
        {c.winner && (
          <Fact label={t('campaigns.winner.fact')} testId="fact-winner">
            <WinnerFact campaign={c} winner={c.winner} />
          </Fact>
        )}
        <Fact label={t('campaigns.page.timeline')} testId="fact-timeline">
          {t('campaigns.page.created', { time: when(c.createdAt) })}
          {c.startedAt && <Text size="xs">{t('campaigns.page.started', { time: when(c.startedAt) })}</Text>}
          {c.cancelledAt && <Text size="xs">{t('campaigns.page.cancelled', { time: when(c.cancelledAt) })}</Text>}
        </Fact>
      </SimpleGrid>
    </Paper>
  );
}
