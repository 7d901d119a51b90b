// The navbar: workspace switcher, the areas you may open, and the API reference.
import { AppShell, Divider, NavLink, ScrollArea } from '@mantine/core';
import { IconActivity, IconApi, IconChartBar, IconChartPie, IconExternalLink, IconHome, IconMail, IconPackage, IconSettings, IconShoppingCartOff, IconUsers } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router-dom';
import { useSession } from '../auth/session.ts';
import { WorkspaceSwitcher } from '../workspaces/WorkspaceSwitcher.tsx';
import { isActivePath, visibleMain, visibleMessaging, visibleSettings, type MainSection } from './nav.ts';

const MAIN_ICONS: Record<MainSection['id'], typeof IconHome> = { customers: IconUsers, segments: IconChartPie, events: IconActivity, products: IconPackage, 'abandoned-carts': IconShoppingCartOff, analytics: IconChartBar };

export function Navigation() {
  const { t } = useTranslation();
  const me = useSession();
  const { pathname } = useLocation();
  const main = visibleMain(me.permissions, Boolean(me.workspace));
  const settings = visibleSettings(me.permissions, Boolean(me.workspace));
  const messaging = visibleMessaging(me.permissions, Boolean(me.workspace));
  const inMessages = isActivePath(pathname, '/messages') || isActivePath(pathname, '/campaigns') || isActivePath(pathname, '/journeys');
  const [messagesOpen, setMessagesOpen] = useState(true);
  const inSettings = isActivePath(pathname, '/settings');
  const [settingsOpen, setSettingsOpen] = useState(inSettings);
  useEffect(() => {
    if (inSettings) setSettingsOpen(true);
  }, [inSettings]);

  return (
    <>
      <AppShell.Section>
        <WorkspaceSwitcher />
        <Divider my="sm" />
      </AppShell.Section>
      <AppShell.Section grow component={ScrollArea}>
        <NavLink component={Link} to="/" label={t('nav.home')} leftSection={<IconHome size={18} />} active={pathname === '/'} data-testid="nav-home" />
        {main.map((s) => {
          const Icon = MAIN_ICONS[s.id];
          return <NavLink key={s.id} component={Link} to={s.path} label={t(s.label)} leftSection={<Icon size={18} />} active={isActivePath(pathname, s.path)} data-testid={`nav-${s.id}`} />;
        })}
        {messaging.length > 0 && (
          <NavLink label={t('messaging.nav.group')} leftSection={<IconMail size={18} />} opened={messagesOpen || inMessages} onChange={setMessagesOpen} childrenOffset={28} data-testid="nav-messages">
            {messaging.map((s) => (
              // The log is /messages itself: it is not active on the pages below it, which have their own links.
              <NavLink key={s.id} component={Link} to={s.path} label={t(s.label)} active={s.id === 'messages-log' ? pathname === s.path : isActivePath(pathname, s.path)} data-testid={`nav-${s.id}`} />
            ))}
          </NavLink>
        )}
        {settings.length > 0 && (
          <NavLink
            label={t('nav.settings')}
            leftSection={<IconSettings size={18} />}
            opened={settingsOpen}
            onChange={setSettingsOpen}
            childrenOffset={28}
            data-testid="nav-settings"
          >
            {settings.map((s) => (
              <NavLink key={s.id} component={Link} to={s.path} label={t(s.label)} active={isActivePath(pathname, s.path)} data-testid={`nav-${s.id}`} />
            ))}
          </NavLink>
        )}
      </AppShell.Section>
      <AppShell.Section>
        <Divider my="sm" />
        <NavLink
          component="a"
          href="/docs"
          target="_blank"
          rel="noopener"
          label={t('nav.apiDocs')}
          leftSection={<IconApi size={18} />}
          rightSection={<IconExternalLink size={14} />}
        />
      </AppShell.Section>
    </>
  );
}
