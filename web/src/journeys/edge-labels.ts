// The words on a branch: Yes/No, It happened/It didn't, a split's key and share. Pure.
import type { TFunction } from 'i18next';
import type { Branch } from './branches.ts';

export function branchLabel(t: TFunction, b: Pick<Branch, 'kind' | 'key' | 'share'>, language: string): string {
  switch (b.kind) {
    case 'yes':
    case 'no':
    case 'happened':
    case 'timeout':
      return t(`journeys.edges.${b.kind}`);
    case 'split':
      return `${b.key ?? ''} · ${new Intl.NumberFormat(language, { style: 'percent' }).format((b.share ?? 0) / 100)}`;
    default:
      return '';
  }
}
