import { Button } from '@mantine/core';
import { IconMapOff } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { EmptyMessage } from './EmptyMessage.tsx';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <EmptyMessage
      icon={<IconMapOff size={28} />}
      title={t('notFound.title')}
      text={t('notFound.text')}
      action={
        <Button component={Link} to="/" variant="light" mt="sm">
          {t('notFound.home')}
        </Button>
      }
    />
  );
}
