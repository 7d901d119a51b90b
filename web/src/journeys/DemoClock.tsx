// The demo's fast-forward: in the embedded demo's workspace only (the server says whether), its
// managers see Rapport's time and move it on by an hour or a day, so a journey's delay or a cart's
// abandonment happens now instead of later. Nothing is shown anywhere else.
import { Badge, Button, Group, Paper, Stack, Text, ThemeIcon, type MantineSpacing } from '@mantine/core';
import { IconClockPlay } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan, useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useAdvanceDemoClock, useDemoClock } from './api.ts';
import { formatDuration } from './words.ts';

const HOUR = 60;
const DAY = 24 * 60;

/** Rapport's time now, moving on with this browser's clock (read again every 15 seconds). */
function useRapportNow(offsetMs: number | undefined): Date | null {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (offsetMs === undefined) return;
    const timer = setInterval(() => setTick((n) => n + 1), 15_000);
    return () => clearInterval(timer);
  }, [offsetMs]);
  return offsetMs === undefined ? null : new Date(Date.now() + offsetMs);
}

export function DemoClock({ mb }: { mb?: MantineSpacing }) {
  const { t, i18n } = useTranslation();
  const manage = useCan()('workspace.manage');
  const timeZone = useSession().workspace?.timeZone;
  const clock = useDemoClock(manage);
  const advance = useAdvanceDemoClock();
  const now = useRapportNow(clock.data?.enabled ? clock.data.offsetMs : undefined);
  if (!manage || !clock.data?.enabled || !now) return null;
  const ahead = clock.data.aheadMinutes;
  const lang = i18n.language;
  const aheadText = formatDuration({ days: Math.floor(ahead / DAY), hours: Math.floor((ahead % DAY) / HOUR), minutes: ahead % HOUR }, lang);
  const button = (minutes: number, label: string, testId: string) => (
    <Button size="xs" variant="default" loading={advance.isPending && advance.variables === minutes} disabled={advance.isPending} onClick={() => advance.mutate(minutes)} data-testid={testId}>
      {label}
    </Button>
  );
  return (
    <Paper withBorder p="sm" mb={mb} data-testid="demo-clock" data-ahead-minutes={ahead}>
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Group gap="sm" wrap="nowrap">
          <ThemeIcon variant="light" color="grape" size="lg" radius="md">
            <IconClockPlay size={18} />
          </ThemeIcon>
          <Stack gap={0}>
            <Group gap="xs">
              <Text size="sm" fw={600}>
                {t('journeys.demoClock.title')}
              </Text>
              <Text size="sm" data-testid="demo-clock-now">
                {formatDateTime(now.toISOString(), lang, timeZone)}
              </Text>
              {ahead > 0 && (
                <Badge size="sm" variant="light" color="grape" data-testid="demo-clock-ahead">
                  {t('journeys.demoClock.ahead', { duration: aheadText })}
                </Badge>
              )}
            </Group>
            <Text size="xs" c="dimmed">
              {t('journeys.demoClock.help')}
            </Text>
          </Stack>
        </Group>
        <Group gap="xs">
          {button(HOUR, t('journeys.demoClock.plusHour'), 'demo-clock-hour')}
          {button(DAY, t('journeys.demoClock.plusDay'), 'demo-clock-day')}
        </Group>
      </Group>
    </Paper>
  );
}
