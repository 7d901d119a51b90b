// Search and filters of the customer list: text search, stage, tags, created range and
// field/attribute conditions; each change becomes the list's query (and the page URL).
import { ActionIcon, Badge, Button, CloseButton, Group, MultiSelect, Stack, Switch, TagsInput, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch, IconX } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AttributeDef } from './api.ts';
import { ConditionBuilder } from './ConditionBuilder.tsx';
import { sameCondition } from './filter-fields.ts';
import { LIFECYCLE_STAGES, type LifecycleStage } from './fields.ts';
import { useConditionText } from './labels.ts';
import { activeFilterCount, EMPTY_QUERY, type Condition, type ListQuery } from './list-query.ts';

type Props = { query: ListQuery; defs: readonly AttributeDef[]; onChange: (q: ListQuery) => void };

export function CustomerFilters({ query, defs, onChange }: Props) {
  const { t } = useTranslation();
  const conditionText = useConditionText(defs);
  const [search, setSearch] = useState(query.q);
  const [debounced] = useDebouncedValue(search, 300);

  // The URL may change from elsewhere (a saved view, back button): the box follows it.
  useEffect(() => setSearch(query.q), [query.q]);
  useEffect(() => {
    if (debounced.trim() !== query.q.trim()) onChange({ ...query, q: debounced });
    // Only a settled search text changes the query (query and onChange are read as they are now).
  }, [debounced]);

  const addCondition = (c: Condition) => {
    if (!query.conditions.some((x) => sameCondition(x, c))) onChange({ ...query, conditions: [...query.conditions, c] });
  };
  const removeCondition = (i: number) => onChange({ ...query, conditions: query.conditions.filter((_, j) => j !== i) });

  return (
    <Stack gap="sm" mb="md">
      <Group gap="sm" align="flex-end" wrap="wrap">
        <TextInput
          style={{ flex: '1 1 240px' }}
          leftSection={<IconSearch size={16} />}
          placeholder={t('customers.searchPlaceholder')}
          aria-label={t('customers.search')}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          rightSection={search ? <CloseButton size="sm" aria-label={t('customers.clearSearch')} onClick={() => setSearch('')} /> : null}
          data-testid="customer-search"
        />
        <MultiSelect
          w={200}
          label={t('customerFields.lifecycleStage')}
          placeholder={query.stages.length ? undefined : t('filters.any')}
          data={LIFECYCLE_STAGES.map((s) => ({ value: s, label: t(`stages.${s}`) }))}
          value={query.stages}
          onChange={(v) => onChange({ ...query, stages: v as LifecycleStage[] })}
          clearable
          data-testid="filter-stage"
        />
        <TagsInput
          w={200}
          label={t('customerFields.tags')}
          placeholder={query.tags.length ? undefined : t('filters.tagPlaceholder')}
          value={query.tags}
          onChange={(v) => onChange({ ...query, tags: v })}
          clearable
          data-testid="filter-tag"
        />
        <TextInput
          type="date"
          w={150}
          label={t('filters.createdFrom')}
          value={query.createdFrom}
          onChange={(e) => onChange({ ...query, createdFrom: e.currentTarget.value })}
          data-testid="filter-created-from"
        />
        <TextInput
          type="date"
          w={150}
          label={t('filters.createdTo')}
          value={query.createdTo}
          onChange={(e) => onChange({ ...query, createdTo: e.currentTarget.value })}
          data-testid="filter-created-to"
        />
      </Group>
      <Group gap="xs" wrap="wrap">
        <ConditionBuilder defs={defs} onAdd={addCondition} />
        {query.conditions.map((c, i) => (
          <Badge
            key={`${c.field}-${c.op}-${i}`}
            size="lg"
            variant="light"
            tt="none"
            data-testid="condition-chip"
            rightSection={
              <ActionIcon size="xs" variant="transparent" onClick={() => removeCondition(i)} aria-label={t('filters.removeCondition', { condition: conditionText(c) })}>
                <IconX size={12} />
              </ActionIcon>
            }
          >
            {conditionText(c)}
          </Badge>
        ))}
        {activeFilterCount(query) > 0 && (
          <Button variant="subtle" size="xs" onClick={() => onChange({ ...EMPTY_QUERY, q: query.q, sort: query.sort })} data-testid="clear-filters">
            {t('filters.clear')}
          </Button>
        )}
        <Switch
          ml="auto"
          size="sm"
          label={t('filters.deleted')}
          checked={query.deleted}
          onChange={(e) => onChange({ ...query, deleted: e.currentTarget.checked })}
          data-testid="filter-deleted"
        />
      </Group>
    </Stack>
  );
}
