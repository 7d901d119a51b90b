// Create one customer by hand. An e-mail, phone or external id another customer holds is
// refused by the server; the form then links to that customer.
import { Alert, Anchor, Button, Group, Modal, Select, SimpleGrid, Stack, TagsInput, TextInput } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { errorMessage, notifySuccess } from '../api/query-client.ts';
import { useCreateCustomer, type NewCustomer } from './api.ts';
import { conflictOf } from './api-errors.ts';
import { GENDERS, LIFECYCLE_STAGES, type Gender, type LifecycleStage } from './fields.ts';
import { displayName } from './format.ts';

type Form = { name: string; email: string; phone: string; birthday: string; gender: Gender | null; lifecycleStage: LifecycleStage | null; tags: string[]; source: string };
const EMPTY: Form = { name: '', email: '', phone: '', birthday: '', gender: null, lifecycleStage: 'lead', tags: [], source: '' };

export function NewCustomerModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const create = useCreateCustomer();
  const [form, setForm] = useState<Form>(EMPTY);
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  const conflict = conflictOf(create.error);

  function close() {
    setForm(EMPTY);
    create.reset();
    onClose();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const input: NewCustomer = { tags: form.tags };
    const text = (v: string) => (v.trim() ? v.trim() : undefined);
    if (text(form.name)) input.name = text(form.name);
    if (text(form.email)) input.email = text(form.email);
    if (text(form.phone)) input.phone = text(form.phone);
    if (text(form.birthday)) input.birthday = text(form.birthday);
    if (text(form.source)) input.source = text(form.source);
    if (form.gender) input.gender = form.gender;
    if (form.lifecycleStage) input.lifecycleStage = form.lifecycleStage;
    create.mutate(input, {
      onSuccess: (customer) => {
        notifySuccess(t('newCustomer.created', { name: displayName(customer) }));
        close();
        navigate(`/customers/${customer.id}`);
      },
    });
  }

  return (
    <Modal opened={opened} onClose={close} title={t('newCustomer.title')} size="lg">
      <form onSubmit={submit}>
        <Stack>
          {create.isError && (
            <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="new-customer-error">
              {errorMessage(create.error)}
              {conflict && (
                <Anchor component={Link} to={`/customers/${conflict.customerId}`} onClick={close} display="block" mt={4} size="sm">
                  {t('newCustomer.openExisting')}
                </Anchor>
              )}
            </Alert>
          )}
          <TextInput label={t('customerFields.name')} value={form.name} onChange={(e) => set('name', e.currentTarget.value)} data-autofocus name="name" />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label={t('customerFields.email')} type="email" value={form.email} onChange={(e) => set('email', e.currentTarget.value)} name="email" />
            <TextInput label={t('customerFields.phone')} placeholder={t('newCustomer.phonePlaceholder')} value={form.phone} onChange={(e) => set('phone', e.currentTarget.value)} name="phone" />
            <TextInput label={t('customerFields.birthday')} type="date" value={form.birthday} onChange={(e) => set('birthday', e.currentTarget.value)} name="birthday" />
            <Select
              label={t('customerFields.gender')}
              data={GENDERS.map((g) => ({ value: g, label: t(`genders.${g}`) }))}
              value={form.gender}
              onChange={(v) => set('gender', v as Gender | null)}
              clearable
            />
            <Select
              label={t('customerFields.lifecycleStage')}
              data={LIFECYCLE_STAGES.map((s) => ({ value: s, label: t(`stages.${s}`) }))}
              value={form.lifecycleStage}
              onChange={(v) => set('lifecycleStage', v as LifecycleStage | null)}
              clearable
            />
            <TextInput label={t('customerFields.source')} value={form.source} onChange={(e) => set('source', e.currentTarget.value)} name="source" />
          </SimpleGrid>
          <TagsInput label={t('customerFields.tags')} value={form.tags} onChange={(v) => set('tags', v)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending} data-testid="new-customer-submit">
              {t('newCustomer.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
