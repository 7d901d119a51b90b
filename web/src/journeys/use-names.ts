// The names of the segments, templates and custom attributes a journey refers to by id or key, so no id is ever shown.
import { useMemo } from 'react';
import { useAttributeDefs } from '../customers/api.ts';
import { useTemplates } from '../messaging/api.ts';
import { useSegments } from '../segments/api.ts';
import type { Names } from './words.ts';

export function useNames(): Names {
  const segments = useSegments();
  const templates = useTemplates();
  const attributes = useAttributeDefs();
  return useMemo(() => {
    const segmentNames = new Map((segments.data ?? []).map((s) => [s.id, s.name]));
    const templateNames = new Map((templates.data ?? []).map((t) => [t.id, t.name]));
    const attributeLabels = new Map((attributes.data ?? []).map((a) => [a.key, a.label]));
    return { segment: (id) => segmentNames.get(id), template: (id) => templateNames.get(id), attribute: (key) => attributeLabels.get(key) };
  }, [segments.data, templates.data, attributes.data]);
}
