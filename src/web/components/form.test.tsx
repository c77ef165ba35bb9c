import { describe, expect, it } from 'vitest';
import {
  CheckboxField,
  CheckboxGroup,
  ConsentCheckbox,
  fieldsOf,
  RadioGroup,
  SelectField,
  TextAreaField,
  TextField,
} from './form.js';

// The shared controls as HTML: the ties a screen reader follows (label → control, aria-describedby → hint
// and message) must point at ids that exist. Pages are checked with axe-core in tests/e2e.

const html = (node: unknown) => String(node);

/** Every label's `for` and every aria-describedby id names an element of the fragment. */
function expectTiesResolve(fragment: string) {
  const ids = new Set([...fragment.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
  const refs = [
    ...[...fragment.matchAll(/ for="([^"]+)"/g)].map((m) => m[1]),
    ...[...fragment.matchAll(/ aria-describedby="([^"]+)"/g)].flatMap((m) => (m[1] ?? '').split(' ')),
  ];
  expect(refs.length).toBeGreaterThan(0);
  for (const ref of refs) expect(ids, ref).toContain(ref);
}

describe('text controls', () => {
  it('ties a textarea to its label, hint and error, and marks it required', () => {
    const out = html(
      <TextAreaField
        name="summary"
        label="概要"
        required
        maxLength={200}
        hint="200文字以内"
        value="途中"
        error="概要を入力してください"
      />,
    );
    expect(out).toContain('<label for="f-summary">概要<span class="required">※必須</span></label>');
    expect(out).toContain('<p class="hint" id="f-summary-hint">200文字以内</p>');
    expect(out).toMatch(/<textarea id="f-summary" name="summary" rows="6" maxlength="200" required=""/);
    expect(out).toContain(
      'aria-invalid="true" aria-describedby="f-summary-hint f-summary-error">途中</textarea>',
    );
    expect(out).toContain('class="field field-error"');
    expectTiesResolve(out);
  });

  it('takes its own id where one page has two fields of one name', () => {
    const out = html(<TextAreaField name="body" id="f-body-accepted" label="本文" hint="例" error="誤り" />);
    expect(out).toMatch(/<textarea id="f-body-accepted" name="body"/);
    expect(out).toContain('aria-describedby="f-body-accepted-hint f-body-accepted-error"');
    expectTiesResolve(out);
  });

  it('leaves out aria-describedby and aria-invalid when there is nothing to point at', () => {
    const out = html(<TextField name="title" label="名称" value="x" />);
    expect(out).not.toContain('aria-describedby');
    expect(out).not.toContain('aria-invalid');
    expect(out).not.toContain('※必須');
  });

  it('names, labels, fills and flags fields from one table', () => {
    const field = fieldsOf(
      { title: '名称', venue: '会場' },
      { title: 'DX講座' },
      { venue: '会場が長すぎます' },
    );
    expect(field('title')).toEqual({ name: 'title', label: '名称', value: 'DX講座', error: undefined });
    const out = html(
      <>
        <TextField {...field('title')} />
        <SelectField {...field('venue')} options={[{ value: 'a', label: 'A' }]} placeholder="すべて" />
      </>,
    );
    expect(out).toContain('value="DX講座"');
    expect(out).toMatch(
      /<select id="f-venue" name="venue" aria-invalid="true" aria-describedby="f-venue-error">/,
    );
    expectTiesResolve(out);
  });
});

describe('groups of choices', () => {
  const options = [
    { value: 'excel', label: 'Excel' },
    { value: 'python', label: 'Python' },
  ];

  it('puts checkboxes in a fieldset whose legend is the question; the first carries the field id', () => {
    const out = html(
      <CheckboxGroup
        name="q_tools"
        label="使えるツール"
        required
        hint="2個まで選べます"
        error="選んでください"
        options={options}
        values={['python']}
      />,
    );
    expect(out).toMatch(
      /^<fieldset class="field choices field-error" aria-describedby="f-q_tools-hint f-q_tools-error">/,
    );
    expect(out).toContain('<legend>使えるツール<span class="required">※必須</span></legend>');
    expect(out).toContain('id="f-q_tools" name="q_tools" value="excel" aria-invalid="true"');
    expect(out).toMatch(/id="f-q_tools-1" name="q_tools" value="python" checked=""/);
    // Any number may be ticked: `required` on a checkbox would demand every one.
    expect(out).not.toMatch(/<input[^>]*required/);
    expectTiesResolve(out);
  });

  it('splits a long list into labelled sub-groups, the ids running on across them', () => {
    const out = html(
      <CheckboxGroup
        name="prefectureCodes"
        label="実施地域"
        groups={[
          { label: '北海道・東北', options: [{ value: '1', label: '北海道' }] },
          { label: '関東', options: [{ value: '13', label: '東京都' }] },
        ]}
        values={['13']}
      />,
    );
    expect(out).toMatch(/^<fieldset class="checkbox-group">/);
    expect(out).toContain('<fieldset class="checkbox-subgroup"><legend>関東</legend>');
    expect(out).toContain('id="f-prefectureCodes" name="prefectureCodes" value="1"');
    expect(out).toMatch(/name="prefectureCodes" value="13" checked/);
    expect(out).toContain('id="f-prefectureCodes-1"');
    expectTiesResolve(out);
  });

  it('requires an answer on every radio button of a required question', () => {
    const out = html(
      <RadioGroup name="occupation" label="学生・社会人の別" required options={options} value="excel" />,
    );
    expect(out.match(/<input type="radio"[^>]*required=""/g)).toHaveLength(2);
    expect(out).toMatch(/value="excel" checked=""/);
    expectTiesResolve(out);
  });

  it('asks for a consent under its own legend, the box required', () => {
    const out = html(
      <ConsentCheckbox
        name="consentPurpose"
        label="利用目的への同意"
        required
        text="同意します。"
        checked={false}
      />,
    );
    expect(out).toContain('<legend>利用目的への同意<span class="required">※必須</span></legend>');
    expect(out).toMatch(
      /<input type="checkbox" id="f-consentPurpose" name="consentPurpose" value="yes" required=""/,
    );
    expect(out).toContain('<label for="f-consentPurpose">同意します。</label>');
  });

  it('ties a single checkbox to its message', () => {
    const out = html(<CheckboxField name="commitmentRequired" label="誓約を求める" checked error="誤り" />);
    expect(out).toContain('aria-describedby="f-commitmentRequired-error"');
    expect(out).toMatch(/value="yes" checked=""/);
    expectTiesResolve(out);
  });
});
