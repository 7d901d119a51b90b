// The names of the segments and templates a journey refers to by id, so no id is ever shown.
import { useMemo } from 'react';
import { useTemplates } from '../messaging/api.ts';
import { useSegments } from '../segments/api.ts';
import type { Names } from './words.ts';

export function useNames(): Names {
  const segments = useSegments();
  const templates = useTemplates();
  return useMemo(() => {
    const segmentNames = new Map((segments.data ?? []).map((s) => [s.id, s.name]));
    const templateNames = new Map((templates.data ?? []).map((t) => [t.id, t.name]));
    return { segment: (id) => segmentNames.get(id), template: (id) => templateNames.get(id) };
  }, [segments.data, templates.data]);
}
