import type { Child } from 'hono/jsx';
import type { FieldErrors } from '../../lib/errors.js';

/** デジタル庁 form pattern: error summary at the top, linked to fields tied by aria-describedby. */
export function ErrorSummary(props: { errors: FieldErrors | undefined; labels: Record<string, string> }) {
  const entries = Object.entries(props.errors ?? {});
  if (entries.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">入力内容に誤りがあります({entries.length}件)</h2>
      <ul>
        {entries.map(([field, msg]) => (
          <li>
            {field === '_form' ? (
              msg
            ) : (
              <a href={`#f-${field}`}>
                {props.labels[field] ?? field}: {msg}
              </a>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

type FieldProps = {
  name: string;
  label: string;
  value?: string | undefined;
  error?: string | undefined;
  required?: boolean;
  hint?: string;
  type?: 'text' | 'email' | 'password' | 'tel' | 'url' | 'number' | 'search' | 'date' | 'datetime-local';
  maxLength?: number;
  minLength?: number;
  autocomplete?: string;
  inputmode?: 'numeric' | 'text' | 'email' | 'tel' | 'url';
  pattern?: string;
};

function describedBy(name: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? `f-${name}-hint` : '', error ? `f-${name}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function FieldShell(props: {
  name: string;
  label: string;
  required?: boolean | undefined;
  hint?: string | undefined;
  error?: string | undefined;
  children: Child;
}) {
  return (
    <div class={props.error ? 'field field-error' : 'field'}>
      <label for={`f-${props.name}`}>
        {props.label}
        {props.required ? <span class="required">※必須</span> : null}
      </label>
      {props.hint ? (
        <p class="hint" id={`f-${props.name}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="error-message" id={`f-${props.name}-error`}>
          {props.error}
        </p>
      ) : null}
      {props.children}
    </div>
  );
}

export function TextField(p: FieldProps) {
  return (
    <FieldShell name={p.name} label={p.label} required={p.required} hint={p.hint} error={p.error}>
      <input
        id={`f-${p.name}`}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.type === 'password' ? undefined : p.value}
        required={p.required}
        maxlength={p.maxLength}
        minlength={p.minLength}
        autocomplete={p.autocomplete}
        inputmode={p.inputmode}
        pattern={p.pattern}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={describedBy(p.name, p.hint, p.error)}
      />
    </FieldShell>
  );
}

export function SelectField(
  p: Omit<FieldProps, 'type' | 'maxLength' | 'minLength' | 'inputmode' | 'pattern'> & {
    options: { value: string; label: string }[];
    placeholder?: string;
  },
) {
  return (
    <FieldShell name={p.name} label={p.label} required={p.required} hint={p.hint} error={p.error}>
      <select
        id={`f-${p.name}`}
        name={p.name}
        required={p.required}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={describedBy(p.name, p.hint, p.error)}
      >
        {p.placeholder !== undefined ? <option value="">{p.placeholder}</option> : null}
        {p.options.map((o) => (
          <option value={o.value} selected={o.value === p.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

export function Notice(props: { kind?: 'success' | 'info' | 'warning'; children: Child }) {
  return (
    <div class={`notice notice-${props.kind ?? 'info'}`} role="status">
      {props.children}
    </div>
  );
}
