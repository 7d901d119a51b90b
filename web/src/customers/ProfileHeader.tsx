// The top of a profile: name, stage and tags, and the privacy actions (export everything held,
// erase for good, soft delete).
import { Badge, Button, Group, Menu, Stack, Text, Title } from '@mantine/core';
import { IconChevronDown, IconDownload, IconEraser, IconEyeOff, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { ConfirmModal } from '../app/ConfirmModal.tsx';
import { notifySuccess } from '../api/query-client.ts';
import { useCan } from '../auth/session.ts';
import { SendMessageButton } from '../messaging/SendMessageModal.tsx';
import { customerPath, useDeleteCustomer, type Customer } from './api.ts';
import { StageBadge, TagList } from './badges.tsx';
import { displayName, downloadName } from './format.ts';
import { useEraseCustomer } from './profile-api.ts';

export function ProfileHeader({ customer }: { customer: Customer }) {
  const { t } = useTranslation();
  const can = useCan();
  const navigate = useNavigate();
  const erase = useEraseCustomer();
  const remove = useDeleteCustomer();
  const [confirm, setConfirm] = useState<'erase' | 'delete' | null>(null);
  const name = displayName(customer);

  function confirmed() {
    if (confirm === 'erase') {
      erase.mutate(customer.id, {
        onSuccess: () => {
          notifySuccess(t('privacy.erased', { name }));
          setConfirm(null);
          // An erased profile is also deleted: only anonymous aggregates keep it.
          navigate('/customers');
        },
      });
    } else if (confirm === 'delete') {
      remove.mutate(customer.id, {
        onSuccess: () => {
          notifySuccess(t('privacy.deleted', { name }));
          setConfirm(null);
          navigate('/customers');
        },
      });
    }
  }

  return (
    <Group justify="space-between" align="flex-start" mb="lg" gap="md">
      <Stack gap={6} style={{ flex: '1 1 320px' }}>
        <Group gap="sm">
          <Title order={2} data-testid="customer-name">
            {name}
          </Title>
          <StageBadge stage={customer.lifecycleStage} />
          {customer.masked && (
            <Badge variant="light" color="gray" leftSection={<IconEyeOff size={12} />} data-testid="masked-badge">
              {t('profile.masked')}
            </Badge>
          )}
        </Group>
        <TagList tags={customer.tags} max={12} />
        {customer.email || customer.phone ? (
          <Text size="sm" c="dimmed">
            {[customer.email, customer.phone].filter(Boolean).join(' · ')}
          </Text>
        ) : null}
      </Stack>
      <SendMessageButton customerId={customer.id} />
      <Menu position="bottom-end" shadow="md">
        <Menu.Target>
          <Button variant="default" rightSection={<IconChevronDown size={16} />} data-testid="privacy-menu">
            {t('privacy.menu')}
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          {can('pii.read') && (
            <Menu.Item
              component="a"
              href={customerPath(customer.id, '/export')}
              download={downloadName('customer', customer, 'json')}
              leftSection={<IconDownload size={16} />}
              data-testid="export-data"
            >
              {t('privacy.export')}
            </Menu.Item>
          )}
          {can('customers.erase') && !customer.erasedAt && (
            <Menu.Item color="red" leftSection={<IconEraser size={16} />} onClick={() => setConfirm('erase')} data-testid="erase-customer">
              {t('privacy.erase')}
            </Menu.Item>
          )}
          {can('customers.write') && (
            <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={() => setConfirm('delete')} data-testid="delete-customer">
              {t('privacy.delete')}
            </Menu.Item>
          )}
        </Menu.Dropdown>
      </Menu>
      <ConfirmModal
        opened={confirm !== null}
        title={confirm === 'erase' ? t('privacy.eraseTitle') : t('privacy.deleteTitle')}
        message={confirm === 'erase' ? t('privacy.eraseConfirm', { name }) : t('privacy.deleteConfirm', { name })}
        confirmLabel={confirm === 'erase' ? t('privacy.erase') : t('privacy.delete')}
        loading={erase.isPending || remove.isPending}
        onConfirm={confirmed}
        onClose={() => setConfirm(null)}
      />
    </Group>
  );
}
