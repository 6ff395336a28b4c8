/**
 * Paging of the list cards (`pagedListCard` in parts.ts draws them): which rows a page asks the
 * repository for, and where the page stands once the total is known. Pure.
 */

/** The rows of page `page` (1-based; anything below 1 is the first page). */
export function pageRange(page: number, size: number): { limit: number; offset: number } {
  return { limit: size, offset: (Math.max(1, page) - 1) * size };
}

/** The page shown, clamped to the pages there are (at least one), with the count of pages and rows. */
export function pagePosition(
  page: number,
  total: number,
  size: number,
): { page: number; pages: number; total: number } {
  const pages = Math.max(1, Math.ceil(total / size));
  return { page: Math.min(Math.max(1, page), pages), pages, total };
}

/** What every paged list card shows besides its rows: its title, its filter and where the page stands. */
export interface PagedListView {
  orgId: number;
  title: string;
  /** The list's filter, carried by the paging buttons. */
  filterKey: string;
  page: number;
  pages: number;
  total: number;
}
