// The wizard's winner selection (with two variants or more): the switch, the test share, the hours
// to wait and what decides, and what will happen with these numbers in one sentence.
import { Group, NumberInput, Paper, SegmentedControl, Stack, Switch, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { WinnerMeasure } from './api.ts';
import { winnerPlanText } from './format.ts';
import { errorAt, WINNER_AFTER_HOURS, WINNER_TEST_SHARE, winnerInRange, winnerPlan, type FieldError, type WinnerDraft, type WizardDraft } from './wizard-state.ts';

type Props = { draft: WizardDraft; setWinner: (patch: Partial<WinnerDraft>) => void; error: FieldError | null };

const whole = (v: string | number) => (typeof v === 'number' ? Math.round(v) : Number.parseInt(v, 10) || 0);

export function WinnerFields({ draft, setWinner, error }: Props) {
  const { t, i18n } = useTranslation();
  const w = draft.winner;
  // Out of range, the sentence would describe a campaign the server refuses: the problem says so instead.
  const plan = winnerInRange(w) ? winnerPlan(draft) : null;
  const serverError = errorAt(error, 'winner');
  return (
    <Paper withBorder p="md" data-testid="winner">
      <Stack gap="sm">
        <Switch checked={w.on} onChange={(e) => setWinner({ on: e.currentTarget.checked })} label={t('campaigns.winner.switch')} description={t('campaigns.winner.switchHelp')} data-testid="winner-switch" />
        {w.on && (
          <>
            <Group align="flex-start" gap="xl">
              <NumberInput
                w={200}
                label={t('campaigns.winner.testShare')}
                description={t('campaigns.winner.testShareHelp')}
                suffix="%"
                min={WINNER_TEST_SHARE.min}
                max={WINNER_TEST_SHARE.max}
                allowDecimal={false}
                value={w.testShare}
                onChange={(v) => setWinner({ testShare: whole(v) })}
                error={errorAt(error, 'winner.testShare')}
                data-testid="winner-test-share"
              />
              <NumberInput
                w={200}
                label={t('campaigns.winner.afterHours')}
                description={t('campaigns.winner.afterHoursHelp')}
                min={WINNER_AFTER_HOURS.min}
                max={WINNER_AFTER_HOURS.max}
                allowDecimal={false}
                value={w.afterHours}
                onChange={(v) => setWinner({ afterHours: whole(v) })}
                error={errorAt(error, 'winner.afterHours')}
                data-testid="winner-after-hours"
              />
              <Stack gap={4}>
                <Text size="sm" fw={500}>
                  {t('campaigns.winner.by')}
                </Text>
                <SegmentedControl
                  value={w.by}
                  onChange={(v) => setWinner({ by: v as WinnerMeasure })}
                  data={[
                    { value: 'conversion', label: t('campaigns.winner.byConversion') },
                    { value: 'click', label: t('campaigns.winner.byClick') },
                  ]}
                  data-testid="winner-by"
                />
              </Stack>
            </Group>
            {plan && (
              <Text size="sm" data-testid="winner-plan">
                {winnerPlanText(t, plan, i18n.language)}
              </Text>
            )}
          </>
        )}
        {serverError && !errorAt(error, 'winner.testShare') && !errorAt(error, 'winner.afterHours') && (
          <Text size="sm" c="red" data-testid="winner-error">
            {serverError}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
