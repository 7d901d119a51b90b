// A customer in the at-risk and dormant lists: the name as a link to the profile, and the
// (possibly masked) e-mail under it.
import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { displayName } from '../customers/format.ts';

export function CustomerCell({ c }: { c: { customerId: string; name: string | null; email: string | null; phone: string | null } }) {
  return (
    <>
      <Anchor component={Link} to={`/customers/${c.customerId}`} size="sm" fw={500} data-testid="analytics-customer-link">
        {displayName({ id: c.customerId, name: c.name, email: c.email, phone: c.phone, externalId: null })}
      </Anchor>
      {c.email && c.name && (
        <Text size="xs" c="dimmed">
          {c.email}
        </Text>
      )}
    </>
  );
}
