// Words for customer fields, values and conditions in the UI's language.
import { useTranslation } from 'react-i18next';
import { en } from '../i18n/en.ts';
import type { AttributeDef } from './api.ts';
import { isGender, isLifecycleStage } from './fields.ts';
import { conditionValueText, opNeedsValue, type Condition } from './list-query.ts';

export type CustomerField = keyof typeof en.customerFields;

export function isCustomerField(id: string): id is CustomerField {
  return Object.hasOwn(en.customerFields, id);
}

/** The label of a standard field or an `attributes.<key>` (the attribute's own label). */
export function useFieldLabel(defs: readonly AttributeDef[]): (id: string) => string {
  const { t } = useTranslation();
  return (id) => {
    if (isCustomerField(id)) return t(`customerFields.${id}`);
    const key = id.startsWith('attributes.') ? id.slice('attributes.'.length) : id;
    return defs.find((d) => d.key === key)?.label ?? key;
  };
}

/** A value of a field in words: stages, genders and yes/no translated, the rest as it is. */
export function useValueLabel(): (fieldId: string, value: string) => string {
  const { t } = useTranslation();
  return (fieldId, value) => {
    if (fieldId === 'lifecycleStage' && isLifecycleStage(value)) return t(`stages.${value}`);
    if (fieldId === 'gender' && isGender(value)) return t(`genders.${value}`);
    if (value === 'true') return t('common.yes');
    if (value === 'false') return t('common.no');
    return value;
  };
}

/** "Gender is Female", "Region is one of 서울, 경기". */
export function useConditionText(defs: readonly AttributeDef[]): (c: Condition) => string {
  const { t } = useTranslation();
  const fieldLabel = useFieldLabel(defs);
  const valueLabel = useValueLabel();
  return (c) => {
    const field = fieldLabel(c.field);
    const op = t(`filterOps.${c.op}`);
    if (!opNeedsValue(c.op)) return `${field} ${op}`;
    const value = Array.isArray(c.value) ? c.value.map((v) => valueLabel(c.field, v)).join(', ') : valueLabel(c.field, conditionValueText(c.value));
    return `${field} ${op} ${value}`;
  };
}
