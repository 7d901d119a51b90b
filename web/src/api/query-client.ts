// TanStack Query set-up: server state lives here. Failed writes show the server's message in a
// notification; any 401 means the session is gone, so the app goes back to the login page.
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { i18n } from '../i18n/index.ts';
import { ApiError } from './client.ts';

export const ME_KEY = ['me'] as const;

declare module '@tanstack/react-query' {
  interface Register {
    defaultError: Error;
    /** silent: the caller shows the error itself. */
    mutationMeta: { silent?: boolean };
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError && err.code === 'network') return i18n.t('common.networkError');
  return err instanceof Error ? err.message : String(err);
}

export function notifyError(err: unknown): void {
  notifications.show({ color: 'red', title: i18n.t('common.errorTitle'), message: errorMessage(err), withBorder: true });
}

export function notifySuccess(message: string): void {
  notifications.show({ color: 'teal', message, withBorder: true });
}

function isClientError(err: unknown): boolean {
  return err instanceof ApiError && err.status >= 400 && err.status < 500;
}

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (err, q) => {
        if (err instanceof ApiError && err.status === 401 && q.queryKey[0] !== ME_KEY[0]) client.setQueryData(ME_KEY, null);
      },
    }),
    mutationCache: new MutationCache({
      onError: (err, _variables, _context, mutation) => {
        if (err instanceof ApiError && err.status === 401) client.setQueryData(ME_KEY, null);
        if (!mutation.meta?.silent) notifyError(err);
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        retry: (failures, err) => !isClientError(err) && failures < 2,
      },
      mutations: { retry: false },
    },
  });
  return client;
}
