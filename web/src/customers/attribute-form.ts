// The custom attribute form's rules (the server checks the same). Pure.
import type { AttributePurpose, AttributeType } from './fields.ts';

export type AttributeForm = {
  key: string;
  label: string;
  type: AttributeType;
  options: string[];
  purpose: AttributePurpose | null;
  description: string;
  required: boolean;
};

export const ATTRIBUTE_KEY = /^[a-z][a-z0-9_]{0,62}$/;

export function attributeFormErrors(form: AttributeForm): Partial<Record<'key' | 'label' | 'options' | 'purpose', true>> {
  const errors: Partial<Record<'key' | 'label' | 'options' | 'purpose', true>> = {};
  if (!ATTRIBUTE_KEY.test(form.key)) errors.key = true;
  if (!form.label.trim()) errors.label = true;
  if (!form.purpose) errors.purpose = true;
  if (form.type === 'enum' && form.options.length === 0) errors.options = true;
  return errors;
}

/** A key suggested from a label: "Height (cm)" → `height_cm`; "" when the label has no Latin letters. */
export function keyFromLabel(label: string): string {
  const key = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '')
    .slice(0, 63);
  return key;
}
