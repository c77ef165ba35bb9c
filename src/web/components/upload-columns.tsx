/** A column of an uploaded table (CSV/XLSX) as its form documents it. */
export type UploadColumn = { key: string; label: string; required: boolean; description: string };

/**
 * The columns an upload form accepts, for the person filling in the template: the Japanese header, the English
 * one (either is accepted), whether it is required, and what goes in it. Used by the completion-list and the
 * skill-framework import forms.
 */
export function UploadColumnsTable(p: {
  caption: string;
  columns: readonly UploadColumn[];
  class?: string | undefined;
}) {
  return (
    <div class="table-scroll">
      <table class={p.class}>
        <caption>{p.caption}</caption>
        <thead>
          <tr>
            <th scope="col">見出し</th>
            <th scope="col">英語の見出し</th>
            <th scope="col">必須</th>
            <th scope="col">内容</th>
          </tr>
        </thead>
        <tbody>
          {p.columns.map((c) => (
            <tr>
              <th scope="row">{c.label}</th>
              <td>
                <code>{c.key}</code>
              </td>
              <td>{c.required ? '必須' : '任意'}</td>
              <td>{c.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
