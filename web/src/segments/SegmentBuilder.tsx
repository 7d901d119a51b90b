// The visual builder of a definition, with a JSON view for those who would rather type it.
import { Alert, Group, JsonInput, SegmentedControl, Stack } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BuilderProvider, useChoices } from './builder-context.tsx';
import { NodeView } from './GroupNode.tsx';
import { errorsByNode, type SegmentDefinition } from './tree.ts';

type Props = {
  value: SegmentDefinition;
  onChange: (def: SegmentDefinition) => void;
  errors: readonly { path: string; message: string }[];
  selfId?: string;
};

/** The builder edits a group at the root; a lone condition is shown inside one. */
export const asRootGroup = (def: SegmentDefinition): SegmentDefinition => ('and' in def || 'or' in def ? def : { and: [def] });

export function SegmentBuilder({ value, onChange, errors, selfId }: Props) {
  const { t } = useTranslation();
  const choices = useChoices();
  const [mode, setMode] = useState<'visual' | 'json'>('visual');
  const [text, setText] = useState('');
  const [jsonError, setJsonError] = useState<string | null>(null);
  const byNode = useMemo(() => errorsByNode(errors, value), [errors, value]);
  const api = useMemo(() => ({ choices, errors: byNode, readOnly: false, selfId, edit: (fn: (d: SegmentDefinition) => SegmentDefinition) => onChange(fn(value)) }), [choices, byNode, selfId, onChange, value]);

  function switchMode(next: string) {
    if (next === 'json') setText(JSON.stringify(value, null, 2));
    setJsonError(null);
    setMode(next as 'visual' | 'json');
  }

  function typeJson(raw: string) {
    setText(raw);
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(t('segments.builder.jsonNotObject'));
      setJsonError(null);
      onChange(asRootGroup(parsed as SegmentDefinition));
    } catch (e) {
      setJsonError(e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <Stack gap="sm">
      <Group justify="flex-end">
        <SegmentedControl
          size="xs"
          value={mode}
          onChange={switchMode}
          data={[
            { value: 'visual', label: t('segments.builder.visual') },
            { value: 'json', label: t('segments.builder.json') },
          ]}
          data-testid="builder-mode"
        />
      </Group>
      {mode === 'visual' ? (
        <BuilderProvider value={api}>
          <NodeView node={value} path={[]} removable={false} />
        </BuilderProvider>
      ) : (
        <>
          <JsonInput value={text} onChange={typeJson} autosize minRows={10} maxRows={30} aria-label={t('segments.builder.json')} error={jsonError} data-testid="builder-json" />
          {errors.map((e, i) => (
            <Alert key={i} color="red" p="xs" data-testid="builder-json-error">
              {`${e.path}: ${e.message}`}
            </Alert>
          ))}
        </>
      )}
    </Stack>
  );
}
