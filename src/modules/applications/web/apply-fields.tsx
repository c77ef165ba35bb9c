import type { Child } from 'hono/jsx';
import { type ExtraQuestion, maxLengthOf } from '../../programmes/questions.js';
import type { FormValues } from '../applicant.presenter.js';

// Form controls the shared components (web/components/form.tsx) do not have: textarea, radio and checkbox
// groups, one checkbox. Same デジタル庁 pattern: label or legend with ※必須, hint, message tied by
// aria-describedby, aria-invalid on error. The first control of a group carries id f-<name>, so the error
// summary's link lands on it.

type Base = {
  name: string;
  label: string;
  required?: boolean;
  hint?: string | undefined;
  error?: string | undefined;
};
export type Option = { value: string; label: string };

function describedBy(name: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? `f-${name}-hint` : '', error ? `f-${name}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function Messages(p: Base) {
  return (
    <>
      {p.hint ? (
        <p class="hint" id={`f-${p.name}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {p.error ? (
        <p class="error-message" id={`f-${p.name}-error`}>
          {p.error}
        </p>
      ) : null}
    </>
  );
}

const Required = (p: { on?: boolean | undefined }) => (p.on ? <span class="required">※必須</span> : null);

export function TextAreaField(p: Base & { value?: string | undefined; maxLength: number; rows?: number }) {
  return (
    <div class={p.error ? 'field field-error' : 'field'}>
      <label for={`f-${p.name}`}>
        {p.label}
        <Required on={p.required} />
      </label>
      <Messages {...p} />
      <textarea
        id={`f-${p.name}`}
        name={p.name}
        rows={p.rows ?? 6}
        maxlength={p.maxLength}
        required={p.required}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={describedBy(p.name, p.hint, p.error)}
      >
        {p.value ?? ''}
      </textarea>
    </div>
  );
}

function Group(p: Base & { children: Child }) {
  return (
    <fieldset
      class={p.error ? 'field field-error choices' : 'field choices'}
      aria-describedby={describedBy(p.name, p.hint, p.error)}
    >
      <legend>
        {p.label}
        <Required on={p.required} />
      </legend>
      <Messages {...p} />
      {p.children}
    </fieldset>
  );
}

export function RadioGroup(p: Base & { options: Option[]; value?: string | undefined }) {
  return (
    <Group {...p}>
      {p.options.map((o, i) => (
        <div class="choice">
          <input
            type="radio"
            id={i === 0 ? `f-${p.name}` : `f-${p.name}-${i}`}
            name={p.name}
            value={o.value}
            checked={o.value === p.value}
            required={p.required}
            aria-invalid={p.error ? 'true' : undefined}
          />
          <label for={i === 0 ? `f-${p.name}` : `f-${p.name}-${i}`}>{o.label}</label>
        </div>
      ))}
    </Group>
  );
}

export function CheckboxGroup(p: Base & { options: Option[]; values: string[] }) {
  return (
    <Group {...p}>
      {p.options.map((o, i) => (
        <div class="choice">
          <input
            type="checkbox"
            id={i === 0 ? `f-${p.name}` : `f-${p.name}-${i}`}
            name={p.name}
            value={o.value}
            checked={p.values.includes(o.value)}
            aria-invalid={p.error ? 'true' : undefined}
          />
          <label for={i === 0 ? `f-${p.name}` : `f-${p.name}-${i}`}>{o.label}</label>
        </div>
      ))}
    </Group>
  );
}

/** One checkbox that the applicant must tick (a pledge, a consent): its own sentence is the label. */
export function ConsentCheckbox(p: Base & { checked: boolean; text: string }) {
  return (
    <Group {...p}>
      <div class="choice">
        <input
          type="checkbox"
          id={`f-${p.name}`}
          name={p.name}
          value="yes"
          checked={p.checked}
          required={p.required}
          aria-invalid={p.error ? 'true' : undefined}
        />
        <label for={`f-${p.name}`}>{p.text}</label>
      </div>
    </Group>
  );
}

const str = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
const list = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : v ? [v] : []);

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
      return q.kind === 'long_text' ? (
        <TextAreaField {...common} hint={hint} maxLength={max} value={str(value)} />
      ) : (
        <div class={p.error ? 'field field-error' : 'field'}>
          <label for={`f-${name}`}>
            {q.label}
            <Required on={q.required} />
          </label>
          <Messages {...common} hint={hint} />
          <input
            id={`f-${name}`}
            name={name}
            type="text"
            value={str(value)}
            maxlength={max}
            required={q.required}
            aria-invalid={p.error ? 'true' : undefined}
            aria-describedby={describedBy(name, hint, p.error)}
          />
        </div>
      );
    }
    case 'yes_no':
      return (
        <RadioGroup
          {...common}
          hint={q.help}
          options={[
            { value: 'yes', label: 'はい' },
            { value: 'no', label: 'いいえ' },
          ]}
          value={str(value)}
        />
      );
    case 'choice':
      return <RadioGroup {...common} hint={q.help} options={options} value={str(value)} />;
    case 'multi_choice': {
      const max = q.maxSelect ?? q.options.length;
      const hint = [q.help, `${max}個まで選べます`].filter(Boolean).join(' ');
      return <CheckboxGroup {...common} hint={hint} options={options} values={list(value)} />;
    }
  }
}
