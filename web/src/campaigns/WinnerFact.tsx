// A campaign's winner selection on its page: what it will do before the start, when the winner is
// due while the test runs, and which variant won (and when, by what) once picked.
import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatCount } from '../analytics/format.ts';
import { useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import type { Campaign, CampaignWinner } from './api.ts';
import { winnerDueAt, winnerPlanText } from './format.ts';
import { planOf } from './wizard-state.ts';

export function WinnerFact({ campaign: c, winner }: { campaign: Campaign; winner: CampaignWinner }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const timeZone = useSession().workspace?.timeZone;
  const when = (iso: string | null | undefined) => formatDateTime(iso, lang, timeZone);
  const measure = t(`campaigns.winner.measure.${winner.by}`);
  const due = winnerDueAt({ startedAt: c.startedAt, winner });
  let status: { text: string; state: string };
  if (c.winnerKey) {
    const name = c.variants.find((v) => v.key === c.winnerKey)?.name ?? t('campaigns.groups.variant', { key: c.winnerKey });
    status = { text: t('campaigns.winner.picked', { key: c.winnerKey, name, time: when(c.winnerPickedAt), measure }), state: 'picked' };
  } else if (due && (c.status === 'sending' || c.status === 'paused')) {
    status = { text: t('campaigns.winner.pickingAt', { time: when(due) }), state: 'waiting' };
  } else if (c.startedAt || c.status === 'cancelled') {
    status = { text: t('campaigns.winner.notPicked'), state: 'none' };
  } else {
    status = { text: winnerPlanText(t, planOf(c.variants.map((v) => v.key), c.holdoutShare, winner), lang), state: 'planned' };
  }
  return (
    <>
      <Text size="sm" component="div" data-testid="winner-status" data-state={status.state}>
        {status.text}
      </Text>
      {typeof c.testSize === 'number' && (
        <Text size="xs" c="dimmed" data-testid="winner-test-size">
          {t('campaigns.winner.testSize', { count: formatCount(c.testSize, lang) })}
        </Text>
      )}
    </>
  );
}
