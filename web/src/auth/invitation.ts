// The invitation a link carries: its token (from the link's fragment, kept for the tab while the
// person logs in), what it offers, and accepting it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from '../api/client.ts';
import type { Role } from '../workspaces/roles.ts';
import { reloadSession } from './session.ts';

export type InvitationPreview = { workspaceName: string; email: string; role: Role; invitedBy: string | null; expiresAt: string };

const STORAGE_KEY = 'rapport.invitation';

/**
 * The token of /invite#<token>. It is moved out of the address bar (so it is not left in
 * history or shared by a screenshot) into this tab's storage, where it survives logging in.
 */
export function takeInvitationToken(): string | null {
  const fromLink = window.location.hash.replace(/^#/, '');
  if (fromLink) {
    sessionStorage.setItem(STORAGE_KEY, fromLink);
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromLink;
  }
  return sessionStorage.getItem(STORAGE_KEY);
}

export function forgetInvitationToken(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

export function useInvitationPreview(token: string | null) {
  return useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api<InvitationPreview>('/api/invitations/preview', { method: 'POST', body: { token } }),
    enabled: token !== null,
    retry: false,
    staleTime: Infinity,
  });
}

/** Accept as the logged-in person, then open the workspace. */
export function useAcceptInvitation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (token: string) => {
      const joined = await api<{ workspaceId: string; role: Role }>('/api/invitations/accept', { method: 'POST', body: { token } });
      await reloadSession(client);
      return joined;
    },
  });
}

/** Create the invited e-mail's account and join; the answer logs in. */
export function useRegisterInvitation() {
  const client = useQueryClient();
  return useMutation({
    meta: { silent: true }, // the form shows its own error
    mutationFn: async (input: { token: string; password: string; name?: string }) => {
      const res = await api<{ csrfToken: string }>('/api/invitations/register', { method: 'POST', body: input });
      setCsrfToken(res.csrfToken);
      return reloadSession(client);
    },
  });
}
