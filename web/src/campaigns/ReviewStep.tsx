// Step 4 of the wizard: the campaign said in plain words (who, what, when, how fast, what counts
// as success), then save it as a draft, or send it now / schedule it.
import { Button, Group, List, Paper, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconCalendar, IconDeviceFloppy, IconFlag, IconGauge, IconMail, IconSend, IconTrophy, IconUsers } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatCount } from '../analytics/format.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useTemplates } from '../messaging/api.ts';
import { useSegments } from '../segments/api.ts';
import { useAudienceCount } from './api.ts';
import { zonedLocalToIso } from './time.ts';
import { winnerPlanText } from './format.ts';
import { VARIANT_LETTERS, winnerPlan, type WizardDraft } from './wizard-state.ts';

type Props = { draft: WizardDraft; timeZone: string; busy: boolean; onSubmit: (start: boolean) => void };

function Line({ icon, children, testId }: { icon: ReactNode; children: ReactNode; testId: string }) {
  return (
    <List.Item icon={<ThemeIcon variant="light" size={26} radius="xl">{icon}</ThemeIcon>} data-testid={testId}>
      {children}
    </List.Item>
  );
}

export function ReviewStep({ draft, timeZone, busy, onSubmit }: Props) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const segments = useSegments();
  const templates = useTemplates(draft.kind);
  const count = useAudienceCount({ segmentIds: draft.segmentIds, excludeSegmentIds: draft.excludeSegmentIds }, draft.purpose);
  const segmentName = (id: string) => segments.data?.find((s) => s.id === id)?.name ?? '…';
  const templateName = (id: string | null) => templates.data?.find((tpl) => tpl.id === id)?.name ?? '…';
  const targeted = count.data?.targeted;
  const about = (share: number) => (targeted === undefined ? '…' : formatCount(Math.round((targeted * share) / 100), lang));
  const atIso = draft.when === 'at' && !draft.customerTimeZone ? zonedLocalToIso(draft.at, timeZone) : null;
  const plan = winnerPlan(draft);
  const localAt = draft.when === 'at' && draft.customerTimeZone ? formatDateTime(`${draft.at}:00Z`, lang, 'UTC') : '';

  return (
    <Stack gap="md" mt="md" maw={860}>
      <Paper withBorder p="md">
        <Text fw={600} mb="sm">
          {draft.name}
        </Text>
        <List spacing="sm" center={false} data-testid="review-summary">
          <Line icon={<IconUsers size={16} />} testId="review-audience">
            {t('campaigns.review.audience', { count: targeted === undefined ? '…' : formatCount(targeted, lang), segments: draft.segmentIds.map(segmentName).join(', ') })}
            {draft.excludeSegmentIds.length > 0 && ` ${t('campaigns.review.excluding', { segments: draft.excludeSegmentIds.map(segmentName).join(', ') })}`}
            {count.data && count.data.globalControl > 0 && ` ${t('campaigns.review.globalControl', { count: formatCount(count.data.globalControl, lang) })}`}
          </Line>
          <Line icon={<IconMail size={16} />} testId="review-content">
            {t('campaigns.review.channel', { kind: t(`messaging.kinds.${draft.kind}`), purpose: t(`messaging.purposes.${draft.purpose}`) })}
            <List withPadding spacing={4} mt={4}>
              {draft.variants.map((v, i) => (
                <List.Item key={i} data-testid={`review-variant-${i}`}>
                  {t('campaigns.review.variant', { key: VARIANT_LETTERS[i], template: templateName(v.templateId), share: v.share, count: about(v.share) })}
                </List.Item>
              ))}
              <List.Item data-testid="review-holdout">
                {draft.holdoutShare > 0 ? t('campaigns.review.holdout', { share: draft.holdoutShare, count: about(draft.holdoutShare) }) : t('campaigns.review.noHoldout')}
              </List.Item>
            </List>
          </Line>
          {plan && (
            <Line icon={<IconTrophy size={16} />} testId="review-winner">
              {winnerPlanText(t, plan, lang)}
            </Line>
          )}
          <Line icon={<IconCalendar size={16} />} testId="review-when">
            {draft.when === 'now'
              ? t('campaigns.review.now')
              : draft.when === 'best_hour'
                ? t('campaigns.review.bestHour')
                : draft.customerTimeZone
                  ? t('campaigns.review.atCustomer', { time: localAt })
                  : t('campaigns.review.at', { time: atIso ? formatDateTime(atIso, lang, timeZone) : draft.at, zone: timeZone })}
          </Line>
          <Line icon={<IconGauge size={16} />} testId="review-throttle">
            {draft.when !== 'best_hour' && draft.throttlePerMinute > 0 ? t('campaigns.review.throttle', { count: formatCount(draft.throttlePerMinute, lang) }) : t('campaigns.review.noThrottle')}
          </Line>
          <Line icon={<IconFlag size={16} />} testId="review-goal">
            {t('campaigns.review.goal', { event: draft.goalEvent.trim() || 'Order Completed', days: draft.goalWindowDays })}
          </Line>
        </List>
        <Text size="xs" c="dimmed" mt="md">
          {t('campaigns.review.gateNote')}
        </Text>
      </Paper>
      <Group justify="flex-end" gap="sm">
        <Button variant="default" leftSection={<IconDeviceFloppy size={16} />} loading={busy} onClick={() => onSubmit(false)} data-testid="save-draft">
          {t('campaigns.review.saveDraft')}
        </Button>
        <Button leftSection={<IconSend size={16} />} loading={busy} onClick={() => onSubmit(true)} data-testid="campaign-submit">
          {t(draft.when === 'now' ? 'campaigns.review.sendNow' : 'campaigns.review.schedule')}
        </Button>
      </Group>
    </Stack>
  );
}
