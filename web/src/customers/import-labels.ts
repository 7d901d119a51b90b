// Import mapping targets in words.
import { useTranslation } from 'react-i18next';
import type { AttributeDef } from './api.ts';
import { isChannel, isConsentPurpose } from './fields.ts';
import { isFieldTarget } from './import-targets.ts';

export function useTargetLabel(defs: readonly AttributeDef[]): (target: string) => string {
  const { t } = useTranslation();
  return (target) => {
    if (isFieldTarget(target)) return t(`customerFields.${target}`);
    if (target.startsWith('attributes.')) {
      const key = target.slice('attributes.'.length);
      return defs.find((d) => d.key === key)?.label ?? key;
    }
    const [, channel, purpose] = target.split('.');
    if (target.startsWith('consent.') && isChannel(channel) && isConsentPurpose(purpose)) {
      return t('imports.consentTarget', { channel: t(`channels.${channel}`), purpose: t(`consentPurposes.${purpose}`) });
    }
    return target;
  };
}
