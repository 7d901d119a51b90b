// A page only some roles may open; others see why, rather than an error from the server.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session.ts';
import { NoWorkspace } from '../workspaces/NoWorkspace.tsx';
import type { Permission } from '../workspaces/roles.ts';
import { EmptyMessage } from './EmptyMessage.tsx';
import { IconLock } from '@tabler/icons-react';

export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { t } = useTranslation();
  const me = useSession();
  if (!me.workspace) return <NoWorkspace />;
  if (!me.permissions.includes(permission)) {
    return (
      <EmptyMessage
        icon={<IconLock size={28} />}
        title={t('common.notAllowedTitle')}
        text={t('common.notAllowedText', { role: me.role ? t(`roles.${me.role}`) : '—' })}
      />
    );
  }
  return children;
}
