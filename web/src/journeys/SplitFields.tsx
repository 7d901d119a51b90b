// A random split's branches: a name and a share each (2–5 branches, shares adding up to 100).
import { ActionIcon, Button, Group, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconScale, IconX } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { SplitStep } from './api.ts';
import { evenShares, nextBranchKey } from './graph-edit.ts';
import type { FieldError, StepChange } from './step-change.ts';

const MIN = 2;
const MAX = 5;

export function SplitFields({ step, change, errorAt }: { step: SplitStep; change: StepChange<SplitStep>; errorAt: FieldError }) {
  const { t } = useTranslation();
  const branches = step.branches;
  const total = branches.reduce((n, b) => n + b.share, 0);
  const set = (i: number, patch: Partial<SplitStep['branches'][number]>) => change({ branches: branches.map((b, j) => (j === i ? { ...b, ...patch } : b)) });
  const even = (list: SplitStep['branches']) => {
    const shares = evenShares(list.length);
    return list.map((b, i) => ({ ...b, share: shares[i]! }));
  };
  const error = errorAt('branches');
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        {t('journeys.split.help')}
      </Text>
      {branches.map((b, i) => (
        <Group key={i} gap="xs" wrap="nowrap" align="flex-end">
          <TextInput label={i === 0 ? t('journeys.split.key') : undefined} aria-label={t('journeys.split.key')} value={b.key} maxLength={20} onChange={(e) => set(i, { key: e.currentTarget.value })} style={{ flex: 1 }} data-testid={`split-key-${i}`} />
          <NumberInput
            label={i === 0 ? t('journeys.split.share') : undefined}
            aria-label={t('journeys.split.share')}
            w={110}
            min={0}
            max={100}
            allowDecimal={false}
            suffix="%"
            value={b.share}
            onChange={(v) => set(i, { share: typeof v === 'number' ? v : Number.parseInt(v, 10) || 0 })}
            data-testid={`split-share-${i}`}
          />
          <ActionIcon variant="subtle" color="gray" mb={6} disabled={branches.length <= MIN} onClick={() => change({ branches: even(branches.filter((_, j) => j !== i)) })} aria-label={t('journeys.split.remove')}>
            <IconX size={14} />
          </ActionIcon>
        </Group>
      ))}
      <Text size="xs" c={total === 100 ? 'dimmed' : 'red'} data-testid="split-total">
        {t('journeys.split.total', { total })}
      </Text>
      {error && (
        <Text size="xs" c="red">
          {error}
        </Text>
      )}
      <Group gap="xs">
        <Button
          variant="light"
          size="xs"
          leftSection={<IconPlus size={14} />}
          disabled={branches.length >= MAX}
          onClick={() => change({ branches: even([...branches, { key: nextBranchKey(branches.map((b) => b.key)), share: 0, next: null }]) })}
          data-testid="split-add"
        >
          {t('journeys.split.add')}
        </Button>
        <Button variant="default" size="xs" leftSection={<IconScale size={14} />} onClick={() => change({ branches: even(branches) })}>
          {t('journeys.split.even')}
        </Button>
      </Group>
    </Stack>
  );
}
