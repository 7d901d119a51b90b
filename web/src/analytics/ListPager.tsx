// Paging under the at-risk, dormant and basket-rule tables: pages of a fixed size and the total.
import { Group, Pagination, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatCount } from './format.ts';

export function ListPager({ total, offset, pageSize, onOffset, testId }: { total: number; offset: number; pageSize: number; onOffset: (offset: number) => void; testId: string }) {
  const { t, i18n } = useTranslation();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.floor(offset / pageSize) + 1;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(total, offset + pageSize);
  return (
    <Group justify="space-between" p="sm" wrap="wrap">
      <Text size="sm" c="dimmed" data-testid={`${testId}-range`}>
        {t('analytics.range', { from: formatCount(from, i18n.language), to: formatCount(to, i18n.language), total: formatCount(total, i18n.language) })}
      </Text>
      {pages > 1 && <Pagination size="sm" total={pages} value={page} onChange={(p) => onOffset((p - 1) * pageSize)} data-testid={testId} />}
    </Group>
  );
}
