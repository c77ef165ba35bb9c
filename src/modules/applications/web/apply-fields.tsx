import { CheckboxGroup, RadioGroup, TextAreaField, TextField } from '../../../web/components/form.js';
import { type ExtraQuestion, maxLengthOf } from '../../programmes/questions.js';
import type { FormValues } from '../applicant.presenter.js';

// The programme's own questions on the application form, drawn with the shared controls
// (web/components/form.tsx).

const str = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
const list = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : v ? [v] : []);

const yesNo = [
  { value: 'yes', label: 'はい' },
  { value: 'no', label: 'いいえ' },
];

/** One of the programme's extra questions, with its limits shown (maxlength and the hint). */
export function QuestionField(p: { q: ExtraQuestion; values: FormValues; error?: string | undefined }) {
  const { q } = p;
  const name = `q_${q.id}`;
  const value = p.values[name];
  const common = { name, label: q.label, required: q.required, error: p.error };
  const options = q.options.map((o) => ({ value: o, label: o }));
  switch (q.kind) {
    case 'short_text':
    case 'long_text': {
      const max = maxLengthOf(q);
      const hint = [q.help, `${max}文字以内`].filter(Boolean).join(' ');
      const Control = q.kind === 'long_text' ? TextAreaField : TextField;
      return <Control {...common} hint={hint} maxLength={max} value={str(value)} />;
    }
    case 'yes_no':
      return <RadioGroup {...common} hint={q.help} options={yesNo} value={str(value)} />;
    case 'choice':
      return <RadioGroup {...common} hint={q.help} options={options} value={str(value)} />;
    case 'multi_choice': {
      const max = q.maxSelect ?? q.options.length;
      const hint = [q.help, `${max}個まで選べます`].filter(Boolean).join(' ');
      return <CheckboxGroup {...common} hint={hint} options={options} values={list(value)} />;
    }
  }
}
