// /settings opens the first settings page your role may see.
import { Navigate } from 'react-router-dom';
import { visibleSettings } from '../app/nav.ts';
import { useSession } from '../auth/session.ts';
import { NoWorkspace } from './NoWorkspace.tsx';

export function SettingsIndex() {
  const me = useSession();
  const first = visibleSettings(me.permissions, Boolean(me.workspace))[0];
  return first ? <Navigate to={first.path} replace /> : <NoWorkspace />;
}
