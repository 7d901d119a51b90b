// GET /api/health: is the server's database reachable and up to date?
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';

export type Health = {
  status: 'ok' | 'migrations_pending' | 'unavailable';
  database: { kind: 'pglite' | 'postgres'; reachable: boolean; busyForMs?: number; error?: string };
  migrations?: { current: boolean; applied: number; expected: number; latest?: string };
};

export function useHealth() {
  return useQuery({
    queryKey: ['health'],
    // 503 still carries the report.
    queryFn: () => api<Health>('/api/health', { accept: [503] }),
    refetchInterval: 30_000,
    staleTime: 10_000,
  });
}

export function healthColor(status: Health['status'] | undefined): string {
  switch (status) {
    case 'ok':
      return 'teal';
    case 'migrations_pending':
      return 'yellow';
    case 'unavailable':
      return 'red';
    default:
      return 'gray';
  }
}
