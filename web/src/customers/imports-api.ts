// Server state of CSV imports: upload, start, progress (polled), rejected rows, recent imports.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query } from '../api/client.ts';
import { customerKeys, useWorkspaceId } from './api.ts';
import type { MatchBy } from './fields.ts';

export type ImportStatus = 'uploaded' | 'running' | 'done' | 'failed' | 'cancelled';
export type ImportRowError = { line: number; column: string | null; message: string };

export type CustomerImport = {
  id: string;
  status: ImportStatus;
  fileName: string;
  encoding: string;
  headers: string[];
  mapping: Record<string, string> | null;
  /** 0–1. */
  progress: number;
  rowsTotal: number;
  rowsCreated: number;
  rowsUpdated: number;
  rowsFailed: number;
  errors?: ImportRowError[];
  failure: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

/** What the upload answers: the import plus a preview of the file. */
export type UploadedImport = CustomerImport & {
  sample?: unknown[];
  suggestedMapping?: Record<string, string>;
};

export const POLL_MS = 500;

export function isFinished(status: ImportStatus): boolean {
  return status === 'done' || status === 'failed' || status === 'cancelled';
}

/** Sample rows as cells in header order, whether the server sends arrays or objects by header. */
export function sampleRows(sample: readonly unknown[] | undefined, headers: readonly string[]): string[][] {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return (sample ?? []).flatMap((row) => {
    if (Array.isArray(row)) return [headers.map((_, i) => cell(row[i]))];
    if (typeof row === 'object' && row !== null) return [headers.map((h) => cell((row as Record<string, unknown>)[h]))];
    return [];
  });
}

const importKeys = {
  all: (ws: string) => ['ws', ws, 'imports'] as const,
  one: (ws: string, id: string) => ['ws', ws, 'imports', 'one', id] as const,
  upload: (ws: string, id: string) => ['ws', ws, 'imports', 'upload', id] as const,
  errors: (ws: string, id: string) => ['ws', ws, 'imports', 'errors', id] as const,
};

const importPath = (id: string, rest = '') => `/api/imports/${encodeURIComponent(id)}${rest}`;
export const errorsCsvPath = (id: string) => importPath(id, '/errors.csv');

export function useImports() {
  const ws = useWorkspaceId();
  return useQuery({ queryKey: importKeys.all(ws), queryFn: () => api<{ items: CustomerImport[] }>('/api/imports').then((r) => r.items) });
}

/** One import; polled every POLL_MS while it runs. */
export function useImport(id: string | null) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useQuery({
    queryKey: importKeys.one(ws, id ?? ''),
    enabled: id !== null,
    queryFn: async () => {
      const imp = await api<CustomerImport>(importPath(id!));
      if (isFinished(imp.status)) {
        void client.invalidateQueries({ queryKey: importKeys.all(ws), exact: true });
        void client.invalidateQueries({ queryKey: customerKeys.all(ws) });
      }
      return imp;
    },
    refetchInterval: (q) => (q.state.data && q.state.data.status === 'running' ? POLL_MS : false),
    staleTime: 0,
  });
}

/** The upload's preview (sample rows, suggested mapping), kept in the cache for the mapping step. */
export function useUploadPreview(id: string | null): UploadedImport | null {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return id ? (client.getQueryData<UploadedImport>(importKeys.upload(ws, id)) ?? null) : null;
}

export function useUploadImport() {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ file, encoding }: { file: File; encoding?: string }) => {
      const form = new FormData();
      if (encoding) form.set('encoding', encoding);
      form.set('file', file, file.name);
      return api<UploadedImport>('/api/imports', { method: 'POST', body: form });
    },
    onSuccess: (imp) => {
      client.setQueryData(importKeys.upload(ws, imp.id), imp);
      client.setQueryData(importKeys.one(ws, imp.id), imp);
      void client.invalidateQueries({ queryKey: importKeys.all(ws), exact: true });
    },
  });
}

export function useStartImport() {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, mapping, matchBy }: { id: string; mapping: Record<string, string>; matchBy: MatchBy }) =>
      api<CustomerImport>(importPath(id, '/start'), { method: 'POST', body: { mapping, matchBy } }),
    onSuccess: (imp, { id }) => {
      // The answer may still say "uploaded"; polling starts from "running" either way.
      client.setQueryData(importKeys.one(ws, id), { ...imp, status: isFinished(imp.status) ? imp.status : 'running' });
      void client.invalidateQueries({ queryKey: importKeys.one(ws, id) });
      void client.invalidateQueries({ queryKey: importKeys.all(ws), exact: true });
    },
  });
}

export function useImportErrors(id: string, enabled: boolean) {
  const ws = useWorkspaceId();
  return useInfiniteQuery({
    queryKey: importKeys.errors(ws, id),
    enabled,
    queryFn: ({ pageParam }) => api<{ items: ImportRowError[]; nextCursor: string | null }>(importPath(id, `/errors${query({ cursor: pageParam })}`)),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}
