// What every node of the builder needs: the workspace's fields and names to pick from, the
// server's errors by node, and the one way to change the tree.
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useCan } from '../auth/session.ts';
import { useAnalyticsSettings } from '../analytics/api.ts';
import { SEGMENT_KEYS } from '../analytics/format.ts';
import { useProducts } from '../commerce/api.ts';
import { useAttributeDefs } from '../customers/api.ts';
import { useEventNames } from '../events/api.ts';
import { useSegments } from './api.ts';
import type { NodePath, SegmentDefinition } from './tree.ts';

export type Choices = {
  /** Custom attribute keys with their defined type and options. */
  attributes: { key: string; label: string; type: string; options: string[] | null }[];
  eventNames: string[];
  categories: string[];
  grades: string[];
  rfmSegments: string[];
  segments: { id: string; name: string }[];
};

export type BuilderApi = {
  choices: Choices;
  errors: Map<string, { field: string; message: string }[]>;
  readOnly: boolean;
  edit: (fn: (root: SegmentDefinition) => SegmentDefinition) => void;
  /** The segment being edited, which may not refer to itself. */
  selfId?: string;
};

const Ctx = createContext<BuilderApi | null>(null);

export function BuilderProvider({ value, children }: { value: BuilderApi; children: ReactNode }) {
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useBuilder(): BuilderApi {
  const v = useContext(Ctx);
  if (!v) throw new Error('useBuilder: outside BuilderProvider');
  return v;
}

/** The errors the server gave for the node at `path` (and, for a negated node, its `not`). */
export function useNodeErrors(...paths: NodePath[]) {
  const { errors } = useBuilder();
  return [...new Set(paths.map((p) => p.join('.')))].flatMap((key) => errors.get(key) ?? []);
}

/** The workspace's fields and names, each loaded only for those who may read it. */
export function useChoices(): Choices {
  const can = useCan();
  const analytics = can('analytics.read');
  const attrs = useAttributeDefs();
  const names = useEventNames();
  const products = useProducts('');
  const settings = useAnalyticsSettings();
  const segments = useSegments();
  return useMemo(
    () => ({
      attributes: (attrs.data ?? []).map((d) => ({ key: d.key, label: d.label, type: d.type, options: d.options })),
      eventNames: analytics ? (names.data?.items ?? []).map((n) => n.name) : [],
      categories: analytics ? [...new Set((products.data?.pages ?? []).flatMap((p) => p.items.map((i) => i.category)).filter((c): c is string => Boolean(c)))].sort() : [],
      grades: analytics ? (settings.data?.grades ?? []).map((g) => g.name) : [],
      rfmSegments: Object.keys(SEGMENT_KEYS),
      segments: (segments.data ?? []).map((s) => ({ id: s.id, name: s.name })),
    }),
    [analytics, attrs.data, names.data, products.data, settings.data, segments.data],
  );
}
