// The journey being edited: a copy of what was saved, changed by the editor until it is saved
// (then replaced by what the server stored), with the name and description beside it.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { JourneyDefinition, JourneyView } from './api.ts';

export type Draft = { name: string; description: string; definition: JourneyDefinition };

const fromView = (j: JourneyView): Draft => ({ name: j.name, description: j.description ?? '', definition: j.definition });

export function useDraft(journey: JourneyView) {
  const [draft, setDraft] = useState<Draft>(() => fromView(journey));
  const [dirty, setDirty] = useState(false);
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;

  // What the server says now (after a save, an activation, another member's change) replaces the
  // copy, unless there are changes here not saved yet.
  useEffect(() => {
    if (!dirtyRef.current) setDraft(fromView(journey));
  }, [journey]);

  const edit = useCallback((fn: (d: JourneyDefinition) => JourneyDefinition) => {
    setDraft((d) => ({ ...d, definition: fn(d.definition) }));
    setDirty(true);
  }, []);
  const setMeta = useCallback((patch: Partial<Pick<Draft, 'name' | 'description'>>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setDirty(true);
  }, []);
  const saved = useCallback((view: JourneyView) => {
    setDraft(fromView(view));
    setDirty(false);
  }, []);

  // Closing the tab with changes not saved asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  return { draft, dirty, edit, setMeta, saved };
}
