// Server state of identity verification: the workspace's secret the shop's server signs user ids
// with (docs/events.md). Admins (keys.manage) may show it and rotate it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { useSession } from '../auth/session.ts';

export type VerificationSecret = { secret: string | null; createdAt: string | null };

const secretKey = (ws: string | undefined) => ['ws', ws, 'identity-verification'] as const;

/** Fetched only when asked to show it: the secret stays off the screen until then. */
export function useVerificationSecret(enabled: boolean) {
  const ws = useSession().workspace?.id;
  return useQuery({ queryKey: secretKey(ws), queryFn: () => api<VerificationSecret>('/api/identity-verification'), enabled });
}

export function useRotateVerificationSecret() {
  const ws = useSession().workspace?.id;
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<VerificationSecret>('/api/identity-verification/rotate', { method: 'POST' }),
    onSuccess: (data) => {
      client.setQueryData(secretKey(ws), data);
      void client.invalidateQueries({ queryKey: ['ws', ws, 'audit'] });
    },
  });
}
