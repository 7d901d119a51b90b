// Log in with e-mail and password.
import { Alert, Button, Center, Container, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconAlertCircle, IconInfoCircle } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { ApiError } from '../api/client.ts';
import { errorMessage } from '../api/query-client.ts';
import { Logo } from '../app/Brand.tsx';
import { ColorSchemeToggle } from '../app/ColorSchemeToggle.tsx';
import { LanguageSwitch } from '../app/LanguageSwitch.tsx';
import { safeNext } from '../app/nav.ts';
import { FullPageLoader } from './RequireAuth.tsx';
import { useLogin, useMe } from './session.ts';
import classes from './LoginPage.module.css';

export function LoginPage() {
  const { t } = useTranslation();
  const me = useMe();
  const login = useLogin();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  if (me.isPending) return <FullPageLoader />;
  if (me.data && !login.isPending) return <Navigate to={next} replace />;

  function submit(event: FormEvent) {
    event.preventDefault();
    login.mutate({ email: email.trim(), password }, { onSuccess: () => void navigate(next, { replace: true }) });
  }

  const error = login.error;
  const errorText = error instanceof ApiError && error.status === 401 ? t('auth.invalidCredentials') : errorMessage(error);

  return (
    <div className={classes.page}>
      <Group justify="flex-end" p="md" gap={6}>
        <LanguageSwitch />
        <ColorSchemeToggle />
      </Group>
      <Center style={{ flex: 1 }} pb={80}>
        <Container size={420} w="100%">
          <Stack align="center" gap={6} mb="lg">
            <Logo size={44} />
            <Title order={2} ta="center">
              {t('auth.title')}
            </Title>
            <Text c="dimmed" size="sm" ta="center">
              {t('auth.subtitle')}
            </Text>
          </Stack>
          <Paper withBorder shadow="sm" p="xl" radius="md">
            <form onSubmit={submit} noValidate>
              <Stack>
                {error && (
                  <Alert color="red" icon={<IconAlertCircle size={18} />} title={t('auth.failed')} role="alert" data-testid="login-error">
                    {errorText}
                  </Alert>
                )}
                <TextInput
                  label={t('auth.email')}
                  placeholder={t('auth.emailPlaceholder')}
                  type="email"
                  autoComplete="username"
                  value={email}
                  onChange={(e) => setEmail(e.currentTarget.value)}
                  required
                  autoFocus
                  name="email"
                />
                <PasswordInput
                  label={t('auth.password')}
                  autoComplete="current-password"
                  value={password}
                  onChange={(e) => setPassword(e.currentTarget.value)}
                  required
                  name="password"
                />
                <Button type="submit" fullWidth loading={login.isPending} disabled={!email.trim() || !password} mt="xs">
                  {t('auth.submit')}
                </Button>
              </Stack>
            </form>
          </Paper>
          <Group gap={6} mt="md" wrap="nowrap" align="flex-start" c="dimmed">
            <IconInfoCircle size={16} style={{ flexShrink: 0, marginTop: 2 }} />
            <Text size="xs">{t('auth.firstStart')}</Text>
          </Group>
        </Container>
      </Center>
    </div>
  );
}
