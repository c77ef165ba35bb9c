// Form controls the shared components (web/components/form.tsx) do not have yet: a textarea and checkbox
// groups, with the same デジタル庁 pattern (label, ※必須, hint and error tied by aria-describedby).

function describedBy(name: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? `f-${name}-hint` : '', error ? `f-${name}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function Hint(p: { name: string; hint?: string | undefined; error?: string | undefined }) {
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

export function TextAreaField(p: {
  name: string;
  label: string;
  value?: string | undefined;
  error?: string | undefined;
  required?: boolean;
  hint?: string;
  maxLength?: number;
  rows?: number;
}) {
  return (
    <div class={p.error ? 'field field-error' : 'field'}>
      <label for={`f-${p.name}`}>
        {p.label}
        {p.required ? <span class="required">※必須</span> : null}
      </label>
      <Hint name={p.name} hint={p.hint} error={p.error} />
      <textarea
        id={`f-${p.name}`}
        name={p.name}
        rows={p.rows ?? 5}
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

/** One checkbox with its label after it (value "yes" when ticked; an unticked box sends nothing). */
export function CheckboxField(p: {
  name: string;
  label: string;
  checked: boolean;
  hint?: string;
  error?: string | undefined;
}) {
  return (
    <div class={p.error ? 'checkbox-field field-error' : 'checkbox-field'}>
      <Hint name={p.name} hint={p.hint} error={p.error} />
      <input
        type="checkbox"
        id={`f-${p.name}`}
        name={p.name}
        value="yes"
        checked={p.checked}
        aria-describedby={describedBy(p.name, p.hint, p.error)}
      />{' '}
      <label for={`f-${p.name}`}>{p.label}</label>
    </div>
  );
}

/**
 * A group of checkboxes under one legend; `groups` split long lists into labelled sub-groups (regions,
 * skill categories). The fieldset carries the id the error summary links to.
 */
export function CheckboxGroup(p: {
  name: string;
  legend: string;
  groups: { label: string; items: { value: string; label: string }[] }[];
  selected: readonly string[];
  error?: string | undefined;
  hint?: string;
  required?: boolean;
}) {
  const chosen = new Set(p.selected);
  return (
    <fieldset
      id={`f-${p.name}`}
      class={p.error ? 'checkbox-group field-error' : 'checkbox-group'}
      aria-describedby={describedBy(p.name, p.hint, p.error)}
    >
      <legend>
        {p.legend}
        {p.required ? <span class="required">※必須</span> : null}
      </legend>
      <Hint name={p.name} hint={p.hint} error={p.error} />
      {p.groups.map((g, gi) => (
        <fieldset class="checkbox-subgroup">
          <legend>{g.label}</legend>
          {g.items.map((item, i) => {
            const id = `f-${p.name}-${gi}-${i}`;
            return (
              <span class="checkbox-item">
                <input
                  type="checkbox"
                  id={id}
                  name={p.name}
                  value={item.value}
                  checked={chosen.has(item.value)}
                />{' '}
                <label for={id}>{item.label}</label>{' '}
              </span>
            );
          })}
        </fieldset>
      ))}
    </fieldset>
  );
}
