import { Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import classes from './AppLayout.module.css';

/** The Rapport mark (as in favicon.svg). */
export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="8" fill="var(--mantine-color-brand-6)" />
      <path d="M10 23V9h7a4.5 4.5 0 0 1 0 9h-7m7 0 5 5" fill="none" stroke="#fff" strokeWidth="3" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

export function Brand() {
  const { t } = useTranslation();
  return (
    <Link to="/" className={classes.brand}>
      <Group gap={8} wrap="nowrap">
        <Logo />
        <Text fw={700} size="lg">
          {t('app.name')}
        </Text>
      </Group>
    </Link>
  );
}
