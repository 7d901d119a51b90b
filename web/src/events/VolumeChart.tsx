// How many events of one name arrived per hour (last day) or per day (last 30 days), in the
// workspace's time zone.
import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';
import { Group, Paper, SegmentedControl, Select, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { formatNumber } from '../customers/format.ts';
import { useEventNames, useEventVolume } from './api.ts';
import { volumeChartData, type VolumeInterval } from './format.ts';

/** `name`: the stream's name filter, which the chart follows; else the most frequent name. */
export function VolumeChart({ name }: { name: string | undefined }) {
  const { t, i18n } = useTranslation();
  const names = useEventNames();
  const [chosen, setChosen] = useState<string | null>(null);
  const [interval, setIntervalKind] = useState<VolumeInterval>('hour');
  const current = name ?? chosen ?? names.data?.items[0]?.name ?? null;
  const volume = useEventVolume(current, interval);
  const data = volume.data ? volumeChartData(volume.data, i18n.language) : [];
  const countLabel = t('events.volume.count');

  return (
    <Paper withBorder p="md" mb="md" data-testid="event-volume">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Group gap="sm" align="center">
          <Title order={4}>{t('events.volume.title')}</Title>
          {volume.data && (
            <Text size="sm" c="dimmed" data-testid="event-volume-total">
              {t(`events.volume.total.${interval}`, { formatted: formatNumber(volume.data.total, i18n.language) })}
            </Text>
          )}
        </Group>
        <Group gap="sm">
          {!name && (
            <Select
              w={240}
              aria-label={t('events.volume.name')}
              placeholder={t('events.volume.name')}
              searchable
              data={(names.data?.items ?? []).map((n) => n.name)}
              value={current}
              onChange={setChosen}
              allowDeselect={false}
              data-testid="event-volume-name"
            />
          )}
          <SegmentedControl
            size="xs"
            value={interval}
            onChange={(v) => setIntervalKind(v as VolumeInterval)}
            data={[
              { value: 'hour', label: t('events.volume.hourly') },
              { value: 'day', label: t('events.volume.daily') },
            ]}
            data-testid="event-volume-interval"
          />
        </Group>
      </Group>
      {!current ? (
        <Text size="sm" c="dimmed">
          {names.isPending ? '' : t('events.volume.noNames')}
        </Text>
      ) : volume.isPending ? (
        <PageLoader />
      ) : volume.isError ? (
        <QueryError error={volume.error} onRetry={() => void volume.refetch()} />
      ) : (
        <div data-testid="event-volume-chart" data-name={current} data-buckets={data.length}>
          <BarChart
            h={200}
            data={data}
            dataKey="label"
            series={[{ name: 'count', label: countLabel, color: 'blue.6' }]}
            tickLine="y"
            gridAxis="y"
            minBarSize={data.length > 40 ? 0 : 2}
            valueFormatter={(v) => formatNumber(v, i18n.language)}
            barProps={{ isAnimationActive: false }}
          />
        </div>
      )}
    </Paper>
  );
}
