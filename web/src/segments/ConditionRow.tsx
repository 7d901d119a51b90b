// One condition of the builder: its type, its inputs, NOT and remove, and the server's errors for it.
import { ActionIcon, Chip, Group, Paper, Select, Stack, Text } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { AttributeLeaf, ConsentLeaf, EventLeaf, MetricLeaf, OrdersLeaf, PreferenceLeaf, RandomLeaf, SegmentLeaf, TagLeaf } from '../../../src/segments/definition.ts';
import { useBuilder, useNodeErrors } from './builder-context.tsx';
import { ComparisonEditor, type Comparison } from './ComparisonEditor.tsx';
import { EventCondition } from './EventCondition.tsx';
import { ConsentCondition, OrdersCondition, PreferenceCondition, RandomCondition, SegmentRefCondition, TagCondition } from './LeafEditors.tsx';
import { defaultLeaf, LEAF_TYPES, pathKey, removeNode, toggleNot, updateNode, type LeafType, type NodePath, type SegmentLeafNode } from './tree.ts';

type Props = { leaf: SegmentLeafNode; path: NodePath; negated: boolean; outerPath: NodePath; removable: boolean };

export function ConditionRow({ leaf, path, negated, outerPath, removable }: Props) {
  const { t } = useTranslation();
  const { edit, readOnly } = useBuilder();
  const errors = useNodeErrors(outerPath, path);
  const bad = (field: string) => errors.some((e) => e.field === field || e.field.startsWith(`${field}.`) || e.field.startsWith(`${field}[`));
  const testId = `node-${pathKey(outerPath) || 'root'}`;
  const change = (next: SegmentLeafNode) => edit((root) => updateNode(root, path, () => next));

  const editor = () => {
    switch (leaf.type) {
      case 'attribute':
      case 'metric': {
        const { type, ...cmp } = leaf;
        return (
          <ComparisonEditor
            mode={type}
            value={cmp as Comparison}
            onChange={(c) => change({ type, ...c } as AttributeLeaf | MetricLeaf)}
            errors={{ field: bad('field'), op: bad('op'), value: bad('value') }}
            testId={testId}
          />
        );
      }
      case 'event':
        return <EventCondition leaf={leaf} onChange={(l: EventLeaf) => change(l)} bad={bad} testId={testId} />;
      case 'orders':
        return <OrdersCondition leaf={leaf} onChange={(l: OrdersLeaf) => change(l)} bad={bad} testId={testId} />;
      case 'consent':
        return <ConsentCondition leaf={leaf} onChange={(l: ConsentLeaf) => change(l)} />;
      case 'tag':
        return <TagCondition leaf={leaf} onChange={(l: TagLeaf) => change(l)} bad={bad} testId={testId} />;
      case 'preference':
        return <PreferenceCondition leaf={leaf} onChange={(l: PreferenceLeaf) => change(l)} bad={bad} />;
      case 'segment':
        return <SegmentRefCondition leaf={leaf} onChange={(l: SegmentLeaf) => change(l)} bad={bad} testId={testId} />;
      case 'random':
        return <RandomCondition leaf={leaf} onChange={(l: RandomLeaf) => change(l)} bad={bad} />;
    }
  };

  return (
    <Paper withBorder p="xs" radius="sm" data-testid={testId} data-type={leaf.type} style={errors.length ? { borderColor: 'var(--mantine-color-red-6)' } : undefined}>
      <Stack gap={6}>
        <Group gap="xs" align="center" wrap="nowrap">
          <Chip size="xs" checked={negated} onChange={() => edit((root) => toggleNot(root, outerPath))} disabled={readOnly} color="red" variant="outline" data-testid={`${testId}-not`}>
            {t('segments.builder.not')}
          </Chip>
          <Select
            size="xs"
            w={150}
            aria-label={t('segments.builder.conditionType')}
            data={LEAF_TYPES.map((ty) => ({ value: ty, label: t(`segments.leafTypes.${ty}`) }))}
            value={leaf.type}
            onChange={(ty) => ty && ty !== leaf.type && change(defaultLeaf(ty as LeafType))}
            allowDeselect={false}
            disabled={readOnly}
            data-testid={`${testId}-type`}
          />
          <div style={{ flex: 1 }} />
          {removable && !readOnly && (
            <ActionIcon variant="subtle" color="gray" aria-label={t('segments.builder.remove')} onClick={() => edit((root) => removeNode(root, outerPath))} data-testid={`${testId}-remove`}>
              <IconTrash size={16} />
            </ActionIcon>
          )}
        </Group>
        <div>{editor()}</div>
        {errors.map((e, i) => (
          <Text key={i} size="xs" c="red" role="alert" data-testid={`${testId}-error`}>
            {e.field ? `${e.field}: ${e.message}` : e.message}
          </Text>
        ))}
      </Stack>
    </Paper>
  );
}
