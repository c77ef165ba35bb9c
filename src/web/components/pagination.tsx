// Previous / next links under a paged list or table. Plain links (GET), so every page has its own URL.

export function Pagination(p: {
  page: number;
  pages: number;
  /** Rows a page holds, for the link text (前の50件). */
  pageSize: number;
  /** What is paged, for the landmark's name (several lists may share a page). */
  label: string;
  href: (page: number) => string;
}) {
  if (p.pages <= 1) return null;
  return (
    <nav class="pagination" aria-label={p.label}>
      <ul>
        {p.page > 1 ? (
          <li>
            <a href={p.href(p.page - 1)} rel="prev">
              {`前の${p.pageSize}件`}
            </a>
          </li>
        ) : null}
        <li aria-current="page">{`${p.page} / ${p.pages} ページ`}</li>
        {p.page < p.pages ? (
          <li>
            <a href={p.href(p.page + 1)} rel="next">
              {`次の${p.pageSize}件`}
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}
