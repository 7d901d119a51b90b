// A node of the builder: a group (AND/OR, NOT, its children, add condition or group) or a condition.
import { ActionIcon, Button, Chip, Group, Paper, SegmentedControl, Stack, Text } from '@mantine/core';
import { IconBrackets, IconPlus, IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useBuilder, useNodeErrors } from './builder-context.tsx';
import { ConditionRow } from './ConditionRow.tsx';
import { addChild, defaultLeaf, groupKind, isNot, newGroup, pathKey, removeNode, setGroupKind, toggleNot, type NodePath, type SegmentDefinition } from './tree.ts';

export function NodeView({ node, path, removable }: { node: SegmentDefinition; path: NodePath; removable: boolean }) {
  // A `not` is shown as a toggle on what it wraps.
  const negated = isNot(node);
  const inner = negated ? node.not : node;
  const innerPath = negated ? [...path, 0] : path;
  if (groupKind(inner)) return <GroupBox node={inner} path={innerPath} outerPath={path} negated={negated} removable={removable} />;
  if (isNot(inner)) return <NodeView node={inner} path={innerPath} removable={removable} />;
  return <ConditionRow leaf={inner as Extract<SegmentDefinition, { type: string }>} path={innerPath} outerPath={path} negated={negated} removable={removable} />;
}

function GroupBox({ node, path, outerPath, negated, removable }: { node: SegmentDefinition; path: NodePath; outerPath: NodePath; negated: boolean; removable: boolean }) {
  const { t } = useTranslation();
  const { edit, readOnly } = useBuilder();
  const kind = groupKind(node)!;
  const children = (node as Record<typeof kind, SegmentDefinition[]>)[kind];
  const errors = useNodeErrors(outerPath, path).filter((e) => !/^(and|or)\[\d+\]/.test(e.field));
  const testId = `group-${pathKey(outerPath) || 'root'}`;
  return (
    <Paper withBorder p="sm" radius="md" bg={path.length % 2 ? 'var(--mantine-color-default-hover)' : undefined} data-testid={testId}>
      <Stack gap="xs">
        <Group gap="xs" justify="space-between">
          <Group gap="xs">
            {path.length > 0 && (
              <Chip size="xs" checked={negated} onChange={() => edit((root) => toggleNot(root, outerPath))} disabled={readOnly} color="red" variant="outline" data-testid={`${testId}-not`}>
                {t('segments.builder.not')}
              </Chip>
            )}
            <SegmentedControl
              size="xs"
              data={[
                { value: 'and', label: t('segments.builder.and') },
                { value: 'or', label: t('segments.builder.or') },
              ]}
              value={kind}
              onChange={(k) => edit((root) => setGroupKind(root, path, k as 'and' | 'or'))}
              disabled={readOnly}
              data-testid={`${testId}-kind`}
            />
            <Text size="xs" c="dimmed">
              {t(kind === 'and' ? 'segments.builder.allOf' : 'segments.builder.anyOf')}
            </Text>
          </Group>
          {removable && !readOnly && (
            <ActionIcon variant="subtle" color="gray" aria-label={t('segments.builder.removeGroup')} onClick={() => edit((root) => removeNode(root, outerPath))} data-testid={`${testId}-remove`}>
              <IconTrash size={16} />
            </ActionIcon>
          )}
        </Group>
        {children.map((child, i) => (
          <NodeView key={i} node={child} path={[...path, i]} removable={children.length > 1} />
        ))}
        {errors.map((e, i) => (
          <Text key={i} size="xs" c="red" role="alert" data-testid={`${testId}-error`}>
            {e.field ? `${e.field}: ${e.message}` : e.message}
          </Text>
        ))}
        {!readOnly && (
          <Group gap="xs">
            <Button size="compact-sm" variant="light" leftSection={<IconPlus size={14} />} onClick={() => edit((root) => addChild(root, path, defaultLeaf('attribute')))} data-testid={`${testId}-add-condition`}>
              {t('segments.builder.addCondition')}
            </Button>
            {path.length < 10 && (
              <Button size="compact-sm" variant="subtle" leftSection={<IconBrackets size={14} />} onClick={() => edit((root) => addChild(root, path, newGroup(kind === 'and' ? 'or' : 'and')))} data-testid={`${testId}-add-group`}>
                {t('segments.builder.addGroup')}
              </Button>
            )}
          </Group>
        )}
      </Stack>
    </Paper>
  );
}
