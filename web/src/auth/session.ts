// The logged-in person: who they are, their workspaces, the active one, and what they may do.
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, ApiError, setCsrfToken } from '../api/client.ts';
import { ME_KEY } from '../api/query-client.ts';
import type { Permission, Role } from '../workspaces/roles.ts';
import type { Workspace, WorkspaceWithRole } from '../workspaces/workspace.ts';

export type User = { id: string; email: string; name: string; locale: string | null; createdAt: string };

export type Me = {
  user: User;
  workspaces: WorkspaceWithRole[];
  workspace: Workspace | null;
  role: Role | null;
  permissions: Permission[];
  csrfToken: string;
};

/** The session, or null when nobody is logged in. */
export async function fetchMe(): Promise<Me | null> {
  try {
    const me = await api<Me>('/api/me');
    setCsrfToken(me.csrfToken);
    return me;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw err;
  }
}

export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 5 * 60_000 });
}

/** The session of a page inside the app shell, which only renders once it is known. */
export function useSession(): Me {
  const { data } = useMe();
  if (!data) throw new Error('useSession: used outside a logged-in page');
  return data;
}

export function useCan(): (permission: Permission) => boolean {
  const me = useSession();
  return (permission) => me.permissions.includes(permission);
}

/** Forget everything cached for the previous session or workspace and load the session again. */
export async function reloadSession(client: QueryClient): Promise<Me | null> {
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });
  return client.fetchQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 0 });
}

type LoginResponse = { csrfToken: string; currentWorkspaceId: string | null };

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    meta: { silent: true }, // the login form shows its own error
    mutationFn: async (credentials: { email: string; password: string }) => {
      const res = await api<LoginResponse>('/api/auth/login', { method: 'POST', body: credentials });
      setCsrfToken(res.csrfToken);
      return reloadSession(client);
    },
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ ok: true }>('/api/auth/logout', { method: 'POST' }),
    onSettled: () => {
      setCsrfToken(null);
      client.clear();
      client.setQueryData(ME_KEY, null);
    },
  });
}
