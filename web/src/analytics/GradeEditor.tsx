// The ordered list of grades (highest first) with each grade's rule: a minimum RFM score, spend
// or number of orders, all of several rules, or everyone else. Errors sit at their fields.
import { ActionIcon, Button, Group, NumberInput, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash, IconX } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { addGrade, moveGrade, newGradeName, ruleOfKind, RULE_KINDS, spendToMajor, spendToMinor, type Grade, type GradeRule, type RuleKind } from './settings-form.ts';

type Errors = ReadonlyMap<string, string>;

function RuleEditor({ rule, onChange, path, depth, errors, currency }: { rule: GradeRule; onChange: (r: GradeRule) => void; path: string; depth: number; errors: Errors; currency: string }) {
  const { t } = useTranslation();
  const kinds = depth === 0 ? RULE_KINDS : RULE_KINDS.filter((k) => k !== 'always');
  const setMin = (v: number | string) => {
    if (rule.kind === 'all' || rule.kind === 'always') return;
    const n = typeof v === 'number' ? v : Number.NaN;
    onChange({ ...rule, min: rule.kind === 'spend' && Number.isFinite(n) ? spendToMinor(n, currency) : (n as number) });
  };
  const minValue = rule.kind === 'all' || rule.kind === 'always' ? '' : rule.kind === 'spend' ? spendToMajor(rule.min, currency) : Number.isFinite(rule.min) ? rule.min : '';
  return (
    <Stack gap="xs" style={{ flex: 1 }}>
      <Group gap="xs" align="flex-start" wrap="wrap">
        <Select
          w={280}
          aria-label={t('analytics.settings.ruleKind')}
          data={kinds.map((k) => ({ value: k, label: t(`analytics.settings.kinds.${k}`) }))}
          value={rule.kind}
          allowDeselect={false}
          onChange={(k) => k && onChange(ruleOfKind(k as RuleKind, rule))}
          error={errors.get(`${path}.kind`) ?? errors.get(path)}
          data-testid="grade-rule-kind"
          data-path={path}
        />
        {rule.kind !== 'all' && rule.kind !== 'always' && (
          <NumberInput
            w={180}
            aria-label={t('analytics.settings.min')}
            value={minValue}
            onChange={setMin}
            leftSection={rule.kind === 'spend' ? <Text size="xs">{currency}</Text> : undefined}
            leftSectionWidth={rule.kind === 'spend' ? 44 : undefined}
            allowDecimal={rule.kind === 'spend'}
            thousandSeparator=","
            error={errors.get(`${path}.min`)}
            data-testid="grade-rule-min"
            data-path={path}
          />
        )}
      </Group>
      {rule.kind === 'all' && (
        <Stack gap="xs" pl="md" style={{ borderLeft: '2px solid var(--mantine-color-default-border)' }}>
          {errors.get(`${path}.rules`) && (
            <Text size="xs" c="red">
              {errors.get(`${path}.rules`)}
            </Text>
          )}
          {rule.rules.map((r, i) => (
            <Group key={i} gap="xs" align="flex-start" wrap="nowrap">
              <RuleEditor
                rule={r}
                path={`${path}.rules[${i}]`}
                depth={depth + 1}
                errors={errors}
                currency={currency}
                onChange={(next) => onChange({ ...rule, rules: rule.rules.map((x, j) => (j === i ? next : x)) })}
              />
              <ActionIcon variant="subtle" color="gray" mt={6} aria-label={t('analytics.settings.removeCondition')} onClick={() => onChange({ ...rule, rules: rule.rules.filter((_, j) => j !== i) })}>
                <IconX size={16} />
              </ActionIcon>
            </Group>
          ))}
          <Button variant="subtle" size="xs" leftSection={<IconPlus size={14} />} w="fit-content" onClick={() => onChange({ ...rule, rules: [...rule.rules, { kind: 'orders', min: 1 }] })}>
            {t('analytics.settings.addCondition')}
          </Button>
        </Stack>
      )}
    </Stack>
  );
}

export function GradeEditor({ grades, onChange, errors, currency }: { grades: Grade[]; onChange: (g: Grade[]) => void; errors: Errors; currency: string }) {
  const { t } = useTranslation();
  const set = (i: number, grade: Grade) => onChange(grades.map((g, j) => (j === i ? grade : g)));
  return (
    <Stack gap="sm" data-testid="grade-editor">
      {errors.get('body.grades') && (
        <Text size="sm" c="red">
          {errors.get('body.grades')}
        </Text>
      )}
      {grades.map((g, i) => {
        const path = `body.grades[${i}]`;
        return (
          <Paper key={i} withBorder p="sm" data-testid="grade-editor-row">
            <Group align="flex-start" gap="sm" wrap="wrap">
              <Stack gap={2}>
                <ActionIcon variant="subtle" color="gray" size="sm" disabled={i === 0} aria-label={t('analytics.settings.moveUp')} onClick={() => onChange(moveGrade(grades, i, -1))}>
                  <IconArrowUp size={14} />
                </ActionIcon>
                <ActionIcon variant="subtle" color="gray" size="sm" disabled={i === grades.length - 1} aria-label={t('analytics.settings.moveDown')} onClick={() => onChange(moveGrade(grades, i, 1))}>
                  <IconArrowDown size={14} />
                </ActionIcon>
              </Stack>
              <TextInput
                w={180}
                aria-label={t('analytics.settings.gradeName')}
                placeholder={t('analytics.settings.gradeName')}
                value={g.name}
                onChange={(e) => set(i, { ...g, name: e.currentTarget.value })}
                error={errors.get(`${path}.name`) ?? errors.get(path)}
                data-testid="grade-name"
              />
              <RuleEditor rule={g.rule} path={`${path}.rule`} depth={0} errors={errors} currency={currency} onChange={(rule) => set(i, { ...g, rule })} />
              <ActionIcon variant="subtle" color="red" mt={6} aria-label={t('analytics.settings.removeGrade')} onClick={() => onChange(grades.filter((_, j) => j !== i))}>
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
          </Paper>
        );
      })}
      <Button variant="light" leftSection={<IconPlus size={16} />} w="fit-content" onClick={() => onChange(addGrade(grades, newGradeName(grades, t('analytics.settings.newGradeBase'))))} data-testid="grade-add">
        {t('analytics.settings.addGrade')}
      </Button>
    </Stack>
  );
}
