import type { Child } from 'hono/jsx';
import type { FieldErrors } from '../../lib/errors.js';

// The デジタル庁 form pattern, for every control: a label (a legend for a group) marked ※必須 when required,
// then the hint (where the limits are stated, e.g. 「200文字以内」) and the error message, both tied to the
// control by aria-describedby, and aria-invalid on error. A control's id is f-<name> unless given, and the
// error summary links to it; in a group of choices (a fieldset, its legend the question) the first choice
// carries it, so that the link lands on something that takes focus.

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

/** What every field has. `id` only where one page holds two fields of the same name (two forms). */
export type FieldBase = {
  name: string;
  id?: string | undefined;
  label: string;
  required?: boolean | undefined;
  hint?: string | undefined;
  error?: string | undefined;
};

const fieldId = (p: { name: string; id?: string | undefined }): string => p.id ?? `f-${p.name}`;

function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

const RequiredMark = (p: { on?: boolean | undefined }) => (p.on ? <span class="required">※必須</span> : null);

/** The hint and the error message, with the ids aria-describedby points at. */
function FieldMessages(p: { id: string; hint?: string | undefined; error?: string | undefined }) {
  return (
    <>
      {p.hint ? (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {p.error ? (
        <p class="error-message" id={`${p.id}-error`}>
          {p.error}
        </p>
      ) : null}
    </>
  );
}

function FieldShell(props: FieldBase & { children: Child }) {
  const id = fieldId(props);
  return (
    <div class={props.error ? 'field field-error' : 'field'}>
      <label for={id}>
        {props.label}
        <RequiredMark on={props.required} />
      </label>
      <FieldMessages id={id} hint={props.hint} error={props.error} />
      {props.children}
    </div>
  );
}

type FieldProps = FieldBase & {
  value?: string | undefined;
  type?: 'text' | 'email' | 'password' | 'tel' | 'url' | 'number' | 'search' | 'date' | 'datetime-local';
  maxLength?: number;
  minLength?: number;
  autocomplete?: string;
  inputmode?: 'numeric' | 'text' | 'email' | 'tel' | 'url';
  pattern?: string;
};

export function TextField(p: FieldProps) {
  const id = fieldId(p);
  return (
    <FieldShell {...p}>
      <input
        id={id}
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
        aria-describedby={describedBy(id, p.hint, p.error)}
      />
    </FieldShell>
  );
}

/** A file input (multipart forms: imports, completion lists, images), in the same pattern as the others. */
export function FileField(p: FieldBase & { accept: string }) {
  const id = fieldId(p);
  return (
    <FieldShell {...p}>
      <input
        type="file"
        id={id}
        name={p.name}
        accept={p.accept}
        required={p.required}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={describedBy(id, p.hint, p.error)}
      />
    </FieldShell>
  );
}

export function TextAreaField(
  p: FieldBase & { value?: string | undefined; maxLength?: number; rows?: number },
) {
  const id = fieldId(p);
  return (
    <FieldShell {...p}>
      <textarea
        id={id}
        name={p.name}
        rows={p.rows ?? 6}
        maxlength={p.maxLength}
        required={p.required}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={describedBy(id, p.hint, p.error)}
      >
        {p.value ?? ''}
      </textarea>
    </FieldShell>
  );
}

export function SelectField(
  p: FieldBase & {
    value?: string | undefined;
    options: { value: string; label: string }[];
    placeholder?: string;
    autocomplete?: string;
  },
) {
  const id = fieldId(p);
  return (
    <FieldShell {...p}>
      <select
        id={id}
        name={p.name}
        required={p.required}
        autocomplete={p.autocomplete}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={describedBy(id, p.hint, p.error)}
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

export type Option = { value: string; label: string };
export type OptionGroup = { label: string; options: Option[] };

/** One radio button or checkbox with its own label after it. */
function Choice(p: {
  type: 'radio' | 'checkbox';
  id: string;
  name: string;
  option: Option;
  checked: boolean;
  required?: boolean | undefined;
  error?: string | undefined;
  describedBy?: string | undefined;
  compact?: boolean | undefined;
}) {
  return (
    <div class={p.compact ? 'checkbox-item' : 'choice'}>
      <input
        type={p.type}
        id={p.id}
        name={p.name}
        value={p.option.value}
        checked={p.checked}
        required={p.required}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={p.describedBy}
      />
      <label for={p.id}>{p.option.label}</label>
    </div>
  );
}

/** The choices of a group are f-<name>, f-<name>-1, f-<name>-2, … */
const choiceId = (p: FieldBase, i: number) => (i === 0 ? fieldId(p) : `${fieldId(p)}-${i}`);

/** A fieldset whose legend is the question. `compact`: the choices side by side (long, grouped lists). */
function ChoiceGroup(p: FieldBase & { compact?: boolean; children: Child }) {
  const id = fieldId(p);
  const kind = p.compact ? 'checkbox-group' : 'field choices';
  return (
    <fieldset
      class={p.error ? `${kind} field-error` : kind}
      aria-describedby={describedBy(id, p.hint, p.error)}
    >
      <legend>
        {p.label}
        <RequiredMark on={p.required} />
      </legend>
      <FieldMessages id={id} hint={p.hint} error={p.error} />
      {p.children}
    </fieldset>
  );
}

export function RadioGroup(p: FieldBase & { options: Option[]; value?: string | undefined }) {
  return (
    <ChoiceGroup {...p}>
      {p.options.map((o, i) => (
        <Choice
          type="radio"
          id={choiceId(p, i)}
          name={p.name}
          option={o}
          checked={o.value === p.value}
          required={p.required}
          error={p.error}
        />
      ))}
    </ChoiceGroup>
  );
}

/**
 * Checkboxes under one legend, any number ticked (`required` marks the legend only: the schema says how
 * many). A long list comes as labelled `groups` (regions, skill categories; programmes/regions.ts says why),
 * each its own fieldset, the boxes side by side.
 */
export function CheckboxGroup(
  p: FieldBase & { values: readonly string[] } & ({ options: Option[] } | { groups: OptionGroup[] }),
) {
  const compact = 'groups' in p;
  let i = 0;
  const box = (o: Option) => (
    <Choice
      type="checkbox"
      id={choiceId(p, i++)}
      name={p.name}
      option={o}
      checked={p.values.includes(o.value)}
      error={p.error}
      compact={compact}
    />
  );
  return (
    <ChoiceGroup {...p} compact={compact}>
      {'groups' in p
        ? p.groups.map((g) => (
            <fieldset class="checkbox-subgroup">
              <legend>{g.label}</legend>
              {g.options.map(box)}
            </fieldset>
          ))
        : p.options.map(box)}
    </ChoiceGroup>
  );
}

/** One checkbox, its label the statement it turns on (value "yes" when ticked; unticked sends nothing). */
export function CheckboxField(p: Omit<FieldBase, 'required'> & { checked: boolean }) {
  const id = fieldId(p);
  return (
    <div class={p.error ? 'checkbox-field field-error' : 'checkbox-field'}>
      <FieldMessages id={id} hint={p.hint} error={p.error} />
      <Choice
        compact
        type="checkbox"
        id={id}
        name={p.name}
        option={{ value: 'yes', label: p.label }}
        checked={p.checked}
        error={p.error}
        describedBy={describedBy(id, p.hint, p.error)}
      />
    </div>
  );
}

/** A checkbox that must be ticked (a pledge, a consent): `label` is the legend, `text` what is agreed to. */
export function ConsentCheckbox(p: FieldBase & { checked: boolean; text: string }) {
  return (
    <ChoiceGroup {...p}>
      <Choice
        type="checkbox"
        id={fieldId(p)}
        name={p.name}
        option={{ value: 'yes', label: p.text }}
        checked={p.checked}
        required={p.required}
        error={p.error}
      />
    </ChoiceGroup>
  );
}

/**
 * A form's fields by name: name, label, value and error of each from the form's label table, its values and
 * its errors, so that a field's name is written once and its message cannot be another field's:
 * `<TextField {...field('title')} required maxLength={LIMITS.title} />`.
 */
export function fieldsOf<K extends string>(
  labels: Readonly<Record<K, string>>,
  values: Readonly<Record<string, string | undefined>> | undefined,
  errors: FieldErrors | undefined,
) {
  return (name: K) => ({ name, label: labels[name], value: values?.[name], error: errors?.[name] });
}

export function Notice(props: { kind?: 'success' | 'info' | 'warning'; children: Child }) {
  return (
    <div class={`notice notice-${props.kind ?? 'info'}`} role="status">
      {props.children}
    </div>
  );
}
