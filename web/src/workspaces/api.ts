// Server state of the workspaces area: the workspace, its members, API keys and audit log.
// Query keys start with the workspace id, so switching workspace never shows another's data.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query } from '../api/client.ts';
import { ME_KEY } from '../api/query-client.ts';
import { reloadSession, useSession } from '../auth/session.ts';
import type { Role } from './roles.ts';
import type { Workspace, WorkspaceWithRole } from './workspace.ts';

export type { Workspace, WorkspaceWithRole } from './workspace.ts';
export type Member = { userId: string; email: string; name: string; role: Role; joinedAt: string };
export type ApiKeyKind = 'secret' | 'write';
export type ApiKey = {
  id: string;
  kind: ApiKeyKind;
  role: Role | null;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};
export type CreatedApiKey = ApiKey & { key: string };
export type AuditEntry = {
  id: string;
  at: string;
  actor: { type: string; id: string | null; label: string | null };
  action: string;
  entityType: string;
  entityId: string | null;
  diff: unknown;
};
type AuditPage = { items: AuditEntry[]; nextCursor: string | null };

function useWorkspaceId(): string {
  const me = useSession();
  if (!me.workspace) throw new Error('useWorkspaceId: no active workspace');
  return me.workspace.id;
}

const keys = {
  workspace: (ws: string) => ['ws', ws, 'workspace'] as const,
  members: (ws: string) => ['ws', ws, 'members'] as const,
  apiKeys: (ws: string) => ['ws', ws, 'keys'] as const,
  audit: (ws: string) => ['ws', ws, 'audit'] as const,
};

export function useWorkspace() {
  const ws = useWorkspaceId();
  return useQuery({ queryKey: keys.workspace(ws), queryFn: () => api<Workspace>('/api/workspace') });
}

export function useUpdateWorkspace() {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: Partial<Pick<Workspace, 'name' | 'timeZone' | 'currency'>>) => api<Workspace>('/api/workspace', { method: 'PATCH', body: patch }),
    onSuccess: (workspace) => {
      client.setQueryData(keys.workspace(ws), workspace);
      void client.invalidateQueries({ queryKey: ME_KEY });
      void client.invalidateQueries({ queryKey: keys.audit(ws) });
    },
  });
}

export function useSwitchWorkspace() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (workspaceId: string) => api<{ workspace: Workspace; role: Role }>('/api/me/workspace', { method: 'PUT', body: { workspaceId } }),
    onSuccess: () => reloadSession(client),
  });
}

export function useCreateWorkspace() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (name: string) => {
      const created = await api<WorkspaceWithRole>('/api/workspaces', { method: 'POST', body: { name } });
      await api('/api/me/workspace', { method: 'PUT', body: { workspaceId: created.id } });
      return created;
    },
    onSuccess: () => reloadSession(client),
  });
}

export function useMembers() {
  const ws = useWorkspaceId();
  return useQuery({ queryKey: keys.members(ws), queryFn: () => api<{ items: Member[] }>('/api/members').then((r) => r.items) });
}

function useMemberMutation<V, R>(fn: (v: V) => Promise<R>) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.members(ws) });
      void client.invalidateQueries({ queryKey: keys.audit(ws) });
    },
  });
}

export type Invitation = { id: string; email: string; role: Role; invitedBy: string | null; createdAt: string; expiresAt: string };
/** A new invitation: `url` holds the one-time token and is shown only now. */
export type CreatedInvitation = Invitation & { url: string };

export function useInvitations(enabled: boolean) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: [...keys.members(ws), 'invitations'],
    queryFn: () => api<{ items: Invitation[] }>('/api/invitations').then((r) => r.items),
    enabled,
  });
}

export function useInvite() {
  return useMemberMutation((input: { email: string; role: Role }) => api<CreatedInvitation>('/api/invitations', { method: 'POST', body: input }));
}

export function useWithdrawInvitation() {
  return useMemberMutation((id: string) => api(`/api/invitations/${encodeURIComponent(id)}`, { method: 'DELETE' }));
}

export function useChangeMemberRole() {
  return useMemberMutation(({ userId, role }: { userId: string; role: Role }) =>
    api<Member>(`/api/members/${encodeURIComponent(userId)}`, { method: 'PATCH', body: { role } }),
  );
}

export function useRemoveMember() {
  return useMemberMutation((userId: string) => api(`/api/members/${encodeURIComponent(userId)}`, { method: 'DELETE' }));
}

export function useApiKeys() {
  const ws = useWorkspaceId();
  return useQuery({ queryKey: keys.apiKeys(ws), queryFn: () => api<{ items: ApiKey[] }>('/api/keys').then((r) => r.items) });
}

function useKeyMutation<V, R>(fn: (v: V) => Promise<R>) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keys.apiKeys(ws) });
      void client.invalidateQueries({ queryKey: keys.audit(ws) });
    },
  });
}

export type NewApiKey = { kind: ApiKeyKind; name: string; role?: Role };

export function useCreateApiKey() {
  return useKeyMutation((input: NewApiKey) => api<CreatedApiKey>('/api/keys', { method: 'POST', body: input }));
}

export function useRevokeApiKey() {
  return useKeyMutation((id: string) => api<ApiKey>(`/api/keys/${encodeURIComponent(id)}`, { method: 'DELETE' }));
}

export const AUDIT_PAGE_SIZE = 50;

export function useAuditLog() {
  const ws = useWorkspaceId();
  return useInfiniteQuery({
    queryKey: keys.audit(ws),
    queryFn: ({ pageParam }) => api<AuditPage>(`/api/audit${query({ limit: AUDIT_PAGE_SIZE, cursor: pageParam })}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}
