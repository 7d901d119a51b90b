// How this segment overlaps another: pick one and see the sizes of A, B and A ∩ B.
import { Card, Group, Select, SimpleGrid, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatCount, formatPercent } from '../analytics/format.ts';
import { StatCard } from '../analytics/StatCard.tsx';
import { useOverlap, useSegments } from './api.ts';
import { share } from './format.ts';

export function OverlapCard({ segmentId }: { segmentId: string }) {
  const { t, i18n } = useTranslation();
  const segments = useSegments();
  const [other, setOther] = useState<string | null>(null);
  const overlap = useOverlap(segmentId, other);
  const fmt = (n: number) => formatCount(n, i18n.language);
  const o = overlap.data;
  return (
    <Card withBorder padding="md" data-testid="overlap">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Text fw={600}>{t('segments.page.overlap')}</Text>
        <Select
          size="xs"
          w={260}
          searchable
          placeholder={t('segments.page.overlapPick')}
          aria-label={t('segments.page.overlapPick')}
          data={(segments.data ?? []).filter((s) => s.id !== segmentId).map((s) => ({ value: s.id, label: s.name }))}
          value={other}
          onChange={setOther}
          data-testid="overlap-pick"
        />
      </Group>
      {o ? (
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <StatCard label={o.a.name} value={fmt(o.a.size)} testId="overlap-a" />
          <StatCard label={o.b.name} value={fmt(o.b.size)} testId="overlap-b" />
          <StatCard label={t('segments.page.both')} value={fmt(o.both)} hint={t('segments.page.bothShare', { share: formatPercent(share(o.both, o.a.size), i18n.language) })} testId="overlap-both" />
        </SimpleGrid>
      ) : (
        <Text size="sm" c="dimmed">
          {t('segments.page.overlapHelp')}
        </Text>
      )}
    </Card>
  );
}
